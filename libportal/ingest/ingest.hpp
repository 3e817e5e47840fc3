// Ingest: files, folders and zip archives -> parse -> integrity check -> file store -> index.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "portal/backend.hpp"
#include "portal/options.hpp"
#include "portal/query.hpp"

namespace portal::detail {

class Index;
struct Prepared;

/// Everything ingest needs from the portal. References must outlive the Ingestor.
struct IngestContext {
  Index& index;
  BlobStore& blobs;
  const Options& options;
  const Clock& clock;
  std::string scratch_dir;  ///< for archive members too large to hold in memory
  /// LIST-8: called (outside any transaction) with the study uid when an ingested SR or
  /// Encapsulated PDF became a study's final report. May be empty.
  std::function<void(const std::string& study_uid)> on_report = {};
};

/// Runs ingests. Thread-safe: concurrent runs share the index's single writer.
class Ingestor {
 public:
  explicit Ingestor(IngestContext ctx) : ctx_(std::move(ctx)) {}

  /// See Session::ingest.
  IngestReport run(const std::vector<std::string>& paths, const IngestOptions& options);

  /// See Session::ingest_bytes.
  IngestResult run_bytes(const std::string& name, const std::string& bytes,
                         const IngestOptions& options);

  /// Group commit for network receivers (PLAT-2): stage() reads, hashes and parses one file on
  /// the caller's thread; commit() settles a group staged by any threads in one durable
  /// transaction recording `options.repository`. Results are in each Prepared's `result`.
  Prepared stage(const std::string& name, const std::string& bytes);
  void commit(std::vector<Prepared>& batch, const IngestOptions& options);

 private:
  IngestContext ctx_;
};

}  // namespace portal::detail
