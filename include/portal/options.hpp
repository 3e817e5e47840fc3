// portal/options.hpp — every tunable of a Portal, each with its documented default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "portal/backend.hpp"
#include "portal/imaging.hpp"

namespace portal {

/// An automatic referring-physician notification rule (DIF-3), from `[[notify.rules]]`.
/// When `trigger` happens to a study whose site and modalities pass the filters, the referring
/// physician is notified `delay_minutes` later (once per study, trigger and rule).
struct NotifyRule {
  std::string name;                     ///< shown in notifications; default "rule<N>"
  std::string trigger;                  ///< "study_arrived" or "report_available"
  int delay_minutes = 0;                ///< config `delay`: minutes, or "30m", "2h", "1d"
  std::vector<std::string> sites;       ///< institution names (case and accents ignored); empty = any
  std::vector<std::string> modalities;  ///< e.g. {"CT", "MR"}: any one present; empty = any
};

/// Settings for Portal::open. A plain struct: copy it, change fields, pass it in.
/// docs/configuration.md lists the same fields with the same defaults.
struct Options {
  // --- Back ends -----------------------------------------------------------------------------
  /// Time source. Default (nullptr): the system clock.
  std::shared_ptr<Clock> clock;
  /// Where files live. Default (nullptr): a file store in `<data>/blobs`.
  std::shared_ptr<BlobStore> blob_store;
  /// Flush files and directories to stable storage before acknowledging (default true).
  /// Only benchmarks of the CPU path and throw-away tests should turn this off.
  bool durable = true;

  // --- Search (LIST-5) -----------------------------------------------------------------------
  /// Rows returned when a query gives no limit (default 150).
  int search_default_limit = 150;
  /// Largest limit a query may ask for; larger limits are clamped (default 150).
  int search_max_limit = 150;

  // --- Ingest (ING-1, ING-6) -----------------------------------------------------------------
  /// Worker threads that read, hash and parse files. 0 = one per core (default 0).
  int ingest_threads = 0;
  /// Files acknowledged together in one durable group commit (default 64).
  int ingest_batch = 64;
  /// Largest single file accepted, in bytes (default 4 GiB).
  std::uint64_t max_file_bytes = 4ull << 30;
  /// Largest DICOM header (everything before Pixel Data) parsed, in bytes (default 64 MiB).
  std::uint64_t max_header_bytes = 64ull << 20;
  /// Zip archives: most entries per archive (default 100000).
  std::uint64_t zip_max_entries = 100000;
  /// Zip archives: largest uncompressed entry (default 4 GiB).
  std::uint64_t zip_max_entry_bytes = 4ull << 30;
  /// Zip archives: largest uncompressed total (default 64 GiB).
  std::uint64_t zip_max_total_bytes = 64ull << 30;
  /// Zip archives: largest uncompressed/compressed ratio of an entry above 1 MiB (default 200).
  std::uint64_t zip_max_ratio = 200;

  // --- Configuration file (PLAT-4) ----------------------------------------------------------
  /// Read `<data>/portal.toml` and the PORTAL_<SECTION>_<KEY> environment variables (default
  /// true). Values found there replace the fields of the Options given to Portal::open (the
  /// file is the operator's word; the back ends above are never read from it).
  bool load_config = true;

  // --- Accounts and sign-in (ACC-1..8) -------------------------------------------------------
  /// Base of every link put in an email, e.g. "https://portal.example.org" (default
  /// "http://localhost:8080"). Links are never built from a request.
  std::string public_base_url = "http://localhost:8080";
  /// Shortest password accepted (default 12).
  int password_min_length = 12;
  /// cracklib dictionary refusing common and dictionary passwords (default Debian's
  /// "/var/cache/cracklib/cracklib_dict"; empty disables the dictionary check).
  std::string password_dictionary = "/var/cache/cracklib/cracklib_dict";
  /// argon2id memory in bytes (default 19 MiB, OWASP's minimum; never lower).
  std::uint64_t password_hash_memory = 19ull << 20;
  /// argon2id passes (default 2; never lower).
  std::uint64_t password_hash_passes = 2;
  /// Validity of the registration confirmation link, minutes (default 2880 = 48 h).
  int confirmation_expiry_minutes = 2880;
  /// Validity of a lost-password link, minutes (default 15).
  int reset_expiry_minutes = 15;
  /// Validity of an invitation link, minutes (default 20160 = 14 days).
  int invitation_expiry_minutes = 20160;
  /// Default lifetime of a share (DIF-5, DIF-6), days (default 30; 0 = shares never expire).
  /// Session::share() may give another expiry per share.
  int share_expiry_days = 30;
  /// Require an image captcha for self-registration (default false).
  bool captcha_enabled = false;
  /// Validity of a captcha, minutes (default 10).
  int captcha_expiry_minutes = 10;
  /// Characters in a captcha (default 6).
  int captcha_length = 6;
  /// Failures for one account or accession within the window that lock it (default 5).
  int lockout_failures = 5;
  /// Failures for one client address within the window that lock it (default 20).
  int lockout_address_failures = 20;
  /// Window in which failures are counted, minutes (default 15).
  int lockout_window_minutes = 15;
  /// How long a lock lasts, minutes (default 15).
  int lockout_minutes = 15;
  /// Patients must also give the per-study access code printed for them (default false).
  bool patient_access_code = false;
  /// A session unused this long ends, minutes (default 30).
  int session_idle_minutes = 30;
  /// A session ends this long after sign-in whatever its use, minutes (default 720 = 12 h).
  int session_absolute_minutes = 720;

  // --- Mail (DIF-8) ----------------------------------------------------------------------------
  /// Sender address (default "portal@localhost").
  std::string mail_from = "portal@localhost";
  /// Language of mails to administrators and of new accounts (default "en"; "en" or "fr").
  std::string default_language = "en";
  /// SMTP server host; empty (the default) writes .eml files to the spool folder instead.
  std::string smtp_host;
  /// SMTP port (default 25).
  int smtp_port = 25;
  /// "none", "starttls" (required) or "tls" (implicit TLS, usually port 465). Default "none".
  std::string smtp_tls = "none";
  /// SMTP user and password; empty user = no authentication (default).
  std::string smtp_user;
  std::string smtp_password;
  /// Seconds before an SMTP attempt gives up (default 30).
  int smtp_timeout_seconds = 30;
  /// Spool folder for .eml files; empty = `<data>/spool` (default).
  std::string mail_spool_dir;
  /// Attempts before a message is marked failed (default 8).
  int mail_max_attempts = 8;
  /// First retry delay in seconds, doubled at each attempt, capped at 6 h (default 60).
  int mail_retry_seconds = 60;

  // --- Notifications and release (issue [sharing]: DIF-2..4) ---------------------------------
  /// Automatic referring-physician notification rules (default none); see NotifyRule.
  std::vector<NotifyRule> notify_rules;
  /// How often NotificationScheduler (inside portald) runs the due notifications, seconds
  /// (default 60).
  int notify_interval_seconds = 60;
  /// Minutes after its arrival before a new study (and, for the reports module, a new report)
  /// becomes visible to the patient (default 0: at once). Staff see it at once.
  int patient_release_delay_minutes = 0;

  // --- Imaging (issue [imaging]) ---------------------------------------------------------------
  /// Caps checked before any pixel buffer is allocated (see imaging.hpp for the defaults).
  ImagingLimits imaging;
};

}  // namespace portal
