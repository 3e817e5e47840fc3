// bindings/python/accounts_model.cpp — read-only Python classes for the value types of
// accounts.hpp. Field names are those of the C++ structs; enums become the strings of
// user_state_name() / mail_status_name(); times stay UTC ISO 8601 strings. Each class has
// __repr__, __eq__ and to_dict().
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "portal/accounts.hpp"
#include "portal/model.hpp"

namespace portal::python {
namespace {

// --- to_dict: the single description of each type's fields as Python values ---------------------

py::dict to_dict(const Preferences& p) {
  py::dict d;
  d["language"] = p.language;
  d["first_tab"] = p.first_tab;
  d["columns"] = py::cast(p.columns);
  d["default_period"] = p.default_period;
  return d;
}

py::dict to_dict(const User& u) {
  py::dict d;
  d["id"] = u.id;
  d["login"] = u.login;
  d["emails"] = py::cast(u.emails);
  d["first_name"] = u.first_name;
  d["last_name"] = u.last_name;
  d["phone"] = u.phone;
  d["physician_id"] = u.physician_id;
  d["linked_physician_id"] = u.linked_physician_id;
  d["referring_name"] = u.referring_name;
  d["profile"] = u.profile;
  d["state"] = std::string(user_state_name(u.state));
  d["preferences"] = to_dict(u.preferences);
  d["created_at"] = u.created_at;
  return d;
}

py::dict to_dict(const Profile& p) {
  py::dict d;
  d["name"] = p.name;
  d["rights"] = py::cast(p.rights);
  return d;
}

py::dict to_dict(const Captcha& c) {
  py::dict d;
  d["id"] = c.id;
  d["png"] = py::bytes(c.png);
  return d;
}

py::dict to_dict(const Invitation& i) {
  py::dict d;
  d["email"] = i.email;
  d["token"] = i.token;
  d["link"] = i.link;
  d["expires_at"] = i.expires_at;
  return d;
}

py::dict to_dict(const StudyGrant& g) {
  py::dict d;
  d["study_uid"] = g.study_uid;
  d["user_login"] = g.user_login;
  d["granted_by"] = g.granted_by;
  d["created_at"] = g.created_at;
  d["expires_at"] = g.expires_at;
  d["revoked_at"] = g.revoked_at;
  d["active"] = g.active;
  return d;
}

py::dict to_dict(const Share& x) {
  py::dict d;
  d["id"] = x.id;
  d["study_uid"] = x.study_uid;
  d["recipient"] = x.recipient;
  d["recipient_login"] = x.recipient_login;
  d["shared_by"] = x.shared_by;
  d["message"] = x.message;
  d["created_at"] = x.created_at;
  d["expires_at"] = x.expires_at;
  d["revoked_at"] = x.revoked_at;
  d["pending"] = x.pending;
  d["active"] = x.active;
  return d;
}

py::dict to_dict(const AuditEvent& e) {
  py::dict d;
  d["id"] = e.id;
  d["at"] = e.at;
  d["user_id"] = e.user_id;
  d["login"] = e.login;
  d["profile"] = e.profile;
  d["address"] = e.address;
  d["action"] = e.action;
  d["study_uid"] = e.study_uid;
  d["patient_id"] = e.patient_id;
  d["outcome"] = e.outcome;
  d["detail"] = e.detail;
  return d;
}

py::dict to_dict(const MailMessage& m) {
  py::dict d;
  d["id"] = m.id;
  d["to"] = m.to;
  d["subject"] = m.subject;
  d["body"] = m.body;
  d["kind"] = m.kind;
  d["language"] = m.language;
  d["status"] = std::string(mail_status_name(m.status));
  d["attempts"] = m.attempts;
  d["next_attempt_at"] = m.next_attempt_at;
  d["last_error"] = m.last_error;
  d["created_at"] = m.created_at;
  d["sent_at"] = m.sent_at;
  return d;
}

py::dict to_dict(const MailDeliveryReport& r) {
  py::dict d;
  d["attempted"] = r.attempted;
  d["sent"] = r.sent;
  d["failed"] = r.failed;
  d["retrying"] = r.retrying;
  return d;
}

template <typename T, typename Class>
void add_common(Class& cls, const char* name, std::initializer_list<const char*> repr_fields) {
  add_value_methods<T>(cls, name, repr_fields, [](const T& v) { return to_dict(v); });
}

}  // namespace

void bind_accounts_model(py::module_& m) {
  m.def("known_rights", &known_rights,
        "Every right name a profile may hold (named rights, then column:* and tool:*), sorted.");

  auto prefs = py::class_<Preferences>(m, "Preferences", "Per-user preferences (ACC-5, LIST-6).")
      .def_readonly("language", &Preferences::language, "'en' or 'fr'")
      .def_readonly("first_tab", &Preferences::first_tab, "Tab opened after sign-in")
      .def_readonly("columns", &Preferences::columns,
                    "Study-list columns shown; empty = the profile's default")
      .def_readonly("default_period", &Preferences::default_period,
                    "As find_studies(period=...) reads it");
  add_common<Preferences>(prefs, "Preferences",
                          {"language", "first_tab", "columns", "default_period"});

  auto user = py::class_<User>(m, "User", "An account. Never carries a password or its hash.")
      .def_readonly("id", &User::id, "Random public id")
      .def_readonly("login", &User::login)
      .def_readonly("emails", &User::emails, "The first is the primary address")
      .def_readonly("first_name", &User::first_name)
      .def_readonly("last_name", &User::last_name)
      .def_readonly("phone", &User::phone)
      .def_readonly("physician_id", &User::physician_id, "As declared by the user")
      .def_readonly("linked_physician_id", &User::linked_physician_id,
                    "Referring physician identifier found in studies (set by administrators)")
      .def_readonly("referring_name", &User::referring_name,
                    "Referring physician DICOM name 'FAMILY^GIVEN' (set by administrators)")
      .def_readonly("profile", &User::profile,
                    "'administrator', 'radiologist', 'referring_physician' or 'guest'")
      .def_property_readonly(
          "state", [](const User& u) { return std::string(user_state_name(u.state)); },
          "'awaiting_confirmation', 'awaiting_activation', 'active' or 'disabled'")
      .def_readonly("preferences", &User::preferences)
      .def_readonly("created_at", &User::created_at, "UTC ISO 8601");
  add_common<User>(user, "User", {"login", "profile", "state", "emails"});

  auto profile = py::class_<Profile>(m, "Profile", "A profile and its rights (ACC-7).")
      .def_readonly("name", &Profile::name)
      .def_readonly("rights", &Profile::rights, "Sorted right names");
  add_common<Profile>(profile, "Profile", {"name", "rights"});

  auto captcha = py::class_<Captcha>(m, "Captcha",
                                     "An image captcha: show png, send back id with the answer.")
      .def_readonly("id", &Captcha::id)
      .def_property_readonly(
          "png", [](const Captcha& c) { return py::bytes(c.png); }, "PNG bytes");
  captcha.def("to_dict", [](const Captcha& c) { return to_dict(c); },
              "The fields as a plain dict (png as bytes).");
  captcha.def("__eq__", [](const Captcha& a, const Captcha& b) {
    return a.id == b.id && a.png == b.png;
  }, py::is_operator());
  captcha.def("__repr__", [](const Captcha& c) {
    return "Captcha(id=" + py::repr(py::str(c.id)).cast<std::string>() +
           ", png=<" + std::to_string(c.png.size()) + " bytes>)";
  });

  // The token is a secret: repr shows only the address and the expiry.
  auto invitation = py::class_<Invitation>(
      m, "Invitation",
      "An invitation (ACC-3). token and link are filled only in the value invite() returns.")
      .def_readonly("email", &Invitation::email)
      .def_readonly("token", &Invitation::token, "Single-use secret; accept_invitation() takes it")
      .def_readonly("link", &Invitation::link, "The link mailed to the guest")
      .def_readonly("expires_at", &Invitation::expires_at, "UTC ISO 8601");
  add_common<Invitation>(invitation, "Invitation", {"email", "expires_at"});

  auto grant = py::class_<StudyGrant>(m, "StudyGrant",
                                      "Access to one study granted to one user.")
      .def_readonly("study_uid", &StudyGrant::study_uid)
      .def_readonly("user_login", &StudyGrant::user_login)
      .def_readonly("granted_by", &StudyGrant::granted_by, "Login, or 'system'")
      .def_readonly("created_at", &StudyGrant::created_at, "UTC ISO 8601")
      .def_readonly("expires_at", &StudyGrant::expires_at, "UTC ISO 8601; empty = never")
      .def_readonly("revoked_at", &StudyGrant::revoked_at, "UTC ISO 8601; empty = not revoked")
      .def_readonly("active", &StudyGrant::active, "Neither revoked nor expired now");
  add_common<StudyGrant>(grant, "StudyGrant",
                         {"study_uid", "user_login", "granted_by", "expires_at", "active"});

  auto share = py::class_<Share>(m, "Share", "A study shared with one recipient (DIF-5, DIF-6).")
      .def_readonly("id", &Share::id)
      .def_readonly("study_uid", &Share::study_uid)
      .def_readonly("recipient", &Share::recipient, "Email, or login for share_with_user")
      .def_readonly("recipient_login", &Share::recipient_login, "Empty while pending")
      .def_readonly("shared_by", &Share::shared_by, "Login, or 'system'")
      .def_readonly("message", &Share::message)
      .def_readonly("created_at", &Share::created_at, "UTC ISO 8601")
      .def_readonly("expires_at", &Share::expires_at, "UTC ISO 8601; empty = never")
      .def_readonly("revoked_at", &Share::revoked_at, "UTC ISO 8601; empty = not revoked")
      .def_readonly("pending", &Share::pending, "The recipient has not registered yet")
      .def_readonly("active", &Share::active, "Neither revoked nor expired now");
  add_common<Share>(share, "Share", {"id", "study_uid", "recipient", "active"});

  auto event = py::class_<AuditEvent>(
      m, "AuditEvent", "One audit record (PLAT-3). Never holds a password, token or answer.")
      .def_readonly("id", &AuditEvent::id)
      .def_readonly("at", &AuditEvent::at, "UTC ISO 8601")
      .def_readonly("user_id", &AuditEvent::user_id,
                    "Public user id; empty for patients, the system and unknown accounts")
      .def_readonly("login", &AuditEvent::login,
                    "Login as typed for failed sign-ins; 'system'; the accession for patients")
      .def_readonly("profile", &AuditEvent::profile)
      .def_readonly("address", &AuditEvent::address, "Client address as given at sign-in")
      .def_readonly("action", &AuditEvent::action, "e.g. 'sign_in', 'study_view'")
      .def_readonly("study_uid", &AuditEvent::study_uid)
      .def_readonly("patient_id", &AuditEvent::patient_id)
      .def_readonly("outcome", &AuditEvent::outcome,
                    "'success', 'failure', 'locked' or 'denied'")
      .def_readonly("detail", &AuditEvent::detail);
  add_common<AuditEvent>(event, "AuditEvent", {"id", "at", "login", "action", "outcome"});

  auto mail = py::class_<MailMessage>(m, "MailMessage", "One message of the outbox (DIF-8).")
      .def_readonly("id", &MailMessage::id)
      .def_readonly("to", &MailMessage::to)
      .def_readonly("subject", &MailMessage::subject)
      .def_readonly("body", &MailMessage::body, "Secrets (links with tokens) are masked")
      .def_readonly("kind", &MailMessage::kind,
                    "'confirmation', 'activation_request', 'account_activated', "
                    "'password_reset' or 'invitation'")
      .def_readonly("language", &MailMessage::language)
      .def_property_readonly(
          "status", [](const MailMessage& m) { return std::string(mail_status_name(m.status)); },
          "'pending', 'sent' or 'failed'")
      .def_readonly("attempts", &MailMessage::attempts)
      .def_readonly("next_attempt_at", &MailMessage::next_attempt_at,
                    "UTC ISO 8601 while pending, else empty")
      .def_readonly("last_error", &MailMessage::last_error)
      .def_readonly("created_at", &MailMessage::created_at)
      .def_readonly("sent_at", &MailMessage::sent_at);
  add_common<MailMessage>(mail, "MailMessage", {"id", "to", "kind", "status", "subject"});

  auto delivery = py::class_<MailDeliveryReport>(m, "MailDeliveryReport",
                                                 "What one deliver_mail() pass did.")
      .def_readonly("attempted", &MailDeliveryReport::attempted)
      .def_readonly("sent", &MailDeliveryReport::sent)
      .def_readonly("failed", &MailDeliveryReport::failed,
                    "Permanently (refused, or out of attempts)")
      .def_readonly("retrying", &MailDeliveryReport::retrying, "Scheduled again with backoff");
  add_common<MailDeliveryReport>(delivery, "MailDeliveryReport",
                                 {"attempted", "sent", "failed", "retrying"});
}

}  // namespace portal::python
