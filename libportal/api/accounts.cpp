// Account entry points of Portal (ACC-1..6): first administrator, sign-in, patient sign-in,
// resume, captcha, registration, confirmation, lost password, invitations, mail delivery.
#include <algorithm>
#include <thread>

#include "libportal/api/accounts_util.hpp"
#include "libportal/api/state.hpp"
#include "libportal/auth/captcha.hpp"
#include "libportal/auth/password.hpp"
#include "libportal/auth/secretbox.hpp"
#include "libportal/auth/tokens.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/random.hpp"
#include "libportal/mail/mail.hpp"
#include "portal/error.hpp"
#include "portal/portal.hpp"

namespace portal {
namespace detail {

void check_login(const std::string& login) {
  bool ok = !login.empty() && login.size() <= 64;
  for (unsigned char c : login)
    ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@');
  if (!ok)
    throw Error(ErrorCode::kInvalidArgument,
                "a login has 1 to 64 letters, digits, '.', '_', '-' or '@'");
}

void check_email(const std::string& email) {
  auto at = email.find('@');
  bool ok = email.size() <= 254 && at != std::string::npos && at > 0 && at + 1 < email.size() &&
            email.find('@', at + 1) == std::string::npos;
  for (unsigned char c : email)
    ok = ok && c > 0x20 && c != 0x7f && c != '<' && c != '>' && c != ',';
  if (!ok)
    throw Error(ErrorCode::kInvalidArgument,
                "\"" + email.substr(0, 80) + "\" is not an email address");
}

void check_language(const std::string& language) {
  if (language != "en" && language != "fr")
    throw Error(ErrorCode::kInvalidArgument, "the language is \"en\" or \"fr\"");
}

void check_profile(const std::string& profile) {
  if (!is_account_profile(profile))
    throw Error(ErrorCode::kInvalidArgument,
                "unknown profile \"" + profile +
                    "\" (administrator, radiologist, referring_physician, guest)");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string open_session(PortalState& st, const std::string& kind, std::int64_t user_ref,
                         std::int64_t patient_ref, const std::string& accession,
                         const std::string& address) {
  std::string token = new_token();
  SessionRow row;
  row.token_hash = token_hash(token);
  row.kind = kind;
  row.user_ref = user_ref;
  row.patient_ref = patient_ref;
  row.accession = accession;
  row.address = address;
  row.created_at = row.last_seen = st.now_ms();
  row.expires_at = row.created_at + std::int64_t(st.options.session_absolute_minutes) * 60000;
  st.accounts->insert_session(row);
  return token;
}

std::string iso_in_minutes(PortalState& st, int minutes) {
  return iso8601_utc(st.clock->now() + std::chrono::minutes(minutes));
}

Principal PortalState::user_principal(const UserRow& row) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.user_ref = row.id;
  p.user_id = row.public_id;
  p.login = row.login;
  p.profile = row.profile;
  p.physician_id = row.linked_physician_id;
  p.referring_name = row.referring_name;
  for (auto& r : accounts->rights_of(row.profile)) p.rights.insert(r);
  return p;
}

Principal PortalState::resolve(const SessionAuth& auth) {
  if (!auth.viewer_study.empty()) return resolve_viewer(auth);
  if (auth.as_user_ref > 0) {
    auto user = accounts->user_by_ref(auth.as_user_ref);
    if (!user) throw Error(ErrorCode::kUnauthenticated, "the user no longer exists");
    return user_principal(*user);
  }
  auto ended = [] {
    return Error(ErrorCode::kUnauthenticated, "the session has ended: sign in again");
  };
  if (auth.access_token) return access_token_principal(auth);
  std::int64_t now = now_ms();
  const std::uint64_t generation = accounts->auth_generation();  // read before the rows
  if (auto cached = principal_cache.find(auth.token_hash, now, generation)) return *cached;
  auto row = accounts->session(auth.token_hash);
  if (!row || row->revoked || now >= row->expires_at ||
      now - row->last_seen >= std::int64_t(options.session_idle_minutes) * 60000)
    throw ended();
  Principal p;
  if (row->kind == "user") {
    auto user = accounts->user_by_ref(row->user_ref);
    if (!user || user->state != "active") throw ended();
    p = user_principal(*user);
  } else {
    p.kind = Principal::Kind::kPatient;
    p.login = row->accession;
    p.profile = std::string(kPatientProfile);
    p.patient_ref = row->patient_ref;
    for (auto& r : accounts->rights_of(p.profile)) p.rights.insert(r);
  }
  std::int64_t last_seen = row->last_seen;
  if (now - row->last_seen >= 30000) {
    accounts->touch_session(auth.token_hash, now);
    last_seen = now;
  }
  // Reusable until the next touch is due (idle timeouts are whole minutes) or the session ends.
  principal_cache.put(auth.token_hash,
                      {p, now, std::min(row->expires_at, last_seen + 30000), generation});
  return p;
}

void PortalState::enqueue_mail(const std::string& to, const std::string& kind,
                               const std::string& language, std::map<std::string, std::string> vars,
                               const std::string& secret) {
  vars.emplace("base_url", link("/"));
  auto text = render_mail(kind, language, vars);
  OutboxRow row;
  row.to = to;
  row.subject = text.subject;
  row.body = text.body;
  if (!secret.empty()) {
    row.sealed = seal(secret_key(), text.body);
    for (auto pos = row.body.find(secret); pos != std::string::npos; pos = row.body.find(secret))
      row.body.replace(pos, secret.size(), "********");
  }
  row.kind = kind;
  row.language = language;
  row.created_at = row.next_attempt_at = now_ms();
  accounts->enqueue_mail(row);
}

}  // namespace detail

namespace {

using detail::PortalState;

std::string display_name(const detail::UserRow& u) {
  std::string n =
      u.first_name + (u.first_name.empty() || u.last_name.empty() ? "" : " ") + u.last_name;
  return n.empty() ? u.login : n;
}

std::string language_of(const detail::UserRow& u, const PortalState& st) {
  return u.preferences.language.empty() ? st.options.default_language : u.preferences.language;
}

// Throttle keys are hashed: a login typed by mistake into a form is never kept in clear.
std::string key(const std::string& kind, const std::string& value) {
  return kind + ":" + detail::token_hash(value);
}

struct Throttle {
  PortalState& st;
  std::vector<std::pair<std::string, int>> keys;  // key, max failures
  std::int64_t locked_until() {
    std::int64_t until = 0, now = st.now_ms();
    for (auto& [k, max] : keys) until = std::max(until, st.accounts->locked_until(k, now));
    return until;
  }
  std::int64_t fail() {
    std::int64_t until = 0, now = st.now_ms();
    for (auto& [k, max] : keys)
      until = std::max(until, st.accounts->record_failure(
                                  k, now, std::int64_t(st.options.lockout_window_minutes) * 60000,
                                  max, std::int64_t(st.options.lockout_minutes) * 60000));
    return until;
  }
  void succeed() {
    // The address counter is left alone: one success must not reset an address spraying guesses.
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i].first.rfind("address:", 0) != 0) st.accounts->clear_failures(keys[i].first);
  }
};

[[noreturn]] void locked_error(PortalState& st, std::int64_t until) {
  std::int64_t minutes = std::max<std::int64_t>(1, (until - st.now_ms() + 59999) / 60000);
  throw Error(ErrorCode::kUnauthenticated, "too many failed sign-ins: locked, try again in " +
                                               std::to_string(minutes) + " minute" +
                                               (minutes > 1 ? "s" : ""));
}

std::shared_ptr<detail::SessionAuth> make_auth(std::string token, const std::string& address) {
  auto auth = std::make_shared<detail::SessionAuth>();
  auth->token_hash = detail::token_hash(token);
  auth->token = std::move(token);
  auth->address = address;
  return auth;
}

detail::UserRow new_row(PortalState& st, const std::string& login, std::vector<std::string> emails,
                        const std::string& profile, const std::string& state) {
  detail::UserRow row;
  row.public_id = detail::random_hex(16);
  row.login = login;
  row.emails = std::move(emails);
  row.profile = profile;
  row.state = state;
  row.preferences.language = st.options.default_language;
  row.created_at = st.now_ms();
  return row;
}

void check_registration(PortalState& st, const Registration& f, bool email_fixed) {
  detail::check_login(f.login);
  if (!email_fixed) detail::check_email(f.email);
  if (f.first_name.empty() || f.last_name.empty())
    throw Error(ErrorCode::kInvalidArgument, "first and last name are required");
  detail::check_language(f.language.empty() ? "en" : f.language);
  if (f.password != f.password_confirmation)
    throw Error(ErrorCode::kInvalidArgument, "the password and its confirmation differ");
  detail::check_password_policy(f.password, st.options.password_min_length,
                                st.options.password_dictionary);
}

std::string captcha_answer_hash(const std::string& id, const std::string& answer) {
  return detail::token_hash(id + ":" + answer);
}

}  // namespace

User Portal::create_first_administrator(const NewUser& u) {
  auto& st = *state_;
  detail::check_login(u.login);
  if (u.emails.empty()) throw Error(ErrorCode::kInvalidArgument, "an email is required");
  for (const auto& e : u.emails) detail::check_email(e);
  detail::check_password_policy(u.password, st.options.password_min_length,
                                st.options.password_dictionary);
  auto row = new_row(st, u.login, u.emails, std::string(kAdministrator), "active");
  row.first_name = u.first_name;
  row.last_name = u.last_name;
  row.phone = u.phone;
  row.password_hash = detail::hash_password(u.password, st.password_params());
  row.id = st.accounts->insert_user(row, /*only_if_no_admin=*/true);
  st.audit(st.system_principal(), "", {"first_administrator", "success", "", "", row.login});
  return st.to_user(row);
}

Session Portal::sign_in(const std::string& login_or_email, const std::string& password,
                        const std::string& client_address) {
  auto& st = *state_;
  std::optional<detail::UserRow> row;
  if (!login_or_email.empty() && login_or_email.size() <= 254) {
    row = st.accounts->user_by_login(login_or_email);
    if (!row) row = st.accounts->user_by_email(login_or_email);
  }
  Throttle throttle{st, {}};
  throttle.keys.push_back(
      {row ? "user:" + row->public_id : key("account", detail::lower(login_or_email)),
       st.options.lockout_failures});
  if (!client_address.empty())
    throttle.keys.push_back({"address:" + client_address, st.options.lockout_address_failures});
  auto anon = [&](const char* outcome, const std::string& detail) {
    detail::audit_anonymous(*st.accounts, st.now_ms(), login_or_email, client_address,
                            {"sign_in", outcome, "", "", detail});
  };
  if (auto until = throttle.locked_until()) {
    anon("locked", "");
    locked_error(st, until);
  }
  bool ok;
  if (row && row->password_hash.rfind("$argon2id$", 0) == 0) {
    ok = detail::verify_password(password, row->password_hash);
  } else {
    detail::dummy_verify(st.password_params());
    ok = false;
  }
  if (!ok) {
    std::int64_t until = throttle.fail();
    anon("failure", "wrong login or password");
    if (until) {
      anon("locked", "lockout started");
      locked_error(st, until);
    }
    throw Error(ErrorCode::kUnauthenticated, "wrong login or password");
  }
  throttle.succeed();
  if (row->state != "active") {
    anon("failure", "account " + row->state);
    throw Error(ErrorCode::kUnauthenticated, row->state == "disabled"
                                                 ? "this account is disabled"
                                                 : "this account is not active yet");
  }
  std::string token = detail::open_session(st, "user", row->id, 0, "", client_address);
  auto who = st.user_principal(*row);
  st.audit(who, client_address, {"sign_in", "success"});
  return Session(state_, PrincipalKind::kUser, make_auth(std::move(token), client_address));
}

Session Portal::patient_sign_in(const std::string& accession, const std::string& birth_date,
                                const std::string& client_address, const std::string& access_code) {
  auto& st = *state_;
  Throttle throttle{st, {}};
  throttle.keys.push_back({key("accession", accession), st.options.lockout_failures});
  if (!client_address.empty())
    throttle.keys.push_back({"address:" + client_address, st.options.lockout_address_failures});
  auto anon = [&](const char* outcome, const std::string& detail) {
    detail::audit_anonymous(*st.accounts, st.now_ms(), accession, client_address,
                            {"patient_sign_in", outcome, "", "", detail});
  };
  if (auto until = throttle.locked_until()) {
    anon("locked", "");
    locked_error(st, until);
  }
  std::vector<detail::PatientLogin> logins;
  if (!accession.empty() && accession.size() <= 64 && birth_date.size() == 8)
    logins = st.accounts->patient_logins(accession, birth_date);
  const detail::PatientLogin* match = nullptr;
  for (const auto& l : logins) {
    if (st.options.patient_access_code) {
      if (l.access_code_hash.empty() ||
          !detail::constant_time_equal(l.access_code_hash, detail::token_hash(access_code)))
        continue;
    }
    match = &l;
    break;
  }
  if (!match) {
    std::int64_t until = throttle.fail();
    anon("failure", "wrong accession number or birth date");
    if (until) {
      anon("locked", "lockout started");
      locked_error(st, until);
    }
    throw Error(ErrorCode::kUnauthenticated, st.options.patient_access_code
                                                 ? "wrong accession number, birth date or code"
                                                 : "wrong accession number or birth date");
  }
  throttle.succeed();
  std::string token =
      detail::open_session(st, "patient", 0, match->patient_ref, accession, client_address);
  detail::Principal who;
  who.kind = detail::Principal::Kind::kPatient;
  who.login = accession;
  who.profile = std::string(kPatientProfile);
  who.patient_id = match->patient_id;
  st.audit(who, client_address,
           {"patient_sign_in", "success", match->study_uid, match->patient_id});
  return Session(state_, PrincipalKind::kPatient, make_auth(std::move(token), client_address));
}

Session Portal::session_as(const std::string& login) {
  auto row = state_->accounts->user_by_login(login);
  if (!row) row = state_->accounts->user_by_email(login);
  if (!row) throw Error(ErrorCode::kNotFound, "no user " + login);
  if (row->state != "active")
    throw Error(ErrorCode::kUnauthenticated, "the account " + login + " is not active");
  auto auth = std::make_shared<detail::SessionAuth>();
  auth->as_user_ref = row->id;
  auth->address = "session_as";
  return Session(state_, PrincipalKind::kUser, std::move(auth));
}

Session Portal::resume(const std::string& token, const std::string& client_address) {
  auto auth = make_auth(token, client_address);
  auth->access_token = detail::is_access_token(token);
  auto p = state_->resolve(*auth);
  return Session(
      state_,
      p.kind == detail::Principal::Kind::kPatient ? PrincipalKind::kPatient : PrincipalKind::kUser,
      std::move(auth));
}

Captcha Portal::new_captcha() {
  auto& st = *state_;
  std::string text = detail::captcha_text(st.options.captcha_length);
  Captcha c;
  c.id = detail::new_token();
  c.png = detail::render_captcha_png(text);
  detail::TokenRow row;
  row.hash = detail::token_hash(c.id);
  row.purpose = "captcha";
  row.data = captcha_answer_hash(c.id, text);
  row.expires_at = st.now_ms() + std::int64_t(st.options.captcha_expiry_minutes) * 60000;
  st.accounts->insert_token(row);
  return c;
}

User Portal::register_user(const Registration& f, const std::string& client_address) {
  auto& st = *state_;
  check_registration(st, f, false);
  if (st.options.captcha_enabled) {
    auto t = st.accounts->consume_token(detail::token_hash(f.captcha_id), "captcha", st.now_ms());
    if (!t ||
        !detail::constant_time_equal(t->data, captcha_answer_hash(f.captcha_id, f.captcha_answer)))
      throw Error(ErrorCode::kInvalidArgument,
                  "the captcha answer is wrong or expired: try a new one");
  }
  auto row =
      new_row(st, f.login, {f.email}, std::string(kReferringPhysician), "awaiting_confirmation");
  row.first_name = f.first_name;
  row.last_name = f.last_name;
  row.phone = f.phone;
  row.physician_id = f.physician_id;
  if (!f.language.empty()) row.preferences.language = f.language;
  row.password_hash = detail::hash_password(f.password, st.password_params());
  row.id = st.accounts->insert_user(row);
  std::string token = detail::new_token();
  detail::TokenRow t;
  t.hash = detail::token_hash(token);
  t.purpose = "confirm";
  t.user_ref = row.id;
  t.expires_at = st.now_ms() + std::int64_t(st.options.confirmation_expiry_minutes) * 60000;
  st.accounts->insert_token(t);
  st.enqueue_mail(f.email, "confirmation", row.preferences.language,
                  {{"name", display_name(row)},
                   {"login", row.login},
                   {"link", st.link("/confirm?token=" + token)},
                   {"expires", detail::iso_in_minutes(st, st.options.confirmation_expiry_minutes)}},
                  token);
  st.audit(st.user_principal(row), client_address, {"register", "success"});
  return st.to_user(row);
}

void Portal::confirm_registration(const std::string& token) {
  auto& st = *state_;
  auto t = st.accounts->consume_token(detail::token_hash(token), "confirm", st.now_ms());
  auto row = t ? st.accounts->user_by_ref(t->user_ref) : std::nullopt;
  if (!row || row->state != "awaiting_confirmation")
    throw Error(ErrorCode::kNotFound, "this confirmation link is unknown, used or expired");
  row->state = "awaiting_activation";
  st.accounts->update_user(*row);
  for (const auto& admin : st.accounts->users_with_profile(std::string(kAdministrator), "active"))
    for (const auto& email : admin.emails) {
      st.enqueue_mail(email, "activation_request", language_of(admin, st),
                      {{"name", display_name(*row)},
                       {"login", row->login},
                       {"email", row->emails.empty() ? "" : row->emails.front()}});
      break;  // the primary address only
    }
  st.audit(st.user_principal(*row), "", {"confirm_registration", "success"});
}

void Portal::request_password_reset(const std::string& login_or_email,
                                    const std::string& client_address) {
  auto& st = *state_;
  std::optional<detail::UserRow> row;
  if (!login_or_email.empty() && login_or_email.size() <= 254) {
    row = st.accounts->user_by_login(login_or_email);
    if (!row) row = st.accounts->user_by_email(login_or_email);
  }
  detail::audit_anonymous(*st.accounts, st.now_ms(), login_or_email, client_address,
                          {"password_reset_request", row ? "success" : "failure", "", "",
                           row ? "" : "unknown account"});
  if (!row || row->state != "active" || row->emails.empty()) return;
  std::string token = detail::new_token();
  detail::TokenRow t;
  t.hash = detail::token_hash(token);
  t.purpose = "reset";
  t.user_ref = row->id;
  t.expires_at = st.now_ms() + std::int64_t(st.options.reset_expiry_minutes) * 60000;
  st.accounts->insert_token(t);
  st.enqueue_mail(row->emails.front(), "password_reset", language_of(*row, st),
                  {{"name", display_name(*row)},
                   {"login", row->login},
                   {"link", st.link("/reset-password?token=" + token)},
                   {"expires", detail::iso_in_minutes(st, st.options.reset_expiry_minutes)}},
                  token);
}

void Portal::reset_password(const std::string& token, const std::string& new_password) {
  auto& st = *state_;
  // The policy first, so that a refused password does not spend the link.
  detail::check_password_policy(new_password, st.options.password_min_length,
                                st.options.password_dictionary);
  auto t = st.accounts->consume_token(detail::token_hash(token), "reset", st.now_ms());
  auto row = t ? st.accounts->user_by_ref(t->user_ref) : std::nullopt;
  if (!row) throw Error(ErrorCode::kNotFound, "this password link is unknown, used or expired");
  st.accounts->set_password_hash(row->id,
                                 detail::hash_password(new_password, st.password_params()));
  st.accounts->revoke_user_sessions(row->id);
  st.accounts->clear_failures("user:" + row->public_id);
  st.audit(st.user_principal(*row), "", {"password_reset", "success"});
}

User Portal::accept_invitation(const std::string& token, const Registration& form,
                               const std::string& client_address) {
  auto& st = *state_;
  check_registration(st, form, true);
  // Checks that can fail come before the invitation is spent.
  auto peek = st.accounts->peek_token(detail::token_hash(token), "invite", st.now_ms());
  if (!peek) throw Error(ErrorCode::kNotFound, "this invitation is unknown, used or expired");
  if (st.accounts->user_by_login(form.login))
    throw Error(ErrorCode::kAlreadyExists, "the login " + form.login + " is taken");
  if (st.accounts->user_by_email(peek->email))
    throw Error(ErrorCode::kAlreadyExists,
                "an account with the email " + peek->email + " exists: sign in instead");
  auto t = st.accounts->consume_token(detail::token_hash(token), "invite", st.now_ms());
  if (!t) throw Error(ErrorCode::kNotFound, "this invitation is unknown, used or expired");
  auto row = new_row(st, form.login, {t->email}, std::string(kGuest), "active");
  row.first_name = form.first_name;
  row.last_name = form.last_name;
  row.phone = form.phone;
  if (!form.language.empty()) row.preferences.language = form.language;
  row.password_hash = detail::hash_password(form.password, st.password_params());
  row.id = st.accounts->insert_user(row);
  st.audit(st.user_principal(row), client_address,
           {"accept_invitation", "success", "", "", t->data});
  // DIF-5: what was shared with this address while it had no account becomes its access.
  if (int n = st.accounts->accept_pending_shares(t->email, row.id, st.now_ms()))
    st.audit(st.user_principal(row), client_address,
             {"share_accept", "success", "", "", std::to_string(n) + " shared studies"});
  return st.to_user(row);
}

MailDeliveryReport Portal::deliver_mail() {
  auto& st = *state_;
  std::lock_guard lock(st.mail_mutex);
  std::unique_ptr<detail::Mailer> mailer;
  if (st.options.smtp_host.empty()) {
    mailer = detail::spool_mailer(st.spool_dir, st.options.durable);
  } else {
    detail::SmtpSettings s;
    s.host = st.options.smtp_host;
    s.port = st.options.smtp_port;
    s.tls = st.options.smtp_tls;
    s.user = st.options.smtp_user;
    s.password = st.options.smtp_password;
    s.timeout_seconds = st.options.smtp_timeout_seconds;
    mailer = detail::smtp_mailer(s);
  }
  MailDeliveryReport report;
  std::int64_t now = st.now_ms();
  // deliver_mail() is the periodic call of every shell: also the moment to drop dead rows.
  st.accounts->purge_expired(now);
  // Bounded: one pass handles what was due when it started.
  for (const auto& m : st.accounts->due_mail(now, 1000)) {
    ++report.attempted;
    detail::OutgoingMail out;
    out.from = st.options.mail_from;
    out.to = m.to;
    out.subject = m.subject;
    try {
      out.body = m.sealed.empty() ? m.body : detail::unseal(st.secret_key(), m.sealed);
    } catch (const Error& e) {
      st.accounts->mail_attempt_failed(m.id, "failed", e.what(), 0);
      ++report.failed;
      continue;
    }
    auto domain = st.options.mail_from.substr(st.options.mail_from.find('@') + 1);
    std::string id = std::to_string(m.id);
    out.message_id = "portal-" + std::string(id.size() < 10 ? 10 - id.size() : 0, '0') + id + "-" +
                     detail::random_hex(8) + "@" + (domain.empty() ? "localhost" : domain);
    out.date = st.clock->now();
    auto result = mailer->send(out);
    if (result.ok) {
      st.accounts->mail_sent(m.id, st.now_ms());
      ++report.sent;
      continue;
    }
    int attempts = m.attempts + 1;
    if (result.permanent || attempts >= st.options.mail_max_attempts) {
      st.accounts->mail_attempt_failed(m.id, "failed", result.error, 0);
      ++report.failed;
    } else {
      std::int64_t delay = std::int64_t(std::max(st.options.mail_retry_seconds, 1)) * 1000;
      for (int i = 1; i < attempts && delay < 6 * 3600 * 1000; ++i) delay *= 2;
      delay = std::min<std::int64_t>(delay, 6 * 3600 * 1000);
      st.accounts->mail_attempt_failed(m.id, "pending", result.error, st.now_ms() + delay);
      ++report.retrying;
    }
  }
  return report;
}

}  // namespace portal
