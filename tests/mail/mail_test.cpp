// DIF-8: outbox, templates, spool delivery, SMTP delivery to a real server on loopback, retries.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/accounts_support.hpp"

using namespace portal;
namespace fs = std::filesystem;

namespace {

// The loopback SMTP server of tests/mail/smtp_server.py, stopped by its PID.
struct SmtpServer {
  test::TempDir dir;
  int port = 0;
  long pid = 0;
  explicit SmtpServer(const std::string& credentials = {}) {
    fs::create_directories(dir / "mail");
    std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                      "/tests/mail/smtp_server.py " + (dir / "port") + " " + (dir / "mail") + " " +
                      credentials + " >" + (dir / "log") + " 2>&1 & echo $! >" + (dir / "pid");
    REQUIRE(test::run(cmd) == 0);
    pid = std::stol(test::read_file(dir / "pid"));
    // Waiting for a process to start is not waiting for a timeout: poll up to 20 s.
    for (int i = 0; i < 400 && !fs::exists(dir / "port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(fs::exists(dir / "port"));
    port = std::stoi(test::read_file(dir / "port"));
  }
  ~SmtpServer() {
    if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGTERM);
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& f : test::files_under(dir / "mail"))
      out.push_back(test::decode_eml(test::read_file(f)));
    return out;
  }
};

int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

MailMessage only(Session& admin, const std::string& to) {
  for (const auto& m : admin.mail())
    if (m.to == to) return m;
  FAIL("no mail to " << to);
  return {};
}

}  // namespace

TEST_CASE("mail goes to the spool folder by default as .eml files", "[mail]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  admin.invite("friend@example.org", "fr");
  auto m = only(admin, "friend@example.org");
  CHECK(m.status == MailStatus::kPending);
  CHECK(m.kind == "invitation");
  CHECK(m.body.find("********") != std::string::npos);  // the stored body hides the link
  auto report = p.portal->deliver_mail();
  CHECK(report.sent == 1);
  auto files = test::files_under(p.dir / "data/spool");
  REQUIRE(files.size() == 1);
  CHECK(fs::path(files[0]).extension() == ".eml");
  auto eml = test::decode_eml(test::read_file(files[0]));
  CHECK(eml.find("Subject: Invitation au portail de radiologie") != std::string::npos);
  CHECK(eml.find("Bonjour") != std::string::npos);
  CHECK(eml.find("https://portal.example.org/invitation?token=") != std::string::npos);
  m = only(admin, "friend@example.org");
  CHECK(m.status == MailStatus::kSent);
  CHECK(m.attempts == 1);
  CHECK_FALSE(m.sent_at.empty());
  CHECK(p.portal->deliver_mail().attempted == 0);  // nothing is sent twice
}

TEST_CASE("mail is delivered to an SMTP server, a refused recipient fails with its error",
          "[mail][smtp]") {
  SmtpServer server;
  test::AccountsPortal p([&](Options& o) {
    o.smtp_host = "127.0.0.1";
    o.smtp_port = server.port;
    o.mail_from = "portal@example.org";
  });
  auto admin = p.admin();
  admin.invite("friend@example.org");
  admin.invite("refused@example.org");
  auto report = p.portal->deliver_mail();
  CHECK(report.attempted == 2);
  CHECK(report.sent == 1);
  CHECK(report.failed == 1);
  auto got = server.messages();
  REQUIRE(got.size() == 1);
  CHECK(got[0].find("X-Rcpt: friend@example.org") != std::string::npos);
  CHECK(got[0].find("From: portal@example.org") != std::string::npos);
  CHECK(got[0].find("/invitation?token=") != std::string::npos);
  auto ok = only(admin, "friend@example.org");
  CHECK(ok.status == MailStatus::kSent);
  auto bad = only(admin, "refused@example.org");
  CHECK(bad.status == MailStatus::kFailed);
  CHECK(bad.last_error.find("550") != std::string::npos);
  CHECK(p.portal->deliver_mail().attempted == 0);
}

TEST_CASE("when the SMTP server is down the message is retried later with backoff",
          "[mail][smtp]") {
  int port = closed_port();
  test::AccountsPortal p([&](Options& o) {
    o.smtp_host = "127.0.0.1";
    o.smtp_port = port;
    o.mail_retry_seconds = 60;
    o.mail_max_attempts = 3;
  });
  auto admin = p.admin();
  admin.invite("friend@example.org");
  auto report = p.portal->deliver_mail();
  CHECK(report.retrying == 1);
  auto m = only(admin, "friend@example.org");
  CHECK(m.status == MailStatus::kPending);
  CHECK(m.attempts == 1);
  CHECK_FALSE(m.last_error.empty());
  CHECK_FALSE(m.next_attempt_at.empty());
  CHECK(p.portal->deliver_mail().attempted == 0);  // not due yet
  p.clock->advance(std::chrono::seconds(60));
  CHECK(p.portal->deliver_mail().retrying == 1);
  p.clock->advance(std::chrono::seconds(60));
  CHECK(p.portal->deliver_mail().attempted == 0);  // the second delay is doubled
  p.clock->advance(std::chrono::seconds(60));
  CHECK(p.portal->deliver_mail().failed == 1);  // out of attempts
  m = only(admin, "friend@example.org");
  CHECK(m.status == MailStatus::kFailed);
  CHECK(m.attempts == 3);
  // An administrator can send it again once the server is back.
  admin.retry_mail(m.id);
  CHECK(only(admin, "friend@example.org").status == MailStatus::kPending);
}

TEST_CASE("a server that comes back receives the retried message", "[mail][smtp]") {
  int port = 0;
  std::unique_ptr<SmtpServer> server = std::make_unique<SmtpServer>();
  port = server->port;
  server.reset();  // down
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  test::AccountsPortal p([&](Options& o) {
    o.smtp_host = "127.0.0.1";
    o.smtp_port = port;
  });
  auto admin = p.admin();
  admin.invite("friend@example.org");
  CHECK(p.portal->deliver_mail().retrying == 1);
  // A new server on another port: the configuration is per portal, so reopen with it.
  SmtpServer up;
  auto opts = p.options();
  opts.smtp_host = "127.0.0.1";
  opts.smtp_port = up.port;
  p.portal.reset();
  p.portal = Portal::open(p.dir / "data", opts);
  p.clock->advance(std::chrono::minutes(2));
  CHECK(p.portal->deliver_mail().sent == 1);
  CHECK(up.messages().size() == 1);
}

TEST_CASE("every template exists in English and French", "[mail]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  Registration r;
  r.login = "claire";
  r.email = "claire@example.org";
  r.first_name = "Claire";
  r.last_name = "Martin";
  r.language = "fr";
  r.password = r.password_confirmation = test::kUserPassword;
  p.portal->register_user(r);
  auto token = p.token_from_mail("claire@example.org", "/confirm");
  p.portal->confirm_registration(token);
  admin.activate_user("claire");
  p.portal->request_password_reset("claire");
  std::set<std::string> kinds;
  for (const auto& m : admin.mail()) {
    kinds.insert(m.kind + ":" + m.language);
    CHECK_FALSE(m.subject.empty());
  }
  CHECK(kinds.count("confirmation:fr") == 1);
  CHECK(kinds.count("activation_request:en") == 1);
  CHECK(kinds.count("account_activated:fr") == 1);
  CHECK(kinds.count("password_reset:fr") == 1);
}

TEST_CASE("SMTP authentication uses the configured user and password", "[mail][smtp]") {
  SmtpServer server("portal:Smtp-Secret-4711");
  auto configure = [&](const std::string& password) {
    return [&server, password](Options& o) {
      o.smtp_host = "127.0.0.1";
      o.smtp_port = server.port;
      o.smtp_user = "portal";
      o.smtp_password = password;
    };
  };
  {
    test::AccountsPortal p(configure("wrong-password"));
    auto admin = p.admin();
    admin.invite("friend@example.org");
    auto report = p.portal->deliver_mail();
    CHECK(report.sent == 0);
    // A refused login is the operator's to fix: the message waits for a retry.
    CHECK(report.retrying == 1);
    auto m = only(admin, "friend@example.org");
    CHECK_FALSE(m.last_error.empty());
    CHECK(m.last_error.find("wrong-password") == std::string::npos);
  }
  test::AccountsPortal p(configure("Smtp-Secret-4711"));
  auto admin = p.admin();
  admin.invite("friend@example.org");
  CHECK(p.portal->deliver_mail().sent == 1);
  CHECK(server.messages().size() == 1);
  CHECK(test::index_bytes(p.dir / "data").find("Smtp-Secret-4711") == std::string::npos);
}
