// Helpers shared by the account calls of Portal and Session (api/ only).
#pragma once

#include <string>

#include "libportal/api/state.hpp"

namespace portal::detail {

/// kInvalidArgument unless `login` is 1..64 characters of letters, digits, '.', '_', '-', '@'.
void check_login(const std::string& login);
/// kInvalidArgument unless `email` looks like local@domain (no spaces or control characters).
void check_email(const std::string& email);
/// kInvalidArgument unless "en" or "fr".
void check_language(const std::string& language);
/// kInvalidArgument for an unknown account profile.
void check_profile(const std::string& profile);
/// Lower-case ASCII.
std::string lower(std::string s);
/// A new session row for the principal; returns the clear token.
std::string open_session(PortalState& st, const std::string& kind, std::int64_t user_ref,
                         std::int64_t patient_ref, const std::string& accession,
                         const std::string& address);
/// Minutes from now as UTC ISO 8601.
std::string iso_in_minutes(PortalState& st, int minutes);

}  // namespace portal::detail
