#include "libportal/render/decode_image.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <memory>

#include "portal/error.hpp"

namespace portal::detail {

ImageKind sniff_image(const std::string& b) {
  if (b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return ImageKind::kPng;
  if (b.size() >= 3 && std::memcmp(b.data(), "\xFF\xD8\xFF", 3) == 0) return ImageKind::kJpeg;
  return ImageKind::kNone;
}

namespace {

void check_size(int w, int h, int max_dimension) {
  if (w <= 0 || h <= 0) throw Error(ErrorCode::kCorrupt, "the image has no pixels");
  if (w > max_dimension || h > max_dimension)
    throw Error(ErrorCode::kTooLarge, "the image is " + std::to_string(w) + "x" +
                                          std::to_string(h) + ", over the limit of " +
                                          std::to_string(max_dimension));
}

OwnedImage8 decode_png(const std::string& bytes, int max_dimension) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, bytes.data(), bytes.size()))
    throw Error(ErrorCode::kCorrupt, std::string("unreadable PNG: ") + img.message);
  check_size(static_cast<int>(img.width), static_cast<int>(img.height), max_dimension);
  bool colour = (img.format & PNG_FORMAT_FLAG_COLOR) != 0;
  img.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;  // alpha composited on black
  OwnedImage8 out;
  out.width = static_cast<int>(img.width);
  out.height = static_cast<int>(img.height);
  out.channels = colour ? 3 : 1;
  out.pixels.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string why = img.message;
    png_image_free(&img);
    throw Error(ErrorCode::kCorrupt, "unreadable PNG: " + why);
  }
  return out;
}

OwnedImage8 decode_jpeg(const std::string& bytes, int max_dimension) {
  std::unique_ptr<void, int (*)(tjhandle)> tj(tjInitDecompress(), tjDestroy);
  if (!tj) throw Error(ErrorCode::kInternal, "libturbojpeg failed to initialise");
  int w = 0, h = 0, subsamp = 0, colourspace = 0;
  auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  if (tjDecompressHeader3(tj.get(), src, static_cast<unsigned long>(bytes.size()), &w, &h, &subsamp,
                          &colourspace) != 0)
    throw Error(ErrorCode::kCorrupt, std::string("unreadable JPEG: ") + tjGetErrorStr2(tj.get()));
  check_size(w, h, max_dimension);
  OwnedImage8 out;
  out.width = w;
  out.height = h;
  out.channels = colourspace == TJCS_GRAY ? 1 : 3;
  out.pixels.resize(static_cast<std::size_t>(w) * h * out.channels);
  if (tjDecompress2(tj.get(), src, static_cast<unsigned long>(bytes.size()), out.pixels.data(), w,
                    0, h, out.channels == 1 ? TJPF_GRAY : TJPF_RGB, TJFLAG_ACCURATEDCT) != 0)
    throw Error(ErrorCode::kCorrupt, std::string("unreadable JPEG: ") + tjGetErrorStr2(tj.get()));
  return out;
}

}  // namespace

OwnedImage8 decode_image(const std::string& bytes, int max_dimension) {
  switch (sniff_image(bytes)) {
    case ImageKind::kPng: return decode_png(bytes, max_dimension);
    case ImageKind::kJpeg: return decode_jpeg(bytes, max_dimension);
    case ImageKind::kNone: break;
  }
  throw Error(ErrorCode::kUnsupported, "not a PNG or JPEG image");
}

}  // namespace portal::detail
