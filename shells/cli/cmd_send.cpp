// shells/cli/cmd_send.cpp — `portal send STUDY --to NODE`: C-STORE a study to a configured
// DICOM node (PLAT-2).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct SendArgs {
  std::string study_uid;
  std::string node;
  std::string as;
  bool json = false;
};

int run_send(const Globals& globals, const SendArgs& a) {
  auto portal = open_portal(globals);
  SendReport r = session_for(*portal, a.as).send_study(a.study_uid, a.node);
  if (a.json) {
    print_json({{"node", r.node}, {"sent", r.sent}, {"failed", r.failed}, {"failures", r.failures}});
  } else {
    for (const auto& f : r.failures) std::cout << "failed: " << f << "\n";
    std::cout << fmt::format("{} instance(s) sent to {}, {} failed\n", r.sent, r.node, r.failed);
  }
  return r.failed == 0 ? kExitOk : kExitRejected;
}

}  // namespace

void add_send_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<SendArgs>();
  CLI::App* c = root.add_subcommand("send", "Send a study to a configured DICOM node (C-STORE)");
  c->add_option("STUDY_UID", args->study_uid, "Study Instance UID")->required();
  c->add_option("--to", args->node, "Node name from [[dicom.nodes]]")->required();
  c->add_option("--as", args->as, "Act as this account (its rights apply)");
  c->add_flag("--json", args->json, "Print as JSON");
  registry[c] = [&globals, args] { return run_send(globals, *args); };
}

}  // namespace portal::cli
