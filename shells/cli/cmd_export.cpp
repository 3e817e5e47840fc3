// shells/cli/cmd_export.cpp — `portal export STUDY --format dicom|jpeg|pdf -o FILE` (LIST-7).
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "portal/documents.hpp"

namespace portal::cli {

namespace {

struct ExportArgs {
  std::string study_uid;
  std::string format = "dicom";
  std::string output;
  std::string as;
};

int run_export(const Globals& globals, const ExportArgs& a) {
  ExportFormat format = parse_export_format(a.format);
  auto portal = open_portal(globals);
  Session session = session_for(*portal, a.as);
  session.study(a.study_uid);  // refuse before creating the output file
  // Written to a temporary name and renamed, so a failed export leaves no partial file.
  std::string tmp = a.output == "-" ? "" : a.output + ".part";
  std::FILE* out = tmp.empty() ? stdout : std::fopen(tmp.c_str(), "wb");
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + a.output);
  std::uint64_t bytes = 0;
  try {
    session.export_study(a.study_uid, format, [&](const char* d, std::size_t n) {
      if (std::fwrite(d, 1, n, out) != n) throw Error(ErrorCode::kIo, "cannot write " + a.output);
      bytes += n;
    });
  } catch (...) {
    if (!tmp.empty()) {
      std::fclose(out);
      std::remove(tmp.c_str());
    }
    throw;
  }
  if (tmp.empty()) {
    std::fflush(out);
    return kExitOk;
  }
  if (std::fclose(out) != 0 || std::rename(tmp.c_str(), a.output.c_str()) != 0)
    throw Error(ErrorCode::kIo, "cannot write " + a.output);
  std::cerr << fmt::format("wrote {} ({})\n", a.output, format_bytes(static_cast<std::int64_t>(bytes)));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = root.add_subcommand("export", "Export a study: zip of DICOM with DICOMDIR, zip of JPEG, or PDF summary");
  cmd->add_option("STUDY_UID", a->study_uid, "Study Instance UID")->required();
  cmd->add_option("--format", a->format, "dicom (default), jpeg or pdf");
  cmd->add_option("-o,--output", a->output, "Output file ('-' for standard output)")->required();
  cmd->add_option("--as", a->as, "Act as this account (its rights apply)");
  registry[cmd] = [&globals, a] { return run_export(globals, *a); };
}

}  // namespace portal::cli
