// portal/sharing.hpp — value types of referring-physician notifications (DIF-2..4), the
// physician directory (DIF-7) and study information (LIST-7). No behaviour, no third-party types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "portal/accounts.hpp"
#include "portal/model.hpp"

namespace portal {

/// One notification of a study's referring physician (DIF-2..4).
struct Notification {
  std::int64_t id = 0;
  std::string study_uid;
  /// "study_arrived", "report_available" (automatic rules) or "manual" (Session::notify).
  std::string trigger;
  std::string rule;        ///< the rule's name (automatic); empty for manual ones
  /// "scheduled" (waiting for its time, or its mail for delivery), "sent" (the mail was
  /// delivered) or "failure" (see `error`).
  std::string status;
  std::string error;       ///< why it failed: no account, no email, the mail server's answer
  std::string recipient;   ///< the email address written to, once resolved
  std::string recipient_login;
  std::string created_by;  ///< login, or "system" for rules
  std::string created_at;  ///< UTC ISO 8601
  std::string due_at;      ///< when it is (or was) run
  std::string done_at;     ///< when it was run; empty while scheduled
};

/// What one Portal::run_notifications() pass did.
struct NotificationReport {
  int due = 0;     ///< notifications whose time had come
  int queued = 0;  ///< their mail is in the outbox
  int failed = 0;  ///< status failure (no account, no email...)
};

/// One entry of the physician directory (DIF-7).
struct Physician {
  std::int64_t id = 0;
  std::string last_name;
  std::string first_name;
  std::string identifier;  ///< e.g. a national practitioner number; may be empty
  std::string specialty;
  std::string city;
  std::string postcode;
  std::string department;
  std::string email;
};

/// Directory search: every non-empty field must match. `name` matches word prefixes of the last
/// and first names (accents and case ignored), `identifier` exactly, `city` a prefix of the
/// city, `department` exactly. All empty lists the directory by name.
struct PhysicianQuery {
  std::string name;
  std::string identifier;
  std::string city;
  std::string department;
  int limit = 50;  ///< 1..500
};

/// What a directory import did. Rows are matched by identifier (or, without one, by name and
/// email): a match is updated, anything else added.
struct PhysicianImportReport {
  int added = 0;
  int updated = 0;
};

/// LIST-7: one study's information. Shares, notifications and mail errors are filled for
/// privileged profiles (administrators, radiologists, the system) only; `privileged` says so.
struct StudyInfo {
  Study study;  ///< with patient details
  std::vector<Series> series;
  bool privileged = false;
  std::vector<Share> shares;                ///< oldest first
  std::vector<Notification> notifications;  ///< oldest first
  /// Mails about this study (shares, notifications) that failed or are being retried, with the
  /// mail server's error in `last_error`; bodies are not included.
  std::vector<MailMessage> mail_errors;
};

}  // namespace portal
