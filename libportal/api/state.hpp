// The state behind a Portal, shared by its sessions.
#pragma once

#include <cctype>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>

#include "libportal/access/access.hpp"
#include "libportal/audit/audit.hpp"
#include "libportal/auth/password.hpp"
#include "libportal/ingest/ingest.hpp"
#include "libportal/store/access_tokens.hpp"
#include "libportal/store/accounts.hpp"
#include "libportal/store/index.hpp"
#include "libportal/store/reports.hpp"
#include "libportal/store/sharing.hpp"
#include "portal/accounts.hpp"
#include "portal/options.hpp"

namespace portal::detail {

/// What a user or patient Session holds besides the portal: its token (clear, in memory only)
/// and the token's hash (the key of its sessions row).
struct SessionAuth {
  std::string token;
  std::string token_hash;
  std::string address;
  std::int64_t as_user_ref = 0;  ///< Portal::session_as: no token, this user's principal
  bool access_token = false;     ///< `token` is a personal access token, not a session
  /// Portal::viewer_session: the study its viewer token (hash in token_hash) is scoped to.
  std::string viewer_study;
};

/// A principal resolved from a session or access token, reused for at most
/// PrincipalCache::kTtlMs while nothing in this process changed accounts, rights or sessions
/// (AccountStore::auth_generation). Changes made by another process take effect within the TTL.
struct CachedPrincipal {
  Principal principal;
  std::int64_t checked_ms = 0;  ///< when the database last confirmed it
  std::int64_t valid_until = 0; ///< min(session/token expiry, next required touch)
  std::uint64_t generation = 0;
};

struct PrincipalCache {
  static constexpr std::int64_t kTtlMs = 1000;
  std::mutex mutex;
  std::unordered_map<std::string, CachedPrincipal> entries;  ///< by token hash
  /// The cached principal of `token_hash` when still usable at `now`.
  std::optional<Principal> find(const std::string& token_hash, std::int64_t now,
                                std::uint64_t generation);
  void put(const std::string& token_hash, CachedPrincipal entry);
};

struct PortalState {
  std::string data_dir;
  Options options;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<BlobStore> blobs;
  std::unique_ptr<Index> index;
  std::unique_ptr<Ingestor> ingestor;
  std::unique_ptr<AccountStore> accounts;
  std::unique_ptr<ReportStore> reports;  ///< reports, audio notes, uploaded documents
  std::unique_ptr<AccessTokenStore> access_tokens;  ///< issue [http]
  std::unique_ptr<SharingStore> sharing;  ///< notifications, directory, mails by study
  std::mutex notify_mutex;  ///< one run_notifications() pass at a time in this process
  std::string spool_dir;
  /// `<data>/secret.key`, made on first use: seals outbox bodies that carry a one-time link.
  const std::string& secret_key();
  PrincipalCache principal_cache;  ///< issue [http]: revalidation of busy sessions
  std::mutex mail_mutex;  ///< one deliver_mail() pass at a time in this process
  std::mutex key_mutex;
  std::string key_;       ///< guarded by key_mutex

  SearchContext search_context() const;

  std::int64_t now_ms() const;
  PasswordParams password_params() const;
  Principal system_principal() const;
  /// The principal of a live session; re-reads the session, the account and the rights, and
  /// extends the idle timeout. Throws Error(kUnauthenticated) when it has ended.
  Principal resolve(const SessionAuth& auth);
  /// The principal of a personal access token (issue [http]): its user's, while the token is
  /// unrevoked, unexpired and the account active; else Error(kUnauthenticated).
  Principal access_token_principal(const SessionAuth& auth);
  /// resolve() for a viewer session (LIST-7): the issuer's principal limited to one study.
  Principal resolve_viewer(const SessionAuth& auth);
  /// The principal of a user row (rights of its profile).
  Principal user_principal(const UserRow& row);
  /// Public view of a user row.
  User to_user(const UserRow& row) const;
  /// Renders a template and puts it in the outbox (DIF-8). When `secret` (a token) is given,
  /// the stored body shows it masked and the full body is kept sealed until delivery.
  /// Returns the outbox row id.
  std::int64_t enqueue_mail(const std::string& to, const std::string& kind,
                            const std::string& language, std::map<std::string, std::string> vars,
                            const std::string& secret = {});
  /// A link for emails: Options::public_base_url + path.
  std::string link(const std::string& path) const;
  /// `text` escaped for a URL query value (RFC 3986 unreserved characters kept).
  static std::string query_value(const std::string& text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }
  void audit(const Principal& who, const std::string& address, AuditEntry what);
};

}  // namespace portal::detail
