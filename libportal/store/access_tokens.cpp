// SQL of personal access tokens (issue [http]).
#include "libportal/store/access_tokens.hpp"

#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"
#include "libportal/store/txn.hpp"

namespace portal::detail {
namespace {

constexpr const char* kColumns =
    "t.id, t.token_hash, t.user_ref, u.login, t.name, t.created_at, t.expires_at,"
    " t.last_used_at, t.revoked_at FROM access_tokens t JOIN users u ON u.id = t.user_ref";

AccessTokenRow row_of(SQLite::Statement& q) {
  AccessTokenRow r;
  r.id = q.getColumn(0).getInt64();
  r.token_hash = q.getColumn(1).getString();
  r.user_ref = q.getColumn(2).getInt64();
  r.user_login = q.getColumn(3).getString();
  r.name = q.getColumn(4).getString();
  r.created_at = q.getColumn(5).getInt64();
  r.expires_at = q.getColumn(6).getInt64();
  r.last_used_at = q.getColumn(7).getInt64();
  r.revoked_at = q.getColumn(8).getInt64();
  return r;
}

}  // namespace

std::int64_t AccessTokenStore::insert(const AccessTokenRow& row) {
  return write_txn(index_, [&](Connection& c) {
    auto& q = c.prepare(
        "INSERT INTO access_tokens(token_hash, user_ref, name, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)");
    q.bind(1, row.token_hash);
    q.bind(2, row.user_ref);
    q.bind(3, row.name);
    q.bind(4, row.created_at);
    q.bind(5, row.expires_at);
    q.exec();
    return c.db.getLastInsertRowid();
  });
}

std::optional<AccessTokenRow> AccessTokenStore::by_hash(const std::string& token_hash) {
  return read(index_, [&](Connection& c) -> std::optional<AccessTokenRow> {
    auto& q = c.prepare(std::string("SELECT ") + kColumns + " WHERE t.token_hash = ?");
    q.bind(1, token_hash);
    if (!q.executeStep()) return std::nullopt;
    return row_of(q);
  });
}

std::optional<AccessTokenRow> AccessTokenStore::by_id(std::int64_t id) {
  return read(index_, [&](Connection& c) -> std::optional<AccessTokenRow> {
    auto& q = c.prepare(std::string("SELECT ") + kColumns + " WHERE t.id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return row_of(q);
  });
}

std::vector<AccessTokenRow> AccessTokenStore::list(std::int64_t user_ref) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare(std::string("SELECT ") + kColumns +
                        " WHERE (? = 0 OR t.user_ref = ?) ORDER BY t.id DESC");
    q.bind(1, user_ref);
    q.bind(2, user_ref);
    std::vector<AccessTokenRow> out;
    while (q.executeStep()) out.push_back(row_of(q));
    return out;
  });
}

bool AccessTokenStore::revoke(std::int64_t id, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    auto& q = c.prepare("UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0");
    q.bind(1, now);
    q.bind(2, id);
    return q.exec() > 0;
  });
}

void AccessTokenStore::touch(std::int64_t id, std::int64_t now) {
  write_txn(index_, [&](Connection& c) {
    auto& q = c.prepare("UPDATE access_tokens SET last_used_at = ? WHERE id = ?");
    q.bind(1, now);
    q.bind(2, id);
    return q.exec();
  });
}

}  // namespace portal::detail
