#include "libportal/common/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace portal::detail {

std::string fold(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  // NFKD splits "é" into "e" + combining accent and compatibility forms ("ﬁ") into letters.
  static const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  icu::UnicodeString decomposed;
  icu::UnicodeString src = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (nfkd && U_SUCCESS(status)) {
    decomposed = nfkd->normalize(src, status);
    if (U_FAILURE(status)) decomposed = src;
  } else {
    decomposed = src;
  }
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  auto emit = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece);
  };
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_getCombiningClass(c) != 0 || u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c == 0xFFFD) continue;  // replacement for invalid input bytes
    // Letters that NFKD does not decompose but that people type without accents.
    switch (c) {
      case 0x00DF: emit("ss"); continue;                 // ß
      case 0x00C6: case 0x00E6: emit("ae"); continue;    // Æ æ
      case 0x0152: case 0x0153: emit("oe"); continue;    // Œ œ
      case 0x00D8: case 0x00F8: emit("o"); continue;     // Ø ø
      case 0x0141: case 0x0142: emit("l"); continue;     // Ł ł
      case 0x0110: case 0x0111: case 0x00D0: case 0x00F0: emit("d"); continue;  // Đ đ Ð ð
      case 0x0131: emit("i"); continue;                  // dotless i
      default: break;
    }
    if (!u_isalnum(c)) {
      pending_space = true;
      continue;
    }
    UChar32 lower = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    char buf[4];
    int32_t len = 0;
    UBool error = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, lower, error);
    if (!error) emit(std::string_view(buf, static_cast<std::size_t>(len)));
  }
  return out;
}

std::string prefix_upper_bound(const std::string& prefix) {
  // Folded text is UTF-8 without 0xFF bytes, so appending 0xFF bounds every continuation.
  return prefix + "\xFF";
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\0')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\0')) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

PersonName split_person_name(std::string_view dicom_pn) {
  std::string_view alpha = dicom_pn.substr(0, dicom_pn.find('='));
  auto parts = split(alpha, '^');
  PersonName name;
  name.family = trim(parts[0]);
  if (parts.size() > 1) name.given = trim(parts[1]);
  if (parts.size() > 2) {
    std::string middle = trim(parts[2]);
    if (!middle.empty()) name.given += (name.given.empty() ? "" : " ") + middle;
  }
  return name;
}

std::string display_person_name(std::string_view dicom_pn) {
  std::string out;
  for (std::string_view group : split(dicom_pn, '\\')) {  // several names: keep all
    std::string_view alpha = group.substr(0, group.find('='));
    std::string one;
    for (const auto& part : split(alpha, '^')) {
      std::string t = trim(part);
      if (t.empty()) continue;
      if (!one.empty()) one.push_back(' ');
      one += t;
    }
    if (one.empty()) continue;
    if (!out.empty()) out += ", ";
    out += one;
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

}  // namespace portal::detail
