#include "portal/session.hpp"

#include "libportal/api/state.hpp"
#include "portal/error.hpp"

namespace portal {

namespace {
[[noreturn]] void no_study(const std::string& uid) {
  throw Error(ErrorCode::kNotFound, "no study " + uid);
}
}  // namespace

StudyPage Session::find_studies(const StudyQuery& query) const {
  return state_->index->search(query, state_->search_context());
}

Study Session::study(const std::string& study_uid) const {
  auto s = state_->index->study(study_uid);
  if (!s) no_study(study_uid);
  return *s;
}

std::vector<Series> Session::series(const std::string& study_uid) const {
  study(study_uid);  // existence and visibility
  return state_->index->series(study_uid);
}

std::vector<Instance> Session::instances(const std::string& study_uid,
                                         const std::string& series_uid) const {
  study(study_uid);
  return state_->index->instances(study_uid, series_uid);
}

std::vector<Study> Session::history(const std::string& study_uid) const {
  study(study_uid);
  return state_->index->history(study_uid);
}

IngestReport Session::ingest(const std::vector<std::string>& paths, const IngestOptions& options) {
  return state_->ingestor->run(paths, options);
}

IngestResult Session::ingest_bytes(const std::string& name, const std::string& bytes,
                                   const IngestOptions& options) {
  return state_->ingestor->run_bytes(name, bytes, options);
}

std::string Session::instance_bytes(const std::string& sop_uid) const {
  auto loc = state_->index->instance_location(sop_uid);
  if (!loc) throw Error(ErrorCode::kNotFound, "no instance " + sop_uid);
  auto bytes = state_->blobs->read(loc->blob_id);
  if (!bytes) throw Error(ErrorCode::kCorrupt, "the file of instance " + sop_uid + " is missing");
  return std::move(*bytes);
}

}  // namespace portal
