// A file read, hashed, parsed and staged, waiting for the group commit. Internal to ingest/.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/backend.hpp"
#include "portal/query.hpp"

namespace portal::detail {

struct Prepared {
  IngestResult result;                  ///< status kRejected until the commit says otherwise
  std::optional<DicomMeta> meta;        ///< set when the file parsed
  std::unique_ptr<StagedBlob> blob;     ///< set when the bytes were staged
  std::string sha256;
};

struct SourceLimits {
  std::uint64_t max_file_bytes;
  std::uint64_t zip_max_entries, zip_max_entry_bytes, zip_max_total_bytes, zip_max_ratio;
  std::string scratch_dir;
};

/// Reads one file (or one archive member held in memory) into a Prepared: parse first, then
/// stage the bytes, so a rejected file never touches the store.
Prepared prepare_bytes(const std::string& source, const std::string& bytes, BlobStore& blobs);
Prepared prepare_file(const std::string& path, BlobStore& blobs, const SourceLimits& limits);

/// True when the file starts like a zip archive.
bool is_zip(const std::string& path);

/// Streams the members of a zip archive, calling `emit` for each (rejections included).
/// Members escaping the archive root, oversize, too many, or with an absurd compression ratio
/// are refused. Never throws for a bad archive: the archive itself gets a rejected result.
void prepare_zip(const std::string& path, BlobStore& blobs, const SourceLimits& limits,
                 const std::function<void(Prepared)>& emit);

}  // namespace portal::detail
