#include "portal/session.hpp"

#include "libportal/api/state.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"

namespace portal {

namespace {
[[noreturn]] void no_study(const std::string& uid) {
  throw Error(ErrorCode::kNotFound, "no study " + uid);
}
const std::string kNoAddress;
}  // namespace

const std::string& Session::token() const noexcept { return auth_ ? auth_->token : kNoAddress; }

const std::string& Session::address() const { return auth_ ? auth_->address : kNoAddress; }

detail::Principal Session::current() const {
  if (principal_ == PrincipalKind::kSystem) return state_->system_principal();
  if (!auth_) throw Error(ErrorCode::kUnauthenticated, "no session");
  return state_->resolve(*auth_);
}

detail::Principal Session::require_study(const std::string& study_uid) const {
  auto p = current();
  if (!state_->index->study(study_uid, detail::study_filter(p, state_->now_ms()))) {
    state_->audit(p, address(), {"study_view", "not_found", study_uid});
    no_study(study_uid);
  }
  return p;
}

detail::Principal Session::require_admin() const {
  auto p = current();
  if (!detail::may_administer(p))
    throw Error(ErrorCode::kPermissionDenied, "only administrators may do this");
  return p;
}

StudyPage Session::find_studies(const StudyQuery& query) const {
  auto p = current();
  detail::check_query_rights(p, query);
  auto ctx = state_->search_context();
  ctx.filter = detail::study_filter(p, state_->now_ms());
  ctx.seen_role = detail::seen_filter_role(p);
  ctx.report_drafts = detail::has_right(p, std::string(kRightManageReports));
  auto page = state_->index->search(query, ctx);
  for (auto& s : page.studies) detail::redact_study(p, s);
  return page;
}

Study Session::study(const std::string& study_uid) const {
  auto p = current();
  auto s = state_->index->study(study_uid, detail::study_filter(p, state_->now_ms()));
  if (!s) {
    state_->audit(p, address(), {"study_view", "not_found", study_uid});
    no_study(study_uid);
  }
  state_->audit(p, address(), {"study_view", "success", study_uid, s->patient.patient_id});
  detail::redact_study(p, *s);
  return *s;
}

std::vector<Series> Session::series(const std::string& study_uid) const {
  require_study(study_uid);
  return state_->index->series(study_uid);
}

std::vector<Instance> Session::instances(const std::string& study_uid,
                                         const std::string& series_uid) const {
  require_study(study_uid);
  return state_->index->instances(study_uid, series_uid);
}

std::vector<Study> Session::history(const std::string& study_uid) const {
  auto p = require_study(study_uid);
  auto out = state_->index->history(study_uid, detail::study_filter(p, state_->now_ms()));
  for (auto& s : out) detail::redact_study(p, s);
  return out;
}

IngestReport Session::ingest(const std::vector<std::string>& paths, const IngestOptions& options) {
  auto p = current();
  if (!detail::has_right(p, std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not upload");
  return state_->ingestor->run(paths, options);
}

IngestResult Session::ingest_bytes(const std::string& name, const std::string& bytes,
                                   const IngestOptions& options) {
  auto p = current();
  if (!detail::has_right(p, std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not upload");
  return state_->ingestor->run_bytes(name, bytes, options);
}

std::string Session::instance_bytes(const std::string& sop_uid) const {
  auto p = current();
  auto study_uid = state_->accounts->instance_study(sop_uid);
  if (!study_uid ||
      !state_->index->study(*study_uid, detail::study_filter(p, state_->now_ms())))
    throw Error(ErrorCode::kNotFound, "no instance " + sop_uid);
  auto loc = state_->index->instance_location(sop_uid);
  if (!loc) throw Error(ErrorCode::kNotFound, "no instance " + sop_uid);
  auto bytes = state_->blobs->read(loc->blob_id);
  if (!bytes) throw Error(ErrorCode::kCorrupt, "the file of instance " + sop_uid + " is missing");
  state_->audit(p, address(), {"instance_read", "success", *study_uid, "", sop_uid});
  return std::move(*bytes);
}

}  // namespace portal
