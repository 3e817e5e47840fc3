#include "libportal/auth/tokens.hpp"

#include <sodium.h>

#include "libportal/common/random.hpp"
#include "libportal/common/sha256.hpp"

namespace portal::detail {

std::string new_token() { return random_hex(32); }

std::string token_hash(const std::string& token) { return sha256_hex(token.data(), token.size()); }

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace portal::detail
