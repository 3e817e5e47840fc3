// ING-1: zip archives, and the archive attacks a careful server refuses.
#include <catch2/catch.hpp>
#include <filesystem>

#include "portal/all.hpp"
#include "support/test_support.hpp"

using namespace portal;

TEST_CASE("a zip archive of DICOM files is ingested member by member", "[ingest][zip]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  std::vector<std::pair<std::string, std::string>> members;
  for (const char* name : {"CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "README.txt"})
    members.push_back({std::string("exam/") + name, test::pydicom_dir() + "/" + name});
  test::make_zip(dir / "exam.zip", members);
  auto report = session.ingest({dir / "exam.zip"});
  CHECK(report.stored == 3);
  CHECK(report.rejected == 1);
  for (const auto& f : report.files) {
    CHECK_THAT(f.source, Catch::StartsWith(dir / "exam.zip!exam/"));
    if (f.status == IngestStatus::kStored) {
      // Stored byte for byte as they were inside the archive.
      std::string original = test::read_file(test::pydicom_dir() + "/" +
                                             f.source.substr(f.source.rfind('/') + 1));
      CHECK(session.instance_bytes(f.sop_uid) == original);
    }
  }
}

TEST_CASE("zip members escaping the archive root are refused", "[ingest][zip]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  std::string ct = test::pydicom_dir() + "/CT_small.dcm";
  test::make_zip(dir / "evil.zip", {{"../../etc/ct.dcm", ct}, {"/abs/ct.dcm", ct}, {"ok/ct.dcm", ct}});
  auto report = session.ingest({dir / "evil.zip"});
  REQUIRE(report.files.size() == 3);
  int escaped = 0;
  for (const auto& f : report.files) {
    if (f.status == IngestStatus::kRejected) {
      CHECK_THAT(f.message, Catch::Contains("escapes"));
      ++escaped;
    }
  }
  // Python's zipfile strips a leading '/', so only the '..' member keeps its attack.
  CHECK(escaped >= 1);
  CHECK(report.stored == 1);
}

TEST_CASE("a zip bomb is stopped by the compression ratio check", "[ingest][zip]") {
  test::TempDir dir;
  std::string zeros = dir / "zeros.bin";
  test::write_file(zeros, std::string(64u << 20, '\0'));  // 64 MiB that compress ~1000:1
  test::make_zip(dir / "bomb.zip", {{"bomb.dcm", zeros}});
  std::filesystem::remove(zeros);
  auto portal = Portal::open(dir / "data");
  auto report = portal->system_session().ingest({dir / "bomb.zip"});
  REQUIRE(report.files.size() == 1);
  CHECK(report.files[0].status == IngestStatus::kRejected);
  CHECK(report.files[0].error == ErrorCode::kTooLarge);
  CHECK_THAT(report.files[0].message, Catch::Contains("ratio"));
  CHECK(test::files_under(dir / "data/tmp").empty());
}

TEST_CASE("archives with too many entries are cut off with a clear message", "[ingest][zip]") {
  test::TempDir dir;
  std::string ct = test::pydicom_dir() + "/CT_small.dcm";
  std::vector<std::pair<std::string, std::string>> members;
  for (int i = 0; i < 5; ++i) members.push_back({"f" + std::to_string(i) + ".dcm", ct});
  test::make_zip(dir / "many.zip", members);
  Options opts;
  opts.zip_max_entries = 3;
  auto portal = Portal::open(dir / "data", opts);
  auto report = portal->system_session().ingest({dir / "many.zip"});
  CHECK(report.stored == 1);      // the same instance five times: one stored...
  CHECK(report.duplicates == 2);  // ...then duplicates, up to the cap
  CHECK(report.rejected == 1);
  CHECK_THAT(report.files.back().message, Catch::Contains("more than 3 entries"));
}

TEST_CASE("a damaged zip is one clear rejection", "[ingest][zip]") {
  test::TempDir dir;
  test::write_file(dir / "broken.zip", std::string("PK\x03\x04", 4) + std::string(100, 'z'));
  auto portal = Portal::open(dir / "data");
  auto report = portal->system_session().ingest({dir / "broken.zip"});
  REQUIRE(report.files.size() == 1);
  CHECK(report.files[0].status == IngestStatus::kRejected);
  CHECK(report.stored == 0);
}
