// portal/options.hpp — every tunable of a Portal, each with its documented default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "portal/backend.hpp"

namespace portal {

/// Settings for Portal::open. A plain struct: copy it, change fields, pass it in.
/// docs/configuration.md lists the same fields with the same defaults.
struct Options {
  // --- Back ends -----------------------------------------------------------------------------
  /// Time source. Default (nullptr): the system clock.
  std::shared_ptr<Clock> clock;
  /// Where files live. Default (nullptr): a file store in `<data>/blobs`.
  std::shared_ptr<BlobStore> blob_store;
  /// Flush files and directories to stable storage before acknowledging (default true).
  /// Only benchmarks of the CPU path and throw-away tests should turn this off.
  bool durable = true;

  // --- Search (LIST-5) -----------------------------------------------------------------------
  /// Rows returned when a query gives no limit (default 150).
  int search_default_limit = 150;
  /// Largest limit a query may ask for; larger limits are clamped (default 150).
  int search_max_limit = 150;

  // --- Ingest (ING-1, ING-6) -----------------------------------------------------------------
  /// Worker threads that read, hash and parse files. 0 = one per core (default 0).
  int ingest_threads = 0;
  /// Files acknowledged together in one durable group commit (default 64).
  int ingest_batch = 64;
  /// Largest single file accepted, in bytes (default 4 GiB).
  std::uint64_t max_file_bytes = 4ull << 30;
  /// Largest DICOM header (everything before Pixel Data) parsed, in bytes (default 64 MiB).
  std::uint64_t max_header_bytes = 64ull << 20;
  /// Zip archives: most entries per archive (default 100000).
  std::uint64_t zip_max_entries = 100000;
  /// Zip archives: largest uncompressed entry (default 4 GiB).
  std::uint64_t zip_max_entry_bytes = 4ull << 30;
  /// Zip archives: largest uncompressed total (default 64 GiB).
  std::uint64_t zip_max_total_bytes = 64ull << 30;
  /// Zip archives: largest uncompressed/compressed ratio of an entry above 1 MiB (default 200).
  std::uint64_t zip_max_ratio = 200;
};

}  // namespace portal
