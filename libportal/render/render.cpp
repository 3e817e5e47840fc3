// Rendering: stored values -> modality LUT -> VOI (window or VOI LUT) -> 8 bits -> fit -> PNG/JPEG.
// Monochrome frames go through one 8-bit lookup table built over the frame's actual value range,
// so the per-pixel cost is a single table read whatever the LUT chain is.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "libportal/dicom/decode.hpp"
#include "libportal/dicom/pixel_scan.hpp"
#include "libportal/render/encode.hpp"
#include "portal/error.hpp"
#include "portal/imaging.hpp"

namespace portal {
namespace {

using detail::Image8;

[[noreturn]] void invalid(const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, what);
}

void check_options(const RenderOptions& o, const ImagingLimits& limits) {
  if (o.frame < 0) invalid("a frame index is 0 or more");
  if (o.quality < 1 || o.quality > 100) invalid("JPEG quality must be between 1 and 100");
  if (o.width < 0 || o.height < 0) invalid("the output size cannot be negative");
  if (o.width > limits.max_output_dimension || o.height > limits.max_output_dimension)
    throw Error(ErrorCode::kTooLarge, "the output size exceeds the cap of " +
                                          std::to_string(limits.max_output_dimension));
  if (o.window_center.has_value() != o.window_width.has_value())
    invalid("a window needs both a center and a width");
  if (o.window_width &&
      !(*o.window_width > 0 && std::isfinite(*o.window_width) && std::isfinite(*o.window_center)))
    invalid("the window width must be positive");
}

// DICOM PS3.3 C.11.2.1.2.1: the linear VOI function, onto 0..255.
struct LinearWindow {
  double lo, hi, c, w;
  LinearWindow(double center, double width) : c(center), w(std::max(width, 1.0)) {
    lo = c - 0.5 - (w - 1) / 2;
    hi = c - 0.5 + (w - 1) / 2;
  }
  std::uint8_t operator()(double x) const {
    if (x <= lo) return 0;
    if (x > hi) return 255;
    if (w <= 1) return 255;
    double y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0;
    return static_cast<std::uint8_t>(std::clamp(y + 0.5, 0.0, 255.0));
  }
};

template <class T>
void min_max(const T* v, std::size_t n, std::int64_t& lo, std::int64_t& hi) {
  T a = v[0], b = v[0];
  for (std::size_t i = 1; i < n; ++i) {
    a = std::min(a, v[i]);
    b = std::max(b, v[i]);
  }
  lo = a;
  hi = b;
}

// Area average of stored values (before the LUT: the VOI then sees the mean value, as a viewer
// resampling modality values would), rounded to the nearest integer.
template <class T>
std::vector<std::int32_t> average_down(const T* src, int sw, int sh, int dw, int dh) {
  std::vector<std::int32_t> dst(std::size_t(dw) * dh);
  if (sw == 2 * dw && sh == 2 * dh) {  // the common thumbnail case
    // 16-bit samples sum in 32 bits (vectorisable); wider ones need 64.
    using Sum = std::conditional_t<(sizeof(T) <= 2), std::int32_t, std::int64_t>;
    for (int y = 0; y < dh; ++y) {
      const T* __restrict a = src + std::size_t(sw) * (2 * y);
      const T* __restrict b = a + sw;
      std::int32_t* __restrict d = dst.data() + std::size_t(dw) * y;
      for (int x = 0; x < dw; ++x) {
        Sum sum = Sum(a[2 * x]) + Sum(a[2 * x + 1]) + Sum(b[2 * x]) + Sum(b[2 * x + 1]);
        d[x] = std::int32_t((sum + 2) >> 2);
      }
    }
    return dst;
  }
  std::vector<int> x0(dw + 1);
  for (int x = 0; x <= dw; ++x) x0[x] = int(std::int64_t(x) * sw / dw);
  std::vector<std::int64_t> acc(dw);
  for (int y = 0; y < dh; ++y) {
    int ya = int(std::int64_t(y) * sh / dh);
    int yb = std::max(ya + 1, int(std::int64_t(y + 1) * sh / dh));
    std::fill(acc.begin(), acc.end(), 0);
    for (int sy = ya; sy < yb; ++sy) {
      const T* row = src + std::size_t(sy) * sw;
      for (int x = 0; x < dw; ++x) {
        int xb = std::max(x0[x] + 1, x0[x + 1]);
        for (int sx = x0[x]; sx < xb; ++sx) acc[x] += row[sx];
      }
    }
    for (int x = 0; x < dw; ++x) {
      std::int64_t count = std::int64_t(yb - ya) * std::max(1, x0[x + 1] - x0[x]);
      std::int64_t q =
          acc[x] >= 0 ? (acc[x] + count / 2) / count : -((-acc[x] + count / 2) / count);
      dst[std::size_t(y) * dw + x] = std::int32_t(q);
    }
  }
  return dst;
}

// Grey values -> 8 bits through modality LUT and VOI: one table over the values present.
template <class T>
std::vector<std::uint8_t> grey_map(const T* v, std::size_t n, const PixelArray& px,
                                   const RenderOptions& o) {
  // The VOI to apply, in order of precedence (see RenderOptions).
  std::optional<LinearWindow> window;
  if (o.window_center) {
    window.emplace(*o.window_center, *o.window_width);
  } else if (o.preset != WindowPreset::kNone) {
    Window w = window_preset(o.preset);
    window.emplace(w.center, w.width);
  } else if (!px.windows.empty()) {
    window.emplace(px.windows.front().center, px.windows.front().width);
  }
  const Lut* voi = (!window && px.voi_lut && !px.voi_lut->data.empty()) ? &*px.voi_lut : nullptr;

  // The stored values the table must cover. With a linear window over a linear rescale, only the
  // values on the window's ramp: those beyond map like the ramp's ends (the chain is monotonic),
  // so clamping the index saves a pass over the frame. Otherwise the frame's own min..max.
  std::int64_t lo = 0, hi = 0;
  bool clamp_index = false;
  if (window && !px.modality_lut && px.rescale_slope != 0) {
    double a = (window->lo - px.rescale_intercept) / px.rescale_slope;
    double b = (window->hi - px.rescale_intercept) / px.rescale_slope;
    if (a > b) std::swap(a, b);
    double tmin = double(std::numeric_limits<T>::lowest()),
           tmax = double(std::numeric_limits<T>::max());
    a = std::clamp(std::floor(a) - 1, tmin, tmax);
    b = std::clamp(std::ceil(b) + 1, tmin, tmax);
    if (b - a < double(1 << 20)) {
      lo = std::int64_t(a);
      hi = std::int64_t(b);
      clamp_index = true;
    }
  }
  if (!clamp_index) min_max(v, n, lo, hi);
  if (!window && !voi) {
    double a = px.modality_value(lo), b = px.modality_value(hi);
    if (a > b) std::swap(a, b);
    // Full range: lo -> 0, hi -> 255.
    window.emplace((a + b + 1) / 2, b - a + 1);
  }
  bool inverse = (px.photometric == "MONOCHROME1") != o.invert;
  double voi_max = voi ? double((1u << std::min(voi->bits, 16)) - 1) : 1;

  // The same arithmetic as PixelArray::modality_value, inlined: the table is built per frame.
  const bool table = px.modality_lut.has_value() && !px.modality_lut->data.empty();
  const double slope = px.rescale_slope, intercept = px.rescale_intercept;
  auto map = [&](std::int64_t stored) -> std::uint8_t {
    double m = table ? px.modality_value(stored) : stored * slope + intercept;
    std::uint8_t y;
    if (window) {
      y = (*window)(m);
    } else {
      std::int64_t k = std::llround(m) - voi->first_mapped;
      k = std::clamp<std::int64_t>(k, 0, std::int64_t(voi->data.size()) - 1);
      y = static_cast<std::uint8_t>(std::clamp(voi->data[k] / voi_max * 255.0 + 0.5, 0.0, 255.0));
    }
    return inverse ? 255 - y : y;
  };

  std::vector<std::uint8_t> out(n);
  std::uint64_t span = std::uint64_t(hi - lo) + 1;
  if (span <= (1u << 20)) {
    std::vector<std::uint8_t> lut(span);
    for (std::uint64_t i = 0; i < span; ++i) lut[i] = map(lo + std::int64_t(i));
    // Local restrict pointers: stores through uint8_t* may alias anything, which would otherwise
    // make the compiler reload every pointer on each iteration.
    const std::uint8_t* __restrict t = lut.data() - lo;  // index by value directly
    const T* __restrict src = v;
    std::uint8_t* __restrict dst = out.data();
    if (clamp_index) {
      const T tlo = T(lo), thi = T(hi);
      for (std::size_t i = 0; i < n; ++i) {
        T x = src[i];
        x = x < tlo ? tlo : x;
        x = x > thi ? thi : x;
        dst[i] = t[x];
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) dst[i] = t[src[i]];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = map(v[i]);
  }
  return out;
}

// A grey frame -> 8 bits at the output size (`w` x `h`).
template <class T>
std::vector<std::uint8_t> grey_frame(const PixelArray& px, const RenderOptions& o, int w, int h) {
  const T* v = reinterpret_cast<const T*>(px.data.data());
  if (w == px.columns && h == px.rows) return grey_map(v, px.frame_values(), px, o);
  std::vector<std::int32_t> small = average_down(v, px.columns, px.rows, w, h);
  return grey_map(small.data(), small.size(), px, o);
}

std::vector<std::uint8_t> grey_to_8bit(const PixelArray& px, const RenderOptions& o, int w, int h) {
  switch (px.bytes_per_sample * (px.is_signed ? -1 : 1)) {
    case 1:
      return grey_frame<std::uint8_t>(px, o, w, h);
    case -1:
      return grey_frame<std::int8_t>(px, o, w, h);
    case 2:
      return grey_frame<std::uint16_t>(px, o, w, h);
    case -2:
      return grey_frame<std::int16_t>(px, o, w, h);
    case 4:
      return grey_frame<std::uint32_t>(px, o, w, h);
    default:
      return grey_frame<std::int32_t>(px, o, w, h);
  }
}

// RGB frame -> 8 bits per channel (wider samples keep their top 8 stored bits).
std::vector<std::uint8_t> rgb_to_8bit(const PixelArray& px, const RenderOptions& o) {
  std::size_t n = px.frame_values();
  std::vector<std::uint8_t> out(n);
  int shift = std::max(0, px.bits_stored - 8);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t v = px.bytes_per_sample == 1 ? px.data[i] : std::uint64_t(px.value(i));
    std::uint8_t y = static_cast<std::uint8_t>(std::min<std::uint64_t>(v >> shift, 255));
    out[i] = o.invert ? 255 - y : y;
  }
  return out;
}

// Fit into width x height keeping the aspect ratio; never enlarges.
void fitted_size(int cols, int rows, int width, int height, int& w, int& h) {
  double scale = 1;
  if (width > 0) scale = std::min(scale, double(width) / cols);
  if (height > 0) scale = std::min(scale, double(height) / rows);
  w = std::max(1, int(std::lround(cols * scale)));
  h = std::max(1, int(std::lround(rows * scale)));
  if (width > 0) w = std::min(w, width);
  if (height > 0) h = std::min(h, height);
}

// Area-average downscaling (each output pixel is the mean of its source box).
std::vector<std::uint8_t> downscale(const std::vector<std::uint8_t>& src, int sw, int sh,
                                    int channels, int dw, int dh) {
  std::vector<std::uint8_t> dst(std::size_t(dw) * dh * channels);
  if (sw == 2 * dw && sh == 2 * dh) {  // the common thumbnail case
    std::size_t stride = std::size_t(sw) * channels;
    for (int y = 0; y < dh; ++y) {
      const std::uint8_t* a = src.data() + stride * (2 * y);
      const std::uint8_t* b = a + stride;
      std::uint8_t* d = dst.data() + std::size_t(dw) * channels * y;
      for (int x = 0; x < dw; ++x)
        for (int c = 0; c < channels; ++c) {
          std::size_t i = std::size_t(2 * x) * channels + c;
          d[x * channels + c] =
              std::uint8_t((a[i] + a[i + channels] + b[i] + b[i + channels] + 2) >> 2);
        }
    }
    return dst;
  }
  std::vector<int> x0(dw + 1);
  for (int x = 0; x <= dw; ++x) x0[x] = int(std::int64_t(x) * sw / dw);
  std::vector<std::uint32_t> acc(std::size_t(dw) * channels);
  for (int y = 0; y < dh; ++y) {
    int ya = int(std::int64_t(y) * sh / dh),
        yb = std::max(ya + 1, int(std::int64_t(y + 1) * sh / dh));
    std::fill(acc.begin(), acc.end(), 0);
    for (int sy = ya; sy < yb; ++sy) {
      const std::uint8_t* row = src.data() + std::size_t(sy) * sw * channels;
      for (int x = 0; x < dw; ++x) {
        int xb = std::max(x0[x] + 1, x0[x + 1]);
        for (int sx = x0[x]; sx < xb; ++sx)
          for (int c = 0; c < channels; ++c) acc[x * channels + c] += row[sx * channels + c];
      }
    }
    std::uint8_t* d = dst.data() + std::size_t(y) * dw * channels;
    for (int x = 0; x < dw; ++x) {
      std::uint32_t count = std::uint32_t(yb - ya) * std::max(1, x0[x + 1] - x0[x]);
      for (int c = 0; c < channels; ++c)
        d[x * channels + c] = std::uint8_t((acc[x * channels + c] + count / 2) / count);
    }
  }
  return dst;
}

std::string render_array(const PixelArray& px, const RenderOptions& o) {
  int w = px.columns, h = px.rows;
  fitted_size(px.columns, px.rows, o.width, o.height, w, h);
  std::vector<std::uint8_t> img;
  if (px.samples == 1) {
    img = grey_to_8bit(px, o, w, h);
  } else {
    img = rgb_to_8bit(px, o);
    if (w != px.columns || h != px.rows) img = downscale(img, px.columns, px.rows, 3, w, h);
  }
  Image8 image{w, h, px.samples, img.data()};
  return o.format == ImageFormat::kPng ? detail::encode_png(image)
                                       : detail::encode_jpeg(image, o.quality);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

WindowPreset parse_window_preset(std::string_view name) {
  std::string n = lower(name);
  if (n.empty() || n == "none") return WindowPreset::kNone;
  if (n == "abdomen") return WindowPreset::kCtAbdomen;
  if (n == "bone") return WindowPreset::kCtBone;
  if (n == "brain") return WindowPreset::kCtBrain;
  if (n == "lung") return WindowPreset::kCtLung;
  if (n == "mediastinum") return WindowPreset::kCtMediastinum;
  invalid("unknown window preset \"" + std::string(name.substr(0, 40)) +
          "\" (abdomen, bone, brain, lung, mediastinum)");
}

Window window_preset(WindowPreset preset) {
  switch (preset) {
    case WindowPreset::kCtAbdomen:
      return {40, 400, "abdomen"};
    case WindowPreset::kCtBone:
      return {400, 1800, "bone"};
    case WindowPreset::kCtBrain:
      return {40, 80, "brain"};
    case WindowPreset::kCtLung:
      return {-600, 1500, "lung"};
    case WindowPreset::kCtMediastinum:
      return {50, 350, "mediastinum"};
    case WindowPreset::kNone:
      break;
  }
  return {0, 0, ""};
}

std::string render(const std::string& dicom_bytes, const RenderOptions& options,
                   const ImagingLimits& limits) {
  check_options(options, limits);
  PixelArray px = decode_pixels(dicom_bytes, options.frame, limits);
  return render_array(px, options);
}

std::string thumbnail(const std::string& dicom_bytes, int size, int quality, int frame,
                      const ImagingLimits& limits) {
  if (size < 1) invalid("a thumbnail size is 1 or more");
  RenderOptions o;
  o.frame = frame;
  o.width = size;
  o.height = size;
  o.quality = quality;
  o.format = ImageFormat::kJpeg;
  return render(dicom_bytes, o, limits);
}

FrameTransfer parse_frame_transfer(std::string_view name) {
  std::string n = lower(name);
  if (n == "as_stored" || n == "stored" || n == "original") return FrameTransfer::kAsStored;
  if (n == "uncompressed" || n == "raw" || n == "lossless") return FrameTransfer::kUncompressed;
  if (n == "jpeg" || n == "lossy") return FrameTransfer::kJpeg;
  invalid("unknown frame transfer \"" + std::string(name.substr(0, 40)) +
          "\" (as_stored, uncompressed, jpeg)");
}

FramePayload transcode_frame(const std::string& dicom_bytes, int frame, FrameTransfer transfer,
                             int quality, const ImagingLimits& limits) {
  if (frame < 0) invalid("a frame index is 0 or more");
  FramePayload out;
  switch (transfer) {
    case FrameTransfer::kAsStored: {
      detail::StoredFrame s = detail::stored_frame(dicom_bytes, frame, limits);
      out.bytes = std::move(s.bytes);
      out.transfer_syntax_uid = s.transfer_syntax_uid;
      out.media_type = s.encapsulated ? detail::frame_media_type(s.transfer_syntax_uid)
                                      : "application/octet-stream";
      out.rows = s.rows;
      out.columns = s.columns;
      out.samples = s.samples;
      out.bits_allocated = s.bits_allocated;
      return out;
    }
    case FrameTransfer::kUncompressed: {
      PixelArray px = decode_pixels(dicom_bytes, frame, limits);
      static_assert(std::endian::native == std::endian::little,
                    "native frames are delivered little endian");
      out.bytes.assign(px.data.begin(), px.data.end());
      out.transfer_syntax_uid = "1.2.840.10008.1.2.1";
      out.media_type = "application/octet-stream";
      out.rows = px.rows;
      out.columns = px.columns;
      out.samples = px.samples;
      out.bits_allocated = px.bytes_per_sample * 8;
      return out;
    }
    case FrameTransfer::kJpeg: {
      RenderOptions o;
      o.frame = frame;
      o.quality = quality;
      o.format = ImageFormat::kJpeg;
      check_options(o, limits);
      PixelArray px = decode_pixels(dicom_bytes, frame, limits);
      out.bytes = render_array(px, o);
      out.transfer_syntax_uid = "1.2.840.10008.1.2.4.50";
      out.media_type = "image/jpeg";
      out.rows = px.rows;
      out.columns = px.columns;
      out.samples = px.samples;
      out.bits_allocated = 8;
      return out;
    }
  }
  invalid("unknown frame transfer");
}

}  // namespace portal
