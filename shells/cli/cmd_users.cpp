// shells/cli/cmd_users.cpp — `portal users ...`: accounts administration (ACC-7).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct UsersArgs {
  std::string login;
  NewUser user;
  std::string email;
  std::string physician_id;
  std::string referring_name;
  std::string profile;
  std::string state;
  bool password_stdin = false;
  bool json = false;
};

void print_users(const std::vector<User>& users) {
  std::vector<std::vector<std::string>> rows;
  for (const User& u : users) {
    rows.push_back({u.login, u.profile, std::string(user_state_name(u.state)),
                    u.emails.empty() ? "" : u.emails.front(), u.last_name + " " + u.first_name,
                    u.linked_physician_id, u.referring_name});
  }
  print_table({"LOGIN", "PROFILE", "STATE", "EMAIL", "NAME", "PHYSICIAN ID", "REFERRING NAME"},
              rows, {0, 0, 0, 40, 30, 0, 30});
  std::cout << fmt::format("{} account(s)\n", users.size());
}

int done(const User& user, bool json, const std::string& what) {
  if (json) {
    print_json(to_json(user));
  } else {
    std::cout << fmt::format("{}: {} ({}, {})\n", what, user.login, user.profile,
                             user_state_name(user.state));
  }
  return kExitOk;
}

int run_add(const Globals& globals, UsersArgs a) {
  auto portal = open_portal(globals);
  a.user.login = a.login;
  a.user.emails = {a.email};
  a.user.profile = a.profile;
  // An administrator creating the account vouches for the physician identity (ACC-7 link).
  a.user.physician_id = a.physician_id;
  a.user.linked_physician_id = a.physician_id;
  a.user.referring_name = a.referring_name;
  a.user.password = read_password(a.password_stdin);
  return done(portal->system_session().add_user(a.user), a.json, "added");
}

int run_list(const Globals& globals, const UsersArgs& a) {
  auto portal = open_portal(globals);
  std::optional<UserState> state;
  if (!a.state.empty()) state = parse_user_state(a.state);
  const std::vector<User> users = portal->system_session().users(state);
  if (a.json) {
    Json list = Json::array();
    for (const User& u : users) list.push_back(to_json(u));
    print_json({{"users", std::move(list)}});
  } else {
    print_users(users);
  }
  return kExitOk;
}

int run_show(const Globals& globals, const UsersArgs& a) {
  auto portal = open_portal(globals);
  const User u = portal->system_session().find_user(a.login);
  if (a.json) {
    print_json(to_json(u));
    return kExitOk;
  }
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"login", u.login},
      {"id", u.id},
      {"name", u.first_name + " " + u.last_name},
      {"emails", join(u.emails, ", ")},
      {"phone", u.phone},
      {"profile", u.profile},
      {"state", std::string(user_state_name(u.state))},
      {"physician id", u.physician_id},
      {"linked id", u.linked_physician_id},
      {"referring", u.referring_name},
      {"language", u.preferences.language},
      {"created", u.created_at}};
  for (const auto& [name, value] : fields) std::cout << fmt::format("{:<13} {}\n", name + ":", value);
  return kExitOk;
}

// activate, disable, set-profile, passwd, link: one call each, then the account as it is now.
int run_change(const Globals& globals, const UsersArgs& a, const std::string& verb) {
  auto portal = open_portal(globals);
  Session s = portal->system_session();
  if (verb == "activate") s.activate_user(a.login);
  if (verb == "disable") s.disable_user(a.login);
  if (verb == "set-profile") s.set_user_profile(a.login, a.profile);
  if (verb == "passwd") s.set_user_password(a.login, read_password(a.password_stdin));
  if (verb == "link") s.link_referring_physician(a.login, a.physician_id, a.referring_name);
  return done(s.find_user(a.login), a.json, verb);
}

}  // namespace

void add_users_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* users = root.add_subcommand("users", "Manage accounts");
  users->require_subcommand(1);

  auto add = std::make_shared<UsersArgs>();
  CLI::App* c = users->add_subcommand("add", "Create an active account");
  c->add_option("LOGIN", add->login, "Login")->required();
  c->add_option("--email", add->email, "Email address")->required();
  c->add_option("--profile", add->profile,
                "administrator, radiologist, referring_physician or guest")
      ->required();
  c->add_option("--first-name", add->user.first_name, "First name");
  c->add_option("--last-name", add->user.last_name, "Last name");
  c->add_option("--phone", add->user.phone, "Phone");
  c->add_option("--physician-id", add->physician_id,
                "Referring physician identifier found in studies");
  c->add_option("--referring-name", add->referring_name,
                "Referring physician name found in studies, \"FAMILY^GIVEN\"");
  c->add_flag("--password-stdin", add->password_stdin, "Read the password from standard input");
  c->add_flag("--json", add->json, "Print the account as JSON");
  registry[c] = [&globals, add] { return run_add(globals, *add); };

  auto list = std::make_shared<UsersArgs>();
  c = users->add_subcommand("list", "List accounts");
  c->add_option("--state", list->state,
                "awaiting_confirmation, awaiting_activation, active or disabled");
  c->add_flag("--json", list->json, "Print as JSON");
  registry[c] = [&globals, list] { return run_list(globals, *list); };

  auto show = std::make_shared<UsersArgs>();
  c = users->add_subcommand("show", "Show one account");
  c->add_option("LOGIN", show->login, "Login, email or id")->required();
  c->add_flag("--json", show->json, "Print as JSON");
  registry[c] = [&globals, show] { return run_show(globals, *show); };

  struct Verb {
    const char* name;
    const char* help;
  };
  for (const Verb& v : {Verb{"activate", "Activate an account"},
                        Verb{"disable", "Disable an account and end its sessions"},
                        Verb{"set-profile", "Change an account's profile"},
                        Verb{"passwd", "Set an account's password (ends its sessions)"},
                        Verb{"link", "Link a referring physician to the identifier/name in studies"}}) {
    auto args = std::make_shared<UsersArgs>();
    c = users->add_subcommand(v.name, v.help);
    c->add_option("LOGIN", args->login, "Login")->required();
    std::string verb = v.name;
    if (verb == "set-profile") c->add_option("PROFILE", args->profile, "New profile")->required();
    if (verb == "passwd")
      c->add_flag("--password-stdin", args->password_stdin, "Read the password from standard input");
    if (verb == "link") {
      c->add_option("--physician-id", args->physician_id, "Identifier (empty unlinks)");
      c->add_option("--referring-name", args->referring_name, "\"FAMILY^GIVEN\" (empty unlinks)");
    }
    c->add_flag("--json", args->json, "Print the account as JSON");
    registry[c] = [&globals, args, verb] { return run_change(globals, *args, verb); };
  }
}

}  // namespace portal::cli
