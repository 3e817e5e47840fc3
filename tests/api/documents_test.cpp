// ING-3 and ING-4: documents and images added to studies, and studies made from images.
#include <catch2/catch.hpp>

#include "portal/all.hpp"
#include "support/accounts_support.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

const std::string kPdf =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    "endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

struct Loaded {
  test::TempDir dir;
  std::shared_ptr<Portal> portal = Portal::open(dir / "data");
  Session s = portal->system_session();
  std::string study_uid, sop_uid;
  Loaded() {
    auto r = s.ingest({test::pydicom_dir() + "/CT_small.dcm"});
    REQUIRE(r.stored == 1);
    study_uid = r.files[0].study_uid;
    sop_uid = r.files[0].sop_uid;
  }
};

}  // namespace

TEST_CASE("PDF, PNG, JPEG and DICOM files are added to a study, by content", "[documents]") {
  Loaded l;
  RenderOptions png_opts;
  png_opts.format = ImageFormat::kPng;
  std::string png = l.s.render(l.sop_uid, png_opts);
  std::string jpeg = l.s.render(l.sop_uid);
  std::string same_study = l.dir / "more.dcm";
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", same_study, {"--new-uids=sop"});
  std::string other_study = l.dir / "other.dcm";
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", other_study,
                      {"--new-uids=study,series,sop"});
  auto results = l.s.add_files(
      l.study_uid, {{"report.pdf", kPdf},
                    {"key-image.png", png},
                    {"photo.jpg", jpeg},
                    {"more.dcm", test::read_file(same_study)},
                    {"other.dcm", test::read_file(other_study)},
                    {"notes.txt", "just some text"},
                    {"broken.png", png.substr(0, 60)}});
  REQUIRE(results.size() == 7);
  CHECK(results[0].status == IngestStatus::kStored);
  CHECK(results[1].status == IngestStatus::kStored);
  CHECK(results[2].status == IngestStatus::kStored);
  CHECK(results[3].status == IngestStatus::kStored);
  CHECK(results[4].status == IngestStatus::kRejected);
  CHECK(results[4].error == ErrorCode::kConflict);
  CHECK(results[5].error == ErrorCode::kUnsupported);
  CHECK(results[6].status == IngestStatus::kRejected);
  for (std::size_t i = 0; i < results.size(); ++i) CHECK(results[i].source.size() > 3);

  Study st = l.s.study(l.study_uid);
  CHECK(st.num_instances == 5);
  CHECK(std::find(st.modalities.begin(), st.modalities.end(), "DOC") != st.modalities.end());
  // The PDF is kept byte for byte inside its instance; the images decode to their size.
  std::string pdf_instance = l.s.instance_bytes(results[0].sop_uid);
  CHECK(pdf_instance.find(kPdf) != std::string::npos);
  auto px = l.s.pixels(results[1].sop_uid);
  CHECK(px.rows == 128);
  CHECK(px.columns == 128);
  CHECK(results[1].series_uid == results[2].series_uid);  // one series for the images
  CHECK(l.portal->fsck().clean());
}

TEST_CASE("a study made from images needs its mandatory fields, all named at once",
          "[documents]") {
  Loaded l;
  std::string jpeg = l.s.render(l.sop_uid);
  NewStudyForm form;
  form.patient_family_name = "Lefèvre";
  form.sex = "X";
  try {
    l.s.create_study(form, {{"a.jpg", jpeg}});
    FAIL("accepted an incomplete form");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK_THAT(e.what(), Catch::Contains("patient ID") && Catch::Contains("birth date") &&
                             Catch::Contains("study date") && Catch::Contains("sex"));
  }
  CHECK(l.s.find_studies({}).total == 1);  // nothing stored

  form.patient_given_name = "Hélène";
  form.birth_date = "19650811";
  form.sex = "F";
  form.patient_id = "IMG-1";
  form.study_date = "20261127";
  form.study_description = "Photos dermatologiques";
  form.modality = "XC";
  form.accession = "ACC-IMG-1";
  auto results = l.s.create_study(form, {{"a.jpg", jpeg}, {"b.jpg", jpeg}, {"c.txt", "no"}});
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == IngestStatus::kStored);
  CHECK(results[1].status == IngestStatus::kStored);
  CHECK(results[2].status == IngestStatus::kRejected);
  StudyQuery q;
  q.last_name = "lefevre";
  auto page = l.s.find_studies(q);
  REQUIRE(page.total == 1);
  const Study& st = page.studies.front();
  CHECK(st.uid == results[0].study_uid);
  CHECK(st.patient.given_name == "Hélène");
  CHECK(st.patient.birth_date == "19650811");
  CHECK(st.accession == "ACC-IMG-1");
  CHECK(st.modalities == std::vector<std::string>{"XC"});
  CHECK(st.num_instances == 2);
  CHECK_THROWS_AS(l.s.create_study(form, {}), Error);
}

TEST_CASE("adding files needs the upload right and a visible study", "[documents][access]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=D1", "PatientName=Gris^Lou",
                                   "PatientBirthDate=19800101", "AccessionNumber=D-1"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  auto guest = p.sign_in("g");
  try {
    guest.add_files(uid, {{"r.pdf", kPdf}});
    FAIL("a guest added to a study it cannot see");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  admin.grant_study(uid, "g");
  admin.revoke_right("guest", "upload");
  REQUIRE_FALSE(guest.has_right("upload"));
  try {
    guest.add_files(uid, {{"r.pdf", kPdf}});
    FAIL("a guest without the upload right added a file");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kPermissionDenied);
  }
  CHECK(admin.add_files(uid, {{"r.pdf", kPdf}}).front().status == IngestStatus::kStored);
}
