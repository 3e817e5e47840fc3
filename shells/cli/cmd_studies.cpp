// shells/cli/cmd_studies.cpp — `portal studies`: search the study list (LIST-3, LIST-4, LIST-5).
#include <fmt/format.h>

#include <iostream>
#include <limits>
#include <memory>
#include <string>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct StudiesArgs {
  std::string as;  ///< --as LOGIN: act as that account
  std::string period;
  std::string sort;
  StudyQuery query;
  bool json = false;
};

int run_studies(const Globals& globals, StudiesArgs args) {
  if (!args.period.empty()) args.query.period = parse_period(args.period);
  if (!args.sort.empty()) args.query.sort = parse_sort(args.sort);
  auto portal = open_portal(globals);
  const StudyPage page = session_for(*portal, args.as).find_studies(args.query);

  if (args.json) {
    Json studies = Json::array();
    for (const Study& s : page.studies) studies.push_back(to_json(s));
    print_json({{"total", page.total},
                {"limit", page.limit},
                {"offset", page.offset},
                {"studies", std::move(studies)}});
    return kExitOk;
  }
  if (!page.studies.empty()) print_study_table(page.studies);
  std::cout << fmt::format("{} of {} studies\n", page.studies.size(), page.total);
  if (page.truncated()) {
    std::cout << fmt::format(
        "More studies match: use --offset {} for the next page, or narrow "
        "the filters.\n",
        page.offset + static_cast<std::int64_t>(page.studies.size()));
  }
  return kExitOk;
}

}  // namespace

void add_studies_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<StudiesArgs>();
  StudyQuery& q = args->query;
  CLI::App* cmd = root.add_subcommand("studies", "Search studies (newest first by default)");
  cmd->add_option("--period", args->period, "all, today, yesterday, 7d, 30d or custom")
      ->type_name("PERIOD");
  cmd->add_option("--from", q.date_from, "Study date from, inclusive")->type_name("YYYYMMDD");
  cmd->add_option("--to", q.date_to, "Study date to, inclusive")->type_name("YYYYMMDD");
  cmd->add_option("--first-name", q.first_name, "Patient first name prefix")->type_name("TEXT");
  cmd->add_option("--last-name", q.last_name, "Patient last name prefix")->type_name("TEXT");
  cmd->add_option("--modality", q.modality, "Modality, e.g. CT")->type_name("CODE");
  cmd->add_option("--patient-id", q.patient_id, "Patient ID (exact)")->type_name("ID");
  cmd->add_option("--accession", q.accession, "Accession number (exact)")->type_name("NUMBER");
  cmd->add_option("--referring", q.referring, "Referring physician name prefix")->type_name("NAME");
  cmd->add_option("--performing", q.performing, "Performing or reading physician name prefix")
      ->type_name("NAME");
  cmd->add_option("--site", q.site, "Institution name prefix")->type_name("NAME");
  cmd->add_option("--seen", q.seen, "Read status for the caller's role: seen or unseen")
      ->type_name("STATUS");
  cmd->add_option("--report", q.report, "Report: yes, no, draft or final (LIST-8)")
      ->type_name("STATUS");
  cmd->add_option("--sort", args->sort,
                  "Sort key, '-' for descending: date, patient_name, patient_id, birth_date, "
                  "accession, description, modality, site, referring, performing, received")
      ->type_name("KEY");
  cmd->add_option("--limit", q.limit, "Rows to return (default and maximum: configured)")
      ->check(CLI::Range(0, std::numeric_limits<int>::max()))
      ->type_name("N");
  cmd->add_option("--offset", q.offset, "Rows to skip")
      ->check(CLI::Range(0, std::numeric_limits<int>::max()))
      ->type_name("N");
  cmd->add_option("--as", args->as, "Act as this account (its access rules apply)")->type_name("LOGIN");
  cmd->add_flag("--json", args->json, "Print the page as JSON");
  registry[cmd] = [&globals, args] { return run_studies(globals, *args); };
}

}  // namespace portal::cli
