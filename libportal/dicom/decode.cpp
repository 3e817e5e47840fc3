// Pixel decoding: a bounds-checked scan (pixel_scan.cpp), the header read through DCMTK, native
// pixels and RLE unpacked here, JPEG and JPEG-LS frames decoded by DCMTK's codecs, JPEG 2000 by
// OpenJPEG (which Debian's DCMTK lacks). Every size is checked before any allocation.
#include "libportal/dicom/decode.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <openjpeg.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <type_traits>

#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/dicom/pixel_scan.hpp"
#include "portal/error.hpp"

namespace portal {
namespace detail {
namespace {

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::kCorrupt, what); }
[[noreturn]] void unsupported(const std::string& what) {
  throw Error(ErrorCode::kUnsupported, what);
}

// ---- the header, read through DCMTK ---------------------------------------------------------

struct Header {
  int rows = 0, columns = 0, samples = 1;
  int bits_allocated = 0, bits_stored = 0, high_bit = 0, pixel_representation = 0;
  int planar = 0, frames = 1;
  std::string photometric;
  bool lossy = false;
  double slope = 1, intercept = 0;
  std::optional<Lut> modality_lut;
  std::vector<Window> windows;
  std::optional<Lut> voi_lut;
  std::optional<Lut> palette[3];
};

std::string get_string(DcmItem* item, const DcmTagKey& key, unsigned long pos = 0) {
  OFString v;
  if (item->findAndGetOFString(key, v, pos).bad()) return {};
  std::string s(v.c_str(), v.length());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

// Present and readable as an unsigned short (the pixel module's attributes).
std::optional<int> get_us(DcmItem* item, const DcmTagKey& key) {
  Uint16 v = 0;
  if (item->findAndGetUint16(key, v).good()) return v;
  Sint16 s = 0;
  if (item->findAndGetSint16(key, s).good()) return static_cast<std::uint16_t>(s);
  return std::nullopt;
}

std::optional<double> get_ds(DcmItem* item, const DcmTagKey& key, unsigned long pos = 0) {
  Float64 v = 0;
  if (item->findAndGetFloat64(key, v, pos).good() && std::isfinite(v)) return v;
  return std::nullopt;
}

DcmItem* first_item(DcmItem* parent, const DcmTagKey& seq, unsigned long index = 0) {
  DcmItem* item = nullptr;
  if (parent && parent->findAndGetSequenceItem(seq, item, static_cast<signed long>(index)).good())
    return item;
  return nullptr;
}

// A LUT from a descriptor (entries, first mapped, bits) and its data; the declared count is
// checked against the data present before anything is copied.
std::optional<Lut> read_lut(DcmItem* item, const DcmTagKey& descriptor_key,
                            const DcmTagKey& data_key, const char* what, bool signed_first) {
  DcmElement* desc = nullptr;
  if (!item || item->findAndGetElement(descriptor_key, desc).bad() || !desc) return std::nullopt;
  if (desc->getVM() < 3) corrupt(std::string(what) + " descriptor does not have three values");
  Uint16 d[3] = {0, 0, 0};
  for (unsigned long i = 0; i < 3; ++i) {
    if (desc->getUint16(d[i], i).bad()) {
      Sint16 s = 0;
      if (desc->getSint16(s, i).bad()) corrupt(std::string(what) + " descriptor is unreadable");
      d[i] = static_cast<Uint16>(s);
    }
  }
  Lut lut;
  std::size_t entries = d[0] == 0 ? 65536 : d[0];
  lut.first_mapped = signed_first ? static_cast<Sint16>(d[1]) : d[1];
  lut.bits = d[2];
  if (lut.bits != 8 && lut.bits != 16 && !(lut.bits > 8 && lut.bits < 16))
    unsupported(std::string(what) + " with " + std::to_string(lut.bits) + " bits per entry");
  DcmElement* data = nullptr;
  if (item->findAndGetElement(data_key, data).bad() || !data)
    corrupt(std::string(what) + " has a descriptor but no data");
  std::size_t bytes = data->getLength();
  std::size_t words = bytes / 2;
  Uint16* w = nullptr;
  if (words > 0 && data->getUint16Array(w).bad()) {
    Uint8* b = nullptr;
    if (data->getUint8Array(b).bad() || !b) corrupt(std::string(what) + " data is unreadable");
    w = reinterpret_cast<Uint16*>(b);
  }
  if (words >= entries) {
    lut.data.assign(w, w + entries);
    if (lut.bits == 8)
      for (auto& v : lut.data) v &= 0xFF;
  } else if (lut.bits == 8 && bytes >= entries) {
    // 8-bit entries packed two per word.
    lut.data.resize(entries);
    for (std::size_t i = 0; i < entries; ++i) lut.data[i] = (w[i / 2] >> ((i % 2) * 8)) & 0xFF;
  } else {
    corrupt(std::string(what) + " descriptor declares " + std::to_string(entries) +
            " entries but its data holds " + std::to_string(lut.bits == 8 ? bytes : words));
  }
  lut.explanation = get_string(item, DCM_LUTExplanation);
  return lut;
}

void read_windows(DcmItem* item, std::vector<Window>& out) {
  if (!item) return;
  for (unsigned long i = 0; i < 16; ++i) {
    auto c = get_ds(item, DCM_WindowCenter, i);
    auto w = get_ds(item, DCM_WindowWidth, i);
    if (!c || !w) break;
    if (*w <= 0) continue;
    out.push_back({*c, *w, get_string(item, DCM_WindowCenterWidthExplanation, i)});
  }
}

Header read_header(DcmDataset* ds, int frame, const ImagingLimits& limits) {
  Header h;
  auto rows = get_us(ds, DCM_Rows), cols = get_us(ds, DCM_Columns);
  auto ba = get_us(ds, DCM_BitsAllocated);
  if (!rows || !cols || !ba) unsupported("the instance has no image pixel module");
  h.rows = *rows;
  h.columns = *cols;
  h.bits_allocated = *ba;
  h.samples = get_us(ds, DCM_SamplesPerPixel).value_or(1);
  h.bits_stored = get_us(ds, DCM_BitsStored).value_or(h.bits_allocated);
  h.high_bit = get_us(ds, DCM_HighBit).value_or(h.bits_stored - 1);
  h.pixel_representation = get_us(ds, DCM_PixelRepresentation).value_or(0);
  h.planar = get_us(ds, DCM_PlanarConfiguration).value_or(0);
  h.photometric = get_string(ds, DCM_PhotometricInterpretation);
  if (h.photometric.empty()) h.photometric = h.samples == 3 ? "RGB" : "MONOCHROME2";

  DcmElement* nf = nullptr;
  if (ds->findAndGetElement(DCM_NumberOfFrames, nf).good() && nf && nf->getLength() > 0) {
    std::string text = get_string(ds, DCM_NumberOfFrames);
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < 0)
      corrupt("Number of Frames \"" + text + "\" is invalid");
    if (v > limits.max_frames)
      throw Error(ErrorCode::kTooLarge, "Number of Frames " + std::to_string(v) +
                                            " exceeds the cap of " +
                                            std::to_string(limits.max_frames));
    h.frames = v == 0 ? 1 : static_cast<int>(v);
  }

  if (h.rows == 0 || h.columns == 0) corrupt("the image has zero rows or columns");
  if (h.rows > limits.max_dimension || h.columns > limits.max_dimension)
    throw Error(ErrorCode::kTooLarge, std::to_string(h.rows) + " x " + std::to_string(h.columns) +
                                          " pixels exceeds the cap of " +
                                          std::to_string(limits.max_dimension));
  if (h.samples != 1 && h.samples != 3)
    unsupported(std::to_string(h.samples) + " samples per pixel");
  if (h.bits_allocated != 1 && h.bits_allocated != 8 && h.bits_allocated != 16 &&
      h.bits_allocated != 32)
    unsupported("Bits Allocated " + std::to_string(h.bits_allocated));
  if (h.bits_stored < 1 || h.bits_stored > h.bits_allocated)
    corrupt("Bits Stored " + std::to_string(h.bits_stored) + " does not fit Bits Allocated " +
            std::to_string(h.bits_allocated));
  if (h.high_bit >= h.bits_allocated || h.high_bit < h.bits_stored - 1)
    corrupt("High Bit " + std::to_string(h.high_bit) + " does not fit Bits Allocated " +
            std::to_string(h.bits_allocated) + " and Bits Stored " + std::to_string(h.bits_stored));
  const std::string& pi = h.photometric;
  bool mono = pi == "MONOCHROME1" || pi == "MONOCHROME2";
  if (h.samples == 1 && !mono && pi != "PALETTE COLOR")
    unsupported("photometric interpretation " + pi + " with one sample");
  if (h.samples == 3 && pi != "RGB" && pi != "YBR_FULL" && pi != "YBR_FULL_422" &&
      pi != "YBR_RCT" && pi != "YBR_ICT")
    unsupported("photometric interpretation " + pi);
  if (h.bits_allocated == 1 && h.samples != 1) unsupported("1-bit colour pixels");

  h.lossy = get_string(ds, DCM_LossyImageCompression) == "01";

  // Modality LUT and VOI: the image itself, else the frame's functional groups (enhanced
  // multi-frame objects), per frame overriding shared.
  DcmItem* shared = first_item(ds, DCM_SharedFunctionalGroupsSequence);
  DcmItem* per_frame =
      frame >= 0 ? first_item(ds, DCM_PerFrameFunctionalGroupsSequence, frame) : nullptr;
  DcmItem* sources[] = {ds, first_item(per_frame, DCM_PixelValueTransformationSequence),
                        first_item(shared, DCM_PixelValueTransformationSequence)};
  for (DcmItem* src : sources) {
    if (!src) continue;
    auto slope = get_ds(src, DCM_RescaleSlope), icpt = get_ds(src, DCM_RescaleIntercept);
    if (slope || icpt) {
      h.slope = slope.value_or(1);
      h.intercept = icpt.value_or(0);
      if (h.slope == 0) h.slope = 1;
      break;
    }
  }
  bool signed_pixels = h.pixel_representation == 1;
  if (mono) {
    h.modality_lut = read_lut(first_item(ds, DCM_ModalityLUTSequence), DCM_LUTDescriptor,
                              DCM_LUTData, "Modality LUT", signed_pixels);
    read_windows(ds, h.windows);
    if (h.windows.empty()) read_windows(first_item(per_frame, DCM_FrameVOILUTSequence), h.windows);
    if (h.windows.empty()) read_windows(first_item(shared, DCM_FrameVOILUTSequence), h.windows);
    bool voi_signed = signed_pixels || h.intercept < 0;
    h.voi_lut = read_lut(first_item(ds, DCM_VOILUTSequence), DCM_LUTDescriptor, DCM_LUTData,
                         "VOI LUT", voi_signed);
  }
  if (pi == "PALETTE COLOR") {
    if (ds->tagExists(DCM_SegmentedRedPaletteColorLookupTableData))
      unsupported("segmented palette colour lookup tables");
    const DcmTagKey desc[3] = {DCM_RedPaletteColorLookupTableDescriptor,
                               DCM_GreenPaletteColorLookupTableDescriptor,
                               DCM_BluePaletteColorLookupTableDescriptor};
    const DcmTagKey data[3] = {DCM_RedPaletteColorLookupTableData,
                               DCM_GreenPaletteColorLookupTableData,
                               DCM_BluePaletteColorLookupTableData};
    const char* names[3] = {"red palette LUT", "green palette LUT", "blue palette LUT"};
    for (int c = 0; c < 3; ++c) {
      h.palette[c] = read_lut(ds, desc[c], data[c], names[c], false);
      if (!h.palette[c]) corrupt(std::string("PALETTE COLOR image without its ") + names[c]);
    }
  }
  return h;
}

// Bytes of one native frame as stored.
std::uint64_t native_frame_bytes(const Header& h) {
  std::uint64_t pixels = std::uint64_t(h.rows) * h.columns;
  if (h.bits_allocated == 1) return (pixels + 7) / 8;  // (only whole multi-frame data matters)
  if (h.photometric == "YBR_FULL_422") return pixels * 2 * (h.bits_allocated / 8);
  return pixels * h.samples * (h.bits_allocated / 8);
}

// Output sample width (bytes) of the decoded array.
int output_bytes_per_sample(const Header& h) {
  if (h.photometric == "PALETTE COLOR") return h.palette[0]->bits > 8 ? 2 : 1;
  return h.bits_allocated <= 8 ? 1 : h.bits_allocated / 8;
}

int output_samples(const Header& h) { return h.photometric == "PALETTE COLOR" ? 3 : h.samples; }

void check_output_size(const Header& h, int frames, const ImagingLimits& limits) {
  std::uint64_t bytes = std::uint64_t(h.rows) * h.columns * output_samples(h) *
                        output_bytes_per_sample(h) * std::uint64_t(frames);
  std::uint64_t raw = std::uint64_t(h.rows) * h.columns * h.samples *
                      std::max(1, h.bits_allocated / 8);  // one frame of decoder output
  if (bytes > limits.max_decoded_bytes || raw > limits.max_decoded_bytes)
    throw Error(ErrorCode::kTooLarge, "decoding needs " + std::to_string(bytes) +
                                          " bytes, more than the cap of " +
                                          std::to_string(limits.max_decoded_bytes));
}

// ---- DCMTK loading -------------------------------------------------------------------------

// Reads the instance with DCMTK; only after scan_pixels has checked every length, so DCMTK never
// allocates more than the file holds. `whole` also loads Pixel Data (for DCMTK's codecs).
std::unique_ptr<DcmFileFormat> load(const std::string& bytes, bool whole) {
  dicom_init();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  auto ff = std::make_unique<DcmFileFormat>();
  ff->transferInit();
  OFCondition cond =
      whole ? ff->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength)
            : ff->readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, DCM_PixelData);
  ff->transferEnd();
  if (cond.bad() && !(!whole && cond == EC_StreamNotifyClient))
    corrupt(std::string("not a readable DICOM file: ") + cond.text());
  return ff;
}

// ---- sample conversion ---------------------------------------------------------------------

template <class T>
inline T load_as(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Raw host-order samples of one frame -> masked, sign-extended output samples. Written without
// branches in the loop so that the compiler vectorises it (this runs on every rendered pixel).
template <class In, class Out>
void mono_samples(const unsigned char* raw, std::size_t count, const Header& h, Out* out) {
  int shift = h.high_bit + 1 - h.bits_stored;
  bool is_signed = h.pixel_representation == 1;
  if (shift == 0 && h.bits_stored == int(sizeof(In)) * 8 && sizeof(In) == sizeof(Out)) {
    std::memcpy(out, raw, count * sizeof(In));
    return;
  }
  constexpr int kBits = int(sizeof(In)) * 8;
  // Move the stored bits to the top, then back down: arithmetic shift for signed values.
  int up = kBits - 1 - h.high_bit;
  int down = kBits - h.bits_stored;
  using S = std::make_signed_t<In>;
  if (is_signed) {
    for (std::size_t i = 0; i < count; ++i) {
      In v = load_as<In>(raw + i * sizeof(In));
      out[i] = static_cast<Out>(static_cast<S>(static_cast<In>(v << up)) >> down);
    }
  } else {
    // Shift right then mask: stays in the sample's width (one SIMD shift and one AND).
    const int shift = h.high_bit + 1 - h.bits_stored;
    const In mask = static_cast<In>(~In(0) >> (kBits - h.bits_stored));
    for (std::size_t i = 0; i < count; ++i) {
      In v = load_as<In>(raw + i * sizeof(In));
      out[i] = static_cast<Out>(static_cast<In>(v >> shift) & mask);
    }
  }
}

inline std::uint8_t clamp8(double v) {
  return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : std::lround(v));
}

// A decoded frame in host order (`raw`, `planar` as produced) -> PixelArray samples.
void finish_frame(const unsigned char* raw, std::size_t raw_size, const Header& h,
                  const std::string& color_model, int planar, std::uint8_t* out) {
  std::size_t pixels = std::size_t(h.rows) * h.columns;
  int in_bytes = h.bits_allocated <= 8 ? 1 : h.bits_allocated / 8;
  std::size_t need = pixels * h.samples * in_bytes;
  if (raw_size < need)
    corrupt("the decoded frame holds " + std::to_string(raw_size) + " bytes, " +
            std::to_string(need) + " expected");

  if (h.samples == 1 && h.photometric != "PALETTE COLOR") {
    switch (in_bytes) {
      case 1:
        mono_samples<std::uint8_t>(raw, pixels, h, out);
        break;
      case 2:
        mono_samples<std::uint16_t>(raw, pixels, h, reinterpret_cast<std::uint16_t*>(out));
        break;
      default:
        mono_samples<std::uint32_t>(raw, pixels, h, reinterpret_cast<std::uint32_t*>(out));
    }
    return;
  }

  if (h.photometric == "PALETTE COLOR") {
    // Palette indices -> RGB through the three LUTs (indices outside the table clamp).
    Header idx = h;
    idx.pixel_representation = 0;
    std::vector<std::uint32_t> index(pixels);
    if (in_bytes == 1)
      mono_samples<std::uint8_t>(raw, pixels, idx, index.data());
    else if (in_bytes == 2)
      mono_samples<std::uint16_t>(raw, pixels, idx, index.data());
    else
      mono_samples<std::uint32_t>(raw, pixels, idx, index.data());
    bool wide = h.palette[0]->bits > 8;
    for (std::size_t i = 0; i < pixels; ++i) {
      for (int c = 0; c < 3; ++c) {
        const Lut& lut = *h.palette[c];
        std::int64_t k = std::int64_t(index[i]) - lut.first_mapped;
        k = std::clamp<std::int64_t>(k, 0, std::int64_t(lut.data.size()) - 1);
        std::uint16_t v = lut.data[k];
        if (wide)
          reinterpret_cast<std::uint16_t*>(out)[i * 3 + c] = v;
        else
          out[i * 3 + c] = static_cast<std::uint8_t>(v);
      }
    }
    return;
  }

  // Colour: interleave, then convert YBR to RGB.
  std::size_t n = pixels * 3;
  auto sample = [&](std::size_t p, int c) -> std::uint32_t {
    std::size_t i = planar ? c * pixels + p : p * 3 + c;
    if (in_bytes == 1) return raw[i];
    if (in_bytes == 2) return load_as<std::uint16_t>(raw + 2 * i);
    return load_as<std::uint32_t>(raw + 4 * i);
  };
  bool ybr = color_model == "YBR_FULL" || color_model == "YBR_FULL_422";
  if (!ybr) {
    if (!planar) {
      std::memcpy(out, raw, n * in_bytes);
      return;
    }
    for (std::size_t p = 0; p < pixels; ++p)
      for (int c = 0; c < 3; ++c) {
        std::uint32_t v = sample(p, c);
        if (in_bytes == 1)
          out[p * 3 + c] = static_cast<std::uint8_t>(v);
        else if (in_bytes == 2)
          reinterpret_cast<std::uint16_t*>(out)[p * 3 + c] = std::uint16_t(v);
        else
          reinterpret_cast<std::uint32_t*>(out)[p * 3 + c] = v;
      }
    return;
  }
  if (in_bytes != 1) unsupported("YBR colour with more than 8 bits");
  for (std::size_t p = 0; p < pixels; ++p) {
    double y = sample(p, 0), cb = sample(p, 1) - 128.0, cr = sample(p, 2) - 128.0;
    out[p * 3 + 0] = clamp8(y + 1.402 * cr);
    out[p * 3 + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
    out[p * 3 + 2] = clamp8(y + 1.772 * cb);
  }
}

// One native frame: file bytes -> host-order raw samples (a view when no copy is needed).
const unsigned char* native_raw(const PixelScan& scan, const Header& h, int frame,
                                std::vector<unsigned char>& buf, std::size_t& size,
                                std::string& color_model) {
  const auto* data = reinterpret_cast<const unsigned char*>(scan.base) + scan.native.offset;
  std::uint64_t pixels = std::uint64_t(h.rows) * h.columns;
  if (h.bits_allocated == 1) {
    // Bits packed little-endian-first across frames; a frame need not start on a byte.
    std::uint64_t first = pixels * frame;
    buf.resize(pixels);
    for (std::uint64_t i = 0; i < pixels; ++i) {
      std::uint64_t bit = first + i;
      std::uint64_t byte = bit / 8;
      buf[i] = (data[byte] >> (bit % 8)) & 1;
    }
    size = buf.size();
    return buf.data();
  }
  std::uint64_t fb = native_frame_bytes(h);
  const unsigned char* src = data + fb * frame;
  if (h.photometric == "YBR_FULL_422") {
    if (h.bits_allocated != 8) unsupported("YBR_FULL_422 with more than 8 bits");
    // Y1 Y2 Cb Cr for each pair of pixels -> YBR_FULL, interleaved.
    buf.resize(pixels * 3);
    for (std::uint64_t p = 0; p + 1 < pixels + 1; p += 2) {
      const unsigned char* q = src + p * 2;
      buf[p * 3 + 0] = q[0];
      buf[p * 3 + 1] = q[2];
      buf[p * 3 + 2] = q[3];
      if (p + 1 < pixels) {
        buf[p * 3 + 3] = q[1];
        buf[p * 3 + 4] = q[2];
        buf[p * 3 + 5] = q[3];
      }
    }
    color_model = "YBR_FULL";
    size = buf.size();
    return buf.data();
  }
  size = fb;
  int width = h.bits_allocated / 8;
  if (scan.little_endian || width == 1) return src;
  buf.resize(fb);
  for (std::uint64_t i = 0; i + width <= fb; i += width)
    for (int b = 0; b < width; ++b) buf[i + b] = src[i + width - 1 - b];
  return buf.data();
}

// JPEG 2000 through OpenJPEG directly (Debian's DCMTK lacks it; GDCM 3.0.21's codec aborts on an
// assertion or writes out of bounds when the codestream contradicts the header). The codestream's
// header is checked against the DICOM header before OpenJPEG allocates anything for the image.
struct MemoryStream {
  const unsigned char* data;
  std::size_t size;
  std::size_t pos = 0;
};

OPJ_SIZE_T opj_read(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* m = static_cast<MemoryStream*>(user);
  if (m->pos >= m->size) return static_cast<OPJ_SIZE_T>(-1);
  OPJ_SIZE_T count = std::min<OPJ_SIZE_T>(n, m->size - m->pos);
  std::memcpy(buffer, m->data + m->pos, count);
  m->pos += count;
  return count;
}

OPJ_OFF_T opj_skip(OPJ_OFF_T n, void* user) {
  auto* m = static_cast<MemoryStream*>(user);
  if (n < 0) {
    OPJ_OFF_T back = std::min<OPJ_OFF_T>(-n, OPJ_OFF_T(m->pos));
    m->pos -= std::size_t(back);
    return -back;
  }
  OPJ_OFF_T fwd = std::min<OPJ_OFF_T>(n, OPJ_OFF_T(m->size - m->pos));
  m->pos += std::size_t(fwd);
  return fwd;
}

OPJ_BOOL opj_seek(OPJ_OFF_T to, void* user) {
  auto* m = static_cast<MemoryStream*>(user);
  if (to < 0 || std::uint64_t(to) > m->size) return OPJ_FALSE;
  m->pos = std::size_t(to);
  return OPJ_TRUE;
}

void opj_quiet(const char*, void*) {}
void opj_keep_error(const char* msg, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->empty() && msg) {
    *out = msg;
    while (!out->empty() && (out->back() == '\n' || out->back() == ' ')) out->pop_back();
  }
}

std::string decode_j2k(const PixelScan& scan, const Header& h, int frame) {
  std::string code;
  for (const Span& s : frame_fragments(scan, frame, h.frames)) code += scan.bytes(s);
  const auto* p = reinterpret_cast<const unsigned char*>(code.data());
  bool jp2 = code.size() >= 12 && std::memcmp(p + 4, "jP  ", 4) == 0;

  std::string error;
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(
      opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K), opj_destroy_codec);
  if (!codec) throw Error(ErrorCode::kInternal, "cannot create a JPEG 2000 decoder");
  opj_set_info_handler(codec.get(), opj_quiet, nullptr);
  opj_set_warning_handler(codec.get(), opj_quiet, nullptr);
  opj_set_error_handler(codec.get(), opj_keep_error, &error);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params))
    throw Error(ErrorCode::kInternal, "cannot set up the JPEG 2000 decoder");

  MemoryStream mem{p, code.size()};
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(
      opj_stream_create(1 << 16, OPJ_TRUE), opj_stream_destroy);
  if (!stream) throw Error(ErrorCode::kInternal, "cannot create a JPEG 2000 stream");
  opj_stream_set_user_data(stream.get(), &mem, nullptr);
  opj_stream_set_user_data_length(stream.get(), code.size());
  opj_stream_set_read_function(stream.get(), opj_read);
  opj_stream_set_skip_function(stream.get(), opj_skip);
  opj_stream_set_seek_function(stream.get(), opj_seek);

  opj_image_t* raw_image = nullptr;
  auto failed = [&](const char* what) {
    corrupt(std::string("the JPEG 2000 frame ") + std::to_string(frame) + " " + what +
            (error.empty() ? "" : ": " + error));
  };
  if (!opj_read_header(stream.get(), codec.get(), &raw_image)) {
    if (raw_image) opj_image_destroy(raw_image);
    failed("has an unreadable header");
  }
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(raw_image, opj_image_destroy);
  std::uint64_t width = image->x1 > image->x0 ? image->x1 - image->x0 : 0;
  std::uint64_t height = image->y1 > image->y0 ? image->y1 - image->y0 : 0;
  if (width != std::uint64_t(h.columns) || height != std::uint64_t(h.rows) ||
      image->numcomps != std::uint32_t(h.samples))
    corrupt("the JPEG 2000 codestream is " + std::to_string(width) + " x " +
            std::to_string(height) + " x " + std::to_string(image->numcomps) +
            ", the header says " + std::to_string(h.columns) + " x " + std::to_string(h.rows) +
            " x " + std::to_string(h.samples));
  int max_prec = h.bits_allocated <= 8 ? 8 : h.bits_allocated;
  for (std::uint32_t c = 0; c < image->numcomps; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.dx != 1 || comp.dy != 1) unsupported("subsampled JPEG 2000 components");
    if (comp.prec < 1 || int(comp.prec) > max_prec)
      corrupt("the JPEG 2000 codestream has " + std::to_string(comp.prec) +
              "-bit samples, more than Bits Allocated");
  }
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get()))
    failed("cannot be decoded");

  std::size_t pixels = std::size_t(h.rows) * h.columns;
  int bytes = h.bits_allocated <= 8 ? 1 : h.bits_allocated / 8;
  for (std::uint32_t c = 0; c < image->numcomps; ++c)
    if (!image->comps[c].data || image->comps[c].w != std::uint32_t(h.columns) ||
        image->comps[c].h != std::uint32_t(h.rows))
      failed("decodes to an unexpected size");
  std::string out(pixels * h.samples * bytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  for (std::size_t i = 0; i < pixels; ++i)
    for (int c = 0; c < h.samples; ++c) {
      auto v = static_cast<std::uint32_t>(image->comps[c].data[i]);
      unsigned char* q = dst + (i * h.samples + c) * bytes;
      for (int b = 0; b < bytes; ++b) q[b] = static_cast<unsigned char>(v >> (8 * b));
    }
  return out;
}

bool is_jpeg_syntax(std::string_view uid) {
  return uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" ||
         uid == "1.2.840.10008.1.2.4.57" || uid == "1.2.840.10008.1.2.4.70";
}

// DCMTK 3.6.7 looks for the SOF marker of a JPEG fragment (DJCodecDecoder::
// scanJpegDataForBitDepth) with a loop that never advances past a TEM marker (FF01): a crafted
// file would hang the thread. The same walk, done first, refuses such data.
void check_jpeg_markers(std::string_view fragment) {
  const auto* d = reinterpret_cast<const unsigned char*>(fragment.data());
  std::size_t n = fragment.size(), offset = 0;
  while (offset + 4 < n) {
    unsigned marker = (unsigned(d[offset]) << 8) | d[offset + 1];
    unsigned length = (unsigned(d[offset + 2]) << 8) | d[offset + 3];
    if (marker == 0xFF01) corrupt("malformed JPEG data (TEM marker before the frame header)");
    bool sof = (marker >= 0xFFC0 && marker <= 0xFFCF) && marker != 0xFFC4 && marker != 0xFFC8 &&
               marker != 0xFFCC;
    if (sof) return;
    if ((marker >= 0xFFD0 && marker <= 0xFFD9) ||
        (d[offset] == 0xFF && d[offset + 1] > 2 && d[offset + 1] <= 0xBF)) {
      offset += 2;
    } else if (marker == 0xFFC4 || marker == 0xFFC8 || marker == 0xFFCC ||
               (marker >= 0xFFDA && marker <= 0xFFFE)) {
      offset += length + 2;
    } else {
      return;  // DCMTK stops here too
    }
  }
}

bool is_rle_syntax(std::string_view uid) { return uid == "1.2.840.10008.1.2.5"; }

bool needs_dcmtk_codec(const PixelScan& scan) {
  return scan.encapsulated && !is_jpeg2000_syntax(scan.transfer_syntax_uid) &&
         !is_rle_syntax(scan.transfer_syntax_uid);
}

// RLE (PS3.5 Annex G), decoded here rather than by DCMTK 3.6.7, whose decoder crashes on some
// damaged segments. One segment per byte of each sample, most significant byte first, each a
// PackBits stream of rows x columns bytes. Output: interleaved samples in host (little endian)
// order.
std::string decode_rle(const PixelScan& scan, const Header& h, int frame) {
  static_assert(std::endian::native == std::endian::little, "RLE output is little endian");
  std::string data;
  for (const Span& s : frame_fragments(scan, frame, h.frames)) data += scan.bytes(s);
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  auto u32 = [&](std::size_t at) {
    return std::uint32_t(d[at]) | (std::uint32_t(d[at + 1]) << 8) |
           (std::uint32_t(d[at + 2]) << 16) | (std::uint32_t(d[at + 3]) << 24);
  };
  if (data.size() < 64) corrupt("the RLE frame has no header");
  int bytes = h.bits_allocated / 8;
  std::uint32_t segments = u32(0);
  if (segments != std::uint32_t(h.samples * bytes))
    corrupt("the RLE frame has " + std::to_string(segments) + " segments, " +
            std::to_string(h.samples * bytes) + " expected");
  std::size_t pixels = std::size_t(h.rows) * h.columns;
  std::size_t stride = std::size_t(h.samples) * bytes;
  std::string out(pixels * stride, '\0');
  for (std::uint32_t seg = 0; seg < segments; ++seg) {
    std::size_t begin = u32(4 + 4 * seg);
    std::size_t end = seg + 1 < segments ? u32(8 + 4 * seg) : data.size();
    if (begin < 64 || begin > end || end > data.size())
      corrupt("an RLE segment offset points outside the frame");
    int sample = int(seg) / bytes, byte = int(seg) % bytes;  // byte 0 = most significant
    auto* dst = reinterpret_cast<unsigned char*>(out.data()) + sample * bytes + (bytes - 1 - byte);
    std::size_t produced = 0, pos = begin;
    while (produced < pixels && pos < end) {
      int n = static_cast<signed char>(d[pos++]);
      if (n >= 0) {  // n + 1 literal bytes
        std::size_t count = std::min<std::size_t>(std::size_t(n) + 1, pixels - produced);
        if (count > end - pos) corrupt("an RLE literal run passes the end of its segment");
        for (std::size_t i = 0; i < count; ++i) dst[(produced + i) * stride] = d[pos + i];
        pos += std::size_t(n) + 1;
        produced += count;
      } else if (n != -128) {  // the next byte, 1 - n times
        if (pos >= end) corrupt("an RLE replicate run passes the end of its segment");
        std::size_t count = std::min<std::size_t>(std::size_t(1 - n), pixels - produced);
        for (std::size_t i = 0; i < count; ++i) dst[(produced + i) * stride] = d[pos];
        ++pos;
        produced += count;
      }
    }
    if (produced < pixels)
      corrupt("an RLE segment decodes to " + std::to_string(produced) + " bytes, " +
              std::to_string(pixels) + " expected");
  }
  return out;
}

struct Prepared {
  PixelScan scan;
  std::unique_ptr<DcmFileFormat> ff;
  Header h;
};

// Scans, reads the header and checks every size; `decoding` loads Pixel Data into DCMTK when its
// codecs will decode it.
Prepared prepare(const std::string& bytes, int frame, const ImagingLimits& limits, bool decoding) {
  Prepared p;
  p.scan = scan_pixels(bytes, limits);
  if (!p.scan.has_pixels) {
    if (p.scan.float_pixels) unsupported("floating-point pixel data");
    unsupported("the instance holds no pixel data");
  }
  p.ff = load(bytes, decoding && needs_dcmtk_codec(p.scan));
  p.h = read_header(p.ff->getDataset(), frame, limits);
  const Header& h = p.h;
  if (frame >= h.frames)
    throw Error(ErrorCode::kInvalidArgument, "frame " + std::to_string(frame) +
                                                 " is out of range (the instance has " +
                                                 std::to_string(h.frames) + ")");
  check_output_size(h, frame < 0 ? h.frames : 1, limits);
  if (p.scan.encapsulated) {
    if (p.scan.fragments.empty()) corrupt("encapsulated Pixel Data holds no fragment");
    if (h.bits_allocated == 1) unsupported("compressed 1-bit pixels");
  } else {
    std::uint64_t need = h.bits_allocated == 1
                             ? (std::uint64_t(h.rows) * h.columns * h.frames + 7) / 8
                             : native_frame_bytes(h) * h.frames;
    if (need > p.scan.native.length)
      corrupt("Pixel Data holds " + std::to_string(p.scan.native.length) + " bytes but " +
              std::to_string(h.rows) + " rows x " + std::to_string(h.columns) + " columns x " +
              std::to_string(h.samples) + " samples x " + std::to_string(h.bits_allocated) +
              " bits x " + std::to_string(h.frames) + " frames need " + std::to_string(need));
  }
  return p;
}

}  // namespace

StoredFrame stored_frame(const std::string& dicom_bytes, int frame, const ImagingLimits& limits) {
  if (frame < 0) throw Error(ErrorCode::kInvalidArgument, "a frame index is 0 or more");
  Prepared p = prepare(dicom_bytes, frame, limits, false);
  const PixelScan& scan = p.scan;
  const Header& h = p.h;
  StoredFrame out;
  out.rows = h.rows;
  out.columns = h.columns;
  out.samples = h.samples;
  out.bits_allocated = h.bits_allocated;
  if (scan.encapsulated) {
    out.encapsulated = true;
    out.transfer_syntax_uid = scan.transfer_syntax_uid;
    for (const Span& s : frame_fragments(scan, frame, h.frames)) out.bytes += scan.bytes(s);
    return out;
  }
  out.transfer_syntax_uid = "1.2.840.10008.1.2.1";
  std::uint64_t fb = native_frame_bytes(h);
  if (h.bits_allocated == 1) {
    std::uint64_t pixels = std::uint64_t(h.rows) * h.columns;
    std::vector<unsigned char> buf;
    std::size_t size = 0;
    std::string cm;
    const unsigned char* raw = native_raw(scan, h, frame, buf, size, cm);
    out.bytes.assign((pixels + 7) / 8, '\0');
    for (std::uint64_t i = 0; i < pixels; ++i)
      if (raw[i]) out.bytes[i / 8] |= char(1 << (i % 8));
    return out;
  }
  std::string_view src(scan.base + scan.native.offset + fb * frame, fb);
  out.bytes.assign(src);
  int width = h.bits_allocated / 8;
  if (!scan.little_endian && width > 1)
    for (std::size_t i = 0; i + width <= out.bytes.size(); i += width)
      std::reverse(out.bytes.begin() + i, out.bytes.begin() + i + width);
  return out;
}

}  // namespace detail

std::int64_t PixelArray::value(std::size_t i) const {
  const std::uint8_t* p = data.data() + i * bytes_per_sample;
  switch (bytes_per_sample) {
    case 1:
      return is_signed ? std::int64_t(std::int8_t(*p)) : std::int64_t(*p);
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return is_signed ? std::int64_t(std::int16_t(v)) : std::int64_t(v);
    }
    default: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return is_signed ? std::int64_t(std::int32_t(v)) : std::int64_t(v);
    }
  }
}

double PixelArray::modality_value(std::int64_t stored) const {
  if (modality_lut && !modality_lut->data.empty()) {
    std::int64_t k = stored - modality_lut->first_mapped;
    k = std::clamp<std::int64_t>(k, 0, std::int64_t(modality_lut->data.size()) - 1);
    return modality_lut->data[k];
  }
  return stored * rescale_slope + rescale_intercept;
}

PixelArray decode_pixels(const std::string& dicom_bytes, int frame, const ImagingLimits& limits) {
  using namespace detail;
  Prepared p = prepare(dicom_bytes, frame, limits, true);
  const Header& h = p.h;
  int first = frame < 0 ? 0 : frame;
  int count = frame < 0 ? h.frames : 1;

  PixelArray out;
  out.rows = h.rows;
  out.columns = h.columns;
  out.samples = output_samples(h);
  out.frames = count;
  out.first_frame = first;
  out.number_of_frames = h.frames;
  out.bits_stored = h.photometric == "PALETTE COLOR" ? h.palette[0]->bits : h.bits_stored;
  out.bytes_per_sample = output_bytes_per_sample(h);
  out.is_signed = h.samples == 1 && h.photometric != "PALETTE COLOR" && h.pixel_representation == 1;
  out.source_photometric = h.photometric;
  out.photometric = out.samples == 3 ? "RGB" : h.photometric;
  out.transfer_syntax_uid = p.scan.transfer_syntax_uid;
  out.lossy = h.lossy || is_lossy_syntax(p.scan.transfer_syntax_uid);
  out.rescale_slope = h.slope;
  out.rescale_intercept = h.intercept;
  out.modality_lut = h.modality_lut;
  out.windows = h.windows;
  out.voi_lut = h.voi_lut;
  std::size_t frame_out = out.frame_values() * out.bytes_per_sample;
  out.data.resize(frame_out * count);

  std::vector<unsigned char> buf;
  DcmPixelData* pixel_data = nullptr;
  if (needs_dcmtk_codec(p.scan)) {
    DcmElement* elem = nullptr;
    if (p.ff->getDataset()->findAndGetElement(DCM_PixelData, elem).bad() || !elem)
      corrupt("Pixel Data is unreadable");
    pixel_data = static_cast<DcmPixelData*>(elem);
  }
  for (int i = 0; i < count; ++i) {
    int f = first + i;
    std::uint8_t* dst = out.data.data() + frame_out * i;
    std::string color_model = h.photometric;
    if (!p.scan.encapsulated) {
      std::size_t size = 0;
      const unsigned char* raw = native_raw(p.scan, h, f, buf, size, color_model);
      finish_frame(raw, size, h, color_model, h.photometric == "YBR_FULL_422" ? 0 : h.planar, dst);
    } else if (is_rle_syntax(p.scan.transfer_syntax_uid)) {
      std::string raw = decode_rle(p.scan, h, f);
      finish_frame(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), h, color_model,
                   0, dst);
    } else if (is_jpeg2000_syntax(p.scan.transfer_syntax_uid)) {
      std::string raw = decode_j2k(p.scan, h, f);
      // OpenJPEG undoes the reversible/irreversible colour transform itself.
      if (h.photometric == "YBR_RCT" || h.photometric == "YBR_ICT") color_model = "RGB";
      finish_frame(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), h, color_model,
                   0, dst);
    } else {
      Uint32 frame_size = 0;
      if (pixel_data->getUncompressedFrameSize(p.ff->getDataset(), frame_size).bad())
        corrupt("cannot size a decoded frame");
      std::uint64_t expected = std::uint64_t(h.rows) * h.columns * h.samples *
                               (h.bits_allocated <= 8 ? 1 : h.bits_allocated / 8);
      if (frame_size < expected || frame_size > expected + 2)
        corrupt("inconsistent decoded frame size");
      buf.resize(frame_size + (frame_size & 1));
      Uint32 start = 0;
      if (f > 0) {
        try {
          auto frags = frame_fragments(p.scan, f, h.frames);
          for (std::size_t k = 0; k < p.scan.fragments.size(); ++k)
            if (p.scan.fragments[k].offset == frags.front().offset) start = Uint32(k + 1);
        } catch (const Error&) {
          start = 0;  // let DCMTK find it
        }
      }
      if (is_jpeg_syntax(p.scan.transfer_syntax_uid)) {
        if (start > 0 || f == 0) {
          check_jpeg_markers(p.scan.bytes(p.scan.fragments[start > 0 ? start - 1 : 0]));
        } else {
          for (const Span& frag : p.scan.fragments) check_jpeg_markers(p.scan.bytes(frag));
        }
      }
      OFString model;
      OFCondition cond = pixel_data->getUncompressedFrame(
          p.ff->getDataset(), Uint32(f), start, buf.data(), Uint32(buf.size()), model, nullptr);
      if (cond.bad()) corrupt("frame " + std::to_string(f) + " cannot be decoded: " + cond.text());
      color_model = model.c_str();
      // DCMTK's JPEG decoders deliver colour-by-pixel whatever the header says.
      finish_frame(buf.data(), frame_size, h, color_model, 0, dst);
    }
  }
  return out;
}

}  // namespace portal
