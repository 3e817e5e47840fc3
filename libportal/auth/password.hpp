// Passwords (ACC-8): argon2id hashing through libsodium and the password policy.
#pragma once

#include <cstdint>
#include <string>

namespace portal::detail {

struct PasswordParams {
  std::uint64_t memory = 19ull << 20;  ///< bytes; raised to 19 MiB when lower
  std::uint64_t passes = 2;            ///< raised to 2 when lower
};

/// An argon2id hash in the PHC string form ("$argon2id$v=19$m=...,t=...,p=1$salt$hash").
/// Thread-safe. Throws Error(kInternal) when out of memory.
std::string hash_password(const std::string& password, const PasswordParams& params);

/// True when `password` matches `hash` (constant-time compare). An empty or malformed hash
/// never matches.
bool verify_password(const std::string& password, const std::string& hash);

/// Verifies against a fixed hash of the same cost, so that an unknown account takes about as
/// long to refuse as a wrong password.
void dummy_verify(const PasswordParams& params);

/// ACC-8 policy: at least `min_length` characters (code points), at most 1024 bytes, and not a
/// common or dictionary password (cracklib with `dictionary`, when not empty). Long passphrases
/// of ordinary words are accepted. Throws Error(kInvalidArgument) saying why (never echoing
/// the password).
void check_password_policy(const std::string& password, int min_length,
                           const std::string& dictionary);

}  // namespace portal::detail
