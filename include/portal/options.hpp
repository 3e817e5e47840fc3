// portal/options.hpp — every tunable of a Portal, each with its documented default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "portal/backend.hpp"
#include "portal/imaging.hpp"

namespace portal {

/// A DICOM node studies can be sent to (PLAT-2): `[[dicom.nodes]]` in portal.toml.
struct DicomNode {
  std::string name;  ///< what commands call it (`portal send STUDY --to NAME`)
  std::string aet;   ///< its AE title (called AE)
  std::string host;
  int port = 104;
};

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
  /// The configuration file read instead of `<data>/portal.toml` (default "" = that file).
  /// A file named here must exist (Error(kNotFound) otherwise). `portald --config FILE`.
  std::string config_file;

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

  // --- HTTP server `portald` (issue [http]; the section [http] of the file). Read by
  // shells/http only; the core ignores them. docs/configuration.md and docs/http.md. ----------
  /// HOST:PORT portald listens on (default "127.0.0.1:8042"). A non-loopback host needs TLS
  /// (http_tls_cert and http_tls_key) or http_behind_tls_proxy.
  std::string http_listen = "127.0.0.1:8042";
  /// PEM certificate chain and private key; both set = HTTPS (default "" = plain HTTP).
  std::string http_tls_cert;
  std::string http_tls_key;
  /// portald runs behind a reverse proxy that terminates TLS (default false): allows a
  /// non-loopback listen address without TLS and marks the session cookie Secure.
  bool http_behind_tls_proxy = false;
  /// Worker threads serving requests; 0 = 8 per core, at least 16 (default 0).
  int http_threads = 0;
  /// Largest request body accepted, bytes (default 1 GiB); larger Content-Length is refused
  /// with 413 before anything is read.
  std::uint64_t http_max_body_bytes = 1ull << 30;
  /// Largest JSON request body, bytes (default 1 MiB).
  std::uint64_t http_max_json_bytes = 1ull << 20;
  /// Largest total size of the request line and headers, bytes (default 16384); 431 beyond.
  std::uint64_t http_max_header_bytes = 16384;
  /// Seconds a whole request body may take to arrive (default 600); the upload is then dropped.
  int http_request_timeout_seconds = 600;
  /// Seconds a socket read or write may wait (default 30).
  int http_io_timeout_seconds = 30;
  /// Uploads processed at the same time; more get 503 (default 4).
  int http_max_concurrent_uploads = 4;
  /// Where access logs (one JSON object per line) go: "-" = standard error, "" = nowhere, else
  /// a file appended to (default "-").
  std::string http_access_log = "-";
  /// Seconds between two mail outbox deliveries run by portald (default 30).
  int http_mail_interval_seconds = 30;
  // --- Notifications and release (issue [sharing]: DIF-2..4) ---------------------------------
  /// Automatic referring-physician notification rules (default none); see NotifyRule.
  std::vector<NotifyRule> notify_rules;
  /// How often NotificationScheduler (inside portald) runs the due notifications, seconds
  /// (default 60).
  int notify_interval_seconds = 60;
  /// Minutes after its arrival before a new study (and, for the reports module, a new report)
  /// becomes visible to the patient (default 0: at once). Staff see it at once.
  int patient_release_delay_minutes = 0;
  /// Folder of the built browser app served at `/` (index.html, assets/); "" = the folder the
  /// build wrote (shells/http/web/dist of the source tree). A missing folder serves no app.
  std::string http_web_root;

  // --- Imaging (issue [imaging]) ---------------------------------------------------------------
  /// Caps checked before any pixel buffer is allocated (see imaging.hpp for the defaults).
  ImagingLimits imaging;

  // --- DICOM networking (PLAT-2) and desktop viewer links (LIST-7) ---------------------------
  /// Our AE title, as receiver (called AE) and as sender (calling AE) (default "PORTAL").
  std::string dicom_aet = "PORTAL";
  /// Port of the C-STORE/C-ECHO receiver; 0 = off unless a shell gives one (default 0).
  int dicom_port = 0;
  /// IPv4 address the receiver listens on; "0.0.0.0" = every interface (default "127.0.0.1").
  std::string dicom_host = "127.0.0.1";
  /// Calling AE titles allowed to associate; empty = any (default empty).
  std::vector<std::string> dicom_allowed_aets;
  /// Associations served at once; more are refused (default 8).
  int dicom_max_associations = 8;
  /// Seconds of network silence before an association is dropped (default 30).
  int dicom_timeout_seconds = 30;
  /// Nodes studies may be sent to (default none).
  std::vector<DicomNode> dicom_nodes;
  /// Lifetime of a desktop-viewer token (Session::viewer_token), minutes (default 60).
  int viewer_token_minutes = 60;
  /// Public URL of portald's DICOMweb service without a trailing slash, e.g.
  /// "https://portal.example.org/dicom-web": prefixes RetrieveURL, BulkDataURI and the
  /// desktop-viewer link. Empty = built from each request's scheme and Host (default "").
  std::string dicomweb_public_url;
  /// Largest report (text or PDF) Session::set_report accepts, in bytes (default 32 MiB).
  std::uint64_t max_report_bytes = 32ull << 20;
  /// Largest audio note Session::add_audio accepts, in bytes (default 32 MiB).
  std::uint64_t max_audio_bytes = 32ull << 20;
  /// Keep rendered thumbnails in `<data>/cache/thumbnails` (default true).
  bool thumbnail_cache = true;
};

}  // namespace portal
