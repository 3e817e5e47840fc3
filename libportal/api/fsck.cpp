// Consistency check between the index and the file store (PLAT-6).
#include <unordered_set>

#include "libportal/api/state.hpp"
#include "libportal/common/sha256.hpp"
#include "portal/error.hpp"
#include "portal/portal.hpp"

namespace portal {

FsckReport Portal::fsck(bool repair) {
  auto& st = *state_;
  FsckReport report;
  std::unordered_set<std::string> indexed;
  st.index->for_each_instance([&](const detail::InstanceLocation& loc) {
    ++report.instances_checked;
    indexed.insert(loc.blob_id);
    detail::Sha256 hash;
    std::uint64_t size = 0;
    bool present = st.blobs->read_chunks(loc.blob_id, [&](const char* d, std::size_t n) {
      hash.update(d, n);
      size += n;
    });
    if (!present) {
      report.issues.push_back({FsckIssue::Kind::kMissingFile, loc.blob_id, loc.sop_uid,
                               "the index lists a file the store does not have"});
      return;
    }
    if (size != static_cast<std::uint64_t>(loc.size_bytes)) {
      report.issues.push_back({FsckIssue::Kind::kSizeMismatch, loc.blob_id, loc.sop_uid,
                               "stored " + std::to_string(size) + " bytes, indexed " +
                                   std::to_string(loc.size_bytes)});
      return;
    }
    std::string digest = hash.hex_digest();
    if (digest != loc.sha256)
      report.issues.push_back({FsckIssue::Kind::kHashMismatch, loc.blob_id, loc.sop_uid,
                               "SHA-256 " + digest + " differs from the indexed " + loc.sha256});
  });
  std::vector<std::string> orphans;
  st.blobs->for_each([&](const std::string& id) {
    ++report.files_checked;
    if (!indexed.count(id)) orphans.push_back(id);
  });
  for (const auto& id : orphans) {
    // A file published after the walk above is indexed by now; only true orphans remain.
    if (st.index->blob_indexed(id)) continue;
    report.issues.push_back({FsckIssue::Kind::kOrphanFile, id, "", "a file no index row refers to"});
    if (repair) {
      st.blobs->remove(id);
      report.issues.back().repaired = true;
      ++report.repaired;
    }
  }
  if (repair) {
    for (auto& issue : report.issues) {
      if (issue.kind != FsckIssue::Kind::kMissingFile) continue;
      st.index->drop_instance(issue.sop_uid);
      issue.repaired = true;
      ++report.repaired;
    }
  }
  return report;
}

}  // namespace portal
