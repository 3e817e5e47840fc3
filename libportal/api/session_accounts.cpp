// Session calls of [accounts]: self service (ACC-5, ACC-6), administration (ACC-7), study access
// (LIST-7 disable, grants), invitations (ACC-3), audit (PLAT-3) and outbox (DIF-8).
#include <algorithm>

#include "libportal/api/accounts_util.hpp"
#include "libportal/api/state.hpp"
#include "libportal/auth/password.hpp"
#include "libportal/auth/tokens.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/random.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {

using detail::Principal;

detail::UserRow need_user(detail::PortalState& st, const std::string& key) {
  auto row = st.accounts->user_by_login(key);
  if (!row) row = st.accounts->user_by_email(key);
  if (!row) row = st.accounts->user_by_public_id(key);
  if (!row) throw Error(ErrorCode::kNotFound, "no user " + key);
  return *row;
}

detail::UserRow self_row(detail::PortalState& st, const Principal& p) {
  if (p.kind != Principal::Kind::kUser)
    throw Error(ErrorCode::kPermissionDenied, "only a signed-in user has an account");
  auto row = st.accounts->user_by_ref(p.user_ref);
  if (!row) throw Error(ErrorCode::kUnauthenticated, "the session has ended: sign in again");
  return *row;
}

// The portal must keep one active administrator: the first one is made only once.
void keep_an_administrator(detail::PortalState& st, const detail::UserRow& changed) {
  if (changed.profile != kAdministrator || changed.state != "active") return;
  if (st.accounts->users_with_profile(std::string(kAdministrator), "active").size() <= 1)
    throw Error(ErrorCode::kConflict, "the last active administrator cannot be disabled or demoted");
}

void check_emails(const std::vector<std::string>& emails) {
  if (emails.empty()) throw Error(ErrorCode::kInvalidArgument, "an email is required");
  for (const auto& e : emails) detail::check_email(e);
}

StudyGrant to_grant(const detail::GrantRow& g, std::int64_t now) {
  StudyGrant out;
  out.study_uid = g.study_uid;
  out.user_login = g.user_login;
  out.granted_by = g.granted_by;
  out.created_at = detail::iso8601_utc_ms(g.created_at);
  out.expires_at = detail::iso8601_utc_ms(g.expires_at);
  out.revoked_at = detail::iso8601_utc_ms(g.revoked_at);
  out.active = g.revoked_at == 0 && (g.expires_at == 0 || g.expires_at > now);
  return out;
}

MailMessage to_mail(const detail::OutboxRow& m) {
  MailMessage out;
  out.id = m.id;
  out.to = m.to;
  out.subject = m.subject;
  out.body = m.body;
  out.kind = m.kind;
  out.language = m.language;
  out.status = parse_mail_status(m.status);
  out.attempts = m.attempts;
  out.next_attempt_at = m.status == "pending" ? detail::iso8601_utc_ms(m.next_attempt_at) : std::string();
  out.last_error = m.last_error;
  out.created_at = detail::iso8601_utc_ms(m.created_at);
  out.sent_at = detail::iso8601_utc_ms(m.sent_at);
  return out;
}

}  // namespace

// --- Who ---------------------------------------------------------------------------------------

std::optional<User> Session::user() const {
  auto p = current();
  if (p.kind != Principal::Kind::kUser) return std::nullopt;
  return state_->to_user(self_row(*state_, p));
}

std::string Session::profile() const { return current().profile; }

bool Session::has_right(const std::string& right) const {
  return detail::has_right(current(), right);
}

void Session::sign_out() {
  if (!auth_) return;
  if (auth_->access_token)
    throw Error(ErrorCode::kInvalidArgument,
                "a personal access token does not sign out: revoke it instead");
  auto p = current();
  state_->accounts->revoke_session(auth_->token_hash);
  state_->audit(p, address(), {"sign_out", "success"});
}

User Session::update_me(const UserUpdate& u) {
  auto p = current();
  auto row = self_row(*state_, p);
  if (u.first_name) row.first_name = *u.first_name;
  if (u.last_name) row.last_name = *u.last_name;
  if (u.phone) row.phone = *u.phone;
  if (u.physician_id) row.physician_id = *u.physician_id;
  if (u.emails) {
    check_emails(*u.emails);
    // A guest's email is the invited one (ACC-3).
    if (row.profile == kGuest && *u.emails != row.emails)
      throw Error(ErrorCode::kPermissionDenied, "a guest's email cannot change");
    row.emails = *u.emails;
  }
  state_->accounts->update_user(row);
  state_->audit(p, address(), {"account_update", "success"});
  return state_->to_user(row);
}

void Session::set_preferences(const Preferences& prefs) {
  auto p = current();
  auto row = self_row(*state_, p);
  detail::check_language(prefs.language);
  (void)parse_period(prefs.default_period);
  for (const auto& c : prefs.columns) {
    const auto& known = detail::study_columns();
    if (std::find(known.begin(), known.end(), c) == known.end())
      throw Error(ErrorCode::kInvalidArgument, "unknown study-list column \"" + c + "\"");
  }
  static const std::vector<std::string> tabs = {"studies", "shared", "upload", "profile"};
  if (std::find(tabs.begin(), tabs.end(), prefs.first_tab) == tabs.end())
    throw Error(ErrorCode::kInvalidArgument,
                "unknown first tab \"" + prefs.first_tab + "\" (studies, shared, upload, profile)");
  row.preferences = prefs;
  state_->accounts->update_user(row);
}

void Session::change_password(const std::string& current_password,
                              const std::string& new_password) {
  auto p = current();
  auto row = self_row(*state_, p);
  if (!detail::verify_password(current_password, row.password_hash)) {
    state_->audit(p, address(), {"password_change", "failure", "", "", "wrong current password"});
    throw Error(ErrorCode::kUnauthenticated, "the current password is wrong");
  }
  detail::check_password_policy(new_password, state_->options.password_min_length,
                                state_->options.password_dictionary);
  state_->accounts->set_password_hash(
      row.id, detail::hash_password(new_password, state_->password_params()));
  state_->accounts->revoke_user_sessions(row.id, auth_ ? auth_->token_hash : std::string());
  state_->audit(p, address(), {"password_change", "success"});
}

// --- Administration ----------------------------------------------------------------------------

std::vector<User> Session::users(std::optional<UserState> state) const {
  require_admin();
  std::vector<User> out;
  for (const auto& r :
       state_->accounts->users(state ? std::string(user_state_name(*state)) : std::string()))
    out.push_back(state_->to_user(r));
  return out;
}

User Session::find_user(const std::string& key) const {
  require_admin();
  return state_->to_user(need_user(*state_, key));
}

User Session::add_user(const NewUser& u) {
  auto p = require_admin();
  detail::check_login(u.login);
  check_emails(u.emails);
  detail::check_profile(u.profile);
  detail::check_password_policy(u.password, state_->options.password_min_length,
                                state_->options.password_dictionary);
  detail::UserRow row;
  row.public_id = detail::random_hex(16);
  row.login = u.login;
  row.emails = u.emails;
  row.first_name = u.first_name;
  row.last_name = u.last_name;
  row.phone = u.phone;
  row.physician_id = u.physician_id;
  row.linked_physician_id = u.linked_physician_id;
  row.referring_name = u.referring_name;
  row.profile = u.profile;
  row.state = "active";
  row.preferences.language = state_->options.default_language;
  row.created_at = state_->now_ms();
  row.password_hash = detail::hash_password(u.password, state_->password_params());
  row.id = state_->accounts->insert_user(row);
  state_->audit(p, address(), {"user_add", "success", "", "", row.login + " as " + row.profile});
  return state_->to_user(row);
}

void Session::activate_user(const std::string& login) {
  auto p = require_admin();
  auto row = need_user(*state_, login);
  bool was_pending = row.state != "active" && row.state != "disabled";
  row.state = "active";
  state_->accounts->update_user(row);
  state_->audit(p, address(), {"user_activate", "success", "", "", row.login});
  if (was_pending && !row.emails.empty()) {
    std::string name = row.first_name + " " + row.last_name;
    state_->enqueue_mail(row.emails.front(), "account_activated", row.preferences.language,
                         {{"name", name}, {"login", row.login}});
  }
}

void Session::disable_user(const std::string& login) {
  auto p = require_admin();
  auto row = need_user(*state_, login);
  if (p.kind == Principal::Kind::kUser && row.id == p.user_ref)
    throw Error(ErrorCode::kConflict, "an administrator cannot disable their own account");
  keep_an_administrator(*state_, row);
  row.state = "disabled";
  state_->accounts->update_user(row);
  state_->accounts->revoke_user_sessions(row.id);
  state_->audit(p, address(), {"user_disable", "success", "", "", row.login});
}

void Session::set_user_profile(const std::string& login, const std::string& profile) {
  auto p = require_admin();
  detail::check_profile(profile);
  auto row = need_user(*state_, login);
  if (profile != kAdministrator) keep_an_administrator(*state_, row);
  std::string before = row.profile;
  row.profile = profile;
  state_->accounts->update_user(row);
  state_->audit(
      p, address(),
      {"user_set_profile", "success", "", "", row.login + ": " + before + " -> " + profile});
}

void Session::link_referring_physician(const std::string& login, const std::string& physician_id,
                                       const std::string& referring_name) {
  auto p = require_admin();
  auto row = need_user(*state_, login);
  row.linked_physician_id = physician_id;
  row.referring_name = referring_name;
  state_->accounts->update_user(row);
  state_->audit(p, address(),
                {"user_link_physician", "success", "", "",
                 row.login + ": id \"" + physician_id + "\", name \"" + referring_name + "\""});
}

void Session::set_user_password(const std::string& login, const std::string& password) {
  auto p = require_admin();
  auto row = need_user(*state_, login);
  detail::check_password_policy(password, state_->options.password_min_length,
                                state_->options.password_dictionary);
  state_->accounts->set_password_hash(row.id,
                                      detail::hash_password(password, state_->password_params()));
  state_->accounts->revoke_user_sessions(row.id, auth_ ? auth_->token_hash : std::string());
  state_->audit(p, address(), {"user_set_password", "success", "", "", row.login});
}

std::vector<Profile> Session::profiles() const {
  require_admin();
  auto rights = state_->accounts->profile_rights();
  std::vector<Profile> out;
  auto names = detail::account_profiles();
  names.push_back(std::string(kPatientProfile));
  for (const auto& n : names) out.push_back({n, rights[n]});
  return out;
}

void Session::grant_right(const std::string& profile, const std::string& right) {
  auto p = require_admin();
  if (!detail::is_account_profile(profile) && profile != kPatientProfile)
    detail::check_profile(profile);
  if (!detail::is_known_right(right))
    throw Error(ErrorCode::kInvalidArgument, "unknown right \"" + right + "\"");
  state_->accounts->set_right(profile, right, true);
  state_->audit(p, address(), {"profile_grant", "success", "", "", profile + " + " + right});
}

void Session::revoke_right(const std::string& profile, const std::string& right) {
  auto p = require_admin();
  if (!detail::is_account_profile(profile) && profile != kPatientProfile)
    detail::check_profile(profile);
  if (!detail::is_known_right(right))
    throw Error(ErrorCode::kInvalidArgument, "unknown right \"" + right + "\"");
  state_->accounts->set_right(profile, right, false);
  state_->audit(p, address(), {"profile_revoke", "success", "", "", profile + " - " + right});
}

std::vector<AuditEvent> Session::audit(const AuditQuery& query) const {
  require_admin();
  return state_->accounts->audit(query);
}

std::vector<MailMessage> Session::mail(std::optional<MailStatus> status) const {
  require_admin();
  std::vector<MailMessage> out;
  for (const auto& m : state_->accounts->mail(
           status ? std::string(mail_status_name(*status)) : std::string(), 1000))
    out.push_back(to_mail(m));
  return out;
}

void Session::retry_mail(std::int64_t id) {
  auto p = require_admin();
  if (!state_->accounts->mail_retry_now(id, state_->now_ms()))
    throw Error(ErrorCode::kNotFound, "no unsent message " + std::to_string(id));
  state_->audit(p, address(), {"mail_retry", "success", "", "", std::to_string(id)});
}

// --- Studies -----------------------------------------------------------------------------------

void Session::set_study_disabled(const std::string& study_uid, bool disabled) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightDisableStudy)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not disable studies");
  state_->accounts->set_study_disabled(study_uid, disabled);
  state_->audit(p, address(),
                {disabled ? "study_disable" : "study_enable", "success", study_uid,
                 state_->accounts->study_patient_id(study_uid)});
}

StudyGrant Session::grant_study(const std::string& study_uid, const std::string& login,
                                std::optional<std::chrono::system_clock::time_point> expires) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not share");
  auto row = need_user(*state_, login);
  std::int64_t exp = 0;
  if (expires) {
    exp =
        std::chrono::duration_cast<std::chrono::milliseconds>(expires->time_since_epoch()).count();
    if (exp <= state_->now_ms())
      throw Error(ErrorCode::kInvalidArgument, "the expiry is in the past");
  }
  std::int64_t now = state_->now_ms();
  state_->accounts->grant(study_uid, row.id, p.login, now, exp);
  state_->audit(p, address(),
                {"study_grant", "success", study_uid, state_->accounts->study_patient_id(study_uid),
                 row.login});
  return to_grant({study_uid, row.login, p.login, now, exp, 0}, now);
}

void Session::revoke_study_grant(const std::string& study_uid, const std::string& login) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not share");
  auto row = need_user(*state_, login);
  if (!state_->accounts->revoke_grant(study_uid, row.id, state_->now_ms()))
    throw Error(ErrorCode::kNotFound, "no grant of " + study_uid + " to " + login);
  state_->audit(p, address(),
                {"study_revoke", "success", study_uid,
                 state_->accounts->study_patient_id(study_uid), row.login});
}

std::vector<StudyGrant> Session::study_grants(const std::string& study_uid) const {
  auto p = require_study(study_uid);
  if (!detail::is_privileged(p))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not list grants");
  std::vector<StudyGrant> out;
  std::int64_t now = state_->now_ms();
  for (const auto& g : state_->accounts->grants(study_uid)) out.push_back(to_grant(g, now));
  return out;
}

std::string Session::new_patient_access_code(const std::string& study_uid) {
  auto p = require_study(study_uid);
  if (!detail::is_privileged(p))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not make patient access codes");
  // 10 characters from 32 unambiguous symbols: 50 bits, typed from paper.
  static const char* alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string hex = detail::random_hex(10), code;
  for (std::size_t i = 0; i < 10; ++i)
    code += alphabet[std::stoi(hex.substr(2 * i, 2), nullptr, 16) % 32];
  state_->accounts->set_access_code_hash(study_uid, detail::token_hash(code));
  state_->audit(
      p, address(),
      {"patient_access_code", "success", study_uid, state_->accounts->study_patient_id(study_uid)});
  return code;
}

Invitation Session::invite(const std::string& email, const std::string& language) {
  auto p = current();
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not invite");
  detail::check_email(email);
  std::string lang = language.empty() ? state_->options.default_language : language;
  detail::check_language(lang);
  Invitation inv;
  inv.email = email;
  inv.token = detail::new_token();
  // The page shows the invited address, fixed (ACC-3); the core uses the token's address.
  inv.link = state_->link("/invitation?token=" + inv.token + "&email=" +
                          detail::PortalState::query_value(email));
  inv.expires_at = detail::iso_in_minutes(*state_, state_->options.invitation_expiry_minutes);
  detail::TokenRow t;
  t.hash = detail::token_hash(inv.token);
  t.purpose = "invite";
  t.email = email;
  t.data = p.login;
  t.expires_at = state_->now_ms() + std::int64_t(state_->options.invitation_expiry_minutes) * 60000;
  state_->accounts->insert_token(t);
  std::string name = p.login;
  if (p.kind == Principal::Kind::kUser) {
    auto row = self_row(*state_, p);
    std::string full = row.first_name + (row.first_name.empty() ? "" : " ") + row.last_name;
    if (!row.last_name.empty()) name = full;
  }
  state_->enqueue_mail(email, "invitation", lang,
                       {{"name", name}, {"link", inv.link}, {"expires", inv.expires_at}},
                       inv.token);
  state_->audit(p, address(), {"invite", "success", "", "", email});
  return inv;
}

}  // namespace portal
