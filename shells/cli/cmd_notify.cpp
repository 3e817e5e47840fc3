// shells/cli/cmd_notify.cpp — `portal notify STUDY` (manual referring-physician notification)
// and `portal notify run` (run the due automatic notifications: cron) (DIF-2..4).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct NotifyArgs {
  std::string study_uid;
  std::string as;
  bool json = false;
  bool deliver = false;
};

int run_notify(const Globals& globals, const NotifyArgs& a) {
  if (a.study_uid.empty())
    throw Error(ErrorCode::kInvalidArgument, "give a study uid, or `run` for the due notifications");
  auto portal = open_portal(globals);
  Notification n = session_for(*portal, a.as).notify(a.study_uid);
  if (a.json) {
    print_json(to_json(n));
  } else if (n.status == "failure") {
    std::cout << fmt::format("notification {}: failure: {}\n", n.id, n.error);
  } else {
    std::cout << fmt::format("notification {}: {} to {} ({})\n", n.id, n.status, n.recipient,
                             n.recipient_login);
  }
  // A failure is a recorded outcome, not a usage error; say so in the exit code all the same.
  return n.status == "failure" ? kExitConflict : kExitOk;
}

int run_due(const Globals& globals, const NotifyArgs& a) {
  auto portal = open_portal(globals);
  NotificationReport r = portal->run_notifications();
  MailDeliveryReport m;
  if (a.deliver) m = portal->deliver_mail();
  if (a.json) {
    Json out = {{"due", r.due}, {"queued", r.queued}, {"failed", r.failed}};
    if (a.deliver) out["mail"] = {{"attempted", m.attempted}, {"sent", m.sent}, {"failed", m.failed},
                                  {"retrying", m.retrying}};
    print_json(out);
  } else {
    std::cout << fmt::format("{} due, {} queued for mail, {} failed\n", r.due, r.queued, r.failed);
    if (a.deliver)
      std::cout << fmt::format("mail: {} sent, {} failed, {} retrying\n", m.sent, m.failed,
                               m.retrying);
  }
  return kExitOk;
}

}  // namespace

void add_notify_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<NotifyArgs>();
  CLI::App* c = root.add_subcommand(
      "notify", "Notify a study's referring physician now, or `notify run` the due rules");
  c->add_option("STUDY_UID", args->study_uid, "Study Instance UID");
  c->add_option("--as", args->as, "Act as this account (its rights apply)");
  c->add_flag("--json", args->json, "Print as JSON");
  registry[c] = [&globals, args] { return run_notify(globals, *args); };

  auto due = std::make_shared<NotifyArgs>();
  CLI::App* run = c->add_subcommand("run", "Run the automatic notifications that are due (cron)");
  run->add_flag("--deliver", due->deliver, "Also deliver the outbox afterwards");
  run->add_flag("--json", due->json, "Print as JSON");
  registry[run] = [&globals, due] { return run_due(globals, *due); };
}

}  // namespace portal::cli
