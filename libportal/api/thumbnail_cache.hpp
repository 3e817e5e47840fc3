// Rendered thumbnails kept in the data directory: <data>/cache/thumbnails/<ab>/<sha256>-<size>-
// q<quality>-v<renderer>.jpg. The key is the instance's content hash, so a changed or re-ingested
// instance never meets a stale picture, and a renderer change (kThumbnailVersion) starts afresh.
#pragma once

#include <optional>
#include <string>

namespace portal::detail {

struct PortalState;

/// Bumped whenever rendering changes what a thumbnail looks like.
inline constexpr int kThumbnailVersion = 1;

/// The cached thumbnail, if any. Never throws (an unreadable entry is a miss).
std::optional<std::string> cached_thumbnail(const PortalState& state, const std::string& sha256,
                                            int size, int quality);
/// Keeps a thumbnail (atomic write; not fsynced: a lost entry is rendered again). Never throws.
void store_thumbnail(const PortalState& state, const std::string& sha256, int size, int quality,
                     const std::string& jpeg);
/// Removes every cached thumbnail of the content `sha256`. Never throws.
void drop_cached_thumbnails(const PortalState& state, const std::string& sha256);

}  // namespace portal::detail
