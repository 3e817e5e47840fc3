#include "libportal/dicom/pixel_scan.hpp"

#include <dcmtk/dcmdata/dctag.h>
#include <zlib.h>

#include <cstring>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;
constexpr int kMaxDepth = 64;

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::kCorrupt, what); }

struct Reader {
  const unsigned char* p;
  std::size_t size;
  bool le;
  std::uint16_t u16(std::size_t at) const {
    return le ? std::uint16_t(p[at] | (p[at + 1] << 8)) : std::uint16_t((p[at] << 8) | p[at + 1]);
  }
  std::uint32_t u32(std::size_t at) const {
    std::uint32_t a = p[at], b = p[at + 1], c = p[at + 2], d = p[at + 3];
    return le ? (a | (b << 8) | (c << 16) | (d << 24)) : ((a << 24) | (b << 16) | (c << 8) | d);
  }
};

bool long_form_vr(const char* vr) {
  static const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* v : kLong)
    if (vr[0] == v[0] && vr[1] == v[1]) return true;
  return false;
}

bool is_vr_text(const unsigned char* p) {
  return p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z';
}

std::string hex_tag(std::uint16_t g, std::uint16_t e) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", g, e);
  return buf;
}

class Walker {
 public:
  Walker(PixelScan& scan, const Reader& r) : scan_(scan), r_(r) {}

  // Walks elements in [pos, end). With `until_delimiter` (an item of undefined length) it stops
  // after an Item Delimitation Item and returns the position after it.
  std::size_t walk(std::size_t pos, std::size_t end, bool expl, bool le, int depth, bool top,
                   bool until_delimiter) {
    if (depth > kMaxDepth) corrupt("sequences nested too deeply");
    Reader r{r_.p, r_.size, le};
    while (pos < end) {
      if (end - pos < 8) {
        if (top) return end;  // trailing padding after the last element is harmless
        corrupt("truncated element header");
      }
      std::uint16_t g = r.u16(pos), e = r.u16(pos + 2);
      if (g == 0xFFFE) {
        if (e == 0xE00D || e == 0xE0DD) {
          if (!until_delimiter) corrupt("unexpected delimiter " + hex_tag(g, e));
          return pos + 8;
        }
        corrupt("unexpected item " + hex_tag(g, e) + " in a data set");
      }
      std::uint32_t len;
      std::size_t header;
      bool is_sq = false, is_un = false;
      if (expl) {
        const unsigned char* vr = r.p + pos + 4;
        if (!is_vr_text(vr)) corrupt("invalid VR at element " + hex_tag(g, e));
        if (long_form_vr(reinterpret_cast<const char*>(vr))) {
          if (end - pos < 12) corrupt("truncated element header");
          len = r.u32(pos + 8);
          header = 12;
        } else {
          len = r.u16(pos + 6);
          header = 8;
        }
        is_sq = vr[0] == 'S' && vr[1] == 'Q';
        is_un = vr[0] == 'U' && vr[1] == 'N';
      } else {
        len = r.u32(pos + 4);
        header = 8;
        is_sq = DcmTag(DcmTagKey(g, e)).getEVR() == EVR_SQ;
      }
      pos += header;
      bool pixel = g == 0x7FE0 && e == 0x0010;
      if (top && g == 0x7FE0 && (e == 0x0008 || e == 0x0009)) scan_.float_pixels = true;
      if (len == kUndefined) {
        if (pixel && top) {
          pos = encapsulated(pos, end, r);
        } else if (pixel || is_sq || is_un || !expl) {
          // CP-246: a UN of undefined length holds implicit VR little endian items.
          bool inner_expl = is_un ? false : expl;
          bool inner_le = is_un ? true : le;
          pos = sequence(pos, end, inner_expl, inner_le, depth, /*defined_end=*/0);
        } else {
          corrupt("undefined length on element " + hex_tag(g, e));
        }
        continue;
      }
      if (len > end - pos)
        corrupt("element " + hex_tag(g, e) + " declares " + std::to_string(len) +
                " bytes but only " + std::to_string(end - pos) + " remain");
      if (is_sq) sequence(pos, end, expl, le, depth, pos + len);
      if (pixel && top) {
        scan_.has_pixels = true;
        scan_.encapsulated = false;
        scan_.native = {pos, len};
      }
      pos += len;
    }
    if (until_delimiter) corrupt("item without its delimiter");
    return pos;
  }

 private:
  // Items of a sequence; `defined_end` is 0 for undefined length (ends at its delimiter).
  std::size_t sequence(std::size_t pos, std::size_t end, bool expl, bool le, int depth,
                       std::size_t defined_end) {
    Reader r{r_.p, r_.size, le};
    std::size_t limit = defined_end ? defined_end : end;
    while (pos < limit) {
      if (limit - pos < 8) corrupt("truncated sequence item");
      std::uint16_t g = r.u16(pos), e = r.u16(pos + 2);
      std::uint32_t len = r.u32(pos + 4);
      pos += 8;
      if (g == 0xFFFE && e == 0xE0DD) {
        if (defined_end) corrupt("sequence delimiter in a sequence of defined length");
        return pos;
      }
      if (g != 0xFFFE || e != 0xE000) corrupt("expected a sequence item, found " + hex_tag(g, e));
      if (len == kUndefined) {
        pos = walk(pos, limit, expl, le, depth + 1, false, true);
      } else {
        if (len > limit - pos)
          corrupt("sequence item declares " + std::to_string(len) + " bytes but only " +
                  std::to_string(limit - pos) + " remain");
        walk(pos, pos + len, expl, le, depth + 1, false, false);
        pos += len;
      }
    }
    if (!defined_end) corrupt("sequence without its delimiter");
    return pos;
  }

  // Encapsulated Pixel Data: the Basic Offset Table item, then fragments, then a delimiter.
  std::size_t encapsulated(std::size_t pos, std::size_t end, const Reader& r) {
    Reader le{r.p, r.size, true};  // encapsulated syntaxes are little endian
    scan_.has_pixels = true;
    scan_.encapsulated = true;
    scan_.fragments.clear();
    bool first = true;
    while (true) {
      if (end - pos < 8) corrupt("encapsulated Pixel Data ends without its delimiter");
      std::uint16_t g = le.u16(pos), e = le.u16(pos + 2);
      std::uint32_t len = le.u32(pos + 4);
      pos += 8;
      if (g == 0xFFFE && e == 0xE0DD) return pos;
      if (g != 0xFFFE || e != 0xE000)
        corrupt("expected a Pixel Data fragment, found " + hex_tag(g, e));
      if (len == kUndefined || len > end - pos)
        corrupt("Pixel Data fragment declares " + std::to_string(len) + " bytes but only " +
                std::to_string(end - pos) + " remain");
      if (first)
        scan_.offset_table = {pos, len};
      else
        scan_.fragments.push_back({pos, len});
      first = false;
      pos += len;
    }
  }

  PixelScan& scan_;
  Reader r_;
};

std::string inflate_capped(const unsigned char* data, std::size_t size, std::uint64_t cap) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw Error(ErrorCode::kInternal, "zlib init failed");
  std::string out;
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  int rc = Z_OK;
  char chunk[65536];
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && zs.avail_in == 0)) {
      inflateEnd(&zs);
      corrupt("the deflated data set cannot be inflated");
    }
    std::size_t got = sizeof chunk - zs.avail_out;
    if (out.size() + got > cap) {
      inflateEnd(&zs);
      throw Error(ErrorCode::kTooLarge, "the deflated data set inflates past the configured cap");
    }
    out.append(chunk, got);
    if (rc == Z_BUF_ERROR || (got == 0 && zs.avail_in == 0)) break;  // truncated: keep what came
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

bool is_native_syntax(std::string_view uid) {
  return uid == "1.2.840.10008.1.2" || uid == "1.2.840.10008.1.2.1" ||
         uid == "1.2.840.10008.1.2.2" || uid == "1.2.840.10008.1.2.1.99";
}

bool is_jpeg2000_syntax(std::string_view uid) {
  return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91" ||
         uid == "1.2.840.10008.1.2.4.92" || uid == "1.2.840.10008.1.2.4.93";
}

bool is_lossy_syntax(std::string_view uid) {
  return uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" ||
         uid == "1.2.840.10008.1.2.4.81" || uid == "1.2.840.10008.1.2.4.91" ||
         uid == "1.2.840.10008.1.2.4.93";
}

std::string frame_media_type(std::string_view uid) {
  if (uid == "1.2.840.10008.1.2.4.50" || uid == "1.2.840.10008.1.2.4.51" ||
      uid == "1.2.840.10008.1.2.4.57" || uid == "1.2.840.10008.1.2.4.70")
    return "image/jpeg";
  if (uid == "1.2.840.10008.1.2.4.80" || uid == "1.2.840.10008.1.2.4.81") return "image/jls";
  if (uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91") return "image/jp2";
  if (uid == "1.2.840.10008.1.2.4.92" || uid == "1.2.840.10008.1.2.4.93") return "image/jpx";
  if (uid == "1.2.840.10008.1.2.5") return "image/x-dicom-rle";
  return "application/octet-stream";
}

PixelScan scan_pixels(const std::string& bytes, const ImagingLimits& limits) {
  PixelScan scan;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  std::size_t pos = 0;
  if (size >= 132 && std::memcmp(p + 128, "DICM", 4) == 0) pos = 132;
  Walker walker(scan, Reader{p, size, true});

  // File meta information: group 0002, always explicit VR little endian.
  Reader le{p, size, true};
  while (size - pos >= 8 && le.u16(pos) == 0x0002 && is_vr_text(p + pos + 4)) {
    std::uint16_t e = le.u16(pos + 2);
    bool lng = long_form_vr(reinterpret_cast<const char*>(p + pos + 4));
    if (lng && size - pos < 12) corrupt("truncated file meta information");
    std::uint32_t len = lng ? le.u32(pos + 8) : le.u16(pos + 6);
    std::size_t header = lng ? 12 : 8;
    if (len == kUndefined || len > size - pos - header)
      corrupt("file meta element declares more bytes than the file holds");
    if (e == 0x0010) {
      std::string ts(reinterpret_cast<const char*>(p + pos + header), len);
      while (!ts.empty() && (ts.back() == '\0' || ts.back() == ' ')) ts.pop_back();
      scan.transfer_syntax_uid = ts;
    }
    pos += header + len;
  }

  const std::string& ts = scan.transfer_syntax_uid;
  if (ts.empty()) {
    // No meta or no syntax in it: guess as DCMTK does, from the first element of the data set.
    if (size - pos < 8) corrupt("no data set");
    bool be = p[pos] == 0x00 && p[pos + 1] == 0x08;
    scan.little_endian = !be;
    scan.explicit_vr = is_vr_text(p + pos + 4);
    scan.transfer_syntax_uid = !scan.explicit_vr ? "1.2.840.10008.1.2"
                               : be              ? "1.2.840.10008.1.2.2"
                                                 : "1.2.840.10008.1.2.1";
  } else if (ts == "1.2.840.10008.1.2") {
    scan.explicit_vr = false;
  } else if (ts == "1.2.840.10008.1.2.2") {
    scan.little_endian = false;
  } else if (ts == "1.2.840.10008.1.2.1.99") {
    scan.deflated = true;
  } else if (ts.rfind("1.2.840.10008.1.2.", 0) != 0) {
    throw Error(ErrorCode::kUnsupported, "unknown transfer syntax " + ts.substr(0, 64));
  }

  if (scan.deflated) {
    scan.inflated = inflate_capped(p + pos, size - pos, limits.max_decoded_bytes + (64ull << 20));
    scan.base = scan.inflated.data();
    scan.size = scan.inflated.size();
    Walker inner(scan, Reader{reinterpret_cast<const unsigned char*>(scan.base), scan.size, true});
    inner.walk(0, scan.size, true, true, 0, true, false);
  } else {
    scan.base = bytes.data();
    scan.size = size;
    walker.walk(pos, size, scan.explicit_vr, scan.little_endian, 0, true, false);
  }
  return scan;
}

std::vector<Span> frame_fragments(const PixelScan& scan, int frame, int number_of_frames) {
  const auto& frags = scan.fragments;
  if (frags.empty()) corrupt("encapsulated Pixel Data holds no fragment");
  if (number_of_frames == 1) return frags;
  if (static_cast<int>(frags.size()) == number_of_frames) return {frags[frame]};

  // The Basic Offset Table: byte offsets of each frame's first fragment item, counted from the
  // first fragment item's tag.
  std::string_view bot = scan.bytes(scan.offset_table);
  if (bot.size() >= 4u * number_of_frames) {
    auto at = [&](int i) {
      const auto* q = reinterpret_cast<const unsigned char*>(bot.data()) + 4 * i;
      return std::uint64_t(q[0]) | (std::uint64_t(q[1]) << 8) | (std::uint64_t(q[2]) << 16) |
             (std::uint64_t(q[3]) << 24);
    };
    std::uint64_t begin = at(frame);
    std::uint64_t stop = frame + 1 < number_of_frames ? at(frame + 1) : ~0ull;
    std::vector<Span> out;
    std::uint64_t offset = 0;
    for (const auto& f : frags) {
      if (offset >= begin && offset < stop) out.push_back(f);
      offset += 8 + f.length;
    }
    if (out.empty()) corrupt("the Basic Offset Table points past the fragments");
    return out;
  }

  // No offset table: a frame starts with a codestream start marker (JPEG SOI, J2K SOC).
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < frags.size(); ++i) {
    std::string_view b = scan.bytes(frags[i]);
    if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF &&
        (static_cast<unsigned char>(b[1]) == 0xD8 || static_cast<unsigned char>(b[1]) == 0x4F))
      starts.push_back(i);
  }
  if (static_cast<int>(starts.size()) != number_of_frames)
    corrupt("cannot tell which fragments make up frame " + std::to_string(frame));
  std::size_t from = starts[frame];
  std::size_t to = frame + 1 < number_of_frames ? starts[frame + 1] : frags.size();
  return {frags.begin() + from, frags.begin() + to};
}

}  // namespace portal::detail
