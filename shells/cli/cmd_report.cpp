// shells/cli/cmd_report.cpp — `portal report show|set|delete STUDY` (LIST-8, VIEW-6).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli_common.hpp"
#include "portal/reports.hpp"

namespace portal::cli {

namespace {

struct ReportArgs {
  std::string study_uid;
  std::string as;
  std::string text;
  std::string file;
  std::string status = "draft";
  std::string pdf_output;  ///< show: write the report as PDF here
  bool json = false;
};

Json report_json(const Report& r) {
  return {{"study_uid", r.study_uid},
          {"status", std::string(report_status_name(r.status))},
          {"format", std::string(report_format_name(r.format))},
          {"text", r.text},
          {"pdf_size", r.pdf_size},
          {"author", r.author},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"source", r.source},
          {"sop_uid", r.sop_uid}};
}

void print_report(const Report& r) {
  std::cout << fmt::format("Status:  {}\nFormat:  {}\nAuthor:  {}\nCreated: {}\nUpdated: {}\n",
                           report_status_name(r.status), report_format_name(r.format), r.author,
                           r.created_at, r.updated_at);
  if (r.source == "dicom") std::cout << fmt::format("From:    DICOM instance {}\n", r.sop_uid);
  if (r.format == ReportFormat::kPdf)
    std::cout << fmt::format("PDF:     {} (portal report show --pdf FILE)\n",
                             format_bytes(r.pdf_size));
  else
    std::cout << "\n" << r.text << (r.text.empty() || r.text.back() == '\n' ? "" : "\n");
}

int run_show(const Globals& globals, const ReportArgs& a) {
  auto portal = open_portal(globals);
  Session s = session_for(*portal, a.as);
  if (!a.pdf_output.empty()) {
    std::string pdf = s.report_pdf(a.study_uid);
    std::ofstream out(a.pdf_output, std::ios::binary | std::ios::trunc);
    out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
    out.close();
    if (!out) throw Error(ErrorCode::kIo, "cannot write " + a.pdf_output);
    std::cerr << fmt::format("wrote {} ({})\n", a.pdf_output,
                             format_bytes(static_cast<std::int64_t>(pdf.size())));
    return kExitOk;
  }
  auto r = s.report(a.study_uid);
  if (!r) {
    if (a.json) print_json(nullptr);
    else std::cout << "no report\n";
    return kExitNotFound;
  }
  if (a.json) print_json(report_json(*r));
  else print_report(*r);
  return kExitOk;
}

int run_set(const Globals& globals, const ReportArgs& a) {
  ReportContent content;
  content.status = parse_report_status(a.status);
  if (!a.text.empty() && !a.file.empty())
    throw Error(ErrorCode::kInvalidArgument, "give --text or --file, not both");
  if (!a.file.empty()) {
    std::ifstream in(a.file, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + a.file);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    // A PDF by content; anything else is the report's text (the core checks it).
    std::string data = bytes.str();
    if (data.rfind("%PDF-", 0) == 0) content.pdf = std::move(data);
    else content.text = std::move(data);
  } else if (!a.text.empty()) {
    content.text = a.text;
  } else {
    throw Error(ErrorCode::kInvalidArgument, "give the report with --text or --file");
  }
  auto portal = open_portal(globals);
  Report r = session_for(*portal, a.as).set_report(a.study_uid, content);
  if (a.json) print_json(report_json(r));
  else std::cout << fmt::format("report of {} saved ({}, {})\n", a.study_uid,
                                report_status_name(r.status), report_format_name(r.format));
  return kExitOk;
}

int run_delete(const Globals& globals, const ReportArgs& a) {
  auto portal = open_portal(globals);
  session_for(*portal, a.as).delete_report(a.study_uid);
  std::cout << fmt::format("report of {} deleted\n", a.study_uid);
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* report = root.add_subcommand("report", "Show, write or delete a study's report");
  report->require_subcommand(1);

  auto show = std::make_shared<ReportArgs>();
  CLI::App* c = report->add_subcommand("show", "Print the report (exit 5 when there is none)");
  c->add_option("STUDY_UID", show->study_uid, "Study Instance UID")->required();
  c->add_option("--pdf", show->pdf_output, "Write the report as a PDF to this file instead");
  c->add_flag("--json", show->json, "Print the report as JSON");
  c->add_option("--as", show->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, show] { return run_show(globals, *show); };

  auto set = std::make_shared<ReportArgs>();
  c = report->add_subcommand("set", "Create or replace the report (manage_reports right)");
  c->add_option("STUDY_UID", set->study_uid, "Study Instance UID")->required();
  c->add_option("--text", set->text, "The report text");
  c->add_option("--file", set->file, "A PDF or a UTF-8 text file");
  c->add_option("--status", set->status, "draft (default) or final");
  c->add_flag("--json", set->json, "Print the saved report as JSON");
  c->add_option("--as", set->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, set] { return run_set(globals, *set); };

  auto del = std::make_shared<ReportArgs>();
  c = report->add_subcommand("delete", "Delete the report (manage_reports right)");
  c->add_option("STUDY_UID", del->study_uid, "Study Instance UID")->required();
  c->add_option("--as", del->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, del] { return run_delete(globals, *del); };
}

}  // namespace portal::cli
