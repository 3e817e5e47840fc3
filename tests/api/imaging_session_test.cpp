// Imaging through Session: the same visibility as every study-scoped call.
#include <catch2/catch.hpp>
#include <filesystem>

#include "portal/all.hpp"
#include "support/accounts_support.hpp"
#include "support/test_support.hpp"

using namespace portal;

TEST_CASE("a session renders, thumbnails and decodes the instances it may see", "[imaging][api]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  auto report = session.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  REQUIRE(report.stored == 1);
  const std::string sop = report.files[0].sop_uid;

  auto px = session.pixels(sop);
  CHECK(px.rows == 128);
  CHECK(px.columns == 128);

  std::string jpeg = session.render(sop);
  REQUIRE(jpeg.size() > 100);
  CHECK(jpeg.substr(0, 3) == "\xFF\xD8\xFF");
  RenderOptions png;
  png.format = ImageFormat::kPng;
  png.width = png.height = 64;
  CHECK(session.render(sop, png).substr(1, 3) == "PNG");
  CHECK(session.thumbnail(sop, 32).substr(0, 3) == "\xFF\xD8\xFF");
  auto raw = session.frame(sop, 0, FrameTransfer::kUncompressed);
  CHECK(raw.bytes.size() == 128u * 128u * 2u);

  CHECK_THROWS_AS(session.render("1.2.3.4"), Error);
  RenderOptions bad;
  bad.frame = 5;
  CHECK_THROWS_AS(session.render(sop, bad), Error);
}

TEST_CASE("an instance of a study the principal may not see does not exist for it",
          "[imaging][api][access]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=I1", "PatientName=Gris^Lou",
                                   "PatientBirthDate=19800101", "AccessionNumber=I-1"});
  auto admin = p.admin();
  auto sop = admin.instances(uid).front().sop_uid;
  p.add_user(admin, "g", "guest");
  auto guest = p.sign_in("g");
  for (auto call : {+[](Session& s, const std::string& x) { s.render(x); },
                    +[](Session& s, const std::string& x) { s.thumbnail(x); },
                    +[](Session& s, const std::string& x) { s.pixels(x); }}) {
    try {
      call(guest, sop);
      FAIL("a guest without a grant read the instance");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kNotFound);
    }
  }
  admin.grant_study(uid, "g");
  CHECK(guest.thumbnail(sop).size() > 100);
}

TEST_CASE("thumbnails are cached in the data directory, keyed by content, and re-rendered when "
          "the entry is damaged", "[imaging][thumbnail]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto s = portal->system_session();
  auto r = s.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  const std::string sop = r.files.at(0).sop_uid;
  const std::string sha = s.instances(r.files[0].study_uid).at(0).sha256;
  std::string first = s.thumbnail(sop, 64);
  std::string entry = dir / ("data/cache/thumbnails/" + sha.substr(0, 2) + "/" + sha + "-64-q80-v1.jpg");
  REQUIRE(std::filesystem::exists(entry));
  CHECK(test::read_file(entry) == first);
  CHECK(s.thumbnail(sop, 64) == first);
  CHECK(portal::thumbnail(s.instance_bytes(sop), 64, 80) == first);  // what a fresh render gives
  // Another size is another entry; a damaged entry is a miss and is rewritten.
  std::string big = s.thumbnail(sop, 128);
  CHECK(big != first);
  test::write_file(entry, "garbage");
  CHECK(s.thumbnail(sop, 64) == first);
  CHECK(test::read_file(entry) == first);
  CHECK(portal->fsck().clean());  // the cache is not in the file store's way
  // Visibility is checked before the cache is consulted.
  CHECK_THROWS_AS(s.thumbnail("1.2.3.4", 64), Error);
}

TEST_CASE("with the cache off no thumbnail is written", "[imaging][thumbnail]") {
  test::TempDir dir;
  Options o;
  o.thumbnail_cache = false;
  auto portal = Portal::open(dir / "data", o);
  auto s = portal->system_session();
  auto r = s.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  CHECK(s.thumbnail(r.files.at(0).sop_uid, 64).size() > 100);
  CHECK_FALSE(std::filesystem::exists(dir / "data/cache/thumbnails"));
}
