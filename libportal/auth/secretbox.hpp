// Authenticated encryption of small secrets at rest (libsodium secretbox), for outbox messages
// that carry a one-time link until they are delivered.
#pragma once

#include <string>

namespace portal::detail {

/// Reads the 32-byte key at `path`, creating it (mode 0600) when missing. Throws Error(kIo).
std::string load_or_create_key(const std::string& path);

/// Encrypts `plain` with `key`: hex of nonce + ciphertext. Thread-safe.
std::string seal(const std::string& key, const std::string& plain);

/// Decrypts what seal() made. Throws Error(kCorrupt) when it does not authenticate.
std::string unseal(const std::string& key, const std::string& sealed_hex);

}  // namespace portal::detail
