// shells/cli/cmd_fsck.cpp — `portal fsck`: consistency of index and file store (PLAT-6).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct FsckArgs {
  bool repair = false;
  bool json = false;
};

int run_fsck(const Globals& globals, const FsckArgs& args) {
  auto portal = open_portal(globals);
  const FsckReport report = portal->fsck(args.repair);
  const std::uint64_t remaining = report.remaining();

  if (args.json) {
    Json issues = Json::array();
    for (const FsckIssue& issue : report.issues) issues.push_back(to_json(issue));
    print_json({{"clean", report.clean()},
                {"instances_checked", report.instances_checked},
                {"files_checked", report.files_checked},
                {"repaired", report.repaired},
                {"remaining", remaining},
                {"issues", std::move(issues)}});
  } else {
    std::cout << fmt::format("checked {} instances and {} files: ", report.instances_checked,
                             report.files_checked);
    std::cout << (report.clean() ? "clean\n" : fmt::format("{} issues\n", report.issues.size()));
    for (const FsckIssue& issue : report.issues) {
      std::cout << fmt::format("{}: blob {}{}{}{}{}\n", fsck_issue_name(issue.kind), issue.blob_id,
                               issue.sop_uid.empty() ? "" : ", instance ", issue.sop_uid,
                               issue.detail.empty() ? "" : " (" + issue.detail + ")",
                               issue.repaired ? " [repaired]" : "");
    }
    if (args.repair) {
      std::cout << fmt::format("repaired {}; {} issues remain\n", report.repaired, remaining);
    }
  }
  return remaining == 0 ? kExitOk : kExitFsckIssues;
}

}  // namespace

void add_fsck_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<FsckArgs>();
  CLI::App* cmd = root.add_subcommand("fsck", "Check index and file store against each other");
  cmd->add_flag("--repair", args->repair,
                "Remove orphan files and drop index rows whose file is gone");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  registry[cmd] = [&globals, args] { return run_fsck(globals, *args); };
}

}  // namespace portal::cli
