// shells/http/main.cpp — `portald --data DIR [--config FILE] [--listen HOST:PORT]
// [--dicom-port N]`: opens the portal, checks the listen address against the TLS rules, serves
// until SIGTERM or SIGINT, then finishes the requests in flight (docs/http.md).
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <malloc.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "openapi_embedded.hpp"
#include "portal/dicomnet.hpp"
#include "portal/error.hpp"
#include "server.hpp"

#ifndef PORTAL_VERSION
#define PORTAL_VERSION "unknown"
#endif

namespace {

using namespace portal;

constexpr const char* kUsage =
    "usage: portald --data DIR [--config FILE] [--listen HOST:PORT] [--dicom-port N]\n"
    "       portald --print-routes | --version | --help\n"
    "Serves the portal's JSON API (docs/http.md). Settings: [http] of the configuration\n"
    "file (docs/configuration.md); the command line wins over the file and PORTAL_HTTP_*.\n";

struct Args {
  std::string data, config, listen;
  int dicom_port = -1;
  bool print_routes = false;
};

Args parse_args(int argc, char** argv) {
  Args a;
  if (const char* d = std::getenv("PORTAL_DATA")) a.data = d;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(ErrorCode::kInvalidArgument, arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data") a.data = value();
    else if (arg == "--config") a.config = value();
    else if (arg == "--listen") a.listen = value();
    else if (arg == "--dicom-port") {
      std::string v = value();
      std::size_t used = 0;
      int port = -1;
      try {
        port = std::stoi(v, &used);
      } catch (...) {
      }
      if (used != v.size() || port < 0 || port > 65535)
        throw Error(ErrorCode::kInvalidArgument, "--dicom-port must be 0 to 65535");
      a.dicom_port = port;
    } else if (arg == "--print-routes") a.print_routes = true;
    else if (arg == "--version") {
      std::cout << "portald " << PORTAL_VERSION << "\n";
      std::exit(0);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      throw Error(ErrorCode::kInvalidArgument, "unknown argument " + arg);
    }
  }
  return a;
}

struct Listen {
  std::string host;
  int port = 0;
};

Listen parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  Listen l;
  if (colon == std::string::npos || colon == 0)
    throw Error(ErrorCode::kInvalidArgument, "listen address must be HOST:PORT, not " + text);
  l.host = text.substr(0, colon);
  if (l.host.size() > 2 && l.host.front() == '[' && l.host.back() == ']')
    l.host = l.host.substr(1, l.host.size() - 2);
  std::string port = text.substr(colon + 1);
  std::size_t used = 0;
  try {
    l.port = std::stoi(port, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != port.size() || l.port < 0 || l.port > 65535)
    throw Error(ErrorCode::kInvalidArgument, "listen port must be 0 to 65535, not " + port);
  return l;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

int run(int argc, char** argv) {
  // Answers of 100 KB and more (study lists) would otherwise be mmap'ed and unmapped at every
  // request: page faults were a tenth of the server's CPU time for a 150-row search.
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // Blocked before any thread exists (the portal's and the DICOM receiver's threads inherit the
  // mask), so that only the signal thread below ever takes SIGTERM and SIGINT.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  Args args = parse_args(argc, argv);
  if (args.print_routes) {
    for (const auto& r : http::routes())
      std::cout << r.method << " " << r.pattern << (r.study_scoped ? " study" : "") << "\n";
    return 0;
  }
  if (args.data.empty())
    throw Error(ErrorCode::kInvalidArgument, "no data directory: give --data DIR or set PORTAL_DATA");
  if (!std::filesystem::exists(std::filesystem::path(args.data) / "index.sqlite"))
    throw Error(ErrorCode::kNotFound, "no portal data directory at '" + args.data +
                                          "' (create one with 'portal init " + args.data + "')");
  Options options;
  options.config_file = args.config;
  auto portal = Portal::open(args.data, options);

  http::App app;
  app.portal = portal;
  app.options = portal->options();
  if (!args.listen.empty()) app.options.http_listen = args.listen;
  if (args.dicom_port >= 0) app.options.dicom_port = args.dicom_port;
  app.openapi = http::kOpenApiYaml;
  Listen listen = parse_listen(app.options.http_listen);
  const bool tls_here = !app.options.http_tls_cert.empty();
  app.tls = tls_here || app.options.http_behind_tls_proxy;
  if (!is_loopback(listen.host) && !app.tls)
    throw Error(ErrorCode::kInvalidArgument,
                "refusing to listen on " + listen.host +
                    " without TLS: set http.tls_cert and http.tls_key, or "
                    "http.behind_tls_proxy = true when a TLS proxy is in front");

  app.tmp_dir = args.data + "/http-tmp";  // not tmp/: Portal::open of other processes empties it
  std::error_code ec;
  std::filesystem::remove_all(app.tmp_dir, ec);  // leftovers of an interrupted run
  std::filesystem::create_directories(app.tmp_dir);
  if (app.options.http_access_log == "-") app.access_log = stderr;
  else if (!app.options.http_access_log.empty()) {
    app.access_log = std::fopen(app.options.http_access_log.c_str(), "a");
    if (!app.access_log)
      throw Error(ErrorCode::kIo, "cannot open the access log " + app.options.http_access_log);
  }

  std::unique_ptr<httplib::Server> server;
  if (tls_here) {
    auto ssl = std::make_unique<httplib::SSLServer>(app.options.http_tls_cert.c_str(),
                                                    app.options.http_tls_key.c_str());
    if (!ssl->is_valid())
      throw Error(ErrorCode::kInvalidArgument, "cannot load the TLS certificate or key");
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  http::configure(*server, app);

  // The DICOM receiver (PLAT-2): off unless dicom.port or --dicom-port gives a port. Received
  // instances go through the same ingest, as the system (repository "dicom:<calling AE>").
  std::unique_ptr<DicomReceiver> dicom;
  if (app.options.dicom_port > 0) {
    DicomReceiverOptions dicom_options;
    dicom_options.port = app.options.dicom_port;
    dicom = std::make_unique<DicomReceiver>(portal->system_session(), dicom_options);
    dicom->start();
    app.dicom = dicom.get();
    std::fprintf(stderr, "portald: DICOM receiver %s listening on %s:%d\n", dicom->aet().c_str(),
                 app.options.dicom_host.c_str(), dicom->port());
  }

  int port = listen.port;
  if (port == 0) {
    port = server->bind_to_any_port(listen.host);
    if (port < 0) throw Error(ErrorCode::kIo, "cannot listen on " + listen.host);
  } else if (!server->bind_to_port(listen.host, port)) {
    throw Error(ErrorCode::kIo, "cannot listen on " + app.options.http_listen);
  }

  // Signals are taken by one thread with sigwait (blocked everywhere else: see the top of
  // run()), which stops the server: it closes the listening socket and lets the requests in
  // flight finish.
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::atomic<bool> exiting{false};
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (exiting) return;  // woken by ourselves at exit
    std::fprintf(stderr, "portald: %s received, finishing requests in flight\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server->stop();
  });
  std::thread mail_thread([&] {
    std::unique_lock lock(stop_mutex);
    while (!stop_cv.wait_for(lock, std::chrono::seconds(app.options.http_mail_interval_seconds),
                             [&] { return stopping; })) {
      lock.unlock();
      try {
        auto report = portal->deliver_mail();
        app.mail_sent += static_cast<std::uint64_t>(report.sent);
        app.mail_failed += static_cast<std::uint64_t>(report.failed);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "portald: mail delivery failed: %s\n", e.what());
      }
      lock.lock();
    }
  });

  std::fprintf(stderr, "portald %s listening on %s://%s:%d\n", PORTAL_VERSION,
               tls_here ? "https" : "http", listen.host.c_str(), port);
  std::fflush(stderr);
  bool ok = server->listen_after_bind();
  {
    std::lock_guard lock(stop_mutex);
    stopping = true;
  }
  stop_cv.notify_all();
  mail_thread.join();
  if (dicom) dicom->stop();
  exiting = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);  // wakes sigwait if still waiting
  signal_thread.join();
  if (app.access_log && app.access_log != stderr) std::fclose(app.access_log);
  std::fprintf(stderr, "portald stopped\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const portal::Error& e) {
    std::fprintf(stderr, "portald: error: %s\n", e.what());
    return e.code() == portal::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "portald: error: %s\n", e.what());
    return 1;
  }
}
