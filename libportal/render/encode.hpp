// Image encoders: the only place libpng and libturbojpeg are used.
#pragma once

#include <cstdint>
#include <string>

namespace portal::detail {

/// 8-bit grey (channels 1) or interleaved RGB (channels 3) pixels, rows packed.
struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 1;
  const std::uint8_t* pixels = nullptr;
};

/// JPEG through libturbojpeg (4:2:0 for colour), quality 1..100. Thread-safe.
/// Throws Error(kInternal) when the encoder fails.
std::string encode_jpeg(const Image8& image, int quality);

/// PNG through libpng with fast compression (zlib level 1, one filter). Thread-safe.
std::string encode_png(const Image8& image);

}  // namespace portal::detail
