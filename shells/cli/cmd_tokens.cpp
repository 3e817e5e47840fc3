// shells/cli/cmd_tokens.cpp — `portal tokens create|list|revoke`: personal access tokens
// (bearer credentials of API clients, issue [http]).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct TokenArgs {
  std::string user;
  std::string name;
  int expires_days = 0;
  std::int64_t id = 0;
  bool json = false;
};

int run_create(const Globals& globals, const TokenArgs& a) {
  if (a.expires_days < 0) throw Error(ErrorCode::kInvalidArgument, "--expires-days must be >= 0");
  std::optional<std::chrono::system_clock::time_point> expires;
  if (a.expires_days > 0)
    expires = std::chrono::system_clock::now() + std::chrono::hours(24) * a.expires_days;
  auto portal = open_portal(globals);
  AccessToken t = portal->session_as(a.user).create_access_token(a.name, expires);
  if (a.json) {
    print_json(to_json(t));
    return kExitOk;
  }
  std::cout << fmt::format("token {} for {} (\"{}\"), expires {}:\n{}\n", t.id, t.user_login,
                           t.name, t.expires_at.empty() ? "never" : t.expires_at, t.token);
  std::cerr << "Keep it now: it is not shown again. Use it as 'Authorization: Bearer TOKEN'.\n";
  return kExitOk;
}

int run_list(const Globals& globals, const TokenArgs& a) {
  auto portal = open_portal(globals);
  auto tokens = a.user.empty() ? portal->system_session().access_tokens()
                               : portal->session_as(a.user).access_tokens();
  if (a.json) {
    Json list = Json::array();
    for (const auto& t : tokens) list.push_back(to_json(t));
    print_json({{"tokens", std::move(list)}});
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tokens)
    rows.push_back({std::to_string(t.id), t.user_login, t.name, t.created_at,
                    t.expires_at.empty() ? "never" : t.expires_at,
                    t.last_used_at.empty() ? "-" : t.last_used_at,
                    t.active ? "active" : (t.revoked_at.empty() ? "expired" : "revoked")});
  print_table({"ID", "USER", "NAME", "CREATED", "EXPIRES", "LAST USED", "STATE"}, rows);
  return kExitOk;
}

int run_revoke(const Globals& globals, const TokenArgs& a) {
  auto portal = open_portal(globals);
  portal->system_session().revoke_access_token(a.id);
  std::cout << fmt::format("token {} revoked\n", a.id);
  return kExitOk;
}

}  // namespace

void add_tokens_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* tokens = root.add_subcommand("tokens", "Personal access tokens of API clients");
  tokens->require_subcommand(1);
  auto create = std::make_shared<TokenArgs>();
  CLI::App* c = tokens->add_subcommand("create", "Create a token acting as a user; printed once");
  c->add_option("--user", create->user, "Login of the account the token acts as")->required();
  c->add_option("--name", create->name, "What the token is for")->required();
  c->add_option("--expires-days", create->expires_days, "Lifetime in days (default: never)");
  c->add_flag("--json", create->json, "Print as JSON");
  registry[c] = [&globals, create] { return run_create(globals, *create); };
  auto list = std::make_shared<TokenArgs>();
  c = tokens->add_subcommand("list", "List tokens (never their value), newest first");
  c->add_option("--user", list->user, "Only this account's tokens");
  c->add_flag("--json", list->json, "Print as JSON");
  registry[c] = [&globals, list] { return run_list(globals, *list); };
  auto revoke = std::make_shared<TokenArgs>();
  c = tokens->add_subcommand("revoke", "Revoke a token: it stops working at once");
  c->add_option("ID", revoke->id, "Token id")->required();
  registry[c] = [&globals, revoke] { return run_revoke(globals, *revoke); };
}

}  // namespace portal::cli
