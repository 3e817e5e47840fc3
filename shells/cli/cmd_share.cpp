// shells/cli/cmd_share.cpp — `portal share STUDY --to EMAILS | --user LOGIN` and
// `portal shares list|revoke` (DIF-5, DIF-6, LIST-7).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct ShareArgs {
  std::string study_uid;
  std::string to;
  std::string user;
  std::string message;
  std::string expires;
  std::string as;
  std::int64_t id = 0;
  bool json = false;
};

// "30d" or "12h" from now; empty = the portal's default. kInvalidArgument otherwise.
std::optional<std::chrono::system_clock::time_point> parse_expires(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(text, &used);
  } catch (...) {
  }
  if (n <= 0 || used + 1 != text.size() || (text.back() != 'd' && text.back() != 'h'))
    throw Error(ErrorCode::kInvalidArgument,
                "--expires is a number of days or hours, e.g. 30d or 12h, not \"" + text + "\"");
  auto hours = std::chrono::hours(text.back() == 'd' ? n * 24 : n);
  return std::chrono::system_clock::now() + hours;
}

void print_shares(const std::vector<Share>& shares, bool json) {
  if (json) {
    Json list = Json::array();
    for (const Share& s : shares) list.push_back(to_json(s));
    print_json({{"shares", std::move(list)}});
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Share& s : shares) {
    std::string state = s.revoked_at.empty() ? (s.active ? "active" : "expired") : "revoked";
    if (s.pending && state == "active") state = "pending";
    rows.push_back({std::to_string(s.id), s.study_uid, s.recipient, s.shared_by, s.created_at,
                    s.expires_at.empty() ? "never" : s.expires_at, state});
  }
  print_table({"ID", "STUDY", "RECIPIENT", "BY", "CREATED", "EXPIRES", "STATE"}, rows,
              {0, 40, 40, 0, 0, 0, 0});
  std::cout << fmt::format("{} share(s)\n", shares.size());
}

int run_share(const Globals& globals, const ShareArgs& a) {
  if (a.to.empty() == a.user.empty())
    throw Error(ErrorCode::kInvalidArgument, "give either --to EMAILS or --user LOGIN");
  auto expires = parse_expires(a.expires);
  auto portal = open_portal(globals);
  Session session = session_for(*portal, a.as);
  std::vector<Share> shares;
  if (!a.to.empty()) {
    shares = session.share(a.study_uid, a.to, a.message, expires);
  } else {
    shares.push_back(session.share_with_user(a.study_uid, a.user, a.message, expires));
  }
  if (a.json) {
    print_shares(shares, true);
    return kExitOk;
  }
  for (const Share& s : shares)
    std::cout << fmt::format("share {}: {} {}\n", s.id, s.recipient,
                             s.pending ? "(invited)" : "(" + s.recipient_login + ")");
  return kExitOk;
}

int run_list(const Globals& globals, const ShareArgs& a) {
  auto portal = open_portal(globals);
  print_shares(session_for(*portal, a.as).shares(a.study_uid), a.json);
  return kExitOk;
}

int run_revoke(const Globals& globals, const ShareArgs& a) {
  auto portal = open_portal(globals);
  session_for(*portal, a.as).revoke_share(a.id);
  std::cout << fmt::format("share {} revoked\n", a.id);
  return kExitOk;
}

}  // namespace

void add_share_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto share = std::make_shared<ShareArgs>();
  CLI::App* c = root.add_subcommand("share", "Share a study with email addresses or a user");
  c->add_option("STUDY_UID", share->study_uid, "Study Instance UID")->required();
  c->add_option("--to", share->to, "Comma-separated email addresses");
  c->add_option("--user", share->user, "Login of an existing account");
  c->add_option("--message", share->message, "Message put in the email");
  c->add_option("--expires", share->expires, "Lifetime, e.g. 30d or 12h (default: configured)");
  c->add_option("--as", share->as, "Act as this account (its rights apply)");
  c->add_flag("--json", share->json, "Print as JSON");
  registry[c] = [&globals, share] { return run_share(globals, *share); };

  CLI::App* shares = root.add_subcommand("shares", "List and revoke shares");
  shares->require_subcommand(1);
  auto list = std::make_shared<ShareArgs>();
  c = shares->add_subcommand("list", "List shares, oldest first");
  c->add_option("STUDY_UID", list->study_uid, "Only this study's shares");
  c->add_option("--as", list->as, "Act as this account (its rights apply)");
  c->add_flag("--json", list->json, "Print as JSON");
  registry[c] = [&globals, list] { return run_list(globals, *list); };
  auto revoke = std::make_shared<ShareArgs>();
  c = shares->add_subcommand("revoke", "Revoke a share: access stops at once");
  c->add_option("ID", revoke->id, "Share id")->required();
  c->add_option("--as", revoke->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, revoke] { return run_revoke(globals, *revoke); };
}

}  // namespace portal::cli
