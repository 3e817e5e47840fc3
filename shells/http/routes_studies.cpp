// shells/http/routes_studies.cpp — study search (LIST-1, LIST-3..5), one study, its series,
// instances and history (LIST-7), seen status (DIF-1), disabling, patient access codes,
// exports (LIST-7, VIEW-6), sending to a DICOM node (PLAT-2).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "routes.hpp"

namespace portal::http::handlers {

namespace {

const std::string& study_uid(Context& ctx) { return ctx.params.at(0); }

// Study lists are the hottest answers: written straight to text (shell::append_json).
void append_studies(std::string& out, const std::vector<Study>& studies) {
  out += '[';
  for (std::size_t i = 0; i < studies.size(); ++i) {
    if (i) out += ',';
    shell::append_json(out, studies[i]);
  }
  out += ']';
}

}  // namespace

void find_studies(Context& ctx) {
  static const std::vector<std::string> kKnown = {
      "period", "date_from", "date_to", "first_name", "last_name", "modality", "patient_id",
      "accession", "referring", "performing", "site", "seen", "sort", "limit", "offset"};
  for (const auto& [name, value] : ctx.req.params)
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end())
      throw Error(ErrorCode::kInvalidArgument, "unknown search parameter: " + name);
  StudyQuery q;
  if (auto p = ctx.query("period"); !p.empty()) q.period = parse_period(p);
  q.date_from = ctx.query("date_from");
  q.date_to = ctx.query("date_to");
  q.first_name = ctx.query("first_name");
  q.last_name = ctx.query("last_name");
  q.modality = ctx.query("modality");
  q.patient_id = ctx.query("patient_id");
  q.accession = ctx.query("accession");
  q.referring = ctx.query("referring");
  q.performing = ctx.query("performing");
  q.site = ctx.query("site");
  q.seen = ctx.query("seen");
  if (auto s = ctx.query("sort"); !s.empty()) q.sort = parse_sort(s);
  auto limit = ctx.query_int("limit").value_or(0);
  auto offset = ctx.query_int("offset").value_or(0);
  if (limit < 0 || offset < 0 || limit > 1000000 || offset > 1000000000)
    throw Error(ErrorCode::kInvalidArgument, "limit and offset must be non-negative");
  q.limit = static_cast<int>(limit);
  q.offset = static_cast<int>(offset);
  StudyPage page = ctx.user().find_studies(q);
  std::string out = "{\"total\":" + std::to_string(page.total) +
                    ",\"limit\":" + std::to_string(page.limit) +
                    ",\"offset\":" + std::to_string(page.offset) +
                    ",\"truncated\":" + (page.truncated() ? "true" : "false") + ",\"studies\":";
  out.reserve(out.size() + page.studies.size() * 700);
  append_studies(out, page.studies);
  out += '}';
  ctx.send_bytes(std::move(out), "application/json");
}

void get_study(Context& ctx) {
  std::string out;
  out.reserve(800);
  shell::append_json(out, ctx.user().study(study_uid(ctx)));
  ctx.send_bytes(std::move(out), "application/json");
}

void get_series(Context& ctx) {
  Json list = Json::array();
  for (const auto& s : ctx.user().series(study_uid(ctx))) list.push_back(shell::to_json(s));
  ctx.send({{"series", std::move(list)}});
}

void get_instances(Context& ctx) {
  Json list = Json::array();
  for (const auto& i : ctx.user().instances(study_uid(ctx), ctx.query("series_uid")))
    list.push_back(shell::to_json(i));
  ctx.send({{"instances", std::move(list)}});
}

void get_history(Context& ctx) {
  std::string out = "{\"studies\":";
  append_studies(out, ctx.user().history(study_uid(ctx)));
  out += '}';
  ctx.send_bytes(std::move(out), "application/json");
}

void mark_seen(Context& ctx) {
  ctx.user().mark_seen(study_uid(ctx));
  ctx.no_content();
}

void set_disabled(Context& ctx) {
  Json b = ctx.json();
  if (!b.contains("disabled"))
    throw Error(ErrorCode::kInvalidArgument, "give \"disabled\": true or false");
  ctx.user().set_study_disabled(study_uid(ctx), get_bool(b, "disabled", false));
  ctx.no_content();
}

void new_access_code(Context& ctx) {
  ctx.send({{"access_code", ctx.user().new_patient_access_code(study_uid(ctx))}}, 201);
}

void send_study(Context& ctx) {
  SendReport r = ctx.user().send_study(study_uid(ctx), get_string(ctx.json(), "node"));
  ctx.send({{"node", r.node}, {"sent", r.sent}, {"failed", r.failed}, {"failures", r.failures}});
}

void export_study(Context& ctx) {
  const std::string format_text = ctx.query("format", "dicom");
  ExportFormat format = parse_export_format(format_text);
  // Written to a temporary file first so that a refusal is a clean error response, then
  // streamed from disk: memory stays bounded whatever the study's size.
  std::filesystem::create_directories(ctx.app.tmp_dir);
  auto path = std::make_shared<std::string>(
      ctx.app.tmp_dir + "/export-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
      std::to_string(reinterpret_cast<std::uintptr_t>(&ctx)));
  std::uint64_t size = 0;
  try {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::kIo, "cannot write a temporary export file");
    ctx.user().export_study(study_uid(ctx), format, [&](const char* data, std::size_t n) {
      out.write(data, static_cast<std::streamsize>(n));
      size += n;
      if (!out) throw Error(ErrorCode::kIo, "cannot write a temporary export file");
    });
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(*path, ec);
    throw;
  }
  const char* type = format == ExportFormat::kPdf ? "application/pdf" : "application/zip";
  const char* ext = format == ExportFormat::kPdf ? "pdf" : "zip";
  ctx.res.set_header("Content-Disposition", std::string("attachment; filename=\"study-") +
                                                format_text + "." + ext + "\"");
  auto file = std::make_shared<std::ifstream>(*path, std::ios::binary);
  ctx.res.status = 200;
  ctx.res.set_content_provider(
      size, type,
      [file](size_t offset, size_t length, httplib::DataSink& sink) {
        char buffer[64 * 1024];
        file->seekg(static_cast<std::streamoff>(offset));
        std::size_t n = std::min(length, sizeof buffer);
        file->read(buffer, static_cast<std::streamsize>(n));
        if (file->gcount() <= 0) return false;
        sink.write(buffer, static_cast<std::size_t>(file->gcount()));
        return true;
      },
      [path](bool) {
        std::error_code ec;
        std::filesystem::remove(*path, ec);
      });
}

}  // namespace portal::http::handlers
