// Frame access for render/ and transfer: the stored bytes of one frame, without decoding.
// decode_pixels itself is public (portal/imaging.hpp) and defined in decode.cpp.
#pragma once

#include <string>

#include "portal/imaging.hpp"

namespace portal::detail {

/// One frame exactly as stored (encapsulated fragments concatenated) or, for native syntaxes,
/// its bytes converted to little endian.
struct StoredFrame {
  std::string bytes;
  std::string transfer_syntax_uid;  ///< the file's syntax; explicit VR LE for native frames
  bool encapsulated = false;
  int rows = 0, columns = 0, samples = 1, bits_allocated = 8;
};

/// The stored bytes of frame `frame` (0-based) of the instance in `dicom_bytes`. All sizes are
/// checked as in decode_pixels. Throws Error(kInvalidArgument) for a frame out of range,
/// kUnsupported without pixels, kCorrupt, kTooLarge.
StoredFrame stored_frame(const std::string& dicom_bytes, int frame, const ImagingLimits& limits);

}  // namespace portal::detail
