// Mail formatting and transports: SMTP through libcurl, spool folder of .eml files.
#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <mutex>

#include "libportal/common/fs.hpp"
#include "libportal/mail/mail.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v =
        (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += t[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80 || c < 0x20) return false;
  return true;
}

// Header values come from templates and validated addresses; CR/LF are dropped anyway so
// that no value can add a header.
std::string header_safe(std::string s) {
  for (auto& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

std::string rfc2822_date(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

class SpoolMailer final : public Mailer {
 public:
  SpoolMailer(std::string dir, bool durable) : dir_(std::move(dir)), durable_(durable) {}
  SendResult send(const OutgoingMail& mail) override {
    try {
      make_dirs(dir_);
      std::time_t secs = std::chrono::system_clock::to_time_t(mail.date);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
      std::string name = mail.message_id.substr(0, mail.message_id.find('@'));
      write_file_atomic(dir_ + "/" + stamp + "-" + name + ".eml", format_mail(mail), durable_);
      return {true, false, {}};
    } catch (const Error& e) {
      return {false, false, e.what()};
    }
  }

 private:
  std::string dir_;
  bool durable_;
};

struct ReadState {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* st = static_cast<ReadState*>(user);
  std::size_t len = std::min(size * n, st->data->size() - st->pos);
  std::memcpy(buf, st->data->data() + st->pos, len);
  st->pos += len;
  return len;
}

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpSettings s) : s_(std::move(s)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  SendResult send(const OutgoingMail& mail) override {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return {false, false, "libcurl could not start"};
    CURL* c = curl.get();
    std::string url = std::string(s_.tls == "tls" ? "smtps://" : "smtp://") + s_.host + ":" +
                      std::to_string(s_.port);
    std::string data = format_mail(mail);
    ReadState st{&data};
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::string from = "<" + mail.from + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + mail.to + ">").c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(rcpt,
                                                                           curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &st);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(s_.timeout_seconds));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(std::min(s_.timeout_seconds, 10)));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (s_.tls == "starttls")
      curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!s_.user.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, s_.user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, s_.password.c_str());
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) return {true, false, {}};
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    std::string error = std::string(curl_easy_strerror(rc));
    if (errbuf[0]) error += ": " + std::string(errbuf);
    if (code) error += " (SMTP " + std::to_string(code) + ")";
    // A 5xx reply (e.g. 550 for a refused recipient) will not change by retrying; a refused
    // login will once the operator fixes the configuration.
    bool permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
    return {false, permanent, error};
  }

 private:
  SmtpSettings s_;
};

}  // namespace

std::string format_mail(const OutgoingMail& m) {
  std::string subject =
      ascii(m.subject) ? header_safe(m.subject) : "=?UTF-8?B?" + base64(m.subject) + "?=";
  std::string out;
  out += "From: " + header_safe(m.from) + "\r\n";
  out += "To: " + header_safe(m.to) + "\r\n";
  out += "Subject: " + subject + "\r\n";
  out += "Date: " + rfc2822_date(m.date) + "\r\n";
  out += "Message-ID: <" + header_safe(m.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  std::string b = base64(m.body);
  for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::unique_ptr<Mailer> smtp_mailer(const SmtpSettings& settings) {
  return std::make_unique<SmtpMailer>(settings);
}

std::unique_ptr<Mailer> spool_mailer(const std::string& dir, bool durable) {
  return std::make_unique<SpoolMailer>(dir, durable);
}

}  // namespace portal::detail
