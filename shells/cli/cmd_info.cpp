// shells/cli/cmd_info.cpp — `portal info STUDY`: study information (LIST-7): the study and its
// patient; for privileged profiles its shares, notifications and mail errors.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct InfoArgs {
  std::string study_uid;
  std::string as;
  bool json = false;
};

std::string share_state(const Share& s) {
  if (!s.revoked_at.empty()) return "revoked";
  if (!s.active) return "expired";
  return s.pending ? "pending" : "active";
}

int run_info(const Globals& globals, const InfoArgs& a) {
  auto portal = open_portal(globals);
  StudyInfo info = session_for(*portal, a.as).study_info(a.study_uid);
  if (a.json) {
    Json out = {{"study", to_json(info.study)}, {"series", Json::array()},
                {"privileged", info.privileged}};
    for (const auto& s : info.series) out["series"].push_back(to_json(s));
    if (info.privileged) {
      out["shares"] = Json::array();
      for (const auto& s : info.shares) out["shares"].push_back(to_json(s));
      out["notifications"] = Json::array();
      for (const auto& n : info.notifications) out["notifications"].push_back(to_json(n));
      out["mail_errors"] = Json::array();
      for (const auto& m : info.mail_errors) out["mail_errors"].push_back(to_json(m));
    }
    print_json(out);
    return kExitOk;
  }
  const Study& s = info.study;
  const Patient& p = s.patient;
  std::cout << fmt::format("{:<14} {}\n", "Study UID:", s.uid)
            << fmt::format("{:<14} {}\n", "Patient:", format_name(p))
            << fmt::format("{:<14} {}\n", "Patient ID:", p.patient_id)
            << fmt::format("{:<14} {}\n", "Birth date:", format_date(p.birth_date))
            << fmt::format("{:<14} {}\n", "Sex:", p.sex)
            << fmt::format("{:<14} {}\n", "Date:", format_date(s.date))
            << fmt::format("{:<14} {}\n", "Description:", s.description)
            << fmt::format("{:<14} {}\n", "Accession:", s.accession)
            << fmt::format("{:<14} {}\n", "Referring:", s.referring_physician)
            << fmt::format("{:<14} {}\n", "Site:", s.institution)
            << fmt::format("{:<14} {}\n", "Modalities:", join(s.modalities, ", "))
            << fmt::format("{:<14} {} series, {} instances\n", "Content:", s.num_series,
                           s.num_instances);
  if (!info.privileged) return kExitOk;
  std::cout << fmt::format("{:<14} {}{}\n", "Notification:", s.notification_status,
                           s.notification_error.empty() ? "" : " (" + s.notification_error + ")");
  std::cout << "\nShares\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& sh : info.shares)
    rows.push_back({std::to_string(sh.id), sh.recipient, sh.shared_by, sh.created_at,
                    sh.expires_at.empty() ? "never" : sh.expires_at, sh.revoked_at,
                    share_state(sh)});
  print_table({"ID", "RECIPIENT", "BY", "CREATED", "EXPIRES", "REVOKED", "STATE"}, rows,
              {0, 40, 0, 0, 0, 0, 0});
  std::cout << "\nNotifications\n";
  rows.clear();
  for (const auto& n : info.notifications)
    rows.push_back({std::to_string(n.id), n.trigger, n.rule, n.status, n.recipient, n.due_at,
                    n.error});
  print_table({"ID", "TRIGGER", "RULE", "STATUS", "RECIPIENT", "DUE", "ERROR"}, rows,
              {0, 0, 20, 0, 40, 0, 60});
  std::cout << "\nMail errors\n";
  rows.clear();
  for (const auto& m : info.mail_errors)
    rows.push_back({std::to_string(m.id), m.to, m.kind, std::string(mail_status_name(m.status)),
                    std::to_string(m.attempts), m.last_error});
  print_table({"ID", "TO", "KIND", "STATUS", "ATTEMPTS", "ERROR"}, rows, {0, 40, 0, 0, 0, 80});
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* c = root.add_subcommand(
      "info", "Study information: study, patient; shares, notifications, mail errors (LIST-7)");
  c->add_option("STUDY_UID", args->study_uid, "Study Instance UID")->required();
  c->add_option("--as", args->as, "Act as this account (its rights apply)");
  c->add_flag("--json", args->json, "Print as JSON");
  registry[c] = [&globals, args] { return run_info(globals, *args); };
}

}  // namespace portal::cli
