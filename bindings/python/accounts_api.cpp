// bindings/python/accounts_api.cpp — the account calls of Portal and Session (accounts.hpp,
// portal.hpp, session.hpp): sign-in, registration, self service, administration, study grants,
// audit and outbox. Argument translation only: every rule is in the core. Python values are
// converted first, then the core runs with the GIL released (password hashing is slow on
// purpose).
#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "portal/portal.hpp"

namespace portal::python {
namespace {

using nogil = py::call_guard<py::gil_scoped_release>;
using Emails = std::variant<std::string, std::vector<std::string>>;
using TimePoint = std::chrono::system_clock::time_point;

// One address or a list of them -> the list NewUser and UserUpdate hold.
std::vector<std::string> email_list(const Emails& emails) {
  if (const auto* one = std::get_if<std::string>(&emails)) return {*one};
  return std::get<std::vector<std::string>>(emails);
}

// None / datetime.datetime -> an optional instant (see instant()).
std::optional<TimePoint> optional_instant(const py::object& value, const char* name) {
  if (value.is_none()) return std::nullopt;
  if (!is_datetime(value)) {
    throw py::type_error(std::string(name) + " must be a datetime.datetime or None");
  }
  return instant(value, name);
}

// Audit bounds: str as is (the core validates), datetime -> UTC "YYYY-MM-DDTHH:MM:SS.mmmZ"
// (the audit keeps milliseconds), date -> "YYYY-MM-DD", None -> no bound.
std::string audit_bound(const py::object& value, const char* name) {
  if (value.is_none()) return {};
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  py::module_ dt = py::module_::import("datetime");
  if (is_datetime(value)) {  // astimezone reads a naive datetime as local time
    py::object utc = value.attr("astimezone")(dt.attr("timezone").attr("utc"));
    const std::string ms = std::to_string(1000 + utc.attr("microsecond").cast<int>() / 1000);
    return utc.attr("strftime")("%Y-%m-%dT%H:%M:%S").cast<std::string>() + "." + ms.substr(1) +
           "Z";
  }
  if (py::isinstance(value, dt.attr("date"))) {
    return value.attr("strftime")("%Y-%m-%d").cast<std::string>();
  }
  throw py::type_error(std::string(name) +
                       " must be a str, a datetime.datetime, a datetime.date or None");
}

Registration registration(std::string login, std::string email, std::string password,
                          std::optional<std::string> password_confirmation,
                          std::string first_name, std::string last_name, std::string phone,
                          std::string physician_id, std::string language, std::string captcha_id,
                          std::string captcha_answer) {
  Registration form;
  form.login = std::move(login);
  form.email = std::move(email);
  // None: a program has no second form field to type it in; the core still compares both.
  form.password_confirmation = password_confirmation ? *password_confirmation : password;
  form.password = std::move(password);
  form.first_name = std::move(first_name);
  form.last_name = std::move(last_name);
  form.phone = std::move(phone);
  form.physician_id = std::move(physician_id);
  form.language = std::move(language);
  form.captcha_id = std::move(captcha_id);
  form.captcha_answer = std::move(captcha_answer);
  return form;
}

void bind_portal_calls(py::class_<Portal, std::shared_ptr<Portal>>& portal) {
  portal
      .def("session_as", &Portal::session_as, py::arg("login"), nogil(),
           "Administrative tools only: a session acting as the user `login` (or email) with "
           "that user's profile, rights and visibility, without password or token. Its audit "
           "records carry the address 'session_as'. NotFoundError for an unknown user.")
      .def("create_first_administrator",
           [](Portal& p, std::string login, std::string password, const Emails& emails,
              std::string first_name, std::string last_name, std::string phone) {
             NewUser u;
             u.login = std::move(login);
             u.password = std::move(password);
             u.emails = email_list(emails);
             u.first_name = std::move(first_name);
             u.last_name = std::move(last_name);
             u.phone = std::move(phone);
             u.profile = std::string(kAdministrator);
             return p.create_first_administrator(u);
           },
           py::arg("login"), py::arg("password"), py::kw_only(), py::arg("emails"),
           py::arg("first_name") = "", py::arg("last_name") = "", py::arg("phone") = "", nogil(),
           "Creates the first administrator, active at once. ConflictError when an "
           "administrator already exists.")
      .def("sign_in", &Portal::sign_in, py::arg("login_or_email"), py::arg("password"),
           py::arg("client_address") = "", nogil(),
           "Signs in with login or email and password; returns the user's Session. "
           "UnauthenticatedError (one message for a wrong password, an unknown or inactive "
           "account) or when locked after too many failures.")
      .def("patient_sign_in",
           [](Portal& p, const std::string& accession, const py::object& birth_date,
              const std::string& client_address, const std::string& access_code) {
             const std::string birth = date_text(birth_date, "birth_date");
             py::gil_scoped_release release;
             return p.patient_sign_in(accession, birth, client_address, access_code);
           },
           py::arg("accession"), py::arg("birth_date"), py::arg("client_address") = "",
           py::arg("access_code") = "",
           "Patient sign-in with an accession number and birth date (YYYYMMDD or "
           "datetime.date), plus the study's access code when the portal requires one. "
           "UnauthenticatedError otherwise.")
      .def("resume", &Portal::resume, py::arg("token"), py::arg("client_address") = "", nogil(),
           "The session of a token from Session.token. UnauthenticatedError when unknown, "
           "signed out or expired.")
      .def("new_captcha", &Portal::new_captcha, nogil(),
           "A new single-use image captcha for register_user.")
      .def("register_user",
           [](Portal& p, std::string login, std::string email, std::string password,
              std::string first_name, std::string last_name,
              std::optional<std::string> password_confirmation, std::string phone,
              std::string physician_id, std::string language, std::string captcha_id,
              std::string captcha_answer, const std::string& client_address) {
             const Registration form = registration(
                 std::move(login), std::move(email), std::move(password),
                 std::move(password_confirmation), std::move(first_name), std::move(last_name),
                 std::move(phone), std::move(physician_id), std::move(language),
                 std::move(captcha_id), std::move(captcha_answer));
             return p.register_user(form, client_address);
           },
           py::kw_only(), py::arg("login"), py::arg("email"), py::arg("password"),
           py::arg("first_name"), py::arg("last_name"),
           py::arg("password_confirmation") = py::none(), py::arg("phone") = "",
           py::arg("physician_id") = "", py::arg("language") = "en", py::arg("captcha_id") = "",
           py::arg("captcha_answer") = "", py::arg("client_address") = "", nogil(),
           "Self-registration: an account awaiting confirmation (referring_physician); a "
           "confirmation mail is queued. password_confirmation=None means the same as password.")
      .def("confirm_registration", &Portal::confirm_registration, py::arg("token"), nogil(),
           "Confirms a registration from the mailed token. NotFoundError for an unknown, used "
           "or expired token.")
      .def("request_password_reset", &Portal::request_password_reset,
           py::arg("login_or_email"), py::arg("client_address") = "", nogil(),
           "Mails a single-use reset link when the account is known; returns the same way "
           "either way.")
      .def("reset_password", &Portal::reset_password, py::arg("token"),
           py::arg("new_password"), nogil(),
           "Sets a new password from a reset token and ends the user's sessions.")
      .def("accept_invitation",
           [](Portal& p, const std::string& token, std::string login, std::string password,
              std::string first_name, std::string last_name,
              std::optional<std::string> password_confirmation, std::string phone,
              std::string language, const std::string& client_address) {
             const Registration form = registration(
                 std::move(login), "", std::move(password), std::move(password_confirmation),
                 std::move(first_name), std::move(last_name), std::move(phone), "",
                 std::move(language), "", "");
             return p.accept_invitation(token, form, client_address);
           },
           py::arg("token"), py::kw_only(), py::arg("login"), py::arg("password"),
           py::arg("first_name"), py::arg("last_name"),
           py::arg("password_confirmation") = py::none(), py::arg("phone") = "",
           py::arg("language") = "en", py::arg("client_address") = "", nogil(),
           "Redeems an invitation: an active guest whose email is the invited one.")
      .def("deliver_mail", &Portal::deliver_mail, nogil(),
           "Delivers the outbox messages that are due: SMTP when configured, else .eml files "
           "in the spool folder (<data>/spool by default).");
}

void bind_session_calls(py::class_<Session>& session) {
  // --- Who -------------------------------------------------------------------------------------
  session
      .def_property_readonly(
          "token", [](const Session& s) { return s.token(); },
          "The opaque token that resumes this session (Portal.resume); empty for the system "
          "session. A secret: never log it.")
      .def("user", &Session::user, nogil(),
           "The signed-in account; None for the system and patient sessions.")
      .def("profile", &Session::profile, nogil(),
           "'system', 'patient' or the user's profile.")
      .def("has_right", &Session::has_right, py::arg("right"), nogil(),
           "True when this principal holds the right (the system holds every right).")
      .def("sign_out", &Session::sign_out, nogil(),
           "Ends the session; later calls raise UnauthenticatedError.")
      .def("update_me",
           [](Session& s, std::optional<std::string> first_name,
              std::optional<std::string> last_name, std::optional<std::string> phone,
              std::optional<std::string> physician_id, const std::optional<Emails>& emails) {
             UserUpdate u;
             u.first_name = std::move(first_name);
             u.last_name = std::move(last_name);
             u.phone = std::move(phone);
             u.physician_id = std::move(physician_id);
             if (emails) u.emails = email_list(*emails);
             return s.update_me(u);
           },
           py::kw_only(), py::arg("first_name") = py::none(), py::arg("last_name") = py::none(),
           py::arg("phone") = py::none(), py::arg("physician_id") = py::none(),
           py::arg("emails") = py::none(), nogil(),
           "Changes the signed-in user's own fields; None leaves a field as it is.")
      .def("set_preferences",
           [](Session& s, std::string language, std::string first_tab,
              std::vector<std::string> columns, std::string default_period) {
             Preferences prefs;
             prefs.language = std::move(language);
             prefs.first_tab = std::move(first_tab);
             prefs.columns = std::move(columns);
             prefs.default_period = std::move(default_period);
             s.set_preferences(prefs);
           },
           py::kw_only(), py::arg("language") = "en", py::arg("first_tab") = "studies",
           py::arg("columns") = std::vector<std::string>{}, py::arg("default_period") = "all",
           nogil(),
           "Stores the signed-in user's preferences (all of them: omitted ones take their "
           "defaults).")
      .def("change_password", &Session::change_password, py::arg("current_password"),
           py::arg("new_password"), nogil(),
           "Changes the signed-in user's password; every other session of the user ends.");

  // --- Administration (administrators and the system; else PermissionDeniedError) ----------
  session
      .def("users",
           [](const Session& s, const std::optional<std::string>& state) {
             std::optional<UserState> wanted;
             if (state) wanted = parse_user_state(*state);
             return s.users(wanted);
           },
           py::arg("state") = py::none(), nogil(),
           "Accounts by login, optionally only those in one state ('active', ...).")
      .def("find_user", &Session::find_user, py::arg("login_email_or_id"), nogil(),
           "One account by login, email or id; NotFoundError otherwise.")
      .def("add_user",
           [](Session& s, std::string login, std::string password, const Emails& emails,
              std::string profile, std::string first_name, std::string last_name,
              std::string phone, std::string physician_id, std::string linked_physician_id,
              std::string referring_name) {
             NewUser u;
             u.login = std::move(login);
             u.password = std::move(password);
             u.emails = email_list(emails);
             u.profile = std::move(profile);
             u.first_name = std::move(first_name);
             u.last_name = std::move(last_name);
             u.phone = std::move(phone);
             u.physician_id = std::move(physician_id);
             u.linked_physician_id = std::move(linked_physician_id);
             u.referring_name = std::move(referring_name);
             return s.add_user(u);
           },
           py::arg("login"), py::arg("password"), py::kw_only(), py::arg("emails"),
           py::arg("profile") = std::string(kReferringPhysician), py::arg("first_name") = "",
           py::arg("last_name") = "", py::arg("phone") = "", py::arg("physician_id") = "",
           py::arg("linked_physician_id") = "", py::arg("referring_name") = "", nogil(),
           "Creates an active account directly (no confirmation).")
      .def("activate_user", &Session::activate_user, py::arg("login"), nogil())
      .def("disable_user", &Session::disable_user, py::arg("login"), nogil(),
           "Disables the account and ends its sessions.")
      .def("set_user_profile", &Session::set_user_profile, py::arg("login"), py::arg("profile"),
           nogil())
      .def("link_referring_physician", &Session::link_referring_physician, py::arg("login"),
           py::arg("physician_id") = "", py::arg("referring_name") = "", nogil(),
           "Links a referring physician account to the identifier and/or DICOM name "
           "('FAMILY^GIVEN') found in studies; empty strings unlink.")
      .def("set_user_password", &Session::set_user_password, py::arg("login"),
           py::arg("password"), nogil(), "Sets a user's password; their sessions end.")
      .def("profiles", &Session::profiles, nogil(),
           "Every profile (the four account profiles and 'patient') with its rights.")
      .def("grant_right", &Session::grant_right, py::arg("profile"), py::arg("right"), nogil())
      .def("revoke_right", &Session::revoke_right, py::arg("profile"), py::arg("right"), nogil())
      .def("audit",
           [](const Session& s, std::string login, std::string action, std::string study_uid,
              std::string patient_id, std::string outcome, const py::object& from,
              const py::object& to, int limit, int offset) {
             AuditQuery q;
             q.login = std::move(login);
             q.action = std::move(action);
             q.study_uid = std::move(study_uid);
             q.patient_id = std::move(patient_id);
             q.outcome = std::move(outcome);
             q.from = audit_bound(from, "from_");
             q.to = audit_bound(to, "to");
             q.limit = limit;
             q.offset = offset;
             py::gil_scoped_release release;
             return s.audit(q);
           },
           py::kw_only(), py::arg("login") = "", py::arg("action") = "",
           py::arg("study_uid") = "", py::arg("patient_id") = "", py::arg("outcome") = "",
           py::arg("from_") = py::none(), py::arg("to") = py::none(), py::arg("limit") = 200,
           py::arg("offset") = 0,
           "Audit records, newest first. from_ and to (UTC, inclusive) are ISO strings, "
           "datetimes or dates.")
      .def("mail",
           [](const Session& s, const std::optional<std::string>& status) {
             std::optional<MailStatus> wanted;
             if (status) wanted = parse_mail_status(*status);
             return s.mail(wanted);
           },
           py::arg("status") = py::none(), nogil(),
           "Outbox messages, newest first, optionally in one status ('pending', 'sent', "
           "'failed').")
      .def("retry_mail", &Session::retry_mail, py::arg("id"), nogil(),
           "Schedules a pending or failed message for immediate delivery.");

  // --- Studies: access ---------------------------------------------------------------------
  session
      .def("set_study_disabled", &Session::set_study_disabled, py::arg("study_uid"),
           py::arg("disabled"), nogil(),
           "Disables (then visible to administrators only) or enables a study.")
      .def("grant_study",
           [](Session& s, const std::string& study_uid, const std::string& login,
              const py::object& expires) {
             const std::optional<TimePoint> until = optional_instant(expires, "expires");
             py::gil_scoped_release release;
             return s.grant_study(study_uid, login, until);
           },
           py::arg("study_uid"), py::arg("login"), py::arg("expires") = py::none(),
           "Grants a user access to a study (share right); expires is a datetime or None "
           "(never).")
      .def("revoke_study_grant", &Session::revoke_study_grant, py::arg("study_uid"),
           py::arg("login"), nogil(), "Revokes a grant; NotFoundError when there is none.")
      .def("study_grants", &Session::study_grants, py::arg("study_uid"), nogil(),
           "The grants of a study (administrators, radiologists, the system).")
      .def("new_patient_access_code", &Session::new_patient_access_code, py::arg("study_uid"),
           nogil(), "A new random access code for the patient of a study (only its hash is kept).")
      .def("invite", &Session::invite, py::arg("email"), py::arg("language") = "", nogil(),
           "Invites an email address to register as a guest (share right).")
      // --- Sharing and seen status (DIF-1, DIF-5, DIF-6) ---------------------------------------
      .def("share",
           [](Session& s, const std::string& study_uid, const std::string& recipients,
              const std::string& message, const py::object& expires) {
             const std::optional<TimePoint> until = optional_instant(expires, "expires");
             py::gil_scoped_release release;
             return s.share(study_uid, recipients, message, until);
           },
           py::arg("study_uid"), py::arg("recipients"), py::arg("message") = "",
           py::arg("expires") = py::none(),
           "Shares a study with a comma-separated list of emails (share right); one invalid "
           "address refuses all. Returns one Share per recipient.")
      .def("share_with_user",
           [](Session& s, const std::string& study_uid, const std::string& login,
              const std::string& message, const py::object& expires) {
             const std::optional<TimePoint> until = optional_instant(expires, "expires");
             py::gil_scoped_release release;
             return s.share_with_user(study_uid, login, message, until);
           },
           py::arg("study_uid"), py::arg("login"), py::arg("message") = "",
           py::arg("expires") = py::none(), "Shares a study with an existing account.")
      .def("revoke_share", &Session::revoke_share, py::arg("id"), nogil(),
           "Revokes a share: its recipient loses access at once.")
      .def("shares", &Session::shares, py::arg("study_uid") = "", nogil(),
           "Shares of a study (all when empty), for privileged profiles.")
      .def("mark_seen", &Session::mark_seen, py::arg("study_uid"), nogil(),
           "Records that this principal opened the study (DIF-1).");
}

}  // namespace

void bind_accounts_api(py::module_& m) {
  using PortalClass = py::class_<Portal, std::shared_ptr<Portal>>;
  auto portal = py::reinterpret_borrow<PortalClass>(m.attr("Portal"));
  bind_portal_calls(portal);
  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  bind_session_calls(session);
}

}  // namespace portal::python
