// DIF-7: the physician directory's CSV format (pure parsing, no I/O).
#pragma once

#include <string>
#include <vector>

#include "libportal/store/sharing.hpp"

namespace portal::detail {

/// The documented columns, in their default order.
const std::vector<std::string>& directory_columns();

/// Parses a directory CSV (RFC 4180 quoting: "a ""b""", separators and line breaks inside
/// quotes; "," or ";" separated, told from the first line; CRLF or LF; a UTF-8 BOM is skipped).
/// The first line is a header when every field names a column (case, spaces and accents
/// ignored: "Last name", "last_name"); columns may then come in any order and unknown ones are
/// refused. Without a header the eight columns come in the documented order.
/// Every row is checked (field count, last name present, email syntax, UTF-8, lengths); blank
/// lines are skipped. Throws Error(kInvalidArgument) listing up to 20 bad rows as
/// "line N: reason" (and how many more) — nothing is returned then.
std::vector<PhysicianRow> parse_directory_csv(const std::string& text);

}  // namespace portal::detail
