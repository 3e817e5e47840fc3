// Accounts, sessions, one-time tokens, throttling counters, study grants, patient access codes,
// outbox and audit rows: the SQL behind auth/, mail/, audit/ and api/. Times are Unix ms.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libportal/store/index.hpp"
#include "portal/accounts.hpp"

namespace portal::detail {

struct UserRow {
  std::int64_t id = 0;
  std::string public_id;
  std::string login;
  std::vector<std::string> emails;
  std::string first_name, last_name, phone, physician_id, referring_name;
  std::string linked_physician_id;  ///< set by administrators only
  std::string profile;
  std::string state;  ///< user_state_name()
  std::string password_hash;
  Preferences preferences;
  std::int64_t created_at = 0;
};

struct SessionRow {
  std::string token_hash;
  std::string kind;  ///< "user" or "patient"
  std::int64_t user_ref = 0;
  std::int64_t patient_ref = 0;
  std::string accession;  ///< patient sessions: the accession they signed in with
  std::string address;
  std::int64_t created_at = 0, last_seen = 0, expires_at = 0;
  bool revoked = false;
};

struct TokenRow {
  std::string hash;
  std::string purpose;  ///< "confirm", "reset", "invite", "captcha"
  std::int64_t user_ref = 0;
  std::string email;
  std::string data;
  std::int64_t expires_at = 0;
};

/// A study that a patient sign-in (accession + birth date) matches.
struct PatientLogin {
  std::int64_t patient_ref = 0;
  std::string patient_id;
  std::string study_uid;
  std::string access_code_hash;
};

struct GrantRow {
  std::string study_uid, user_login, granted_by;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  ///< 0 = never
  std::int64_t revoked_at = 0;  ///< 0 = not revoked
};

/// A share (DIF-5, DIF-6). `user_ref` 0 = pending: no account has `email` yet.
struct ShareRow {
  std::int64_t id = 0;
  std::string study_uid;
  std::string email;            ///< as given (empty for a share to a user without an email)
  std::int64_t user_ref = 0;
  std::string recipient_login;  ///< filled by reads; empty while pending
  std::int64_t grant_ref = 0;   ///< the study grant giving access; 0 while pending
  std::string shared_by, message;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  ///< 0 = never
  std::int64_t revoked_at = 0;  ///< 0 = not revoked
};

struct OutboxRow {
  std::int64_t id = 0;
  std::string to, subject, body, kind, language;
  std::string sealed;  ///< encrypted full body when `body` is redacted; cleared once delivered
  std::string status = "pending";
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::string last_error;
  std::int64_t created_at = 0, sent_at = 0;
};

struct AuditRow {
  std::int64_t at = 0;
  std::string user_id, login, profile, address, action, study_uid, patient_id, outcome, detail;
};

/// All methods thread-safe; writes take the index's single writer lock. Throws Error.
class AccountStore {
 public:
  explicit AccountStore(Index& index) : index_(index) {}

  // Users.
  std::optional<UserRow> user_by_ref(std::int64_t id);
  std::optional<UserRow> user_by_public_id(const std::string& public_id);
  std::optional<UserRow> user_by_login(const std::string& login);
  std::optional<UserRow> user_by_email(const std::string& email);
  std::vector<UserRow> users(const std::string& state);  ///< "" = all
  std::vector<UserRow> users_with_profile(const std::string& profile, const std::string& state);
  /// Inserts; throws kAlreadyExists when the login or an email is taken. Returns the row id.
  /// With `only_if_no_admin`, throws kConflict when an active or pending administrator exists.
  std::int64_t insert_user(const UserRow& row, bool only_if_no_admin = false);
  /// Rewrites every field but the password hash (and emails). kAlreadyExists on email clash.
  void update_user(const UserRow& row);
  void set_password_hash(std::int64_t user_ref, const std::string& hash);

  // Profiles.
  std::map<std::string, std::vector<std::string>> profile_rights();
  std::vector<std::string> rights_of(const std::string& profile);
  /// Writes `defaults` once in the life of the index (later edits by administrators stay).
  void seed_rights(const std::map<std::string, std::vector<std::string>>& defaults);
  void set_right(const std::string& profile, const std::string& right, bool on);

  // Sessions.
  void insert_session(const SessionRow& row);
  std::optional<SessionRow> session(const std::string& token_hash);
  void touch_session(const std::string& token_hash, std::int64_t now);
  void revoke_session(const std::string& token_hash);
  /// Revokes every session of the user except `keep_hash`.
  void revoke_user_sessions(std::int64_t user_ref, const std::string& keep_hash = {});

  // One-time tokens.
  void insert_token(const TokenRow& row);
  /// The token when it is usable at `now` (exists, this purpose, unused, unexpired), without
  /// using it.
  std::optional<TokenRow> peek_token(const std::string& hash, const std::string& purpose,
                                     std::int64_t now);
  /// Marks the token used and returns it when it exists, has this purpose, is unused and not
  /// expired at `now`; otherwise nullopt. Atomic: a token is consumed once.
  std::optional<TokenRow> consume_token(const std::string& hash, const std::string& purpose,
                                        std::int64_t now);

  // Throttling: counters per key ("account:...", "accession:...", "address:...").
  /// Until when `key` is locked (0 = not locked).
  std::int64_t locked_until(const std::string& key, std::int64_t now);
  /// Counts a failure; locks the key for `lock_ms` once `max` failures fall in `window_ms`.
  /// Returns the lock end (0 = not locked).
  std::int64_t record_failure(const std::string& key, std::int64_t now, std::int64_t window_ms,
                              int max, std::int64_t lock_ms);
  void clear_failures(const std::string& key);

  /// Removes sessions and one-time tokens ended more than a day before `now`, and throttling
  /// counters whose window and lock are over.
  void purge_expired(std::int64_t now);

  // Patients and studies.
  std::vector<PatientLogin> patient_logins(const std::string& accession,
                                           const std::string& birth_date);
  /// Returns false when the study does not exist.
  bool set_access_code_hash(const std::string& study_uid, const std::string& hash);
  bool set_study_disabled(const std::string& study_uid, bool disabled);
  /// The patient id of a study ("" when unknown), for audit records.
  std::string study_patient_id(const std::string& study_uid);
  /// The study uid of an instance, or nullopt.
  std::optional<std::string> instance_study(const std::string& sop_uid);

  // Grants.
  void grant(const std::string& study_uid, std::int64_t user_ref, const std::string& granted_by,
             std::int64_t now, std::int64_t expires_at);
  /// Returns false when no unrevoked grant existed.
  bool revoke_grant(const std::string& study_uid, std::int64_t user_ref, std::int64_t now);
  std::vector<GrantRow> grants(const std::string& study_uid);

  // Seen status (DIF-1).
  /// Records that `role` ("radiologist", "referring", "patient") opened the study; the first
  /// time is kept. Returns false when the study does not exist.
  bool mark_seen(const std::string& study_uid, const std::string& role, std::int64_t now);

  // Shares (DIF-5, DIF-6).
  /// Inserts the shares in one transaction; each one with a user_ref also gets a study grant
  /// (replacing an earlier grant of the same pair) with the share's expiry. Returns the ids in
  /// order. kNotFound when the study does not exist (nothing is written).
  std::vector<std::int64_t> insert_shares(const std::vector<ShareRow>& rows);
  /// The shares of a study ("" = every study), oldest first.
  std::vector<ShareRow> shares(const std::string& study_uid);
  std::optional<ShareRow> share(std::int64_t id);
  /// Revokes the share and its grant. Returns false when there is no unrevoked share `id`.
  bool revoke_share(std::int64_t id, std::int64_t now);
  /// Turns the pending, unrevoked, unexpired shares to `email` (case-insensitive) into grants
  /// to `user_ref`. Returns how many.
  int accept_pending_shares(const std::string& email, std::int64_t user_ref, std::int64_t now);

  // Outbox (DIF-8).
  std::int64_t enqueue_mail(const OutboxRow& row);
  std::vector<OutboxRow> due_mail(std::int64_t now, int limit);
  std::vector<OutboxRow> mail(const std::string& status, int limit);
  void mail_sent(std::int64_t id, std::int64_t now);
  void mail_attempt_failed(std::int64_t id, const std::string& status, const std::string& error,
                           std::int64_t next_attempt_at);
  /// Returns false when the message does not exist.
  bool mail_retry_now(std::int64_t id, std::int64_t now);

  // Audit (PLAT-3), append-only.
  /// Appends one audit record and returns once it is durable. Concurrent callers are group
  /// committed: one caller writes every queued record in one transaction (one fsync) while the
  /// others wait for it, so each caller still returns only after its own record is stored.
  /// Throws Error when the batch holding the record failed.
  void append_audit(const AuditRow& row);

  /// A counter kept in the index, bumped after every write that can change who a session or
  /// access token acts for (users, profile rights, revocations), by any process: principal
  /// caches compare it, so a change made by the CLI applies to a running server at once
  /// (issue [http]). One primary-key read.
  std::uint64_t auth_generation();
  void bump_auth_generation();
  std::vector<AuditEvent> audit(const AuditQuery& q);

 private:
  Index& index_;
  // Group commit of audit records (append_audit).
  std::mutex audit_mutex_;
  std::condition_variable audit_cv_;
  std::vector<AuditRow> audit_queue_;
  bool audit_writing_ = false;
  std::uint64_t audit_enqueued_ = 0;   ///< sequence number of the last queued record
  std::uint64_t audit_committed_ = 0;  ///< every record up to this one is settled
  /// Failed batches: last sequence number -> (first sequence number, why); the latest 64.
  std::map<std::uint64_t, std::pair<std::uint64_t, std::string>> audit_failures_;
};

}  // namespace portal::detail
