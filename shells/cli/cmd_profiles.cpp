// shells/cli/cmd_profiles.cpp — `portal profiles list|grant|revoke`: profile rights (ACC-7).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct ProfilesArgs {
  std::string profile;
  std::string right;
  bool json = false;
};

int run_list(const Globals& globals, const ProfilesArgs& a) {
  auto portal = open_portal(globals);
  const std::vector<Profile> profiles = portal->system_session().profiles();
  if (a.json) {
    Json list = Json::array();
    for (const Profile& p : profiles) list.push_back(to_json(p));
    print_json({{"profiles", std::move(list)}, {"known_rights", known_rights()}});
    return kExitOk;
  }
  for (const Profile& p : profiles) std::cout << fmt::format("{}: {}\n", p.name, join(p.rights, " "));
  return kExitOk;
}

int run_change(const Globals& globals, const ProfilesArgs& a, bool grant) {
  auto portal = open_portal(globals);
  Session s = portal->system_session();
  if (grant) {
    s.grant_right(a.profile, a.right);
  } else {
    s.revoke_right(a.profile, a.right);
  }
  std::cout << fmt::format("{} {} {}\n", a.profile, grant ? "now has" : "no longer has", a.right);
  return kExitOk;
}

}  // namespace

void add_profiles_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* profiles = root.add_subcommand("profiles", "Profiles and their rights");
  profiles->require_subcommand(1);
  auto list = std::make_shared<ProfilesArgs>();
  CLI::App* c = profiles->add_subcommand("list", "List profiles with their rights");
  c->add_flag("--json", list->json, "Print as JSON (with every known right)");
  registry[c] = [&globals, list] { return run_list(globals, *list); };
  for (bool grant : {true, false}) {
    auto args = std::make_shared<ProfilesArgs>();
    c = profiles->add_subcommand(grant ? "grant" : "revoke",
                                 grant ? "Give a right to a profile" : "Take a right from a profile");
    c->add_option("PROFILE", args->profile, "Profile")->required();
    c->add_option("RIGHT", args->right, "Right, e.g. share or column:accession")->required();
    registry[c] = [&globals, args, grant] { return run_change(globals, *args, grant); };
  }
}

}  // namespace portal::cli
