// Mail (DIF-8): templates in English and French, message formatting, and the two transports
// (SMTP through libcurl, .eml files in a spool folder).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace portal::detail {

/// A rendered template.
struct MailText {
  std::string subject;
  std::string body;
};

/// Renders template `kind` ("confirmation", "activation_request", "account_activated",
/// "password_reset", "invitation") in `language` ("en" or "fr"; anything else falls back to
/// "en"), replacing {name} placeholders from `vars`. Throws Error(kInternal) for an unknown kind.
MailText render_mail(const std::string& kind, const std::string& language,
                     const std::map<std::string, std::string>& vars);

/// One message ready to go.
struct OutgoingMail {
  std::string from, to, subject, body;
  std::string message_id;  ///< without angle brackets
  std::chrono::system_clock::time_point date;
};

/// An RFC 5322 message: UTF-8 subject encoded per RFC 2047, base64 body, CRLF line ends.
std::string format_mail(const OutgoingMail& mail);

/// The outcome of one delivery attempt. `permanent` failures are not retried (e.g. a recipient
/// the server refuses with a 5xx reply).
struct SendResult {
  bool ok = false;
  bool permanent = false;
  std::string error;
};

/// A transport. Implementations are thread-safe.
class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual SendResult send(const OutgoingMail& mail) = 0;
};

struct SmtpSettings {
  std::string host;
  int port = 25;
  std::string tls = "none";  ///< none, starttls, tls
  std::string user, password;
  int timeout_seconds = 30;
};

std::unique_ptr<Mailer> smtp_mailer(const SmtpSettings& settings);
/// Writes each message as `<dir>/<date>-<message id>.eml` (atomic, created if missing).
std::unique_ptr<Mailer> spool_mailer(const std::string& dir, bool durable);

}  // namespace portal::detail
