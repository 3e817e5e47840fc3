#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "libportal/common/clock.hpp"
#include "portal/backend.hpp"
#include "portal/query.hpp"

using namespace portal;

TEST_CASE("local dates step back by calendar days", "[common]") {
  setenv("TZ", "Europe/Paris", 1);
  tzset();
  // 2026-03-30 10:00 UTC: the day after the switch to summer time in Paris.
  auto t = std::chrono::system_clock::from_time_t(1774864800);
  CHECK(detail::local_date(t) == "20260330");
  CHECK(detail::local_date(t, 1) == "20260329");
  CHECK(detail::local_date(t, 29) == "20260301");
  CHECK(detail::local_date(t, 30) == "20260228");
  unsetenv("TZ");
  tzset();
}

TEST_CASE("dates are validated as real calendar days", "[common]") {
  CHECK(detail::is_valid_date("20240229"));
  CHECK_FALSE(detail::is_valid_date("20230229"));
  CHECK_FALSE(detail::is_valid_date("2024-02-01"));
  CHECK_FALSE(detail::is_valid_date("20241301"));
  CHECK_FALSE(detail::is_valid_date(""));
}

TEST_CASE("timestamps are ISO 8601 UTC with milliseconds", "[common]") {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764322502123));
  CHECK(detail::iso8601_utc(t) == "2025-11-28T09:35:02.123Z");
}

TEST_CASE("the manual clock moves only when told", "[common]") {
  ManualClock c(std::chrono::system_clock::from_time_t(1000));
  c.advance(std::chrono::minutes(15));
  CHECK(std::chrono::system_clock::to_time_t(c.now()) == 1900);
}

TEST_CASE("periods and sorts parse from their names and refuse others", "[common]") {
  CHECK(parse_period("7d") == Period::kLast7Days);
  CHECK(parse_period("last30days") == Period::kLast30Days);
  CHECK(period_name(Period::kYesterday) == "yesterday");
  CHECK_THROWS_AS(parse_period("week"), Error);
  auto s = parse_sort("-patient_name");
  CHECK(s.key == SortKey::kPatientName);
  CHECK(s.descending);
  CHECK_FALSE(parse_sort("accession").descending);
  CHECK(sort_name(parse_sort("received")) == "received");
  CHECK_THROWS_AS(parse_sort("-id; DROP TABLE studies"), Error);
}
