// Session imaging calls: visibility through instance_bytes, then the render/ and dicom/ code.
#include "libportal/api/state.hpp"
#include "portal/imaging.hpp"
#include "portal/session.hpp"

namespace portal {

PixelArray Session::pixels(const std::string& sop_uid, int frame) const {
  return decode_pixels(instance_bytes(sop_uid), frame, state_->options.imaging);
}

std::string Session::render(const std::string& sop_uid, const RenderOptions& options) const {
  return portal::render(instance_bytes(sop_uid), options, state_->options.imaging);
}

std::string Session::thumbnail(const std::string& sop_uid, int size) const {
  return portal::thumbnail(instance_bytes(sop_uid), size, 80, 0, state_->options.imaging);
}

FramePayload Session::frame(const std::string& sop_uid, int frame, FrameTransfer transfer,
                            int quality) const {
  return transcode_frame(instance_bytes(sop_uid), frame, transfer, quality,
                         state_->options.imaging);
}

}  // namespace portal
