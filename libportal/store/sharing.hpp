// SQL of [sharing] beyond shares and seen flags (which live with the accounts tables):
// referring-physician notifications (DIF-2..4), the physician directory (DIF-7) and the mails
// about a study (LIST-7). Times are Unix ms. All methods thread-safe; throw Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libportal/store/index.hpp"
#include "portal/accounts.hpp"
#include "portal/sharing.hpp"

namespace portal::detail {

struct NotificationRow {
  std::int64_t id = 0;
  std::string study_uid;
  std::string event;   ///< study_arrived, report_available, manual
  std::string rule;
  std::int64_t due_at = 0;
  std::string status;  ///< stored: scheduled, running, queued, failure
  std::string error;
  std::string recipient;
  std::int64_t user_ref = 0;
  std::int64_t mail_ref = 0;
  std::string created_by;
  std::int64_t created_at = 0, done_at = 0;
  /// Filled by notifications(): the status as users see it (scheduled, sent, failure) and the
  /// error, from the outbox once the mail is there.
  std::string effective_status, effective_error;
};

/// A directory row; `*_fold` are filled by the store.
struct PhysicianRow {
  Physician p;
  int line = 0;  ///< the CSV line it came from (import errors)
};

class SharingStore {
 public:
  explicit SharingStore(Index& index) : index_(index) {}

  // Notifications.
  /// Adds a scheduled notification unless one exists for this study, event and rule. Returns
  /// false when it existed or the study does not.
  bool schedule_once(const std::string& study_uid, const std::string& event,
                     const std::string& rule, std::int64_t due_at, std::int64_t now);
  /// Adds a manual notification, status running (the caller runs it at once). Returns its id.
  std::int64_t insert_manual(const std::string& study_uid, const std::string& created_by,
                             std::int64_t now);
  /// Ids of scheduled notifications due at `now`, oldest due first.
  std::vector<std::int64_t> due(std::int64_t now, int limit);
  /// Atomically moves a scheduled notification to running; false when another runner has it.
  bool claim(std::int64_t id);
  /// Records the outcome: "queued" with the mail, or "failure" with the error.
  void finish(std::int64_t id, const std::string& status, const std::string& error,
              const std::string& recipient, std::int64_t user_ref, std::int64_t mail_ref,
              std::int64_t now);
  std::optional<NotificationRow> notification(std::int64_t id);
  /// A study's notifications, oldest first.
  std::vector<NotificationRow> notifications(const std::string& study_uid);

  /// The study's referring physician as stored: identifier and DICOM-form name ("" when none).
  std::pair<std::string, std::string> study_referring(const std::string& study_uid);

  // Mails about a study (LIST-7).
  void tag_mail(std::int64_t mail_id, const std::string& study_uid);
  /// The study's mails that failed or carry an error from an attempt, oldest first.
  std::vector<MailMessage> mail_errors(const std::string& study_uid);

  // Directory (DIF-7).
  /// Imports in one transaction: a row whose identifier (or, without one, folded names and
  /// email) matches an entry updates it, others are added.
  PhysicianImportReport import_physicians(const std::vector<PhysicianRow>& rows, std::int64_t now);
  std::vector<Physician> find_physicians(const PhysicianQuery& q);

 private:
  Index& index_;
};

}  // namespace portal::detail
