// portal/session.hpp — Session: every operation, on behalf of one principal.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portal/accounts.hpp"
#include "portal/documents.hpp"
#include "portal/imaging.hpp"
#include "portal/model.hpp"
#include "portal/query.hpp"
#include "portal/reports.hpp"

namespace portal {

namespace detail {
struct PortalState;
struct SessionAuth;
struct Principal;
}  // namespace detail

/// Who a session acts for: the system (administrative tools, sees everything), a user account
/// (its profile decides), or a patient signed in with accession number and birth date (ACC-2).
enum class PrincipalKind { kSystem, kUser, kPatient };

/// Every operation on studies goes through a Session, so access rules cannot be bypassed.
/// Cheap to copy; thread-safe (calls on one session may run concurrently).
/// Sessions of users and patients are checked at every call: once signed out, idle too long
/// (Options::session_idle_minutes), too old (Options::session_absolute_minutes), or when the
/// account is no longer active, calls throw Error(kUnauthenticated).
class Session {
 public:
  PrincipalKind principal() const noexcept { return principal_; }

  // --- Who (ACC-5, ACC-6) ------------------------------------------------------------------
  /// The opaque token that resumes this session (Portal::resume). Empty for the system session.
  /// Shells hand it to the client; it is never logged nor stored in clear.
  const std::string& token() const noexcept;
  /// The signed-in account (kUser); std::nullopt for the system and patient sessions.
  std::optional<User> user() const;
  /// "system", "patient" or the user's profile identifier.
  std::string profile() const;
  /// True when this principal holds `right` (the system holds every right).
  bool has_right(const std::string& right) const;
  /// Every right this principal holds, sorted (the system: every known right).
  std::vector<std::string> rights() const;
  /// Ends the session (ACC-6); later calls on it throw Error(kUnauthenticated). A session
  /// resumed from a personal access token does not sign out (kInvalidArgument): revoke it.
  void sign_out();
  /// The anti-CSRF token bound to this session (issue [http]): derived from token(), stable
  /// for the session's life, different from it and revealing nothing of it. Empty for the
  /// system session and Portal::session_as sessions. Shells that keep the session in a cookie
  /// require it back in a header on every state-changing request.
  std::string csrf_token() const;
  /// True when this session was resumed from a personal access token.
  bool is_access_token() const noexcept;

  // --- Personal access tokens (issue [http]) -------------------------------------------------
  /// Creates a bearer token acting as the signed-in user (kUser sessions; kPermissionDenied
  /// for patients and the system). `name` is required (1..100 characters, kInvalidArgument).
  /// `expires` empty = never; in the past is kInvalidArgument. The returned value alone carries
  /// the token. Audited ("access_token_create").
  AccessToken create_access_token(const std::string& name,
                                  std::optional<std::chrono::system_clock::time_point> expires = {});
  /// The user's own tokens, newest first; the system session sees every user's tokens.
  std::vector<AccessToken> access_tokens() const;
  /// Revokes one of the user's tokens (the system: any token). kNotFound when there is no such
  /// unrevoked token of this user. Audited ("access_token_revoke").
  void revoke_access_token(std::int64_t id);
  /// Changes the signed-in user's own fields (ACC-5). Emails must be unique (kAlreadyExists).
  User update_me(const UserUpdate& update);
  /// Stores the signed-in user's preferences (LIST-6). Throws kInvalidArgument for an unknown
  /// language, period or column.
  void set_preferences(const Preferences& preferences);
  /// Changes the signed-in user's password; the current one is required (kUnauthenticated when
  /// wrong). Every other session of the user is revoked.
  void change_password(const std::string& current_password, const std::string& new_password);

  // --- Administration (ACC-7); administrators and the system only, else kPermissionDenied ---
  /// Accounts, optionally in one state, by login.
  std::vector<User> users(std::optional<UserState> state = std::nullopt) const;
  /// One account by login, email or id. Throws kNotFound.
  User find_user(const std::string& login_email_or_id) const;
  /// Creates an active account directly (no confirmation). Throws kAlreadyExists, or
  /// kInvalidArgument for a bad field or a password the policy refuses.
  User add_user(const NewUser& user);
  void activate_user(const std::string& login);
  /// Disables the account and ends its sessions. kConflict for one's own account and for the
  /// last active administrator.
  void disable_user(const std::string& login);
  /// kInvalidArgument for an unknown profile; kConflict when demoting the last active
  /// administrator.
  void set_user_profile(const std::string& login, const std::string& profile);
  /// Links a referring physician account to the identifier and/or DICOM name ("FAMILY^GIVEN")
  /// found in studies (ACC-7); empty strings unlink. Only these linked values (never what the
  /// user declared) decide which studies the account sees as referring physician.
  void link_referring_physician(const std::string& login, const std::string& physician_id,
                                const std::string& referring_name);
  /// Sets a user's password (administrator reset); their sessions are revoked.
  void set_user_password(const std::string& login, const std::string& password);
  /// Every profile (the four account profiles and "patient") with its rights.
  std::vector<Profile> profiles() const;
  /// Adds or removes one right of a profile. Throws kInvalidArgument for an unknown right.
  void grant_right(const std::string& profile, const std::string& right);
  void revoke_right(const std::string& profile, const std::string& right);
  /// Audit records, newest first (PLAT-3).
  std::vector<AuditEvent> audit(const AuditQuery& query = {}) const;
  /// Outbox messages, newest first (DIF-8), optionally in one status.
  std::vector<MailMessage> mail(std::optional<MailStatus> status = std::nullopt) const;
  /// Schedules a pending or failed message for immediate delivery. Throws kNotFound.
  void retry_mail(std::int64_t id);

  // --- Studies: access (LIST-7, sharing primitive) --------------------------------------------
  /// Disables or enables a study (LIST-7): then visible to administrators only. Needs the
  /// disable_study right (kPermissionDenied); kNotFound when not visible.
  void set_study_disabled(const std::string& study_uid, bool disabled);
  /// Grants `login` access to a study this principal sees; needs the share right. Replaces an
  /// earlier grant of the same pair. `expires` empty = never.
  StudyGrant grant_study(const std::string& study_uid, const std::string& login,
                         std::optional<std::chrono::system_clock::time_point> expires = {});
  /// Revokes the grant; needs the share right. kNotFound when there is none.
  void revoke_study_grant(const std::string& study_uid, const std::string& login);
  /// The grants of a study (administrators, radiologists, the system).
  std::vector<StudyGrant> study_grants(const std::string& study_uid) const;
  /// Makes a new random access code for the patient of a study (printed for them; only its hash
  /// is kept). Administrators, radiologists and the system.
  std::string new_patient_access_code(const std::string& study_uid);
  /// Invites `email` (ACC-3): an invitation mail with a single-use link that registers a guest
  /// whose email is fixed. Needs the share right.
  Invitation invite(const std::string& email, const std::string& language = {});

  // --- Sharing (DIF-5, DIF-6) and seen status (DIF-1) ------------------------------------------
  /// Shares a study this principal sees (kNotFound otherwise) with `recipients`, a
  /// comma-separated list of email addresses (trimmed; duplicates, case-insensitive, count
  /// once). Needs the share right (kPermissionDenied). Every address is checked first: one
  /// invalid address is Error(kInvalidArgument) naming it, and nothing is shared or sent.
  /// An address of an account gives that account access at once; any other address gets an
  /// invitation (ACC-3) and gains access when it registers through it. Each recipient gets
  /// one email (with `message` and a link to the study, or the invitation link). `expires`
  /// empty = Options::share_expiry_days from now (0 days = never); in the past is
  /// kInvalidArgument. Returns the shares, one per recipient, in the order given. Audited.
  std::vector<Share> share(const std::string& study_uid, const std::string& recipients,
                           const std::string& message = {},
                           std::optional<std::chrono::system_clock::time_point> expires = {});
  /// Shares a study with an existing account by login, email or id (kNotFound when none),
  /// like share(): same rights, expiry and email.
  Share share_with_user(const std::string& study_uid, const std::string& login,
                        const std::string& message = {},
                        std::optional<std::chrono::system_clock::time_point> expires = {});
  /// Revokes a share: its recipient loses access at once. Needs the share right; a share of a
  /// study this principal does not see, or no such unrevoked share, is kNotFound.
  void revoke_share(std::int64_t id);
  /// The shares of a study (all studies when `study_uid` is empty), oldest first, with
  /// recipient, author, dates and state (LIST-7). Administrators, radiologists and the system
  /// (kPermissionDenied otherwise); kNotFound when the study is not visible.
  std::vector<Share> shares(const std::string& study_uid = {}) const;
  /// Records that this principal opened the study or its report (DIF-1): sets the seen flag
  /// of its role (radiologist, referring physician or patient; other profiles: nothing is
  /// recorded). kNotFound when the study is not visible. Audited ("study_seen").
  void mark_seen(const std::string& study_uid);

  /// Searches studies visible to this principal (LIST-1, LIST-3..5). Throws
  /// Error(kInvalidArgument) for malformed dates or an inverted range, Error(kPermissionDenied)
  /// for advanced filters (accession, referring, performing, site) without the
  /// advanced_filters right (LIST-4). Columns the principal has no "column:<name>" right for
  /// come back empty (LIST-6); study() and history() do the same.
  StudyPage find_studies(const StudyQuery& query) const;

  /// One study. Throws Error(kNotFound) when absent or not visible.
  Study study(const std::string& study_uid) const;

  /// The series of a study, by series number. Throws Error(kNotFound) like study().
  std::vector<Series> series(const std::string& study_uid) const;

  /// The instances of a study (optionally of one series), by series then instance number.
  std::vector<Instance> instances(const std::string& study_uid,
                                  const std::string& series_uid = {}) const;

  /// The same patient's other studies visible to this principal, newest first (LIST-7).
  /// Throws Error(kNotFound) when the study is absent or not visible.
  std::vector<Study> history(const std::string& study_uid) const;

  /// Ingests files, folders (recursively) and zip archives (ING-1, ING-2, ING-6). Never throws
  /// for a bad file: each file's fate is in the report. Throws Error(kNotFound) when a path
  /// does not exist, before anything is ingested.
  IngestReport ingest(const std::vector<std::string>& paths, const IngestOptions& options = {});

  /// Ingests one file held in memory; `name` is only used in the result's `source`.
  IngestResult ingest_bytes(const std::string& name, const std::string& bytes,
                            const IngestOptions& options = {});

  /// The stored bytes of one instance. Throws Error(kNotFound) when absent or not visible.
  std::string instance_bytes(const std::string& sop_uid) const;

  // --- Documents (ING-3, ING-4); need the upload right. Each file's fate is in its result
  // (never an exception for a bad file); types are told by content, never by name. -----------
  /// Adds files to a study this principal sees: DICOM instances of that study (its patient's
  /// name and birth date must match; another study's instance is refused), PDF documents (as
  /// Encapsulated PDF instances) and PNG/JPEG images (as Secondary Capture instances).
  /// Throws kNotFound when the study is not visible, kPermissionDenied without upload.
  std::vector<IngestResult> add_files(const std::string& study_uid,
                                      const std::vector<NamedFile>& files);
  /// A new study made from PNG/JPEG images and the form's patient and study data. Throws
  /// kInvalidArgument naming every missing or malformed mandatory field before anything is
  /// stored, and when no file is given.
  std::vector<IngestResult> create_study(const NewStudyForm& form,
                                         const std::vector<NamedFile>& images);

  /// The documents of a study that were uploaded through the portal (PDF, PNG, JPEG files
  /// made into instances by add_files or create_study), oldest first. kNotFound like study().
  std::vector<UploadedDocument> documents(const std::string& study_uid) const;
  /// Deletes a document uploaded through the portal (VIEW-6): its instance's index rows and
  /// file go together (the index first, in one transaction; a crash before the file is removed
  /// leaves an orphan that fsck --repair removes). Needs the delete_documents right
  /// (kPermissionDenied); kNotFound when the instance is not visible; kConflict for an
  /// instance that was not made from an uploaded file (ingested originals are never deleted).
  /// The study goes too when it was its last instance. Audited ("document_delete").
  void delete_document(const std::string& sop_uid);

  // --- Reports (LIST-8, VIEW-6). One report per study, text or PDF, draft or final. ----------
  /// The report of a study this principal sees (kNotFound otherwise), or std::nullopt when it
  /// has none — or only a draft and the principal lacks manage_reports. Audited ("report_view").
  std::optional<Report> report(const std::string& study_uid) const;
  /// The report as a PDF: a PDF report byte for byte, a text report (or a Structured Report)
  /// laid out on A4 pages with the study header. kNotFound when there is no report this
  /// principal may read. Audited ("report_view").
  std::string report_pdf(const std::string& study_uid) const;
  /// Creates or replaces the report of a study (its creation time is kept). Needs the
  /// manage_reports right (kPermissionDenied). kInvalidArgument unless exactly one of text (not
  /// blank, valid UTF-8) and pdf (starting with "%PDF-") is given; kTooLarge past
  /// Options::max_report_bytes; kConflict to make a final report a draft again. A report that
  /// becomes final is announced (on_report_available). Audited ("report_set").
  Report set_report(const std::string& study_uid, const ReportContent& content);
  /// Deletes the report (a recognised DICOM report's instance stays). Needs manage_reports;
  /// kNotFound when the study has no report. Audited ("report_delete").
  void delete_report(const std::string& study_uid);

  // --- Audio notes (VIEW-6). Everyone who sees a study may list and play its notes; adding
  // and deleting need the record_audio right (kPermissionDenied). --------------------------
  /// Attaches a WebM, Ogg or MP4 audio file (told by content, never by name; video, other
  /// types and empty files are kInvalidArgument) to a study; kTooLarge past
  /// Options::max_audio_bytes. Durable when it returns. Audited ("audio_add").
  AudioNote add_audio(const std::string& study_uid, const NamedFile& file);
  /// The notes of a study, oldest first. kNotFound like study().
  std::vector<AudioNote> audio_notes(const std::string& study_uid) const;
  /// One note's description; kNotFound when absent or its study is not visible.
  AudioNote audio_note(const std::string& audio_id) const;
  /// One note's bytes (its media type is in audio_note()). Audited ("audio_read").
  std::string audio(const std::string& audio_id) const;
  /// Deletes a note (index row, then its file). Audited ("audio_delete").
  void delete_audio(const std::string& audio_id);

  /// Streams an export of a study this principal sees to `sink`, chunk by chunk (memory stays
  /// bounded). Needs the export right (kPermissionDenied), kNotFound when not visible. Audited.
  void export_study(const std::string& study_uid, ExportFormat format,
                    const std::function<void(const char*, std::size_t)>& sink);

  // --- Imaging (VIEW-7 server side, API-3). Each reads the instance like instance_bytes (same
  // visibility, audited), then decodes with Options::imaging caps. Undecodable pixel data
  // throws Error(kUnsupported), damaged data Error(kCorrupt), oversize Error(kTooLarge). ------
  /// Pixel values of one frame (`frame` < 0: every frame) as stored, with what is needed to
  /// turn them into modality values.
  PixelArray pixels(const std::string& sop_uid, int frame = 0) const;
  /// One frame rendered to PNG or JPEG (modality LUT, VOI, invert, fit).
  std::string render(const std::string& sop_uid, const RenderOptions& options = {}) const;
  /// A JPEG thumbnail fitting size x size.
  std::string thumbnail(const std::string& sop_uid, int size = 256) const;
  /// One frame as the viewer asks for it: as stored, uncompressed, or lossy JPEG of `quality`.
  FramePayload frame(const std::string& sop_uid, int frame, FrameTransfer transfer,
                     int quality = 90) const;

  // --- Desktop viewer (LIST-7) and DICOM networking (PLAT-2) ----------------------------------
  /// A new short-lived token (Options::viewer_token_minutes) that Portal::viewer_session turns
  /// into a read-only session seeing only `study_uid`, and only while this principal still may
  /// (account active, share unexpired). Random 256 bits; only its hash is stored. kNotFound
  /// when the study is not visible. Audited ("viewer_token").
  std::string viewer_token(const std::string& study_uid);
  /// Sends every instance of a study this principal sees (kNotFound otherwise) to the DICOM
  /// node named `node_name` in Options::dicom_nodes (kNotFound for an unknown node) with C-STORE.
  /// Needs the download right (kPermissionDenied). kIo when the node cannot be reached or
  /// refuses the association. Returns the per-instance outcome. Audited ("study_send").
  SendReport send_study(const std::string& study_uid, const std::string& node_name);

 private:
  friend class Portal;
  friend class DicomReceiver;
  Session(std::shared_ptr<detail::PortalState> state, PrincipalKind principal,
          std::shared_ptr<detail::SessionAuth> auth = nullptr)
      : state_(std::move(state)), principal_(principal), auth_(std::move(auth)) {}

  /// The acting principal, re-validated (kUnauthenticated once the session has ended).
  detail::Principal current() const;
  /// current(), then kNotFound unless the study exists and is visible; returns the principal.
  detail::Principal require_study(const std::string& study_uid) const;
  /// current(), then kPermissionDenied unless an administrator or the system.
  detail::Principal require_admin() const;
  const std::string& address() const;
  /// The PDF export (LIST-7): header, one key image per series.
  void write_summary(const std::string& study_uid, const std::vector<Instance>& instances,
                     const std::function<void(const char*, std::size_t)>& sink) const;

  std::shared_ptr<detail::PortalState> state_;
  PrincipalKind principal_;
  std::shared_ptr<detail::SessionAuth> auth_;
};

}  // namespace portal
