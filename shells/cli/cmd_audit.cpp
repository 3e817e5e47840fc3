// shells/cli/cmd_audit.cpp — `portal audit [filters]`: the audit trail (PLAT-3).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct AuditArgs {
  AuditQuery query;
  bool json = false;
};

int run_audit(const Globals& globals, const AuditArgs& a) {
  auto portal = open_portal(globals);
  const std::vector<AuditEvent> events = portal->system_session().audit(a.query);
  if (a.json) {
    Json list = Json::array();
    for (const AuditEvent& e : events) list.push_back(to_json(e));
    print_json({{"events", std::move(list)}});
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const AuditEvent& e : events) {
    rows.push_back({e.at, e.login, e.profile, e.address, e.action, e.outcome, e.study_uid, e.detail});
  }
  print_table({"AT", "WHO", "PROFILE", "FROM", "ACTION", "OUTCOME", "STUDY", "DETAIL"}, rows,
              {0, 24, 0, 0, 0, 0, 40, 40});
  std::cout << fmt::format("{} event(s)\n", events.size());
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<AuditArgs>();
  AuditQuery& q = args->query;
  CLI::App* c = root.add_subcommand("audit", "Search the audit trail, newest first");
  c->add_option("--login", q.login, "Who (login, 'system', or accession for patients)");
  c->add_option("--action", q.action, "e.g. sign_in, study_view, user_activate");
  c->add_option("--study", q.study_uid, "Study Instance UID");
  c->add_option("--patient-id", q.patient_id, "Patient ID");
  c->add_option("--outcome", q.outcome, "success, failure, locked or denied");
  c->add_option("--from", q.from, "From (UTC): 2026-11-28, 20261128 or 2026-11-28T09:15:02Z");
  c->add_option("--to", q.to, "To (UTC), inclusive");
  c->add_option("--limit", q.limit, "Rows (default 200)");
  c->add_option("--offset", q.offset, "Rows to skip");
  c->add_flag("--json", args->json, "Print as JSON");
  registry[c] = [&globals, args] { return run_audit(globals, *args); };
}

}  // namespace portal::cli
