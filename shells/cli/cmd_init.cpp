// shells/cli/cmd_init.cpp — `portal init [DIR]`: create (or open and migrate) a data directory.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct InitArgs {
  std::string dir;
  bool json = false;
};

int run_init(const Globals& globals, const InitArgs& args) {
  namespace fs = std::filesystem;
  const fs::path dir = data_dir_or_throw(globals, args.dir);
  const fs::path index = dir / "index.sqlite";
  const fs::path blobs = dir / "blobs";
  std::error_code ec;
  const bool had_dir = fs::exists(dir, ec);
  const bool had_index = fs::exists(index, ec);
  const bool had_blobs = fs::exists(blobs, ec);

  auto portal = Portal::open(dir.string());

  if (args.json) {
    const fs::path root = portal->data_dir();
    print_json({{"data_dir", root.string()},
                {"created", !had_index},
                {"index", (root / "index.sqlite").string()},
                {"blobs", (root / "blobs").string()}});
    return kExitOk;
  }
  if (had_index) {
    std::cout << "Portal data directory " << portal->data_dir()
              << " already exists; opened it (nothing created).\n";
    return kExitOk;
  }
  const fs::path root = portal->data_dir();
  std::cout << "Created portal data directory " << root.string() << "\n";
  if (!had_dir) std::cout << "  directory   " << root.string() << "\n";
  std::cout << "  index       " << (root / "index.sqlite").string() << "\n";
  if (!had_blobs) std::cout << "  file store  " << (root / "blobs").string() << "\n";
  return kExitOk;
}

}  // namespace

void add_init_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = root.add_subcommand(
      "init", "Create a portal data directory (index + file store); DIR defaults to --data");
  cmd->add_option("DIR", args->dir, "Data directory to create")->type_name("DIR");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  registry[cmd] = [&globals, args] { return run_init(globals, *args); };
}

}  // namespace portal::cli
