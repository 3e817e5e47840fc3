// Time helpers on top of the injected Clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace portal::detail {

/// UTC ISO 8601 with milliseconds: 2026-11-28T09:15:02.123Z
std::string iso8601_utc(std::chrono::system_clock::time_point t);

/// The same for Unix milliseconds as the index stores them; 0 (the index's "never") gives "".
std::string iso8601_utc_ms(std::int64_t unix_ms);

/// Local calendar date as YYYYMMDD, `days_ago` days before `t`.
std::string local_date(std::chrono::system_clock::time_point t, int days_ago = 0);

/// A DICOM DA value as YYYYMMDD: separators some writers add are dropped; anything that is
/// not then eight digits gives "".
std::string normalise_date(const std::string& dicom_date);

/// True when `s` is a valid YYYYMMDD calendar date.
bool is_valid_date(const std::string& s);

}  // namespace portal::detail
