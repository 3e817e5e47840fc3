// Session calls of [sharing]: shares with guests and users (DIF-5, DIF-6), their listing and
// revocation (LIST-7), and the seen status (DIF-1).
#include <algorithm>
#include <map>
#include <set>

#include "libportal/api/accounts_util.hpp"
#include "libportal/api/state.hpp"
#include "libportal/auth/tokens.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {

using detail::Principal;

// Longest custom message accepted with a share (characters of UTF-8).
constexpr std::size_t kMaxMessageBytes = 4000;

std::string iso(std::int64_t ms) {
  return ms ? detail::iso8601_utc(
                  std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)))
            : std::string();
}

Share to_share(const detail::ShareRow& r, std::int64_t now) {
  Share out;
  out.id = r.id;
  out.study_uid = r.study_uid;
  out.recipient = r.email.empty() ? r.recipient_login : r.email;
  out.recipient_login = r.recipient_login;
  out.shared_by = r.shared_by;
  out.message = r.message;
  out.created_at = iso(r.created_at);
  out.expires_at = iso(r.expires_at);
  out.revoked_at = iso(r.revoked_at);
  out.pending = r.user_ref == 0;
  out.active = r.revoked_at == 0 && (r.expires_at == 0 || r.expires_at > now);
  return out;
}

// The comma-separated recipients, trimmed, checked and de-duplicated (case-insensitive), in
// the order given. Throws kInvalidArgument naming the first bad address.
std::vector<std::string> parse_recipients(const std::string& text) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& part : detail::split(text, ',')) {
    std::string email = detail::trim(part);
    if (email.empty()) continue;
    detail::check_email(email);
    if (seen.insert(detail::lower(email)).second) out.push_back(email);
  }
  if (out.empty()) throw Error(ErrorCode::kInvalidArgument, "no recipient: give an email address");
  return out;
}

std::string display_name(detail::PortalState& st, const Principal& p) {
  if (p.kind != Principal::Kind::kUser) return p.login;
  auto row = st.accounts->user_by_ref(p.user_ref);
  if (!row || row->last_name.empty()) return p.login;
  return row->first_name + (row->first_name.empty() ? "" : " ") + row->last_name;
}

std::optional<detail::UserRow> user_by_email(detail::PortalState& st, const std::string& email) {
  auto row = st.accounts->user_by_email(email);
  if (!row) row = st.accounts->user_by_email(detail::lower(email));
  return row;
}

// One recipient resolved before anything is written.
struct Recipient {
  std::string email;  ///< where the mail goes ("" for an account without an address)
  std::optional<detail::UserRow> user;
  std::string token;  ///< invitation token (clear) for an address without an account
};

}  // namespace

std::vector<Share> Session::share(const std::string& study_uid, const std::string& recipients,
                                  const std::string& message,
                                  std::optional<std::chrono::system_clock::time_point> expires) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not share");
  if (message.size() > kMaxMessageBytes)
    throw Error(ErrorCode::kInvalidArgument,
                "the message is longer than " + std::to_string(kMaxMessageBytes) + " bytes");
  std::int64_t now = state_->now_ms();
  std::int64_t exp = 0;
  if (expires) {
    exp =
        std::chrono::duration_cast<std::chrono::milliseconds>(expires->time_since_epoch()).count();
    if (exp <= now) throw Error(ErrorCode::kInvalidArgument, "the expiry is in the past");
  } else if (state_->options.share_expiry_days > 0) {
    exp = now + std::int64_t(state_->options.share_expiry_days) * 86400000;
  }

  // Everything that can be refused is checked before the first write.
  std::vector<Recipient> people;
  for (const auto& email : parse_recipients(recipients)) {
    Recipient r;
    r.email = email;
    r.user = user_by_email(*state_, email);
    people.push_back(std::move(r));
  }
  std::vector<detail::ShareRow> rows;
  for (const auto& r : people) {
    detail::ShareRow row;
    row.study_uid = study_uid;
    row.email = r.email;
    row.user_ref = r.user ? r.user->id : 0;
    row.shared_by = p.login;
    row.message = message;
    row.created_at = now;
    row.expires_at = exp;
    rows.push_back(std::move(row));
  }
  auto ids = state_->accounts->insert_shares(rows);

  std::string patient_id = state_->accounts->study_patient_id(study_uid);
  std::string from = display_name(*state_, p);
  std::string until = exp ? iso(exp) : std::string();
  std::vector<Share> out;
  for (std::size_t i = 0; i < people.size(); ++i) {
    auto& r = people[i];
    rows[i].id = ids[i];
    if (r.user) {
      rows[i].recipient_login = r.user->login;
      std::string lang = r.user->preferences.language.empty() ? state_->options.default_language
                                                              : r.user->preferences.language;
      auto mail = state_->enqueue_mail(r.email, "study_shared", lang,
                           {{"name", from},
                            {"message", message},
                            {"link", state_->link("/studies/" + study_uid)},
                            {"expires", until.empty() ? "-" : until}});
      state_->sharing->tag_mail(mail, study_uid);
    } else {
      // ACC-3: an invitation whose acceptance turns the pending shares of this address into
      // access (Portal::accept_invitation).
      r.token = detail::new_token();
      detail::TokenRow t;
      t.hash = detail::token_hash(r.token);
      t.purpose = "invite";
      t.email = r.email;
      t.data = p.login;
      t.expires_at = now + std::int64_t(state_->options.invitation_expiry_minutes) * 60000;
      state_->accounts->insert_token(t);
      auto mail = state_->enqueue_mail(
          r.email, "study_shared_invitation", state_->options.default_language,
          {{"name", from},
           {"message", message},
           {"link", state_->link("/invitation?token=" + r.token + "&email=" +
                                detail::PortalState::query_value(r.email))},
           {"expires", detail::iso_in_minutes(*state_, state_->options.invitation_expiry_minutes)}},
          r.token);
      state_->sharing->tag_mail(mail, study_uid);
    }
    state_->audit(p, address(),
                  {"study_share", "success", study_uid, patient_id,
                   "#" + std::to_string(ids[i]) + " to " + r.email + (r.user ? "" : " (invited)")});
    out.push_back(to_share(rows[i], now));
  }
  return out;
}

Share Session::share_with_user(const std::string& study_uid, const std::string& login,
                               const std::string& message,
                               std::optional<std::chrono::system_clock::time_point> expires) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not share");
  auto user = state_->accounts->user_by_login(login);
  if (!user) user = state_->accounts->user_by_email(login);
  if (!user) user = state_->accounts->user_by_public_id(login);
  if (!user) throw Error(ErrorCode::kNotFound, "no user " + login);
  if (user->emails.empty()) {
    // No address to write to: the share is made without a mail.
    if (message.size() > kMaxMessageBytes)
      throw Error(ErrorCode::kInvalidArgument, "the message is too long");
    std::int64_t now = state_->now_ms();
    std::int64_t exp = 0;
    if (expires) {
      exp = std::chrono::duration_cast<std::chrono::milliseconds>(expires->time_since_epoch())
                .count();
      if (exp <= now) throw Error(ErrorCode::kInvalidArgument, "the expiry is in the past");
    } else if (state_->options.share_expiry_days > 0) {
      exp = now + std::int64_t(state_->options.share_expiry_days) * 86400000;
    }
    detail::ShareRow row;
    row.study_uid = study_uid;
    row.user_ref = user->id;
    row.recipient_login = user->login;
    row.shared_by = p.login;
    row.message = message;
    row.created_at = now;
    row.expires_at = exp;
    row.id = state_->accounts->insert_shares({row}).front();
    state_->audit(
        p, address(),
        {"study_share", "success", study_uid, state_->accounts->study_patient_id(study_uid),
         "#" + std::to_string(row.id) + " to " + user->login});
    return to_share(row, now);
  }
  auto out = share(study_uid, user->emails.front(), message, expires);
  return out.front();
}

void Session::revoke_share(std::int64_t id) {
  auto p = current();
  if (!detail::has_right(p, std::string(kRightShare)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not share");
  auto row = state_->accounts->share(id);
  if (!row) throw Error(ErrorCode::kNotFound, "no share " + std::to_string(id));
  require_study(row->study_uid);
  std::string what = std::string("#").append(std::to_string(id));
  if (!state_->accounts->revoke_share(id, state_->now_ms()))
    throw Error(ErrorCode::kNotFound, "the share " + what + " is already revoked");
  what += " to ";
  what += row->email.empty() ? row->recipient_login : row->email;
  state_->audit(p, address(),
                {"share_revoke", "success", row->study_uid,
                 state_->accounts->study_patient_id(row->study_uid), what});
}

std::vector<Share> Session::shares(const std::string& study_uid) const {
  auto p = study_uid.empty() ? current() : require_study(study_uid);
  if (!detail::is_privileged(p))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not list shares");
  std::int64_t now = state_->now_ms();
  auto filter = detail::study_filter(p, now);
  std::map<std::string, bool> visible;
  std::vector<Share> out;
  for (const auto& r : state_->accounts->shares(study_uid)) {
    // A radiologist listing every share does not see those of disabled studies.
    auto it = visible.find(r.study_uid);
    if (it == visible.end())
      it =
          visible.emplace(r.study_uid, state_->index->study(r.study_uid, filter).has_value()).first;
    if (it->second) out.push_back(to_share(r, now));
  }
  return out;
}

void Session::mark_seen(const std::string& study_uid) {
  auto p = require_study(study_uid);
  auto role = detail::seen_role(p);
  if (role.empty()) return;
  state_->accounts->mark_seen(study_uid, role, state_->now_ms());
  state_->audit(
      p, address(),
      {"study_seen", "success", study_uid, state_->accounts->study_patient_id(study_uid), role});
}

}  // namespace portal
