// Imaging through Session: the same visibility as every study-scoped call.
#include <catch2/catch.hpp>

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
