// shells/http/routes_uploads.cpp — uploads with per-file results (ING-1, ING-2, ING-6: DICOM
// files and zip archives), files added to a study (ING-3), a study made from images (ING-4).
// The server has streamed every file to disk before these run.
#include <fstream>
#include <sstream>

#include "routes.hpp"

namespace portal::http::handlers {

namespace {

void count(App& app, const IngestResult& r) {
  switch (r.status) {
    case IngestStatus::kStored: app.ingest_stored.fetch_add(1); break;
    case IngestStatus::kDuplicate: app.ingest_duplicates.fetch_add(1); break;
    case IngestStatus::kRejected: app.ingest_rejected.fetch_add(1); break;
  }
}

Json results_json(App& app, const std::vector<IngestResult>& results) {
  Json files = Json::array();
  std::uint64_t stored = 0, duplicates = 0, rejected = 0;
  for (const auto& r : results) {
    count(app, r);
    stored += r.status == IngestStatus::kStored;
    duplicates += r.status == IngestStatus::kDuplicate;
    rejected += r.status == IngestStatus::kRejected;
    files.push_back(shell::to_json(r));
  }
  return {{"stored", stored}, {"duplicates", duplicates}, {"rejected", rejected},
          {"files", std::move(files)}};
}

std::vector<NamedFile> read_files(const Context& ctx) {
  std::vector<NamedFile> files;
  for (const auto& f : ctx.files) {
    std::ifstream in(f.path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files.push_back({f.filename, bytes.str()});
  }
  return files;
}

void require_files(const Context& ctx) {
  if (ctx.files.empty())
    throw Error(ErrorCode::kInvalidArgument, "no file in the upload (multipart field \"files\")");
}

}  // namespace

void upload(Context& ctx) {
  require_files(ctx);
  std::vector<std::string> paths;
  for (const auto& f : ctx.files) paths.push_back(f.path);
  IngestOptions options;
  options.repository = "upload";
  // ING-2: the form's "ignore patient ID verification" checkbox (web app upload dialog).
  if (auto it = ctx.fields.find("ignore_patient_id"); it != ctx.fields.end())
    options.ignore_patient_id = it->second == "true" || it->second == "1" || it->second == "on";
  IngestReport report = ctx.user().ingest(paths, options);
  // Report each file under the name the client gave it, never the server's temporary path.
  for (auto& r : report.files)
    for (const auto& f : ctx.files)
      if (r.source.rfind(f.path, 0) == 0 &&
          (r.source.size() == f.path.size() || r.source[f.path.size()] == '!')) {
        r.source = f.filename + r.source.substr(f.path.size());
        break;
      }
  ctx.send(results_json(ctx.app, report.files));
}

void add_files(Context& ctx) {
  require_files(ctx);
  auto results = ctx.user().add_files(ctx.params.at(0), read_files(ctx));
  ctx.send(results_json(ctx.app, results));
}

void create_study(Context& ctx) {
  NewStudyForm form;
  auto field = [&](const char* name) {
    auto it = ctx.fields.find(name);
    return it == ctx.fields.end() ? std::string() : it->second;
  };
  form.patient_family_name = field("patient_family_name");
  form.patient_given_name = field("patient_given_name");
  form.birth_date = field("birth_date");
  form.sex = field("sex");
  form.patient_id = field("patient_id");
  form.study_description = field("study_description");
  form.study_date = field("study_date");
  if (auto m = field("modality"); !m.empty()) form.modality = m;
  form.accession = field("accession");
  form.referring_physician = field("referring_physician");
  auto results = ctx.user().create_study(form, read_files(ctx));
  ctx.send(results_json(ctx.app, results), 201);
}

}  // namespace portal::http::handlers
