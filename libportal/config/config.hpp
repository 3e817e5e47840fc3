// Configuration (PLAT-4): `<data>/portal.toml` and PORTAL_<SECTION>_<KEY> environment variables.
#pragma once

#include <string>
#include <vector>

#include "portal/options.hpp"

namespace portal::detail {

/// One setting of the file: section, key, and a printable default.
struct SettingInfo {
  std::string section, key, default_value;
};
/// Every setting the file and the environment know, in documentation order.
std::vector<SettingInfo> known_settings();

/// Applies `<data_dir>/portal.toml` (when present), then the environment, onto `options`.
/// Throws Error(kInvalidArgument) for a syntax error, an unknown key or a value of the wrong
/// type, naming the file (or variable) and key; never echoes secret values.
void apply_config(const std::string& data_dir, Options& options);

/// Throws Error(kInvalidArgument) naming the setting when an account or mail setting is out of
/// range (e.g. smtp.tls not none/starttls/tls, a zero expiry, language not en/fr).
void check_options(const Options& options);

}  // namespace portal::detail
