// shells/cli/cmd_dicom.cpp — `portal dicom listen`: the C-STORE/C-ECHO receiver (PLAT-2) until
// SIGINT or SIGTERM.
#include <fmt/format.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "portal/dicomnet.hpp"

namespace portal::cli {

namespace {

struct ListenArgs {
  int port = 0;
  std::string aet;
  std::string host;
  std::string as;
};

int run_listen(const Globals& globals, const ListenArgs& a) {
  auto portal = open_portal(globals);
  DicomReceiverOptions o;
  o.port = a.port > 0 ? a.port : (portal->options().dicom_port > 0 ? 0 : 4242);
  o.aet = a.aet;
  o.host = a.host;
  DicomReceiver receiver(session_for(*portal, a.as), o);
  // Block the signals before any thread starts, so that only sigwait() below receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  receiver.start();
  std::cout << fmt::format("listening on {}:{} as {} (Ctrl-C to stop)\n",
                           a.host.empty() ? portal->options().dicom_host : a.host, receiver.port(),
                           receiver.aet())
            << std::flush;
  int sig = 0;
  sigwait(&set, &sig);
  receiver.stop();
  auto s = receiver.stats();
  std::cout << fmt::format(
      "stopped: {} association(s), {} refused, {} echo(es), {} stored, {} duplicate(s), "
      "{} failed, {} commit(s)\n",
      s.associations, s.refused, s.echoes, s.stored, s.duplicates, s.failed, s.commits);
  return kExitOk;
}

}  // namespace

void add_dicom_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* dicom = root.add_subcommand("dicom", "DICOM networking (C-STORE receiver)");
  dicom->require_subcommand(1);
  auto listen = std::make_shared<ListenArgs>();
  CLI::App* c = dicom->add_subcommand(
      "listen", "Receive studies over C-STORE (and answer C-ECHO) until SIGINT/SIGTERM");
  c->add_option("--port", listen->port, "Port (default: dicom.port, else 4242)");
  c->add_option("--aet", listen->aet, "Our AE title (default: dicom.aet)");
  c->add_option("--host", listen->host, "IPv4 address to listen on (default: dicom.host)");
  c->add_option("--as", listen->as, "Ingest as this account (needs the upload right)");
  registry[c] = [&globals, listen] { return run_listen(globals, *listen); };
}

}  // namespace portal::cli
