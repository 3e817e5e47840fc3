#include "portal/portal.hpp"

#include <filesystem>

#include "libportal/api/state.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/fs.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal {

namespace detail {

SearchContext PortalState::search_context() const {
  auto now = clock->now();
  SearchContext ctx;
  ctx.today = local_date(now);
  ctx.yesterday = local_date(now, 1);
  ctx.days_ago_6 = local_date(now, 6);
  ctx.days_ago_29 = local_date(now, 29);
  ctx.default_limit = options.search_default_limit;
  ctx.max_limit = options.search_max_limit;
  return ctx;
}

}  // namespace detail

std::shared_ptr<Portal> Portal::open(const std::string& dir, Options options) {
  if (dir.empty()) throw Error(ErrorCode::kInvalidArgument, "no data directory given");
  detail::dicom_init();
  auto state = std::make_shared<detail::PortalState>();
  state->data_dir = std::filesystem::absolute(dir).lexically_normal().string();
  if (state->data_dir.size() > 1 && state->data_dir.back() == '/') state->data_dir.pop_back();
  detail::make_dirs(state->data_dir);
  std::string scratch = state->data_dir + "/tmp";
  detail::make_dirs(scratch);
  // Scratch files belong to ingests that are over; a crash may have left some.
  for (const auto& e : std::filesystem::directory_iterator(scratch)) {
    std::error_code ec;
    std::filesystem::remove(e.path(), ec);
  }
  state->options = options;
  state->clock = options.clock ? options.clock : system_clock();
  state->blobs = options.blob_store ? options.blob_store
                                    : file_blob_store(state->data_dir + "/blobs", options.durable);
  state->index = std::make_unique<detail::Index>(state->data_dir + "/index.sqlite");
  // Files published by a process that died before indexing them are removed.
  state->blobs->recover([&](const std::string& id) { return state->index->blob_indexed(id); });
  state->ingestor = std::make_unique<detail::Ingestor>(detail::IngestContext{
      *state->index, *state->blobs, state->options, *state->clock, scratch});
  return std::shared_ptr<Portal>(new Portal(std::move(state)));
}

Portal::Portal(std::shared_ptr<detail::PortalState> state) : state_(std::move(state)) {}
Portal::~Portal() = default;

Session Portal::system_session() { return Session(state_, PrincipalKind::kSystem); }

const std::string& Portal::data_dir() const { return state_->data_dir; }
const Options& Portal::options() const { return state_->options; }

}  // namespace portal
