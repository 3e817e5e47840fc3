// portal/portal.hpp — Portal: one data directory (index + file store); sessions come from here.
#pragma once

#include <memory>
#include <string>

#include "portal/options.hpp"
#include "portal/query.hpp"
#include "portal/session.hpp"

namespace portal {

/// An open portal. Create with Portal::open; share it between threads freely (all methods are
/// thread-safe). Sessions keep the portal alive.
class Portal {
 public:
  /// Opens (creating if missing) the data directory `dir`: `<dir>/index.sqlite` (WAL) and the
  /// file store `<dir>/blobs`. Migrates the index schema, and cleans writes a crash interrupted.
  /// Throws Error(kIo) if the directory cannot be used, Error(kCorrupt) if the index is damaged.
  /// Reads `<dir>/portal.toml` and PORTAL_* variables unless Options::load_config is false
  /// (docs/configuration.md); Error(kInvalidArgument) for a bad setting.
  static std::shared_ptr<Portal> open(const std::string& dir, Options options = {});

  ~Portal();
  Portal(const Portal&) = delete;
  Portal& operator=(const Portal&) = delete;

  /// A session acting as the system principal (administrative tools): sees everything.
  Session system_session();

  /// Administrative tools only (e.g. `portal studies --as LOGIN`): a session acting as the user
  /// `login` (or email) with that user's profile, rights and visibility, without password or
  /// token. Its audit records carry the address "session_as". Throws kNotFound for an unknown
  /// user. Shells must never offer it to remote clients.
  Session session_as(const std::string& login);

  // --- Accounts (ACC-1..8). Every call is thread-safe. `client_address` is what the shell
  // knows of the client (IP address), used for throttling and audit; may be empty. ---------
  /// Creates the first administrator, active at once. Refused with kConflict when an
  /// administrator already exists; there is no default password anywhere.
  User create_first_administrator(const NewUser& user);
  /// Signs in with login or email and password (ACC-1, ACC-3 guests). A wrong password and an
  /// unknown account give the same kUnauthenticated answer, in about the same time; only with
  /// the right password is an account that is not active (awaiting confirmation or activation,
  /// disabled) told so. After Options::lockout_failures failures the account (or address) is
  /// locked and the answer says so (kUnauthenticated, "locked").
  Session sign_in(const std::string& login_or_email, const std::string& password,
                  const std::string& client_address = {});
  /// Patient sign-in (ACC-2): accession number + birth date YYYYMMDD (+ the study's access code
  /// when Options::patient_access_code). Throttled per accession and per address.
  Session patient_sign_in(const std::string& accession, const std::string& birth_date,
                          const std::string& client_address = {},
                          const std::string& access_code = {});
  /// The session of a token from Session::token(), or of a personal access token
  /// (Session::create_access_token, "pat_..."). Throws kUnauthenticated when unknown, signed
  /// out, revoked or expired; extends the idle timeout.
  Session resume(const std::string& token, const std::string& client_address = {});
  /// The session of a desktop-viewer token (Session::viewer_token, LIST-7): the issuer's
  /// principal limited to that one study, without any right (read-only). Throws
  /// kUnauthenticated when the token is unknown or expired, or its issuer's account is no
  /// longer active. Each call of the session checks the token again.
  Session viewer_session(const std::string& token, const std::string& client_address = {});
  /// A new image captcha (ACC-1): single-use, expires after Options::captcha_expiry_minutes.
  Captcha new_captcha();
  /// Self-registration (ACC-1): creates an account awaiting confirmation (profile
  /// referring_physician) and mails a confirmation link. kInvalidArgument for a bad field,
  /// password or captcha; kAlreadyExists when the login or email is taken.
  User register_user(const Registration& form, const std::string& client_address = {});
  /// Confirms a registration from the emailed token; administrators are mailed to activate.
  /// kNotFound for an unknown, used or expired token.
  void confirm_registration(const std::string& token);
  /// Lost password (ACC-4): mails a single-use link when the login or email is known. Always
  /// returns the same way, whether the account exists or not.
  void request_password_reset(const std::string& login_or_email,
                              const std::string& client_address = {});
  /// Sets a new password from a reset token; ends the user's sessions. kNotFound for an
  /// unknown, used or expired token; kInvalidArgument for a refused password.
  void reset_password(const std::string& token, const std::string& new_password);
  /// Redeems an invitation (ACC-3): creates an active guest whose email is the invited one
  /// (form.email is ignored). kNotFound for an unknown, used or expired token; kAlreadyExists
  /// when the login or the invited email is taken (the invitation stays usable).
  User accept_invitation(const std::string& token, const Registration& form,
                         const std::string& client_address = {});
  /// Delivers the outbox messages that are due (DIF-8): SMTP when configured, else .eml files
  /// in the spool folder. Failures are retried with backoff; the CLI and server call this.
  MailDeliveryReport deliver_mail();

  /// Compares index and file store (PLAT-6): rows without files, files without rows, hash and
  /// size mismatches. With `repair`, removes orphan files and drops rows whose file is gone.
  FsckReport fsck(bool repair = false);

  /// The data directory this portal was opened on.
  const std::string& data_dir() const;
  const Options& options() const;

  explicit Portal(std::shared_ptr<detail::PortalState> state);

 private:
  std::shared_ptr<detail::PortalState> state_;
};

}  // namespace portal
