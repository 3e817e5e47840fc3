// shells/cli/cmd_attach.cpp — `portal attach` (ING-3) and `portal dicomize` (ING-4): files
// turned into instances of an existing study, or a new study made from images.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "portal/documents.hpp"

namespace portal::cli {

namespace {

struct AttachArgs {
  std::string study_uid;
  std::vector<std::string> files;
  std::string as;
  NewStudyForm form;
  std::string patient_name;  ///< dicomize: "FAMILY^GIVEN"
  bool json = false;
};

std::vector<NamedFile> read_files(const std::vector<std::string>& paths) {
  std::vector<NamedFile> out;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out.push_back({path, bytes.str()});
  }
  return out;
}

int report(const std::vector<IngestResult>& results, bool json) {
  int rejected = 0;
  Json files = Json::array();
  for (const IngestResult& r : results) {
    files.push_back(to_json(r));
    if (r.status == IngestStatus::kRejected) ++rejected;
  }
  if (json) {
    print_json({{"files", std::move(files)}});
  } else {
    for (const IngestResult& r : results) {
      std::cout << fmt::format("{}: {}{}\n", r.source, ingest_status_name(r.status),
                               r.message.empty() ? "" : " — " + r.message);
    }
  }
  return rejected ? kExitRejected : kExitOk;
}

int run_attach(const Globals& globals, const AttachArgs& a) {
  auto portal = open_portal(globals);
  return report(session_for(*portal, a.as).add_files(a.study_uid, read_files(a.files)), a.json);
}

int run_dicomize(const Globals& globals, AttachArgs a) {
  auto caret = a.patient_name.find('^');
  a.form.patient_family_name = a.patient_name.substr(0, caret);
  if (caret != std::string::npos) a.form.patient_given_name = a.patient_name.substr(caret + 1);
  auto portal = open_portal(globals);
  return report(session_for(*portal, a.as).create_study(a.form, read_files(a.files)), a.json);
}

}  // namespace

void add_attach_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto at = std::make_shared<AttachArgs>();
  CLI::App* cmd = root.add_subcommand(
      "attach", "Add DICOM, PDF, PNG or JPEG files to an existing study");
  cmd->add_option("STUDY_UID", at->study_uid, "Study Instance UID")->required();
  cmd->add_option("FILE", at->files, "Files to add")->required();
  cmd->add_option("--as", at->as, "Act as this account (its rights apply)");
  cmd->add_flag("--json", at->json, "Print per-file results as JSON");
  registry[cmd] = [&globals, at] { return run_attach(globals, *at); };

  auto dz = std::make_shared<AttachArgs>();
  NewStudyForm& f = dz->form;
  cmd = root.add_subcommand("dicomize", "Make a new study from PNG/JPEG images and patient data");
  cmd->add_option("FILE", dz->files, "PNG or JPEG images")->required();
  cmd->add_option("--patient-name", dz->patient_name, "\"FAMILY^GIVEN\"")->required();
  cmd->add_option("--birth-date", f.birth_date, "YYYYMMDD")->required();
  cmd->add_option("--sex", f.sex, "M, F or O")->required();
  cmd->add_option("--patient-id", f.patient_id, "Patient ID")->required();
  cmd->add_option("--study-date", f.study_date, "YYYYMMDD")->required();
  cmd->add_option("--modality", f.modality, "Modality (default OT)");
  cmd->add_option("--description", f.study_description, "Study description");
  cmd->add_option("--accession", f.accession, "Accession number");
  cmd->add_option("--referring", f.referring_physician, "Referring physician \"FAMILY^GIVEN\"");
  cmd->add_option("--as", dz->as, "Act as this account (its rights apply)");
  cmd->add_flag("--json", dz->json, "Print per-file results as JSON");
  registry[cmd] = [&globals, dz] { return run_dicomize(globals, *dz); };
}

}  // namespace portal::cli
