// SQL of accounts, sessions, tokens, throttling, grants, access codes, outbox and audit.
#include "libportal/store/accounts.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"
#include "libportal/store/txn.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

const char* const kUserColumns =
    "id, public_id, login, first_name, last_name, phone, physician_id, linked_physician_id,"
    " referring_name, profile,"
    " state, password_hash, language, first_tab, columns, default_period, created_at";

UserRow user_from_row(SQLite::Statement& q) {
  UserRow u;
  int i = 0;
  u.id = q.getColumn(i++).getInt64();
  u.public_id = q.getColumn(i++).getString();
  u.login = q.getColumn(i++).getString();
  u.first_name = q.getColumn(i++).getString();
  u.last_name = q.getColumn(i++).getString();
  u.phone = q.getColumn(i++).getString();
  u.physician_id = q.getColumn(i++).getString();
  u.linked_physician_id = q.getColumn(i++).getString();
  u.referring_name = q.getColumn(i++).getString();
  u.profile = q.getColumn(i++).getString();
  u.state = q.getColumn(i++).getString();
  u.password_hash = q.getColumn(i++).getString();
  u.preferences.language = q.getColumn(i++).getString();
  u.preferences.first_tab = q.getColumn(i++).getString();
  std::string cols = q.getColumn(i++).getString();
  if (!cols.empty()) u.preferences.columns = split(cols, ',');
  u.preferences.default_period = q.getColumn(i++).getString();
  u.created_at = q.getColumn(i++).getInt64();
  return u;
}

void load_emails(Connection& c, UserRow& u) {
  auto& q = c.prepare("SELECT email FROM user_emails WHERE user_ref = ? ORDER BY position");
  q.bind(1, u.id);
  u.emails.clear();
  while (q.executeStep()) u.emails.push_back(q.getColumn(0).getString());
  q.reset();
}

std::optional<UserRow> one_user(Connection& c, const std::string& where, const std::string& arg) {
  auto& q = c.prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE " + where);
  q.bind(1, arg);
  if (!q.executeStep()) return std::nullopt;
  UserRow u = user_from_row(q);
  q.reset();
  load_emails(c, u);
  return u;
}

std::vector<UserRow> many_users(Connection& c, SQLite::Statement& q) {
  std::vector<UserRow> out;
  while (q.executeStep()) out.push_back(user_from_row(q));
  q.reset();
  for (auto& u : out) load_emails(c, u);
  return out;
}

void write_emails(Connection& c, std::int64_t user_ref, const std::vector<std::string>& emails) {
  exec(c, "DELETE FROM user_emails WHERE user_ref = ?", user_ref);
  for (std::size_t i = 0; i < emails.size(); ++i) {
    auto& q = c.prepare("SELECT user_ref FROM user_emails WHERE email = ?");
    q.bind(1, emails[i]);
    bool taken = q.executeStep();
    q.reset();
    if (taken) throw Error(ErrorCode::kAlreadyExists, "the email " + emails[i] + " is taken");
    exec(c, "INSERT INTO user_emails(email, user_ref, position) VALUES (?, ?, ?)", emails[i],
         user_ref, static_cast<std::int64_t>(i));
  }
}

SessionRow session_from_row(SQLite::Statement& q) {
  SessionRow s;
  int i = 0;
  s.token_hash = q.getColumn(i++).getString();
  s.kind = q.getColumn(i++).getString();
  s.user_ref = q.getColumn(i++).getInt64();
  s.patient_ref = q.getColumn(i++).getInt64();
  s.accession = q.getColumn(i++).getString();
  s.address = q.getColumn(i++).getString();
  s.created_at = q.getColumn(i++).getInt64();
  s.last_seen = q.getColumn(i++).getInt64();
  s.expires_at = q.getColumn(i++).getInt64();
  s.revoked = q.getColumn(i++).getInt() != 0;
  return s;
}

OutboxRow outbox_from_row(SQLite::Statement& q) {
  OutboxRow m;
  int i = 0;
  m.id = q.getColumn(i++).getInt64();
  m.to = q.getColumn(i++).getString();
  m.subject = q.getColumn(i++).getString();
  m.body = q.getColumn(i++).getString();
  m.kind = q.getColumn(i++).getString();
  m.language = q.getColumn(i++).getString();
  m.status = q.getColumn(i++).getString();
  m.attempts = q.getColumn(i++).getInt();
  m.next_attempt_at = q.getColumn(i++).getInt64();
  m.last_error = q.getColumn(i++).getString();
  m.created_at = q.getColumn(i++).getInt64();
  m.sent_at = q.getColumn(i++).getInt64();
  m.sealed = q.getColumn(i++).getString();
  return m;
}

const char* const kOutboxColumns =
    "id, recipient, subject, body, kind, language, status, attempts, next_attempt_at,"
    " last_error, created_at, sent_at, sealed";

// "2026-11-28", "2026-11-28T09:15:02", "...02.123Z", or "20261128": Unix ms (UTC).
// "20261128", "2026-11-28", "2026-11-28T09:15Z", "2026-11-28T09:15:02Z" or with a fraction of
// any length ("…:02.6Z" is 600 ms). Anything else, or a field out of range, is refused.
std::int64_t parse_time_ms(const std::string& text, const char* what) {
  auto fail = [&]() -> std::int64_t {
    throw Error(ErrorCode::kInvalidArgument,
                std::string(what) + " must be a UTC date or time like 2026-11-28T09:15:02Z");
  };
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > text.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  std::size_t pos = 0;
  if (text.size() == 8) {
    if (!digits(0, 4, y) || !digits(4, 2, mo) || !digits(6, 2, d)) return fail();
    pos = 8;
  } else {
    if (!digits(0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(5, 2, mo) ||
        text[7] != '-' || !digits(8, 2, d))
      return fail();
    pos = 10;
    if (pos < text.size()) {
      if (text[pos] != 'T' || !digits(pos + 1, 2, h) || text.size() < pos + 6 ||
          text[pos + 3] != ':' || !digits(pos + 4, 2, mi))
        return fail();
      pos += 6;
      if (pos < text.size() && text[pos] == ':') {
        if (!digits(pos + 1, 2, s)) return fail();
        pos += 3;
        if (pos < text.size() && text[pos] == '.') {
          int scale = 100;
          ++pos;
          std::size_t start = pos;
          while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ms += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
          }
          if (pos == start) return fail();
        }
      }
      if (pos >= text.size() || text[pos] != 'Z') return fail();
      ++pos;
    }
  }
  if (pos != text.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return fail();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return std::int64_t(timegm(&tm)) * 1000 + ms;
}

std::string iso_ms(std::int64_t ms) {
  return iso8601_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

}  // namespace

// --- Users -------------------------------------------------------------------------------------

std::optional<UserRow> AccountStore::user_by_ref(std::int64_t id) {
  return read(index_, [&](Connection& c) { return one_user(c, "id = ?", std::to_string(id)); });
}
std::optional<UserRow> AccountStore::user_by_public_id(const std::string& public_id) {
  return read(index_, [&](Connection& c) { return one_user(c, "public_id = ?", public_id); });
}
std::optional<UserRow> AccountStore::user_by_login(const std::string& login) {
  return read(index_, [&](Connection& c) { return one_user(c, "login = ?", login); });
}
std::optional<UserRow> AccountStore::user_by_email(const std::string& email) {
  return read(index_, [&](Connection& c) {
    return one_user(c, "id = (SELECT user_ref FROM user_emails WHERE email = ?)", email);
  });
}

std::vector<UserRow> AccountStore::users(const std::string& state) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE (? = '' OR state = ?) ORDER BY login");
    bind_all(q, state, state);
    return many_users(c, q);
  });
}

std::vector<UserRow> AccountStore::users_with_profile(const std::string& profile,
                                                      const std::string& state) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE profile = ? AND (? = '' OR state = ?) ORDER BY login");
    bind_all(q, profile, state, state);
    return many_users(c, q);
  });
}

std::int64_t AccountStore::insert_user(const UserRow& u, bool only_if_no_admin) {
  return write_txn(index_, [&](Connection& c) {
    if (only_if_no_admin) {
      auto& q =
          c.prepare("SELECT 1 FROM users WHERE profile = 'administrator' AND state <> 'disabled'");
      bool exists = q.executeStep();
      q.reset();
      if (exists) throw Error(ErrorCode::kConflict, "an administrator already exists");
    }
    {
      auto& q = c.prepare("SELECT 1 FROM users WHERE login = ?");
      q.bind(1, u.login);
      bool taken = q.executeStep();
      q.reset();
      if (taken) throw Error(ErrorCode::kAlreadyExists, "the login " + u.login + " is taken");
    }
    auto& q = c.prepare(
        "INSERT INTO users(public_id, login, first_name, last_name, phone, physician_id,"
        " linked_physician_id, referring_name, profile, state, password_hash, language, first_tab,"
        " columns, default_period, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    bind_all(q, u.public_id, u.login, u.first_name, u.last_name, u.phone, u.physician_id,
             u.linked_physician_id, u.referring_name, u.profile, u.state, u.password_hash,
             u.preferences.language, u.preferences.first_tab, join(u.preferences.columns, ','),
             u.preferences.default_period, u.created_at);
    q.exec();
    std::int64_t id = c.db.getLastInsertRowid();
    write_emails(c, id, u.emails);
    return id;
  });
}

void AccountStore::update_user(const UserRow& u) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE users SET first_name = ?, last_name = ?, phone = ?, physician_id = ?,"
         " linked_physician_id = ?, referring_name = ?, profile = ?, state = ?, language = ?,"
         " first_tab = ?, columns = ?, default_period = ? WHERE id = ?",
         u.first_name, u.last_name, u.phone, u.physician_id, u.linked_physician_id,
         u.referring_name, u.profile, u.state, u.preferences.language, u.preferences.first_tab,
         join(u.preferences.columns, ','), u.preferences.default_period, u.id);
    write_emails(c, u.id, u.emails);
  });
  bump_auth_generation();  // after the write: no cache keeps the old rows
}

void AccountStore::set_password_hash(std::int64_t user_ref, const std::string& hash) {
  write_txn(index_, [&](Connection& c) {
    exec(c, "UPDATE users SET password_hash = ? WHERE id = ?", hash, user_ref);
  });
  bump_auth_generation();  // after the write: no cache keeps the old rows
}

// --- Profiles ----------------------------------------------------------------------------------

std::map<std::string, std::vector<std::string>> AccountStore::profile_rights() {
  return read(index_, [&](Connection& c) {
    std::map<std::string, std::vector<std::string>> out;
    auto& q =
        c.prepare("SELECT profile, \"right\" FROM profile_rights ORDER BY profile, \"right\"");
    while (q.executeStep()) out[q.getColumn(0).getString()].push_back(q.getColumn(1).getString());
    q.reset();
    return out;
  });
}

std::vector<std::string> AccountStore::rights_of(const std::string& profile) {
  return read(index_, [&](Connection& c) {
    std::vector<std::string> out;
    auto& q =
        c.prepare("SELECT \"right\" FROM profile_rights WHERE profile = ? ORDER BY \"right\"");
    q.bind(1, profile);
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    q.reset();
    return out;
  });
}

void AccountStore::seed_rights(const std::map<std::string, std::vector<std::string>>& defaults) {
  write_txn(index_, [&](Connection& c) {
    auto& q = c.prepare("SELECT 1 FROM settings WHERE key = 'profile_rights_seeded'");
    bool seeded = q.executeStep();
    q.reset();
    if (seeded) return;
    for (const auto& [profile, rights] : defaults)
      for (const auto& r : rights)
        exec(c, "INSERT OR IGNORE INTO profile_rights(profile, \"right\") VALUES (?, ?)", profile,
             r);
    exec(c, "INSERT INTO settings(key, value) VALUES ('profile_rights_seeded', '1')");
  });
}

void AccountStore::set_right(const std::string& profile, const std::string& right, bool on) {
  write_txn(index_, [&](Connection& c) {
    if (on)
      exec(c, "INSERT OR IGNORE INTO profile_rights(profile, \"right\") VALUES (?, ?)", profile,
           right);
    else
      exec(c, "DELETE FROM profile_rights WHERE profile = ? AND \"right\" = ?", profile, right);
  });
  bump_auth_generation();  // after the write: no cache keeps the old rows
}

// --- Sessions ----------------------------------------------------------------------------------

void AccountStore::insert_session(const SessionRow& s) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "INSERT INTO sessions(token_hash, kind, user_ref, patient_ref, accession, address,"
         " created_at, last_seen, expires_at, revoked) VALUES (?,?,?,?,?,?,?,?,?,0)",
         s.token_hash, s.kind, s.user_ref, s.patient_ref, s.accession, s.address, s.created_at,
         s.last_seen, s.expires_at);
  });
}

std::optional<SessionRow> AccountStore::session(const std::string& token_hash) {
  return read(index_, [&](Connection& c) -> std::optional<SessionRow> {
    auto& q = c.prepare(
        "SELECT token_hash, kind, user_ref, patient_ref, accession, address, created_at,"
        " last_seen, expires_at, revoked FROM sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    if (!q.executeStep()) return std::nullopt;
    auto s = session_from_row(q);
    q.reset();
    return s;
  });
}

void AccountStore::touch_session(const std::string& token_hash, std::int64_t now) {
  write_txn(index_, [&](Connection& c) {
    exec(c, "UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND last_seen < ?", now,
         token_hash, now);
  });
}

void AccountStore::revoke_session(const std::string& token_hash) {
  write_txn(index_, [&](Connection& c) {
    exec(c, "UPDATE sessions SET revoked = 1 WHERE token_hash = ?", token_hash);
  });
  bump_auth_generation();  // after the write: no cache keeps the old rows
}

void AccountStore::revoke_user_sessions(std::int64_t user_ref, const std::string& keep_hash) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE sessions SET revoked = 1 WHERE user_ref = ? AND kind = 'user' AND token_hash <> ?",
         user_ref, keep_hash);
  });
  bump_auth_generation();  // after the write: no cache keeps the old rows
}

// --- Tokens ------------------------------------------------------------------------------------

void AccountStore::insert_token(const TokenRow& t) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "INSERT INTO tokens(hash, purpose, user_ref, email, data, created_at, expires_at)"
         " VALUES (?,?,?,?,?,?,?)",
         t.hash, t.purpose, t.user_ref, t.email, t.data, t.expires_at, t.expires_at);
  });
}

std::optional<TokenRow> AccountStore::peek_token(const std::string& hash,
                                                 const std::string& purpose, std::int64_t now) {
  return read(index_, [&](Connection& c) -> std::optional<TokenRow> {
    auto& q = c.prepare(
        "SELECT hash, purpose, user_ref, email, data, expires_at FROM tokens"
        " WHERE hash = ? AND purpose = ? AND used_at = 0 AND expires_at > ?");
    bind_all(q, hash, purpose, now);
    if (!q.executeStep()) return std::nullopt;
    TokenRow t{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
               q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt64()};
    q.reset();
    return t;
  });
}

std::optional<TokenRow> AccountStore::consume_token(const std::string& hash,
                                                    const std::string& purpose, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) -> std::optional<TokenRow> {
    auto& q = c.prepare(
        "SELECT hash, purpose, user_ref, email, data, expires_at, used_at FROM tokens"
        " WHERE hash = ? AND purpose = ?");
    bind_all(q, hash, purpose);
    if (!q.executeStep()) return std::nullopt;
    TokenRow t{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
               q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt64()};
    std::int64_t used = q.getColumn(6).getInt64();
    q.reset();
    if (used != 0) return std::nullopt;
    exec(c, "UPDATE tokens SET used_at = ? WHERE hash = ?", std::max<std::int64_t>(now, 1), hash);
    if (t.expires_at <= now) return std::nullopt;
    return t;
  });
}

// --- Throttling --------------------------------------------------------------------------------

std::int64_t AccountStore::locked_until(const std::string& key, std::int64_t now) {
  return read(index_, [&](Connection& c) -> std::int64_t {
    auto& q = c.prepare("SELECT locked_until FROM auth_throttle WHERE key = ?");
    q.bind(1, key);
    std::int64_t until = q.executeStep() ? q.getColumn(0).getInt64() : 0;
    q.reset();
    return until > now ? until : 0;
  });
}

std::int64_t AccountStore::record_failure(const std::string& key, std::int64_t now,
                                          std::int64_t window_ms, int max, std::int64_t lock_ms) {
  return write_txn(index_, [&](Connection& c) -> std::int64_t {
    auto& q =
        c.prepare("SELECT failures, window_start, locked_until FROM auth_throttle WHERE key = ?");
    q.bind(1, key);
    std::int64_t failures = 0, start = now, locked = 0;
    if (q.executeStep()) {
      failures = q.getColumn(0).getInt64();
      start = q.getColumn(1).getInt64();
      locked = q.getColumn(2).getInt64();
    }
    q.reset();
    if (locked > now) return locked;  // already locked: the lock is not extended
    if (now - start >= window_ms || locked != 0) {
      failures = 0;
      start = now;
      locked = 0;
    }
    ++failures;
    if (failures >= max) locked = now + lock_ms;
    exec(c,
         "INSERT INTO auth_throttle(key, failures, window_start, locked_until) VALUES (?,?,?,?)"
         " ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,"
         " window_start = excluded.window_start, locked_until = excluded.locked_until",
         key, failures, start, locked);
    return locked;
  });
}

void AccountStore::clear_failures(const std::string& key) {
  write_txn(index_,
            [&](Connection& c) { exec(c, "DELETE FROM auth_throttle WHERE key = ?", key); });
}

void AccountStore::purge_expired(std::int64_t now) {
  const std::int64_t day = 86400000;
  write_txn(index_, [&](Connection& c) {
    exec(c, "DELETE FROM sessions WHERE expires_at < ? OR (revoked = 1 AND last_seen < ?)",
         now - day, now - day);
    exec(c, "DELETE FROM tokens WHERE expires_at < ?", now - day);
    exec(c, "DELETE FROM auth_throttle WHERE locked_until < ? AND window_start < ?", now,
         now - day);
  });
}

// --- Patients and studies ----------------------------------------------------------------------

std::vector<PatientLogin> AccountStore::patient_logins(const std::string& accession,
                                                       const std::string& birth_date) {
  return read(index_, [&](Connection& c) {
    std::vector<PatientLogin> out;
    auto& q = c.prepare(
        "SELECT patient_ref, patient_id, uid, access_code_hash FROM studies"
        " WHERE accession = ? AND birth_date = ? AND accession <> '' AND birth_date <> ''"
        " AND disabled = 0");
    bind_all(q, accession, birth_date);
    while (q.executeStep())
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString()});
    q.reset();
    return out;
  });
}

bool AccountStore::set_access_code_hash(const std::string& study_uid, const std::string& hash) {
  return write_txn(index_, [&](Connection& c) {
    return exec(c, "UPDATE studies SET access_code_hash = ? WHERE uid = ?", hash, study_uid) > 0;
  });
}

bool AccountStore::set_study_disabled(const std::string& study_uid, bool disabled) {
  return write_txn(index_, [&](Connection& c) {
    return exec(c, "UPDATE studies SET disabled = ? WHERE uid = ?", disabled ? 1 : 0, study_uid) >
           0;
  });
}

std::string AccountStore::study_patient_id(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare("SELECT patient_id FROM studies WHERE uid = ?");
    q.bind(1, study_uid);
    std::string out = q.executeStep() ? q.getColumn(0).getString() : std::string();
    q.reset();
    return out;
  });
}

std::optional<std::string> AccountStore::instance_study(const std::string& sop_uid) {
  return read(index_, [&](Connection& c) -> std::optional<std::string> {
    auto& q = c.prepare(
        "SELECT s.uid FROM instances i JOIN studies s ON s.id = i.study_ref WHERE i.sop_uid = ?");
    q.bind(1, sop_uid);
    if (!q.executeStep()) return std::nullopt;
    std::string out = q.getColumn(0).getString();
    q.reset();
    return out;
  });
}

// --- Grants ------------------------------------------------------------------------------------

void AccountStore::grant(const std::string& study_uid, std::int64_t user_ref,
                         const std::string& granted_by, std::int64_t now, std::int64_t expires_at) {
  write_txn(index_, [&](Connection& c) {
    // Replaced grants end the shares they carried (DIF-5), as in grant_for_share().
    exec(c,
         "UPDATE shares SET revoked_at = ? WHERE revoked_at = 0 AND grant_ref IN (SELECT g.id"
         " FROM study_grants g JOIN studies s ON s.id = g.study_ref WHERE g.user_ref = ?"
         " AND s.uid = ? AND g.revoked_at = 0)",
         now, user_ref, study_uid);
    exec(c,
         "UPDATE study_grants SET revoked_at = ? WHERE user_ref = ? AND revoked_at = 0"
         " AND study_ref = (SELECT id FROM studies WHERE uid = ?)",
         now, user_ref, study_uid);
    int n = exec(c,
                 "INSERT INTO study_grants(study_ref, user_ref, granted_by, created_at, expires_at)"
                 " SELECT id, ?, ?, ?, ? FROM studies WHERE uid = ?",
                 user_ref, granted_by, now, expires_at, study_uid);
    if (n == 0) throw Error(ErrorCode::kNotFound, "no study " + study_uid);
  });
}

bool AccountStore::revoke_grant(const std::string& study_uid, std::int64_t user_ref,
                                std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE shares SET revoked_at = ? WHERE revoked_at = 0 AND grant_ref IN (SELECT g.id"
         " FROM study_grants g JOIN studies s ON s.id = g.study_ref WHERE g.user_ref = ?"
         " AND s.uid = ? AND g.revoked_at = 0)",
         now, user_ref, study_uid);
    return exec(c,
                "UPDATE study_grants SET revoked_at = ? WHERE user_ref = ? AND revoked_at = 0"
                " AND study_ref = (SELECT id FROM studies WHERE uid = ?)",
                now, user_ref, study_uid) > 0;
  });
}

std::vector<GrantRow> AccountStore::grants(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    std::vector<GrantRow> out;
    auto& q = c.prepare(
        "SELECT s.uid, u.login, g.granted_by, g.created_at, g.expires_at, g.revoked_at"
        " FROM study_grants g JOIN studies s ON s.id = g.study_ref JOIN users u ON u.id = "
        "g.user_ref"
        " WHERE s.uid = ? ORDER BY g.id");
    q.bind(1, study_uid);
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getInt64(),
                     q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
    q.reset();
    return out;
  });
}

// --- Seen status -------------------------------------------------------------------------------

bool AccountStore::mark_seen(const std::string& study_uid, const std::string& role,
                             std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    exec(c,
         "INSERT OR IGNORE INTO study_seen(study_ref, role, first_at)"
         " SELECT id, ?, ? FROM studies WHERE uid = ?",
         role, now, study_uid);
    auto& q = c.prepare("SELECT 1 FROM studies WHERE uid = ?");
    q.bind(1, study_uid);
    bool found = q.executeStep();
    q.reset();
    return found;
  });
}

// --- Shares --------------------------------------------------------------------------------------

namespace {

const char* const kShareSelect =
    "SELECT h.id, s.uid, h.email, h.user_ref, COALESCE(u.login, ''), h.grant_ref, h.shared_by,"
    " h.message, h.created_at, h.expires_at, h.revoked_at"
    " FROM shares h JOIN studies s ON s.id = h.study_ref LEFT JOIN users u ON u.id = h.user_ref";

ShareRow share_from_row(SQLite::Statement& q) {
  ShareRow r;
  r.id = q.getColumn(0).getInt64();
  r.study_uid = q.getColumn(1).getString();
  r.email = q.getColumn(2).getString();
  r.user_ref = q.getColumn(3).getInt64();
  r.recipient_login = q.getColumn(4).getString();
  r.grant_ref = q.getColumn(5).getInt64();
  r.shared_by = q.getColumn(6).getString();
  r.message = q.getColumn(7).getString();
  r.created_at = q.getColumn(8).getInt64();
  r.expires_at = q.getColumn(9).getInt64();
  r.revoked_at = q.getColumn(10).getInt64();
  return r;
}

// A grant of the share's study to `user_ref`, replacing an earlier grant of the same pair.
std::int64_t grant_for_share(Connection& c, std::int64_t study_ref, std::int64_t user_ref,
                             const std::string& by, std::int64_t now, std::int64_t expires_at) {
  // A share whose grant is replaced ends with it, so listings never show it active.
  exec(c,
       "UPDATE shares SET revoked_at = ? WHERE revoked_at = 0 AND grant_ref IN (SELECT id FROM"
       " study_grants WHERE user_ref = ? AND study_ref = ? AND revoked_at = 0)",
       now, user_ref, study_ref);
  exec(c,
       "UPDATE study_grants SET revoked_at = ? WHERE user_ref = ? AND revoked_at = 0"
       " AND study_ref = ?",
       now, user_ref, study_ref);
  exec(c,
       "INSERT INTO study_grants(study_ref, user_ref, granted_by, created_at, expires_at)"
       " VALUES (?, ?, ?, ?, ?)",
       study_ref, user_ref, by, now, expires_at);
  return c.db.getLastInsertRowid();
}

}  // namespace

std::vector<std::int64_t> AccountStore::insert_shares(const std::vector<ShareRow>& rows) {
  return write_txn(index_, [&](Connection& c) {
    std::vector<std::int64_t> ids;
    for (const auto& r : rows) {
      auto& q = c.prepare("SELECT id FROM studies WHERE uid = ?");
      q.bind(1, r.study_uid);
      if (!q.executeStep()) {
        q.reset();
        throw Error(ErrorCode::kNotFound, "no study " + r.study_uid);
      }
      std::int64_t study_ref = q.getColumn(0).getInt64();
      q.reset();
      std::int64_t grant_ref = 0;
      if (r.user_ref > 0)
        grant_ref =
            grant_for_share(c, study_ref, r.user_ref, r.shared_by, r.created_at, r.expires_at);
      exec(c,
           "INSERT INTO shares(study_ref, email, user_ref, grant_ref, shared_by, message,"
           " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           study_ref, r.email, r.user_ref, grant_ref, r.shared_by, r.message, r.created_at,
           r.expires_at);
      ids.push_back(c.db.getLastInsertRowid());
    }
    return ids;
  });
}

std::vector<ShareRow> AccountStore::shares(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    std::vector<ShareRow> out;
    auto& q = c.prepare(std::string(kShareSelect) + " WHERE ? = '' OR s.uid = ? ORDER BY h.id");
    q.bind(1, study_uid);
    q.bind(2, study_uid);
    while (q.executeStep()) out.push_back(share_from_row(q));
    q.reset();
    return out;
  });
}

std::optional<ShareRow> AccountStore::share(std::int64_t id) {
  return read(index_, [&](Connection& c) -> std::optional<ShareRow> {
    auto& q = c.prepare(std::string(kShareSelect) + " WHERE h.id = ?");
    q.bind(1, id);
    std::optional<ShareRow> out;
    if (q.executeStep()) out = share_from_row(q);
    q.reset();
    return out;
  });
}

bool AccountStore::revoke_share(std::int64_t id, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    if (exec(c, "UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at = 0", now, id) == 0)
      return false;
    exec(c,
         "UPDATE study_grants SET revoked_at = ? WHERE revoked_at = 0"
         " AND id = (SELECT grant_ref FROM shares WHERE id = ?)",
         now, id);
    return true;
  });
}

int AccountStore::accept_pending_shares(const std::string& email, std::int64_t user_ref,
                                        std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    struct Pending {
      std::int64_t id, study_ref, expires_at;
      std::string by;
    };
    std::vector<Pending> pending;
    auto& q = c.prepare(
        "SELECT id, study_ref, expires_at, shared_by FROM shares WHERE user_ref = 0"
        " AND revoked_at = 0 AND (expires_at = 0 OR expires_at > ?) AND lower(email) = lower(?)"
        " ORDER BY id");
    q.bind(1, now);
    q.bind(2, email);
    while (q.executeStep())
      pending.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                         q.getColumn(2).getInt64(), q.getColumn(3).getString()});
    q.reset();
    for (const auto& p : pending) {
      std::int64_t g = grant_for_share(c, p.study_ref, user_ref, p.by, now, p.expires_at);
      exec(c, "UPDATE shares SET user_ref = ?, grant_ref = ? WHERE id = ?", user_ref, g, p.id);
    }
    return static_cast<int>(pending.size());
  });
}

// --- Outbox ------------------------------------------------------------------------------------

std::int64_t AccountStore::enqueue_mail(const OutboxRow& m) {
  return write_txn(index_, [&](Connection& c) {
    exec(c,
         "INSERT INTO outbox(recipient, subject, body, sealed, kind, language, status, attempts,"
         " next_attempt_at, last_error, created_at, sent_at)"
         " VALUES (?,?,?,?,?,?,'pending',0,?,'',?,0)",
         m.to, m.subject, m.body, m.sealed, m.kind, m.language, m.next_attempt_at, m.created_at);
    return c.db.getLastInsertRowid();
  });
}

std::vector<OutboxRow> AccountStore::due_mail(std::int64_t now, int limit) {
  return read(index_, [&](Connection& c) {
    std::vector<OutboxRow> out;
    auto& q = c.prepare(std::string("SELECT ") + kOutboxColumns +
                        " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                        " ORDER BY next_attempt_at, id LIMIT ?");
    bind_all(q, now, limit);
    while (q.executeStep()) out.push_back(outbox_from_row(q));
    q.reset();
    return out;
  });
}

std::vector<OutboxRow> AccountStore::mail(const std::string& status, int limit) {
  return read(index_, [&](Connection& c) {
    std::vector<OutboxRow> out;
    auto& q = c.prepare(std::string("SELECT ") + kOutboxColumns +
                        " FROM outbox WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?");
    bind_all(q, status, status, limit);
    while (q.executeStep()) out.push_back(outbox_from_row(q));
    q.reset();
    return out;
  });
}

void AccountStore::mail_sent(std::int64_t id, std::int64_t now) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '',"
         " sealed = '' WHERE id = ?",
         now, id);
  });
}

void AccountStore::mail_attempt_failed(std::int64_t id, const std::string& status,
                                       const std::string& error, std::int64_t next_attempt_at) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
         " next_attempt_at = ?, sealed = CASE WHEN ? = 'failed' THEN '' ELSE sealed END"
         " WHERE id = ?",
         status, error, next_attempt_at, status, id);
  });
}

bool AccountStore::mail_retry_now(std::int64_t id, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    return exec(c,
                "UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ?"
                " AND status <> 'sent'",
                now, id) > 0;
  });
}

// --- Audit -------------------------------------------------------------------------------------

std::uint64_t AccountStore::auth_generation() {
  return read(index_, [&](Connection& c) -> std::uint64_t {
    auto& q = c.prepare("SELECT value FROM settings WHERE key = 'auth_generation'");
    if (!q.executeStep()) return 0;
    return static_cast<std::uint64_t>(std::stoull(q.getColumn(0).getString()));
  });
}

void AccountStore::bump_auth_generation() {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "INSERT INTO settings(key, value) VALUES ('auth_generation', '1') ON CONFLICT(key) DO "
         "UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)");
  });
}

void AccountStore::append_audit(const AuditRow& row) {
  std::unique_lock lock(audit_mutex_);
  audit_queue_.push_back(row);
  const std::uint64_t mine = ++audit_enqueued_;
  while (audit_committed_ < mine) {
    if (audit_writing_) {
      audit_cv_.wait(lock);
      continue;
    }
    // This caller writes the batch: every record queued so far, in one transaction.
    audit_writing_ = true;
    std::vector<AuditRow> batch;
    batch.swap(audit_queue_);
    const std::uint64_t last = audit_enqueued_;
    const std::uint64_t first = last - batch.size() + 1;
    lock.unlock();
    std::string failure;
    try {
      write_txn(index_, [&](Connection& c) {
        for (const AuditRow& a : batch)
          exec(c,
               "INSERT INTO audit(at, user_id, login, profile, address, action, study_uid,"
               " patient_id, outcome, detail) VALUES (?,?,?,?,?,?,?,?,?,?)",
               a.at, a.user_id, a.login, a.profile, a.address, a.action, a.study_uid,
               a.patient_id, a.outcome, a.detail);
      });
    } catch (const std::exception& e) {
      failure = e.what();
    }
    lock.lock();
    audit_writing_ = false;
    audit_committed_ = last;
    if (!failure.empty()) {
      audit_failures_[last] = {first, failure};
      while (audit_failures_.size() > 64) audit_failures_.erase(audit_failures_.begin());
    }
    audit_cv_.notify_all();
  }
  // Did the batch holding this record fail?
  auto it = audit_failures_.lower_bound(mine);
  if (it != audit_failures_.end() && it->second.first <= mine)
    throw Error(ErrorCode::kIo, "audit write failed: " + it->second.second);
}

std::vector<AuditEvent> AccountStore::audit(const AuditQuery& f) {
  return read(index_, [&](Connection& c) {
    std::string sql =
        "SELECT id, at, user_id, login, profile, address, action, study_uid, patient_id, outcome,"
        " detail FROM audit WHERE 1";
    std::vector<std::string> params;
    auto eq = [&](const char* col, const std::string& v) {
      if (v.empty()) return;
      sql += std::string(" AND ") + col + " = ?";
      params.push_back(v);
    };
    eq("login", f.login);
    eq("action", f.action);
    eq("study_uid", f.study_uid);
    eq("patient_id", f.patient_id);
    eq("outcome", f.outcome);
    if (!f.from.empty()) {
      sql += " AND at >= ?";
      params.push_back(std::to_string(parse_time_ms(f.from, "from")));
    }
    if (!f.to.empty()) {
      // A bare date means the whole day.
      std::int64_t to = parse_time_ms(f.to, "to");
      if (f.to.size() <= 10) to += 86400000 - 1;
      sql += " AND at <= ?";
      params.push_back(std::to_string(to));
    }
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?";
    auto& q = c.prepare(sql);
    int i = 1;
    for (const auto& p : params) q.bind(i++, p);
    q.bind(i++, std::clamp(f.limit <= 0 ? 200 : f.limit, 1, 10000));
    q.bind(i++, std::max(f.offset, 0));
    std::vector<AuditEvent> out;
    while (q.executeStep()) {
      AuditEvent e;
      int k = 0;
      e.id = q.getColumn(k++).getInt64();
      e.at = iso_ms(q.getColumn(k++).getInt64());
      e.user_id = q.getColumn(k++).getString();
      e.login = q.getColumn(k++).getString();
      e.profile = q.getColumn(k++).getString();
      e.address = q.getColumn(k++).getString();
      e.action = q.getColumn(k++).getString();
      e.study_uid = q.getColumn(k++).getString();
      e.patient_id = q.getColumn(k++).getString();
      e.outcome = q.getColumn(k++).getString();
      e.detail = q.getColumn(k++).getString();
      out.push_back(std::move(e));
    }
    q.reset();
    return out;
  });
}

}  // namespace portal::detail
