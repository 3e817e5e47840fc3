// shells/cli/cmd_directory.cpp — `portal directory import FILE` and `portal directory search`
// (DIF-7: the physician directory).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct DirectoryArgs {
  std::string file;
  PhysicianQuery query;
  std::string as;
  bool json = false;
};

// The directory file is read whole: its rows are checked together before anything is written.
std::string read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + path);
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size > (64 << 20)) throw Error(ErrorCode::kTooLarge, path + " is larger than 64 MiB");
  in.seekg(0);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int run_import(const Globals& globals, const DirectoryArgs& a) {
  std::string csv = read_csv(a.file);
  auto portal = open_portal(globals);
  auto r = session_for(*portal, a.as).import_physicians(csv);
  if (a.json)
    print_json({{"added", r.added}, {"updated", r.updated}});
  else
    std::cout << fmt::format("{} added, {} updated\n", r.added, r.updated);
  return kExitOk;
}

int run_search(const Globals& globals, const DirectoryArgs& a) {
  auto portal = open_portal(globals);
  auto found = session_for(*portal, a.as).find_physicians(a.query);
  if (a.json) {
    Json list = Json::array();
    for (const auto& p : found) list.push_back(to_json(p));
    print_json({{"physicians", std::move(list)}});
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : found)
    rows.push_back({p.last_name, p.first_name, p.identifier, p.specialty, p.city, p.postcode,
                    p.department, p.email});
  print_table({"LAST NAME", "FIRST NAME", "IDENTIFIER", "SPECIALTY", "CITY", "POSTCODE", "DEPT",
               "EMAIL"},
              rows, {24, 24, 0, 24, 24, 0, 0, 40});
  std::cout << fmt::format("{} physician(s)\n", found.size());
  return kExitOk;
}

}  // namespace

void add_directory_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* dir = root.add_subcommand("directory", "The physician directory (import, search)");
  dir->require_subcommand(1);

  auto imp = std::make_shared<DirectoryArgs>();
  CLI::App* c = dir->add_subcommand(
      "import", "Import a CSV: last_name, first_name, identifier, specialty, city, postcode, "
                "department, email (administrators)");
  c->add_option("FILE", imp->file, "CSV file (UTF-8)")->required();
  c->add_option("--as", imp->as, "Act as this account (its rights apply)");
  c->add_flag("--json", imp->json, "Print as JSON");
  registry[c] = [&globals, imp] { return run_import(globals, *imp); };

  auto search = std::make_shared<DirectoryArgs>();
  c = dir->add_subcommand("search", "Search by name, identifier, city, department");
  c->add_option("NAME", search->query.name, "Words of the last or first name (prefixes)");
  c->add_option("--identifier", search->query.identifier, "Exact identifier");
  c->add_option("--city", search->query.city, "City (prefix)");
  c->add_option("--department", search->query.department, "Department (exact)");
  c->add_option("--limit", search->query.limit, "Most results (1..500, default 50)");
  c->add_option("--as", search->as, "Act as this account (its rights apply)");
  c->add_flag("--json", search->json, "Print as JSON");
  registry[c] = [&globals, search] { return run_search(globals, *search); };
}

}  // namespace portal::cli
