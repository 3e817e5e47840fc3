// Study exports: a DICOM zip with a DICOMDIR that DCMTK reads, a JPEG zip of every frame.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "portal/all.hpp"
#include "support/accounts_support.hpp"
#include "support/manifest.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

std::string export_to_string(Session& s, const std::string& uid, ExportFormat f) {
  std::string out;
  s.export_study(uid, f, [&](const char* d, std::size_t n) { out.append(d, n); });
  return out;
}

}  // namespace

TEST_CASE("a DICOM export holds every instance byte for byte and a DICOMDIR DCMTK reads",
          "[export]") {
  test::TempDir dir;
  auto manifest = test::load_manifest(test::studies_dir());
  auto portal = Portal::open(dir / "data");
  auto s = portal->system_session();
  s.ingest({test::studies_dir()});
  // The study with the most series.
  const test::ManifestStudy* pick = &manifest.studies.front();
  for (const auto& m : manifest.studies)
    if (m.num_series > pick->num_series) pick = &m;
  std::string zip = export_to_string(s, pick->study_uid, ExportFormat::kDicomZip);
  test::write_file(dir / "study.zip", zip);
  REQUIRE(test::run("cd " + dir.path() + " && /usr/bin/python3 -c \"import zipfile; "
                    "zipfile.ZipFile('study.zip').extractall('x')\"") == 0);
  CHECK(std::filesystem::exists(dir / "x/DICOMDIR"));
  REQUIRE(test::run("dcmdump +P DirectoryRecordType " + (dir / "x/DICOMDIR") + " > " +
                    (dir / "records.txt") + " 2>&1") == 0);
  std::string records = test::read_file(dir / "records.txt");
  std::size_t images = 0;
  for (std::size_t pos = 0; (pos = records.find("[IMAGE", pos)) != std::string::npos; ++pos) ++images;
  CHECK(images == static_cast<std::size_t>(pick->num_instances));
  CHECK(records.find("[STUDY") != std::string::npos);
  // Every exported file is the stored instance, unchanged.
  auto files = test::files_under(dir / "x/DICOM");
  CHECK(files.size() == static_cast<std::size_t>(pick->num_instances));
  std::set<std::string> stored;
  for (const auto& in : s.instances(pick->study_uid)) stored.insert(in.sha256);
  for (const auto& f : files) CHECK(stored.count(test::sha256_file(f)) == 1);
  CHECK(test::files_under(dir / "data/tmp").empty());  // scratch space cleaned
}

TEST_CASE("a JPEG export holds one JPEG per frame of every image", "[export]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto s = portal->system_session();
  auto r = s.ingest({test::pydicom_dir() + "/SC_rgb_rle_2frame.dcm"});
  REQUIRE(r.stored == 1);
  std::string zip = export_to_string(s, r.files[0].study_uid, ExportFormat::kJpegZip);
  test::write_file(dir / "j.zip", zip);
  REQUIRE(test::run("cd " + dir.path() + " && /usr/bin/python3 -c \"import zipfile; z = "
                    "zipfile.ZipFile('j.zip'); names = z.namelist(); assert len(names) == 2, "
                    "names; assert all(z.read(n)[:3] == b'\\xff\\xd8\\xff' for n in names)\"") == 0);
  CHECK_THROWS_AS(parse_export_format("tiff"), Error);
}

TEST_CASE("exports need the export right and a visible study", "[export][access]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=E1", "PatientName=Gris^Lou",
                                   "PatientBirthDate=19800101", "AccessionNumber=E-1"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  auto guest = p.sign_in("g");
  auto sink = [](const char*, std::size_t) {};
  try {
    guest.export_study(uid, ExportFormat::kDicomZip, sink);
    FAIL("exported a study the guest cannot see");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  admin.grant_study(uid, "g");
  admin.revoke_right("guest", "export");
  try {
    guest.export_study(uid, ExportFormat::kDicomZip, sink);
    FAIL("exported without the export right");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kPermissionDenied);
  }
  std::size_t bytes = 0;
  admin.export_study(uid, ExportFormat::kDicomZip, [&](const char*, std::size_t n) { bytes += n; });
  CHECK(bytes > 1000);
}

TEST_CASE("a PDF summary opens in poppler with a page per group of key images", "[export]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto s = portal->system_session();
  s.ingest({test::studies_dir()});
  auto manifest = test::load_manifest(test::studies_dir());
  const test::ManifestStudy* pick = &manifest.studies.front();
  for (const auto& m : manifest.studies)
    if (m.num_series > pick->num_series) pick = &m;
  std::string pdf = export_to_string(s, pick->study_uid, ExportFormat::kPdf);
  CHECK(pdf.substr(0, 5) == "%PDF-");
  test::write_file(dir / "s.pdf", pdf);
  REQUIRE(test::run("pdfinfo " + (dir / "s.pdf") + " > " + (dir / "info.txt")) == 0);
  CHECK_THAT(test::read_file(dir / "info.txt"), Catch::Contains("Pages:"));
  REQUIRE(test::run("pdftotext " + (dir / "s.pdf") + " " + (dir / "s.txt")) == 0);
  std::string text = test::read_file(dir / "s.txt");
  CHECK_THAT(text, Catch::Contains(pick->accession) && Catch::Contains("page 1 /") &&
                       Catch::Contains(pick->patient_id));
}
