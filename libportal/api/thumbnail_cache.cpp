#include "libportal/api/thumbnail_cache.hpp"

#include <filesystem>

#include "libportal/api/state.hpp"
#include "libportal/common/fs.hpp"

namespace portal::detail {
namespace {

bool valid_hash(const std::string& sha256) {
  if (sha256.size() != 64) return false;
  for (char c : sha256)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string folder(const PortalState& state, const std::string& sha256) {
  return state.data_dir + "/cache/thumbnails/" + sha256.substr(0, 2);
}

std::string path(const PortalState& state, const std::string& sha256, int size, int quality) {
  return folder(state, sha256) + "/" + sha256 + "-" + std::to_string(size) + "-q" +
         std::to_string(quality) + "-v" + std::to_string(kThumbnailVersion) + ".jpg";
}

}  // namespace

std::optional<std::string> cached_thumbnail(const PortalState& state, const std::string& sha256,
                                            int size, int quality) {
  if (!valid_hash(sha256)) return std::nullopt;
  try {
    std::error_code ec;
    std::string p = path(state, sha256, size, quality);
    if (!std::filesystem::exists(p, ec)) return std::nullopt;
    std::string bytes = read_file(p);
    // A JPEG ends with EOI; anything else is a damaged entry, rendered again.
    if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF ||
        static_cast<unsigned char>(bytes[bytes.size() - 1]) != 0xD9)
      return std::nullopt;
    return bytes;
  } catch (...) {
    return std::nullopt;
  }
}

void store_thumbnail(const PortalState& state, const std::string& sha256, int size, int quality,
                     const std::string& jpeg) {
  if (!valid_hash(sha256)) return;
  try {
    make_dirs(folder(state, sha256));
    write_file_atomic(path(state, sha256, size, quality), jpeg, false);
  } catch (...) {
  }
}

void drop_cached_thumbnails(const PortalState& state, const std::string& sha256) {
  if (!valid_hash(sha256)) return;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(folder(state, sha256), ec)) {
    if (e.path().filename().string().rfind(sha256, 0) == 0) std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace portal::detail
