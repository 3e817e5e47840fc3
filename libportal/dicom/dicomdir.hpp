// DICOMDIR for exported file sets (DCMTK's DicomDirInterface).
#pragma once

#include <string>
#include <vector>

namespace portal::detail {

/// Writes `<root>/DICOMDIR` indexing `files` (paths relative to `root`, ISO 9660 style:
/// upper-case components of at most 8 characters). Throws Error(kInternal) when DCMTK refuses.
void write_dicomdir(const std::string& root, const std::vector<std::string>& files);

}  // namespace portal::detail
