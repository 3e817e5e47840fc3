// shells/cli/cmd_instances.cpp — `portal instances STUDY_UID`: the stored instances of a study,
// with their SHA-256 digests.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct InstancesArgs {
  std::string as;  ///< --as LOGIN: act as that account
  std::string study_uid;
  std::string series_uid;
  bool json = false;
};

int run_instances(const Globals& globals, const InstancesArgs& args) {
  auto portal = open_portal(globals);
  const std::vector<Instance> instances =
      session_for(*portal, args.as).instances(args.study_uid, args.series_uid);

  if (args.json) {
    Json list = Json::array();
    for (const Instance& i : instances) list.push_back(to_json(i));
    print_json({{"instances", std::move(list)}});
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(instances.size());
  for (const Instance& i : instances) {
    const std::string size = i.rows > 0 ? fmt::format("{}x{}", i.columns, i.rows) : "";
    rows.push_back({std::to_string(i.number), i.sop_uid, size, std::to_string(i.frames),
                    format_bytes(i.size_bytes), i.transfer_syntax_uid, i.sha256.substr(0, 16),
                    i.series_uid});
  }
  print_table(
      {"NUMBER", "SOP UID", "SIZE", "FRAMES", "BYTES", "TRANSFER SYNTAX", "SHA256", "SERIES UID"},
      rows);
  std::cout << fmt::format("{} instances\n", instances.size());
  return kExitOk;
}

}  // namespace

void add_instances_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<InstancesArgs>();
  CLI::App* cmd = root.add_subcommand("instances", "List the stored instances of a study");
  cmd->add_option("STUDY_UID", args->study_uid, "Study Instance UID")->required();
  cmd->add_option("--series", args->series_uid, "Only this series")->type_name("UID");
  cmd->add_option("--as", args->as, "Act as this account (its access rules apply)")->type_name("LOGIN");
  cmd->add_flag("--json", args->json, "Print as JSON");
  registry[cmd] = [&globals, args] { return run_instances(globals, *args); };
}

}  // namespace portal::cli
