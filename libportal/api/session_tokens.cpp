// Personal access tokens and the CSRF token of a session (issue [http]).
#include <chrono>

#include "libportal/api/state.hpp"
#include "libportal/auth/tokens.hpp"
#include "libportal/common/clock.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {

AccessToken to_token(const detail::AccessTokenRow& r, std::int64_t now) {
  AccessToken t;
  t.id = r.id;
  t.name = r.name;
  t.user_login = r.user_login;
  t.created_at = detail::iso8601_utc_ms(r.created_at);
  t.expires_at = detail::iso8601_utc_ms(r.expires_at);
  t.last_used_at = detail::iso8601_utc_ms(r.last_used_at);
  t.revoked_at = detail::iso8601_utc_ms(r.revoked_at);
  t.active = r.revoked_at == 0 && (r.expires_at == 0 || now < r.expires_at);
  return t;
}

}  // namespace

namespace detail {

Principal PortalState::access_token_principal(const SessionAuth& auth) {
  auto ended = [] {
    return Error(ErrorCode::kUnauthenticated, "the access token is unknown, revoked or expired");
  };
  std::int64_t now = now_ms();
  const std::uint64_t generation = accounts->auth_generation();  // read before the rows
  if (auto cached = principal_cache.find(auth.token_hash, now, generation)) return *cached;
  auto row = access_tokens->by_hash(auth.token_hash);
  if (!row || row->revoked_at != 0 || (row->expires_at != 0 && now >= row->expires_at))
    throw ended();
  auto user = accounts->user_by_ref(row->user_ref);
  if (!user || user->state != "active") throw ended();
  // One write per token per minute at most: last_used_at is informative, not a security fact.
  std::int64_t last_used = row->last_used_at;
  if (now - row->last_used_at >= 60000) {
    access_tokens->touch(row->id, now);
    last_used = now;
  }
  Principal p = user_principal(*user);
  std::int64_t valid_until = last_used + 60000;
  if (row->expires_at != 0) valid_until = std::min(valid_until, row->expires_at);
  principal_cache.put(auth.token_hash, {p, now, valid_until, generation});
  return p;
}

std::optional<Principal> PrincipalCache::find(const std::string& token_hash, std::int64_t now,
                                              std::uint64_t generation) {
  std::lock_guard lock(mutex);
  auto it = entries.find(token_hash);
  if (it == entries.end()) return std::nullopt;
  const CachedPrincipal& e = it->second;
  if (e.generation != generation || now < e.checked_ms || now - e.checked_ms >= kTtlMs ||
      now >= e.valid_until)
    return std::nullopt;
  return e.principal;
}

void PrincipalCache::put(const std::string& token_hash, CachedPrincipal entry) {
  std::lock_guard lock(mutex);
  if (entries.size() >= 10000) entries.clear();  // bounded; stale entries are only a cache
  entries[token_hash] = std::move(entry);
}

}  // namespace detail

std::string Session::csrf_token() const {
  if (!auth_ || auth_->token.empty()) return {};
  return detail::csrf_token(auth_->token);
}

std::vector<std::string> Session::rights() const {
  auto p = current();
  if (p.kind == detail::Principal::Kind::kSystem) return known_rights();
  return {p.rights.begin(), p.rights.end()};
}

bool Session::is_access_token() const noexcept { return auth_ && auth_->access_token; }

AccessToken Session::create_access_token(
    const std::string& name, std::optional<std::chrono::system_clock::time_point> expires) {
  auto p = current();
  if (p.kind != detail::Principal::Kind::kUser)
    throw Error(ErrorCode::kPermissionDenied, "only user accounts have access tokens");
  if (name.empty() || name.size() > 100)
    throw Error(ErrorCode::kInvalidArgument, "a token needs a name of 1 to 100 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      throw Error(ErrorCode::kInvalidArgument, "a token name has no control characters");
  std::int64_t now = state_->now_ms();
  std::int64_t expires_ms = 0;
  if (expires) {
    expires_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     expires->time_since_epoch())
                     .count();
    if (expires_ms <= now)
      throw Error(ErrorCode::kInvalidArgument, "the expiry of a token must be in the future");
  }
  std::string token = detail::new_access_token();
  detail::AccessTokenRow row;
  row.token_hash = detail::token_hash(token);
  row.user_ref = p.user_ref;
  row.user_login = p.login;
  row.name = name;
  row.created_at = now;
  row.expires_at = expires_ms;
  row.id = state_->access_tokens->insert(row);
  state_->audit(p, address(), {"access_token_create", "success", "", "", name});
  AccessToken out = to_token(row, now);
  out.token = std::move(token);
  return out;
}

std::vector<AccessToken> Session::access_tokens() const {
  auto p = current();
  if (p.kind == detail::Principal::Kind::kPatient)
    throw Error(ErrorCode::kPermissionDenied, "only user accounts have access tokens");
  std::int64_t now = state_->now_ms();
  std::vector<AccessToken> out;
  std::int64_t who = p.kind == detail::Principal::Kind::kSystem ? 0 : p.user_ref;
  for (const auto& r : state_->access_tokens->list(who)) out.push_back(to_token(r, now));
  return out;
}

void Session::revoke_access_token(std::int64_t id) {
  auto p = current();
  if (p.kind == detail::Principal::Kind::kPatient)
    throw Error(ErrorCode::kPermissionDenied, "only user accounts have access tokens");
  auto row = state_->access_tokens->by_id(id);
  bool mine = row && (p.kind == detail::Principal::Kind::kSystem || row->user_ref == p.user_ref);
  if (!mine || row->revoked_at != 0 ||
      !state_->access_tokens->revoke(id, state_->now_ms()))
    throw Error(ErrorCode::kNotFound, "no such active access token: " + std::to_string(id));
  state_->accounts->bump_auth_generation();  // cached principals of this token end now
  state_->audit(p, address(), {"access_token_revoke", "success", "", "", row->name});
}

}  // namespace portal
