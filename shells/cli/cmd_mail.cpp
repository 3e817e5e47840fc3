// shells/cli/cmd_mail.cpp — `portal mail list|retry|deliver`: the outbox (DIF-8).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct MailArgs {
  std::string status;
  std::int64_t id = 0;
  bool json = false;
};

int run_list(const Globals& globals, const MailArgs& a) {
  auto portal = open_portal(globals);
  std::optional<MailStatus> status;
  if (!a.status.empty()) status = parse_mail_status(a.status);
  const std::vector<MailMessage> messages = portal->system_session().mail(status);
  if (a.json) {
    Json list = Json::array();
    for (const MailMessage& m : messages) list.push_back(to_json(m));
    print_json({{"messages", std::move(list)}});
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const MailMessage& m : messages) {
    rows.push_back({std::to_string(m.id), std::string(mail_status_name(m.status)), m.to, m.kind,
                    std::to_string(m.attempts), m.created_at, m.last_error});
  }
  print_table({"ID", "STATUS", "TO", "KIND", "TRIES", "CREATED", "LAST ERROR"}, rows,
              {0, 0, 40, 0, 0, 0, 50});
  std::cout << fmt::format("{} message(s)\n", messages.size());
  return kExitOk;
}

int run_retry(const Globals& globals, const MailArgs& a) {
  auto portal = open_portal(globals);
  portal->system_session().retry_mail(a.id);
  std::cout << fmt::format("message {} scheduled for delivery\n", a.id);
  return kExitOk;
}

int run_deliver(const Globals& globals, const MailArgs& a) {
  auto portal = open_portal(globals);
  const MailDeliveryReport r = portal->deliver_mail();
  if (a.json) {
    print_json({{"attempted", r.attempted},
                {"sent", r.sent},
                {"failed", r.failed},
                {"retrying", r.retrying}});
  } else {
    std::cout << fmt::format("{} attempted: {} sent, {} failed, {} to retry\n", r.attempted,
                             r.sent, r.failed, r.retrying);
  }
  return kExitOk;
}

}  // namespace

void add_mail_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* mail = root.add_subcommand("mail", "The mail outbox");
  mail->require_subcommand(1);
  auto list = std::make_shared<MailArgs>();
  CLI::App* c = mail->add_subcommand("list", "List outbox messages, newest first");
  c->add_option("--status", list->status, "pending, sent or failed");
  c->add_flag("--json", list->json, "Print as JSON");
  registry[c] = [&globals, list] { return run_list(globals, *list); };
  auto retry = std::make_shared<MailArgs>();
  c = mail->add_subcommand("retry", "Schedule a message for immediate delivery");
  c->add_option("ID", retry->id, "Message id")->required();
  registry[c] = [&globals, retry] { return run_retry(globals, *retry); };
  auto deliver = std::make_shared<MailArgs>();
  c = mail->add_subcommand("deliver", "Deliver the messages that are due (for cron)");
  c->add_flag("--json", deliver->json, "Print the report as JSON");
  registry[c] = [&globals, deliver] { return run_deliver(globals, *deliver); };
}

}  // namespace portal::cli
