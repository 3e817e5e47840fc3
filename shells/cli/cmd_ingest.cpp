// shells/cli/cmd_ingest.cpp — `portal ingest PATH...`: files, folders and zip archives (ING-1).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"

namespace portal::cli {

namespace {

struct IngestArgs {
  std::vector<std::string> paths;
  bool ignore_patient_id = false;
  bool json = false;
  std::string repository;
  std::string results_file;
};

/// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(SteadyClock::now()) {}

  void update(const IngestProgress& p, bool force = false) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(p.files_done) / seconds : 0.0;
    constexpr int kWidth = 30;
    const int filled = p.files_found == 0 ? 0
                                          : static_cast<int>(std::min<std::uint64_t>(
                                                kWidth, kWidth * p.files_done / p.files_found));
    std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '-');
    std::fprintf(stderr, "\r\033[K[%s] %llu/%llu%s files  %.1f MB  %.0f files/s", bar.c_str(),
                 static_cast<unsigned long long>(p.files_done),
                 static_cast<unsigned long long>(p.files_found), p.discovery_complete ? "" : "+",
                 static_cast<double>(p.bytes_done) / 1e6, rate);
    std::fflush(stderr);
    drawn_ = true;
  }

  void finish() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }

 private:
  using SteadyClock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  SteadyClock::time_point start_;
  SteadyClock::time_point last_draw_{};
};

/// --results FILE: one JSON line per settled file, flushed at once so that a reader (or a crash
/// test) sees every acknowledgement the moment it is made.
class ResultsFile {
 public:
  explicit ResultsFile(const std::string& path) : path_(path) {
    if (path.empty()) return;
    file_ = std::fopen(path.c_str(), "a");
    if (file_ == nullptr) {
      throw Error(ErrorCode::kIo,
                  fmt::format("cannot open results file '{}': {}", path, std::strerror(errno)));
    }
  }
  ~ResultsFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  void write(const IngestResult& result) {
    if (file_ == nullptr) return;
    const std::string line = json_line(to_json(result)) + "\n";
    if (std::fputs(line.c_str(), file_) == EOF || std::fflush(file_) != 0) failed_ = true;
  }

  /// Throws Error(kIo) if any line could not be written.
  void check() const {
    if (failed_) throw Error(ErrorCode::kIo, fmt::format("writing '{}' failed", path_));
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

struct Rejection {
  std::string source;
  std::string error;
  std::string message;
};

int run_ingest(const Globals& globals, const IngestArgs& args) {
  auto portal = open_portal(globals);
  ResultsFile results(args.results_file);
  ProgressBar progress(::isatty(STDERR_FILENO) != 0);
  std::vector<Rejection> rejections;  // kept for the summary even when results are not collected

  IngestOptions options;
  options.ignore_patient_id = args.ignore_patient_id;
  options.repository = args.repository;
  options.collect_results = args.json;
  options.on_file = [&](const IngestResult& result, const IngestProgress& p) {
    results.write(result);
    if (result.status == IngestStatus::kRejected && !args.json) {
      rejections.push_back(
          {result.source, std::string(error_code_name(result.error)), result.message});
    }
    progress.update(p, p.discovery_complete && p.files_done == p.files_found);
  };

  IngestReport report;
  try {
    report = portal->system_session().ingest(args.paths, options);
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  results.check();

  if (args.json) {
    Json files = Json::array();
    for (const IngestResult& r : report.files) files.push_back(to_json(r));
    print_json({{"stored", report.stored},
                {"duplicates", report.duplicates},
                {"rejected", report.rejected},
                {"bytes_stored", report.bytes_stored},
                {"files", std::move(files)}});
  } else {
    const std::uint64_t total = report.stored + report.duplicates + report.rejected;
    std::cout << fmt::format("{} files: {} stored, {} duplicates, {} rejected ({} stored)\n", total,
                             report.stored, report.duplicates, report.rejected,
                             format_bytes(static_cast<std::int64_t>(report.bytes_stored)));
    for (const Rejection& r : rejections) {
      std::cout << fmt::format("rejected: {}: {} [{}]\n", r.source, r.message, r.error);
    }
  }
  return report.rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace

void add_ingest_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd =
      root.add_subcommand("ingest", "Ingest DICOM files, folders (recursively) and zip archives");
  cmd->add_option("PATH", args->paths, "Files, folders or zip archives")
      ->required()
      ->type_name("PATH");
  cmd->add_flag("--ignore-patient-id", args->ignore_patient_id,
                "Merge into a known patient whose names and birth date match but whose ID differs");
  cmd->add_flag("--json", args->json, "Print the report as one JSON document");
  cmd->add_option("--repository", args->repository, "Repository recorded on new studies")
      ->type_name("NAME");
  cmd->add_option("--results", args->results_file,
                  "Append one JSON line per settled file to FILE, flushed as acknowledged")
      ->type_name("FILE");
  registry[cmd] = [&globals, args] { return run_ingest(globals, *args); };
}

}  // namespace portal::cli
