#include "libportal/auth/tokens.hpp"

#include <sodium.h>

#include "libportal/common/random.hpp"
#include "libportal/common/sha256.hpp"

namespace portal::detail {

std::string new_token() { return random_hex(32); }

std::string token_hash(const std::string& token) { return sha256_hex(token.data(), token.size()); }

std::string new_access_token() { return "pat_" + random_hex(32); }

bool is_access_token(const std::string& token) {
  if (token.size() != 68 || token.rfind("pat_", 0) != 0) return false;
  for (std::size_t i = 4; i < token.size(); ++i) {
    char c = token[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string csrf_token(const std::string& session_token) {
  std::string input = "portal-csrf:" + session_token;
  return sha256_hex(input.data(), input.size());
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace portal::detail
