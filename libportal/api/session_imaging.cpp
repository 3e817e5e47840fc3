// Session imaging calls: visibility through instance_bytes, then the render/ and dicom/ code.
#include "libportal/api/state.hpp"
#include "libportal/api/thumbnail_cache.hpp"
#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {
constexpr int kThumbnailQuality = 80;
}

PixelArray Session::pixels(const std::string& sop_uid, int frame) const {
  return decode_pixels(instance_bytes(sop_uid), frame, state_->options.imaging);
}

std::string Session::render(const std::string& sop_uid, const RenderOptions& options) const {
  return portal::render(instance_bytes(sop_uid), options, state_->options.imaging);
}

std::string Session::thumbnail(const std::string& sop_uid, int size) const {
  if (!state_->options.thumbnail_cache)
    return portal::thumbnail(instance_bytes(sop_uid), size, kThumbnailQuality, 0,
                             state_->options.imaging);
  auto p = current();
  auto study_uid = state_->accounts->instance_study(sop_uid);
  auto loc = state_->index->instance_location(sop_uid);
  if (!study_uid || !loc ||
      !state_->index->study(*study_uid, detail::study_filter(p, state_->now_ms())))
    throw Error(ErrorCode::kNotFound, "no instance " + sop_uid);
  if (auto hit = detail::cached_thumbnail(*state_, loc->sha256, size, kThumbnailQuality)) {
    state_->audit(p, address(), {"thumbnail_read", "success", *study_uid, "", sop_uid});
    return std::move(*hit);
  }
  std::string out = portal::thumbnail(instance_bytes(sop_uid), size, kThumbnailQuality, 0,
                                      state_->options.imaging);
  detail::store_thumbnail(*state_, loc->sha256, size, kThumbnailQuality, out);
  return out;
}

FramePayload Session::frame(const std::string& sop_uid, int frame, FrameTransfer transfer,
                            int quality) const {
  return transcode_frame(instance_bytes(sop_uid), frame, transfer, quality,
                         state_->options.imaging);
}

}  // namespace portal
