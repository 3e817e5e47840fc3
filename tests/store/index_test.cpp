#include <catch2/catch.hpp>

#include "libportal/store/index.hpp"
#include "portal/error.hpp"
#include "support/test_support.hpp"

using namespace portal;

TEST_CASE("the index is created at the newest schema and reopened without change", "[store]") {
  test::TempDir dir;
  int version = 0;
  {
    detail::Index index(dir / "index.sqlite");
    version = index.schema_version();
    CHECK(version >= 1);
  }
  detail::Index again(dir / "index.sqlite");
  CHECK(again.schema_version() == version);
}

TEST_CASE("an index from a newer release is refused, not damaged", "[store]") {
  test::TempDir dir;
  { detail::Index index(dir / "index.sqlite"); }
  REQUIRE(test::run("/usr/bin/python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                    "c.execute('UPDATE schema_version SET version = 999'); c.commit()\" " +
                    (dir / "index.sqlite")) == 0);
  try {
    detail::Index index(dir / "index.sqlite");
    FAIL("opened a newer index");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kCorrupt);
  }
}

TEST_CASE("a file that is not a database is reported as corrupt", "[store]") {
  test::TempDir dir;
  test::write_file(dir / "index.sqlite", std::string(4096, 'x'));
  try {
    detail::Index index(dir / "index.sqlite");
    FAIL("opened garbage");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kCorrupt);
  }
}

TEST_CASE("a search with no data answers an empty page", "[store]") {
  test::TempDir dir;
  detail::Index index(dir / "index.sqlite");
  detail::SearchContext ctx;
  ctx.today = "20261128";
  ctx.yesterday = "20261127";
  ctx.days_ago_6 = "20261122";
  ctx.days_ago_29 = "20261030";
  auto page = index.search({}, ctx);
  CHECK(page.total == 0);
  CHECK(page.studies.empty());
  StudyQuery bad;
  bad.date_from = "2026-01-01";
  CHECK_THROWS_AS(index.search(bad, ctx), Error);
  StudyQuery inverted;
  inverted.date_from = "20260201";
  inverted.date_to = "20260101";
  CHECK_THROWS_AS(index.search(inverted, ctx), Error);
}
