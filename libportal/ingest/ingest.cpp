// The ingest pipeline:
//   discovery thread (walks folders)  ->  workers (read, parse, hash, stage; one per core)
//   ->  this thread (group commit: integrity check and index rows in one transaction, files
//       published durably before it commits, then results reported).
// Queues are bounded, results can be streamed instead of collected: memory does not grow with
// the corpus.
#include "libportal/ingest/ingest.hpp"

#include <atomic>
#include <filesystem>
#include <thread>

#include "libportal/common/bounded_queue.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/ingest/prepared.hpp"
#include "libportal/store/index.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

namespace fs = std::filesystem;

Patient incoming_patient(const DicomMeta& m) {
  PersonName pn = split_person_name(m.patient_name);
  return Patient{m.patient_id, pn.family, pn.given, normalise_date(m.birth_date), m.sex};
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// Names the demographic fields that differ (ING-2); empty when they agree.
std::string differing_fields(const PatientRow& known, const Patient& in, bool compare_id) {
  std::vector<std::string> diffs;
  if (fold(known.patient.family_name) != fold(in.family_name))
    diffs.push_back("last name " + in_quotes(in.family_name) + " (known: " +
                    in_quotes(known.patient.family_name) + ")");
  if (fold(known.patient.given_name) != fold(in.given_name))
    diffs.push_back("first name " + in_quotes(in.given_name) + " (known: " +
                    in_quotes(known.patient.given_name) + ")");
  if (known.patient.birth_date != in.birth_date)
    diffs.push_back("birth date " + in_quotes(in.birth_date) + " (known: " +
                    in_quotes(known.patient.birth_date) + ")");
  if (compare_id && known.patient.patient_id != in.patient_id)
    diffs.push_back("patient ID " + in_quotes(in.patient_id) + " (known: " +
                    in_quotes(known.patient.patient_id) + ")");
  std::string out;
  for (const auto& d : diffs) out += (out.empty() ? "" : ", ") + d;
  return out;
}

// ING-2: finds or creates the patient this instance belongs to, or throws Error(kConflict)
// naming the fields that differ from the patient already known.
std::int64_t resolve_patient(WriteTxn& txn, const DicomMeta& m, const IngestOptions& opts,
                             const std::string& now) {
  Patient in = incoming_patient(m);
  if (auto known = txn.study_patient(m.study_uid)) {
    // More files for a known study (ING-3): name and birth date must match its patient.
    std::string diffs = differing_fields(*known, in, !opts.ignore_patient_id);
    if (diffs.empty()) return known->id;
    if (opts.update_demographics && known->patient.patient_id == in.patient_id) {
      txn.update_patient(known->id, in);
      return known->id;
    }
    throw Error(ErrorCode::kConflict,
                "patient does not match the patient of study " + m.study_uid + ": " + diffs);
  }
  if (!in.patient_id.empty()) {
    auto by_id = txn.patients_by_id(in.patient_id);
    if (!by_id.empty()) {
      const PatientRow& known = by_id.front();
      std::string diffs = differing_fields(known, in, false);
      if (diffs.empty()) return known.id;
      if (opts.update_demographics) {
        txn.update_patient(known.id, in);
        return known.id;
      }
      throw Error(ErrorCode::kConflict,
                  "patient ID " + in_quotes(in.patient_id) + " is known with other details: " + diffs);
    }
  }
  std::string ff = fold(in.family_name), gf = fold(in.given_name);
  if (!ff.empty() || !gf.empty()) {
    auto same = txn.patients_by_identity(ff, gf, in.birth_date);
    for (const auto& known : same) {
      if (known.patient.patient_id == in.patient_id || opts.ignore_patient_id) return known.id;
    }
    if (!same.empty())
      throw Error(ErrorCode::kConflict,
                  "patient ID " + in_quotes(in.patient_id) + " differs from the known patient " +
                      in_quotes(same.front().patient.patient_id) +
                      " with the same name and birth date (ignore patient ID verification "
                      "merges them)");
  }
  return txn.insert_patient(in, now);
}

}  // namespace

namespace {

// Commits one group: everything in `batch` is settled (stored, duplicate or rejected) when this
// returns, and a kStored result is durable.
void commit_batch(const IngestContext& ctx, const IngestOptions& opts, std::vector<Prepared>& batch,
                  const std::string& repository) {
  std::string now = iso8601_utc(ctx.clock.now());
  std::vector<std::unique_ptr<StagedBlob>> to_publish;
  std::vector<Prepared*> accepted;
  std::vector<std::string> reports;  // studies whose final report arrived in this group
  bool reports_ready = false;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  ctx.clock.now().time_since_epoch())
                                  .count();
  try {
    WriteTxn txn(ctx.index);
    for (auto& p : batch) {
      if (!p.meta) continue;  // rejected while reading
      if (txn.instance_exists(p.meta->sop_uid)) {
        p.result.status = IngestStatus::kDuplicate;
        p.blob.reset();
        continue;
      }
      txn.savepoint();
      try {
        std::int64_t patient = resolve_patient(txn, *p.meta, opts, now);
        txn.add_instance(patient, *p.meta, repository, p.blob->id(), p.sha256,
                         static_cast<std::int64_t>(p.blob->size()), now);
        if (opts.recognise_reports && txn.recognise_report(*p.meta, now_ms))
          reports.push_back(p.meta->study_uid);
        txn.release();
        accepted.push_back(&p);
      } catch (const Error& e) {
        txn.rollback_to();
        p.result.status = IngestStatus::kRejected;
        p.result.error = e.code();
        p.result.message = e.what();
        p.blob.reset();
      }
    }
    for (auto* p : accepted) to_publish.push_back(std::move(p->blob));
    std::vector<std::string> ids;
    for (auto& b : to_publish) ids.push_back(b->id());
    std::uint64_t ticket = 0;
    try {
      // Files first, durably; the index rows become visible only after.
      ticket = ctx.blobs.publish(std::move(to_publish));
      txn.commit();
    } catch (...) {
      for (const auto& id : ids) {
        try {
          ctx.blobs.remove(id);
        } catch (...) {
        }
      }
      throw;
    }
    ctx.blobs.settle(ticket);
    for (auto* p : accepted) p->result.status = IngestStatus::kStored;
    reports_ready = true;
  } catch (const Error& e) {
    for (auto* p : accepted) {
      p->result.status = IngestStatus::kRejected;
      p->result.error = e.code();
      p->result.message = std::string("not stored: ") + e.what();
    }
  }
  // Outside the transaction (the hook writes too); the files are stored whatever it does.
  if (reports_ready && ctx.on_report)
    for (const auto& uid : reports) try {
        ctx.on_report(uid);
      } catch (...) {
      }
}

}  // namespace

IngestReport Ingestor::run(const std::vector<std::string>& paths, const IngestOptions& opts) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) throw Error(ErrorCode::kNotFound, "no such file or folder: " + p);
  }
  const Options& o = ctx_.options;
  SourceLimits limits{o.max_file_bytes, o.zip_max_entries, o.zip_max_entry_bytes,
                      o.zip_max_total_bytes, o.zip_max_ratio, ctx_.scratch_dir};
  std::string repository = opts.repository.empty() ? "import" : opts.repository;
  std::size_t batch_size = static_cast<std::size_t>(std::max(1, o.ingest_batch));
  unsigned workers = o.ingest_threads > 0 ? static_cast<unsigned>(o.ingest_threads)
                                          : std::max(1u, std::thread::hardware_concurrency());

  BoundedQueue<std::string> files(4096);
  BoundedQueue<Prepared> prepared(batch_size * 2);
  std::atomic<std::uint64_t> found{0};
  std::atomic<bool> discovery_done{false};
  IngestReport report;
  IngestProgress progress;

  // Walks inputs in a stable order so reports are reproducible.
  std::thread discovery([&] {
    for (const auto& p : paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        std::vector<fs::path> sorted;
        for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
          if (ec) break;
          if (it->is_regular_file(ec)) sorted.push_back(it->path());
          // Flush in chunks so huge trees start flowing before the walk ends.
          if (sorted.size() >= 1024) {
            std::sort(sorted.begin(), sorted.end());
            for (auto& f : sorted) {
              found.fetch_add(1);
              files.push(f.string());
            }
            sorted.clear();
          }
        }
        std::sort(sorted.begin(), sorted.end());
        for (auto& f : sorted) {
          found.fetch_add(1);
          files.push(f.string());
        }
      } else {
        found.fetch_add(1);
        files.push(p);
      }
    }
    discovery_done = true;
    files.close();
  });

  std::atomic<unsigned> running{workers};
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < workers; ++i) {
    pool.emplace_back([&] {
      while (auto path = files.pop()) {
        if (is_zip(*path)) {
          prepare_zip(*path, ctx_.blobs, limits, [&](Prepared p) {
            found.fetch_add(1);
            prepared.push(std::move(p));
          });
          found.fetch_sub(1);  // the archive itself is not a file of the report
        } else {
          prepared.push(prepare_file(*path, ctx_.blobs, limits));
        }
      }
      if (--running == 0) prepared.close();
    });
  }

  auto settle = [&](std::vector<Prepared>& batch) {
    commit_batch(ctx_, opts, batch, repository);
    for (auto& p : batch) {
      switch (p.result.status) {
        case IngestStatus::kStored:
          ++report.stored;
          report.bytes_stored += static_cast<std::uint64_t>(p.result.size_bytes);
          break;
        case IngestStatus::kDuplicate: ++report.duplicates; break;
        case IngestStatus::kRejected: ++report.rejected; break;
      }
      progress.files_done++;
      progress.bytes_done += static_cast<std::uint64_t>(p.result.size_bytes);
      progress.files_found = found.load();
      progress.discovery_complete = discovery_done.load();
      if (opts.on_file) {
        try {
          opts.on_file(p.result, progress);
        } catch (...) {
          // A failing callback must not lose acknowledged work; later files still settle.
        }
      }
      if (opts.collect_results) report.files.push_back(std::move(p.result));
    }
    batch.clear();
  };

  std::vector<Prepared> batch;
  std::exception_ptr failure;
  try {
    while (true) {
      // Wait for work only when the batch is empty; otherwise commit what we have as soon as
      // the workers fall behind, so latency stays low on small ingests.
      std::optional<Prepared> item = batch.empty() ? prepared.pop() : prepared.try_pop();
      if (!item) {
        if (batch.empty()) break;
        settle(batch);
        continue;
      }
      batch.push_back(std::move(*item));
      if (batch.size() >= batch_size) settle(batch);
    }
  } catch (...) {
    failure = std::current_exception();
    files.close();
    prepared.close();
  }
  discovery.join();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return report;
}

IngestResult Ingestor::run_bytes(const std::string& name, const std::string& bytes,
                                 const IngestOptions& opts) {
  if (bytes.size() > ctx_.options.max_file_bytes) {
    IngestResult r;
    r.source = name;
    r.error = ErrorCode::kTooLarge;
    r.message = "file exceeds the size limit";
    r.size_bytes = static_cast<std::int64_t>(bytes.size());
    return r;
  }
  std::vector<Prepared> batch;
  batch.push_back(prepare_bytes(name, bytes, ctx_.blobs));
  commit_batch(ctx_, opts, batch, opts.repository.empty() ? "upload" : opts.repository);
  IngestProgress progress{1, 1, true, static_cast<std::uint64_t>(bytes.size())};
  if (opts.on_file) opts.on_file(batch.front().result, progress);
  return std::move(batch.front().result);
}

Prepared Ingestor::stage(const std::string& name, const std::string& bytes) {
  if (bytes.size() > ctx_.options.max_file_bytes) {
    Prepared p;
    p.result.source = name;
    p.result.error = ErrorCode::kTooLarge;
    p.result.message = "file exceeds the size limit";
    p.result.size_bytes = static_cast<std::int64_t>(bytes.size());
    return p;
  }
  return prepare_bytes(name, bytes, ctx_.blobs);
}

void Ingestor::commit(std::vector<Prepared>& batch, const IngestOptions& opts) {
  commit_batch(ctx_, opts, batch, opts.repository.empty() ? "upload" : opts.repository);
}

}  // namespace portal::detail
