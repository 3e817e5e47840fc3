// shells/cli/cmd_admin.cpp — `portal admin create`: the one-time first administrator (ACC-7).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct AdminArgs {
  NewUser user;
  std::string email;
  bool password_stdin = false;
  bool json = false;
};

int run_admin_create(const Globals& globals, AdminArgs args) {
  auto portal = open_portal(globals);
  args.user.emails = {args.email};
  args.user.profile = std::string(kAdministrator);
  args.user.password = read_password(args.password_stdin);
  const User user = portal->create_first_administrator(args.user);
  if (args.json) {
    print_json(to_json(user));
  } else {
    std::cout << fmt::format("administrator {} created and active\n", user.login);
  }
  return kExitOk;
}

}  // namespace

void add_admin_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* admin = root.add_subcommand("admin", "First-administrator set-up");
  admin->require_subcommand(1);
  auto args = std::make_shared<AdminArgs>();
  CLI::App* create = admin->add_subcommand(
      "create", "Create the first administrator (refused once one exists)");
  create->add_option("LOGIN", args->user.login, "Login")->required();
  create->add_option("--email", args->email, "Email address")->required();
  create->add_option("--first-name", args->user.first_name, "First name");
  create->add_option("--last-name", args->user.last_name, "Last name");
  create->add_flag("--password-stdin", args->password_stdin,
                   "Read the password from standard input (else typed on the terminal)");
  create->add_flag("--json", args->json, "Print the account as JSON");
  registry[create] = [&globals, args] { return run_admin_create(globals, *args); };
}

}  // namespace portal::cli
