// Text helpers: search folding, DICOM person names, prefixes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portal::detail {

/// Folds UTF-8 text for searching: accents removed, case folded, punctuation other than
/// letters/digits turned into single spaces, trimmed. "Müller^Zoé" -> "muller zoe",
/// "O'Brien" -> "o brien". Invalid UTF-8 bytes are dropped. Thread-safe.
std::string fold(std::string_view utf8);

/// Smallest string greater than every string starting with `prefix` (for index range scans).
std::string prefix_upper_bound(const std::string& prefix);

/// A DICOM person name (alphabetic group) split into family and given (given + middle).
struct PersonName {
  std::string family;
  std::string given;
};
PersonName split_person_name(std::string_view dicom_pn);

/// "Martin^Claire^^Dr" -> "Martin Claire" (components joined by single spaces, empty dropped).
std::string display_person_name(std::string_view dicom_pn);

/// Trims ASCII spaces and NULs at both ends (DICOM padding).
std::string trim(std::string_view s);

/// Splits on `sep`.
std::vector<std::string> split(std::string_view s, char sep);

/// True when `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

/// Latin-1 bytes to UTF-8.
std::string latin1_to_utf8(std::string_view s);

}  // namespace portal::detail
