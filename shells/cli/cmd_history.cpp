// shells/cli/cmd_history.cpp — `portal history STUDY_UID`: the same patient's other studies.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct HistoryArgs {
  std::string as;  ///< --as LOGIN: act as that account
  std::string study_uid;
  bool json = false;
};

int run_history(const Globals& globals, const HistoryArgs& args) {
  auto portal = open_portal(globals);
  const std::vector<Study> studies = session_for(*portal, args.as).history(args.study_uid);

  if (args.json) {
    Json list = Json::array();
    for (const Study& s : studies) list.push_back(to_json(s));
    print_json({{"studies", std::move(list)}});
    return kExitOk;
  }
  if (!studies.empty()) print_study_table(studies);
  std::cout << fmt::format("{} other studies of this patient\n", studies.size());
  return kExitOk;
}

}  // namespace

void add_history_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<HistoryArgs>();
  CLI::App* cmd = root.add_subcommand("history", "List the same patient's other studies");
  cmd->add_option("STUDY_UID", args->study_uid, "Study Instance UID")->required();
  cmd->add_option("--as", args->as, "Act as this account (its access rules apply)")->type_name("LOGIN");
  cmd->add_flag("--json", args->json, "Print as JSON");
  registry[cmd] = [&globals, args] { return run_history(globals, *args); };
}

}  // namespace portal::cli
