// portal/imaging.hpp — pixels of one DICOM instance: decoding, rendering to PNG/JPEG, thumbnails
// and frame transfer for the viewer (VIEW-7). Every function works on the bytes of one instance
// (a whole DICOM file held in memory), so Session-level calls are one-liners on top.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal {

/// Caps applied BEFORE anything is allocated for pixels. Every declared size (rows x columns x
/// samples x bits x frames, fragment lengths, LUT lengths) is also checked against the bytes
/// actually present. A breach throws Error(kTooLarge); data that contradicts itself throws
/// Error(kCorrupt).
struct ImagingLimits {
  std::uint64_t max_decoded_bytes = 512ull << 20;  ///< decoded pixels per call (default 512 MiB)
  int max_dimension = 65535;                       ///< rows and columns (DICOM's own maximum)
  int max_frames = 100000;                         ///< Number of Frames
  int max_output_dimension = 8192;                 ///< width/height of a rendered image
};

/// A lookup table from the file (Modality LUT, VOI LUT or one palette channel).
struct Lut {
  int first_mapped = 0;             ///< the stored value mapped by data[0]
  int bits = 16;                    ///< bits per entry (8 or 16)
  std::vector<std::uint16_t> data;  ///< one entry per input value, from first_mapped on
  std::string explanation;
};

/// A window from the file (Window Center/Width) or a named preset.
struct Window {
  double center = 0;
  double width = 0;
  std::string name;  ///< the file's explanation, or the preset name
};

/// Decoded pixel values of one or more frames.
///
/// Monochrome images hold stored values (before the modality LUT), sign-extended from
/// bits_stored. Colour images are always delivered as interleaved RGB: YBR_FULL, YBR_FULL_422,
/// YBR_ICT/RCT are converted and PALETTE COLOR is expanded through its LUTs (`source_photometric`
/// keeps what the file said). Samples are native-endian, `bytes_per_sample` wide (1, 2 or 4),
/// signed when `is_signed`; the layout is [frame][row][column][sample].
struct PixelArray {
  int rows = 0;
  int columns = 0;
  int samples = 1;           ///< 1 (monochrome) or 3 (RGB)
  int frames = 0;            ///< frames held in `data`
  int first_frame = 0;       ///< index in the instance of the first frame held
  int number_of_frames = 1;  ///< frames in the instance
  int bits_stored = 8;
  int bytes_per_sample = 1;
  bool is_signed = false;
  std::string photometric;         ///< "MONOCHROME1", "MONOCHROME2" or "RGB"
  std::string source_photometric;  ///< as declared by the file
  std::string transfer_syntax_uid;
  bool lossy = false;  ///< the stored data went through lossy compression

  double rescale_slope = 1;  ///< modality LUT as a linear function ...
  double rescale_intercept = 0;
  std::optional<Lut> modality_lut;  ///< ... or as a table (takes precedence)
  std::vector<Window> windows;      ///< VOI windows from the file, first = default
  std::optional<Lut> voi_lut;       ///< VOI LUT Sequence (used when no window is given)

  std::vector<std::uint8_t> data;

  /// Number of values per frame (rows * columns * samples).
  std::size_t frame_values() const { return static_cast<std::size_t>(rows) * columns * samples; }
  /// The i-th value of `data` as an integer (any width and signedness).
  std::int64_t value(std::size_t i) const;
  /// The modality value (e.g. Hounsfield units) of a monochrome stored value.
  double modality_value(std::int64_t stored) const;
};

/// Decodes frame `frame` (0-based), or every frame when `frame` is negative, of the instance in
/// `dicom_bytes`. Handles every native transfer syntax (little/big endian, implicit/explicit,
/// deflate), RLE, JPEG baseline/extended/lossless, JPEG-LS and JPEG 2000. Thread-safe; the
/// caller keeps ownership of `dicom_bytes` (not retained).
/// Throws Error(kInvalidArgument) for a frame out of range, kUnsupported for an instance without
/// pixels or with an unsupported encoding, kCorrupt for damaged data, kTooLarge past `limits`.
PixelArray decode_pixels(const std::string& dicom_bytes, int frame = 0,
                         const ImagingLimits& limits = {});

/// Named windows for common CT viewing (center/width in modality units).
enum class WindowPreset { kNone, kCtAbdomen, kCtBone, kCtBrain, kCtLung, kCtMediastinum };

/// Parses "abdomen", "bone", "brain", "lung", "mediastinum" (or "" for none).
/// Throws Error(kInvalidArgument) otherwise.
WindowPreset parse_window_preset(std::string_view name);
/// The center/width of a preset (kNone gives width 0).
Window window_preset(WindowPreset preset);

enum class ImageFormat { kJpeg, kPng };

/// How to render one frame to an image a browser shows.
///
/// VOI choice, first that applies: an explicit window (`window_center` and `window_width`), a
/// preset, the file's first window, the file's VOI LUT, the min/max of the frame's values.
struct RenderOptions {
  int frame = 0;                        ///< 0-based frame index
  std::optional<double> window_center;  ///< in modality units (after rescale)
  std::optional<double> window_width;   ///< > 0
  WindowPreset preset = WindowPreset::kNone;
  bool invert = false;  ///< invert the displayed grey levels (or colours)
  int width = 0;        ///< fit into width x height keeping the aspect ratio;
  int height = 0;       ///< 0 = no limit in that direction; never enlarges
  ImageFormat format = ImageFormat::kJpeg;
  int quality = 90;  ///< JPEG quality, 1..100
};

/// Renders one frame of an instance through modality LUT -> VOI -> (invert) -> 8 bits, scaled
/// to fit, encoded as PNG (8-bit grey or RGB, fast compression) or JPEG. MONOCHROME1 is shown
/// with white for low values, as the standard asks. Returns the encoded image. Thread-safe.
/// Throws as decode_pixels, and Error(kInvalidArgument) for bad options.
std::string render(const std::string& dicom_bytes, const RenderOptions& options = {},
                   const ImagingLimits& limits = {});

/// A JPEG thumbnail of the first frame (or `frame`) that fits in size x size with the file's
/// default window. Thread-safe; throws as render.
std::string thumbnail(const std::string& dicom_bytes, int size = 256, int quality = 80,
                      int frame = 0, const ImagingLimits& limits = {});

/// How the viewer wants a frame delivered (VIEW-7).
enum class FrameTransfer {
  kAsStored,      ///< the stored bytes: the frame's fragment(s) or its native bytes
  kUncompressed,  ///< decoded values, little endian (RGB interleaved for colour)
  kJpeg,          ///< an 8-bit lossy JPEG of the frame with the default window
};

/// Parses "as_stored" (or "stored"), "uncompressed" (or "raw"), "jpeg". Throws kInvalidArgument.
FrameTransfer parse_frame_transfer(std::string_view name);

/// One frame ready to send.
struct FramePayload {
  std::string bytes;
  std::string media_type;           ///< e.g. "image/jpeg", "image/jls", "application/octet-stream"
  std::string transfer_syntax_uid;  ///< the syntax of `bytes` (native frames: explicit VR LE)
  int rows = 0;
  int columns = 0;
  int samples = 1;
  int bits_allocated = 8;  ///< of `bytes` for native frames
};

/// Delivers frame `frame` (0-based) as asked. kAsStored of an encapsulated frame is its
/// fragment(s) concatenated, without decoding; of a native frame, its bytes in little endian.
/// `quality` applies to kJpeg (1..100). Thread-safe; throws as decode_pixels.
FramePayload transcode_frame(const std::string& dicom_bytes, int frame, FrameTransfer transfer,
                             int quality = 90, const ImagingLimits& limits = {});

}  // namespace portal
