// A real SMTP server on loopback for the [sharing] tests: tests/mail/smtp_server.py (Debian's
// python3-aiosmtpd), which stores each message and refuses recipients containing "refused".
#pragma once

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/accounts_support.hpp"

namespace portal::test {

struct SmtpServer {
  TempDir dir;
  int port = 0;
  long pid = 0;
  SmtpServer() {
    namespace fs = std::filesystem;
    fs::create_directories(dir / "mail");
    std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                      "/tests/mail/smtp_server.py " + (dir / "port") + " " + (dir / "mail") +
                      " >" + (dir / "log") + " 2>&1 & echo $! >" + (dir / "pid");
    REQUIRE(run(cmd) == 0);
    pid = std::stol(read_file(dir / "pid"));
    // Waiting for a process to start: poll up to 20 s.
    for (int i = 0; i < 400 && !fs::exists(dir / "port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(fs::exists(dir / "port"));
    port = std::stoi(read_file(dir / "port"));
  }
  ~SmtpServer() {
    if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGTERM);
  }
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;
  /// Every message received so far, bodies decoded; the first header is X-Rcpt.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& f : files_under(dir / "mail")) out.push_back(decode_eml(read_file(f)));
    return out;
  }
  /// Messages whose envelope recipient is `to`.
  std::vector<std::string> to(const std::string& rcpt) const {
    std::vector<std::string> out;
    for (auto& m : messages())
      if (m.rfind("X-Rcpt: " + rcpt + "\r\n", 0) == 0) out.push_back(m);
    return out;
  }
  /// Options tweak that sends the portal's mail here.
  std::function<void(Options&)> tweak(std::function<void(Options&)> more = {}) const {
    int p = port;
    return [p, more](Options& o) {
      o.smtp_host = "127.0.0.1";
      o.smtp_port = p;
      o.smtp_timeout_seconds = 10;
      if (more) more(o);
    };
  }
};

}  // namespace portal::test
