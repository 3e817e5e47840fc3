// Opaque random tokens (sessions, confirmation, reset, invitation, captcha ids) and their
// stored form. Tokens carry 256 random bits; only their SHA-256 is ever stored.
#pragma once

#include <string>

namespace portal::detail {

/// A new token: 64 lower-case hex characters from libsodium's CSPRNG. Thread-safe.
std::string new_token();

/// What the index keeps of a token: its SHA-256, hex. A 256-bit random token needs no salt.
std::string token_hash(const std::string& token);

/// A new personal access token (issue [http]): "pat_" followed by 64 hex characters, so that
/// it is told apart from session tokens and found by secret scanners. Thread-safe.
std::string new_access_token();
/// True when `token` has the form of a personal access token.
bool is_access_token(const std::string& token);
/// The CSRF token bound to a session token: SHA-256 of a domain-separated copy, so it differs
/// from the stored token_hash and reveals nothing of the session token.
std::string csrf_token(const std::string& session_token);

/// Compares two strings in time independent of their content (same length assumed public).
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace portal::detail
