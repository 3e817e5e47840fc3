// Helpers for the [accounts] tests: a portal with a manual clock, users of every profile,
// studies with chosen demographics, and the mails written to the spool folder.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "portal/all.hpp"
#include "support/test_support.hpp"

namespace portal::test {

/// Passwords the policy accepts (long, not dictionary words).
inline const std::string kAdminPassword = "Velvet-Harbour-Lantern-42";
inline const std::string kUserPassword = "Quartz umbrella galloping 77";

struct AccountsPortal {
  TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(
      std::chrono::system_clock::time_point(std::chrono::hours(500000)));
  std::shared_ptr<Portal> portal;

  /// Opens `<dir>/data` with the manual clock; `tweak` may change the options first.
  explicit AccountsPortal(const std::function<void(Options&)>& tweak = {});
  Options options() const;

  /// Creates the first administrator "admin" and signs in.
  Session admin();
  /// Adds an active user of `profile` through `admin`, email "<login>@example.org".
  User add_user(Session& admin, const std::string& login, const std::string& profile,
                const std::string& physician_id = {}, const std::string& referring_name = {});
  Session sign_in(const std::string& login, const std::string& password = kUserPassword,
                  const std::string& address = {});

  /// Ingests a copy of pydicom's CT_small.dcm as a new study with `attrs` (Keyword=Value);
  /// returns the study uid.
  std::string add_study(const std::string& name, const std::vector<std::string>& attrs);

  /// Runs deliver_mail() to the spool and returns every delivered mail (decoded) in order.
  std::vector<std::string> delivered_mails();
  /// The token in the last delivered mail to `to` whose link contains `path` ("/confirm", ...).
  std::string token_from_mail(const std::string& to, const std::string& path);
};

/// Base64 bodies of an .eml file decoded (headers kept).
std::string decode_eml(const std::string& eml);

/// Every byte of the index files (database, WAL) of a data directory.
std::string index_bytes(const std::string& data_dir);

}  // namespace portal::test
