// Decoding PNG and JPEG files (uploads turned into DICOM). libpng and libturbojpeg stay in render/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace portal::detail {

/// 8-bit pixels owned: grey (channels 1) or interleaved RGB (channels 3).
struct OwnedImage8 {
  int width = 0;
  int height = 0;
  int channels = 1;
  std::vector<std::uint8_t> pixels;
};

enum class ImageKind { kNone, kPng, kJpeg };

/// What the bytes are, by their signature (never by a file name).
ImageKind sniff_image(const std::string& bytes);

/// Decodes a PNG or JPEG file to 8-bit grey or RGB. Dimensions are checked against
/// `max_dimension` before any pixel buffer is allocated. Throws Error(kCorrupt) for a damaged
/// or unrecognised image, Error(kTooLarge) over the cap.
OwnedImage8 decode_image(const std::string& bytes, int max_dimension);

}  // namespace portal::detail
