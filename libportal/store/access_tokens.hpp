// Personal access tokens (issue [http]): the SQL of the access_tokens table (migration 6).
// Only the token's SHA-256 is stored. Times are Unix ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libportal/store/index.hpp"

namespace portal::detail {

struct AccessTokenRow {
  std::int64_t id = 0;
  std::string token_hash;
  std::int64_t user_ref = 0;
  std::string user_login;  ///< filled by reads
  std::string name;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;    ///< 0 = never
  std::int64_t last_used_at = 0;  ///< 0 = never used
  std::int64_t revoked_at = 0;    ///< 0 = not revoked
};

/// All methods thread-safe; writes take the index's single writer lock. Throws Error.
class AccessTokenStore {
 public:
  explicit AccessTokenStore(Index& index) : index_(index) {}
  /// Inserts; returns the new id.
  std::int64_t insert(const AccessTokenRow& row);
  std::optional<AccessTokenRow> by_hash(const std::string& token_hash);
  std::optional<AccessTokenRow> by_id(std::int64_t id);
  /// Tokens of one user (user_ref > 0) or of everyone (0), newest first.
  std::vector<AccessTokenRow> list(std::int64_t user_ref);
  /// Sets revoked_at when not yet revoked; false when there was nothing to revoke.
  bool revoke(std::int64_t id, std::int64_t now);
  /// Records a use (callers throttle: at most one write per token per minute).
  void touch(std::int64_t id, std::int64_t now);

 private:
  Index& index_;
};

}  // namespace portal::detail
