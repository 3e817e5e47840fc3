// The DICOM receiver (PLAT-2): DCMTK's C-STORE provider (dicom/dicom_net) feeding the ingest
// through a group commit shared by every association.
#include "portal/dicomnet.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "libportal/api/state.hpp"
#include "libportal/dicom/dicom_net.hpp"
#include "libportal/ingest/prepared.hpp"
#include "portal/error.hpp"

namespace portal {

namespace {
// One received instance waiting for the group commit.
struct Job {
  detail::Prepared prepared;
  std::string repository;
  bool done = false;
};
}  // namespace

/// How long a group commit waits for instances of other associations still arriving.
constexpr int kGatherMs = 4;

struct DicomReceiver::Impl {
  Session session;
  std::shared_ptr<detail::PortalState> state;
  detail::StoreServerConfig config;
  std::unique_ptr<detail::StoreServer> server;

  std::mutex mutex;
  std::condition_variable work, settled;
  std::deque<Job*> queue;  // guarded by mutex
  bool quit = false;       // guarded by mutex
  std::thread committer;
  DicomReceiverStats counts;  // stored/duplicates/failed, guarded by mutex

  explicit Impl(Session s) : session(std::move(s)) {}

  std::uint16_t receive(const std::string& calling, const std::string& file);
  void commit_loop();
};

std::uint16_t DicomReceiver::Impl::receive(const std::string& calling, const std::string& file) {
  Job job;
  job.repository = "dicom:" + calling;
  // Read, hash, parse and stage on this association's thread; only the commit is shared.
  job.prepared = state->ingestor->stage("dicom:" + calling, file);
  {
    std::unique_lock<std::mutex> lock(mutex);
    queue.push_back(&job);
    work.notify_one();
    settled.wait(lock, [&] { return job.done; });
  }
  const auto& r = job.prepared.result;
  std::lock_guard<std::mutex> lock(mutex);
  switch (r.status) {
    case IngestStatus::kStored: ++counts.stored; return detail::kStatusSuccess;
    case IngestStatus::kDuplicate: ++counts.duplicates; return detail::kStatusSuccess;
    case IngestStatus::kRejected: break;
  }
  ++counts.failed;
  if (r.error == ErrorCode::kTooLarge || r.error == ErrorCode::kIo)
    return detail::kStatusOutOfResources;
  if (r.error == ErrorCode::kCorrupt || r.error == ErrorCode::kInvalidArgument)
    return detail::kStatusCannotUnderstand;
  return detail::kStatusProcessingFailure;
}

void DicomReceiver::Impl::commit_loop() {
  for (;;) {
    std::vector<Job*> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex);
      work.wait(lock, [&] { return quit || !queue.empty(); });
      if (queue.empty() && quit) return;
      // Each association has at most one instance in flight (C-STORE waits for its response),
      // so a group can hold one per open association: wait a moment for those still arriving
      // — a durable commit costs several disk flushes, whatever its size.
      std::size_t open_associations =
          server ? static_cast<std::size_t>(server->active_associations()) : 1;
      if (queue.size() < open_associations)
        work.wait_for(lock, std::chrono::milliseconds(kGatherMs),
                      [&] { return quit || queue.size() >= open_associations; });
      std::size_t n = std::min<std::size_t>(queue.size(),
                                            std::max(1, state->options.ingest_batch));
      jobs.assign(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // One commit per repository (calling AE) present in the group.
    std::map<std::string, std::vector<Job*>> by_repo;
    for (auto* j : jobs) by_repo[j->repository].push_back(j);
    for (auto& [repo, group] : by_repo) {
      std::vector<detail::Prepared> batch;
      batch.reserve(group.size());
      for (auto* j : group) batch.push_back(std::move(j->prepared));
      try {
        // The session is checked at each group: a revoked account stops the receiver's ingest.
        if (!session.has_right(std::string(kRightUpload)))
          throw Error(ErrorCode::kPermissionDenied, "the receiver's account may not upload");
        IngestOptions opts;
        opts.repository = repo;
        state->ingestor->commit(batch, opts);
        std::lock_guard<std::mutex> lock(mutex);
        ++counts.commits;
      } catch (const Error& e) {
        for (auto& p : batch) {
          if (p.result.status == IngestStatus::kStored) continue;
          p.result.status = IngestStatus::kRejected;
          p.result.error = e.code();
          p.result.message = e.what();
          p.blob.reset();
        }
      }
      for (std::size_t i = 0; i < group.size(); ++i) group[i]->prepared = std::move(batch[i]);
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (auto* j : jobs) j->done = true;
    settled.notify_all();
  }
}

DicomReceiver::DicomReceiver(Session session, DicomReceiverOptions options)
    : impl_(std::make_unique<Impl>(session)) {
  if (!session.has_right(std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "the receiver's session may not upload");
  impl_->state = session.state_;
  const Options& o = impl_->state->options;
  auto& c = impl_->config;
  c.aet = options.aet.empty() ? o.dicom_aet : options.aet;
  c.host = options.host.empty() ? o.dicom_host : options.host;
  c.port = options.port > 0 ? options.port : o.dicom_port;
  c.allowed_aets = options.allowed_aets.empty() ? o.dicom_allowed_aets : options.allowed_aets;
  c.max_associations =
      options.max_associations > 0 ? options.max_associations : o.dicom_max_associations;
  c.timeout_seconds = o.dicom_timeout_seconds;
  if (c.port <= 0 || c.port > 65535)
    throw Error(ErrorCode::kInvalidArgument, "no DICOM port: give one or set dicom.port");
  if (c.aet.empty() || c.aet.size() > 16)
    throw Error(ErrorCode::kInvalidArgument, "the AE title must be 1 to 16 characters");
}

DicomReceiver::~DicomReceiver() { stop(); }

void DicomReceiver::start() {
  if (impl_->server && impl_->server->running())
    throw Error(ErrorCode::kConflict, "the receiver is already running");
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->quit = false;
  }
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<detail::StoreServer>(
      impl_->config,
      [impl](const std::string& calling, const std::string& file) {
        return impl->receive(calling, file);
      });
  impl_->committer = std::thread([impl] { impl->commit_loop(); });
  try {
    impl_->server->start();
  } catch (...) {
    stop();
    throw;
  }
}

void DicomReceiver::stop() {
  if (impl_->server) impl_->server->stop();  // waits for the associations (and their jobs)
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->quit = true;
    impl_->work.notify_all();
  }
  if (impl_->committer.joinable()) impl_->committer.join();
}

bool DicomReceiver::running() const { return impl_->server && impl_->server->running(); }
int DicomReceiver::port() const { return impl_->config.port; }
const std::string& DicomReceiver::aet() const { return impl_->config.aet; }

DicomReceiverStats DicomReceiver::stats() const {
  DicomReceiverStats s;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    s = impl_->counts;
  }
  if (impl_->server) {
    auto n = impl_->server->stats();
    s.associations = n.associations;
    s.refused = n.refused;
    s.echoes = n.echoes;
  }
  return s;
}

// ---- C-STORE SCU (Session::send_study) ----------------------------------------------------------

SendReport Session::send_study(const std::string& study_uid, const std::string& node_name) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightDownload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not send studies");
  const DicomNode* node = nullptr;
  for (const auto& n : state_->options.dicom_nodes)
    if (n.name == node_name) node = &n;
  if (!node) throw Error(ErrorCode::kNotFound, "no DICOM node named " + node_name);
  std::vector<detail::OutgoingInstance> list;
  for (const auto& i : state_->index->instances(study_uid, {}))
    list.push_back({i.sop_uid, i.sop_class_uid, i.transfer_syntax_uid});
  detail::StoreTarget target{node->host, node->port, node->aet, state_->options.dicom_aet,
                             state_->options.dicom_timeout_seconds};
  SendReport report;
  report.node = node->name;
  std::vector<detail::StoreOutcome> outcomes;
  try {
    outcomes = detail::store_scu(target, list, [&](const std::string& sop) {
      auto loc = state_->index->instance_location(sop);
      if (!loc) throw Error(ErrorCode::kNotFound, "no instance " + sop);
      auto bytes = state_->blobs->read(loc->blob_id);
      if (!bytes) throw Error(ErrorCode::kCorrupt, "the file of instance " + sop + " is missing");
      return std::move(*bytes);
    });
  } catch (const Error& e) {
    state_->audit(p, address(), {"study_send", "failure", study_uid, "", node->name});
    throw;
  }
  for (const auto& o : outcomes) {
    if (o.ok) {
      ++report.sent;
    } else {
      ++report.failed;
      report.failures.push_back(o.sop_uid + ": " + o.message);
    }
  }
  report.failed += list.size() - outcomes.size();  // not attempted after a lost association
  state_->audit(p, address(),
                {"study_send", report.failed == 0 ? "success" : "failure", study_uid, "",
                 node->name + ": " + std::to_string(report.sent) + " sent, " +
                     std::to_string(report.failed) + " failed"});
  return report;
}

}  // namespace portal
