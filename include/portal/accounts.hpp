// portal/accounts.hpp — value types of accounts, access, mail and audit ([accounts]: ACC-1..8,
// LIST-1, LIST-6, LIST-7, DIF-8, PLAT-3). No behaviour, no third-party types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal {

/// Profile identifiers (exact strings). The patient principal has the pseudo-profile "patient".
inline constexpr std::string_view kAdministrator = "administrator";
inline constexpr std::string_view kRadiologist = "radiologist";
inline constexpr std::string_view kReferringPhysician = "referring_physician";
inline constexpr std::string_view kGuest = "guest";
inline constexpr std::string_view kPatientProfile = "patient";

/// Named rights. Per-column rights are "column:<name>" and per-viewer-tool rights "tool:<name>".
inline constexpr std::string_view kRightUpload = "upload";
inline constexpr std::string_view kRightShare = "share";
inline constexpr std::string_view kRightNotify = "notify";
inline constexpr std::string_view kRightAdvancedFilters = "advanced_filters";
inline constexpr std::string_view kRightDisableStudy = "disable_study";
inline constexpr std::string_view kRightDownload = "download";
inline constexpr std::string_view kRightExport = "export";
inline constexpr std::string_view kRightManageReports = "manage_reports";
inline constexpr std::string_view kRightRecordAudio = "record_audio";
/// Delete documents uploaded through the portal (VIEW-6), never ingested originals.
inline constexpr std::string_view kRightDeleteDocuments = "delete_documents";

/// Every right name a profile may hold (named rights, then column:* and tool:*), sorted.
std::vector<std::string> known_rights();

/// Account life cycle (ACC-1): registered -> confirmed by email -> activated by an administrator.
enum class UserState { kAwaitingConfirmation, kAwaitingActivation, kActive, kDisabled };
/// "awaiting_confirmation", "awaiting_activation", "active", "disabled".
std::string_view user_state_name(UserState state) noexcept;
/// Inverse of user_state_name. Throws Error(kInvalidArgument) for other text.
UserState parse_user_state(std::string_view text);

/// Per-user preferences (ACC-5, LIST-6).
struct Preferences {
  std::string language = "en";         ///< "en" or "fr"
  std::string first_tab = "studies";   ///< after sign-in: studies, shared, upload, profile
  std::vector<std::string> columns;    ///< study-list columns shown; empty = profile default
  std::string default_period = "all";  ///< as parse_period() reads it
};

/// An account. Never carries a password or its hash.
struct User {
  std::string id;  ///< random public id
  std::string login;
  std::vector<std::string> emails;  ///< the first is the primary address
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string physician_id;  ///< as declared by the user, e.g. a national practitioner number
  /// ACC-7, set by administrators only: the referring physician identifier and DICOM name
  /// ("FAMILY^GIVEN") found in studies that this account sees as referring physician.
  std::string linked_physician_id;
  std::string referring_name;
  std::string profile;  ///< one of the profile identifiers above
  UserState state = UserState::kAwaitingConfirmation;
  Preferences preferences;
  std::string created_at;  ///< UTC ISO 8601
};

/// An account created directly (first administrator, administrator's `users add`).
struct NewUser {
  std::string login;
  std::vector<std::string> emails;
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string physician_id;
  std::string linked_physician_id;  ///< ACC-7 link (administrators' add_user)
  std::string referring_name;       ///< ACC-7 link, DICOM form "FAMILY^GIVEN"
  std::string profile = std::string(kReferringPhysician);
  std::string password;  ///< checked against the password policy (ACC-8)
};

/// Self-registration form (ACC-1) or invitation redemption (ACC-3; the email is then fixed).
struct Registration {
  std::string login;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string physician_id;
  std::string password;
  std::string password_confirmation;
  std::string language = "en";
  std::string captcha_id;      ///< required when captcha is enabled
  std::string captcha_answer;  ///< case-sensitive
};

/// Fields a user may change on their own account (ACC-5); unset fields stay as they are.
struct UserUpdate {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> phone;
  std::optional<std::string> physician_id;
  std::optional<std::vector<std::string>> emails;
};

/// A profile and its rights (ACC-7).
struct Profile {
  std::string name;
  std::vector<std::string> rights;  ///< sorted
};

/// An image captcha (ACC-1): show `png`, send back `id` with the typed answer.
struct Captcha {
  std::string id;
  std::string png;  ///< PNG bytes
};

/// An invitation (ACC-3). `token` and `link` exist only in the value returned at creation.
struct Invitation {
  std::string email;
  std::string token;
  std::string link;
  std::string expires_at;
};

/// Access to one study granted to one user: the primitive sharing builds on.
struct StudyGrant {
  std::string study_uid;
  std::string user_login;
  std::string granted_by;  ///< login, or "system"
  std::string created_at;
  std::string expires_at;  ///< empty = never
  std::string revoked_at;  ///< empty = not revoked
  bool active = false;     ///< neither revoked nor expired now
};

/// A personal access token (issue [http]): a bearer credential acting as its user, for API and
/// DICOMweb clients. `token` exists only in the value returned at creation (only its hash is
/// kept). Revoking, expiry, or the account no longer being active ends it at once.
struct AccessToken {
  std::int64_t id = 0;
  std::string name;        ///< what the user called it, e.g. "backup script"
  std::string user_login;
  std::string token;       ///< "pat_" + 64 hex; only at creation
  std::string created_at;  ///< UTC ISO 8601
  std::string expires_at;  ///< empty = never
  std::string last_used_at;
  std::string revoked_at;
  bool active = false;  ///< neither revoked nor expired now
};

/// One audit record (PLAT-3). Never holds a password, token or captcha answer.
struct AuditEvent {
  std::int64_t id = 0;
  std::string at;       ///< UTC ISO 8601
  std::string user_id;  ///< public user id; empty for patients, the system and unknown accounts
  std::string login;    ///< login as typed for failed sign-ins; "system"; accession for patients
  std::string profile;
  std::string address;  ///< client address as given by the shell
  std::string action;   ///< e.g. "sign_in", "study_view", "user_activate"
  std::string study_uid;
  std::string patient_id;
  std::string outcome;  ///< "success", "failure", "locked", "denied"
  std::string detail;
};

/// Audit filters; empty fields do not filter. `from`/`to` are UTC, inclusive, as
/// "2026-11-28T09:15:02Z", "2026-11-28" (a whole day for `to`) or "20261128";
/// kInvalidArgument otherwise.
struct AuditQuery {
  std::string login;
  std::string action;
  std::string study_uid;
  std::string patient_id;
  std::string outcome;
  std::string from;
  std::string to;
  int limit = 200;
  int offset = 0;
};

/// DIF-8: where a message of the outbox stands.
enum class MailStatus { kPending, kSent, kFailed };
std::string_view mail_status_name(MailStatus status) noexcept;
MailStatus parse_mail_status(std::string_view text);

struct MailMessage {
  std::int64_t id = 0;
  std::string to;
  std::string subject;
  std::string body;
  std::string kind;  ///< template: confirmation, activation_request, account_activated,
                     ///< password_reset, invitation
  std::string language;
  MailStatus status = MailStatus::kPending;
  int attempts = 0;
  std::string next_attempt_at;
  std::string last_error;
  std::string created_at;
  std::string sent_at;
};

/// What one deliver_mail() pass did.
struct MailDeliveryReport {
  int attempted = 0;
  int sent = 0;
  int failed = 0;    ///< permanently (refused, or out of attempts)
  int retrying = 0;  ///< scheduled again with backoff
};

}  // namespace portal
