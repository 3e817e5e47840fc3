// Secure randomness (libsodium) for ids and tokens.
#pragma once

#include <string>

namespace portal::detail {

/// `bytes` random bytes as lower-case hex (2*bytes characters). Thread-safe.
std::string random_hex(std::size_t bytes);

}  // namespace portal::detail
