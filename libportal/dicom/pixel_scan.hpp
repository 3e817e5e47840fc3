// Where the pixels of one DICOM instance held in memory are, found WITHOUT allocating anything
// the file declares: a bounds-checked walk of the element structure. Used before handing bytes to
// DCMTK or GDCM (which trust declared lengths) and to deliver frames as stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "portal/imaging.hpp"

namespace portal::detail {

/// A byte range inside PixelScan::data().
struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
};

/// The layout of an instance: transfer syntax and the location of its Pixel Data.
struct PixelScan {
  std::string transfer_syntax_uid;
  bool explicit_vr = true;
  bool little_endian = true;
  bool deflated = false;
  bool has_pixels = false;    ///< a top-level Pixel Data (7FE0,0010) was found
  bool float_pixels = false;  ///< Float/Double Float Pixel Data instead
  bool encapsulated = false;
  Span native;                  ///< the value of native Pixel Data
  std::vector<Span> fragments;  ///< encapsulated: fragments, WITHOUT the offset table item
  Span offset_table;            ///< encapsulated: the Basic Offset Table item's value
  std::string inflated;         ///< the inflated data set of a deflated file (offsets refer here)
  const char* base = nullptr;   ///< the bytes the spans refer to (the file, or `inflated`)
  std::size_t size = 0;

  std::string_view bytes(const Span& s) const { return {base + s.offset, s.length}; }
};

/// Walks the file. Every element, item and fragment length is checked against the bytes present;
/// a deflated data set is inflated up to `limits.max_decoded_bytes` plus 64 MiB.
/// Throws Error(kCorrupt) for lengths past the end or a broken structure, kTooLarge, and
/// kUnsupported for an unknown transfer syntax. `bytes` must outlive the result.
PixelScan scan_pixels(const std::string& bytes, const ImagingLimits& limits);

/// The fragments that make up frame `frame` of `number_of_frames`, from the offset table when it
/// is usable, else one fragment per frame, else by codestream start markers.
/// Throws Error(kCorrupt) when they cannot be told apart.
std::vector<Span> frame_fragments(const PixelScan& scan, int frame, int number_of_frames);

/// The well-known transfer syntaxes.
bool is_native_syntax(std::string_view uid);
bool is_jpeg2000_syntax(std::string_view uid);
bool is_lossy_syntax(std::string_view uid);
/// The media type of an encapsulated frame (image/jpeg, image/jls, image/jp2, ...).
std::string frame_media_type(std::string_view uid);

}  // namespace portal::detail
