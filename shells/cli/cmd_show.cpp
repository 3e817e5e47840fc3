// shells/cli/cmd_show.cpp — `portal show STUDY_UID`: one study and its series.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct ShowArgs {
  std::string as;  ///< --as LOGIN: act as that account
  std::string study_uid;
  bool json = false;
};

std::string format_time(const std::string& hhmmss) {
  if (hhmmss.size() < 6) return hhmmss;
  return fmt::format("{}:{}:{}", hhmmss.substr(0, 2), hhmmss.substr(2, 2), hhmmss.substr(4, 2));
}

void print_study(const Study& s) {
  const Patient& p = s.patient;
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"Study UID", s.uid},
      {"Patient", format_name(p)},
      {"Patient ID", p.patient_id},
      {"Birth date", format_date(p.birth_date)},
      {"Sex", p.sex},
      {"Date", fmt::format("{} {}", format_date(s.date), format_time(s.time))},
      {"Description", s.description},
      {"Accession", s.accession},
      {"Referring", s.referring_physician},
      {"Performing", s.performing_physician},
      {"Reading", s.reading_physician},
      {"Site", s.institution},
      {"Repository", s.repository},
      {"Modalities", join(s.modalities, ", ")},
      {"Series", std::to_string(s.num_series)},
      {"Instances", std::to_string(s.num_instances)},
      {"Size", format_bytes(s.size_bytes)},
      {"Received", s.received_at},
      {"Updated", s.updated_at},
  };
  for (const auto& [name, value] : fields) {
    std::cout << fmt::format("{:<12} {}\n", name + ":", value);
  }
}

int run_show(const Globals& globals, const ShowArgs& args) {
  auto portal = open_portal(globals);
  const Session session = session_for(*portal, args.as);
  const Study study = session.study(args.study_uid);
  const std::vector<Series> series = session.series(args.study_uid);

  if (args.json) {
    Json list = Json::array();
    for (const Series& s : series) list.push_back(to_json(s));
    print_json({{"study", to_json(study)}, {"series", std::move(list)}});
    return kExitOk;
  }
  print_study(study);
  std::cout << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const Series& s : series) {
    rows.push_back({std::to_string(s.number), s.modality, s.description, s.body_part,
                    std::to_string(s.num_instances), s.uid});
  }
  print_table({"NUMBER", "MODALITY", "DESCRIPTION", "BODY PART", "INSTANCES", "SERIES UID"}, rows,
              {0, 0, 40, 16, 0, 0});
  return kExitOk;
}

}  // namespace

void add_show_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* cmd = root.add_subcommand("show", "Show one study and its series");
  cmd->add_option("STUDY_UID", args->study_uid, "Study Instance UID")->required();
  cmd->add_option("--as", args->as, "Act as this account (its access rules apply)")->type_name("LOGIN");
  cmd->add_flag("--json", args->json, "Print as JSON");
  registry[cmd] = [&globals, args] { return run_show(globals, *args); };
}

}  // namespace portal::cli
