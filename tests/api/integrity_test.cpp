// ING-2: the patient integrity check when DICOM arrives.
#include <catch2/catch.hpp>

#include "portal/all.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<Portal> portal = Portal::open(dir / "data");
  Session session = portal->system_session();
  std::string base = test::pydicom_dir() + "/CT_small.dcm";

  // A new study of a patient with the given demographics.
  std::string study_file(const std::string& name, const std::vector<std::string>& attrs) {
    std::string path = dir / name;
    std::vector<std::string> args = attrs;
    args.push_back("--new-uids=study,series,sop");
    test::dicom_variant(base, path, args);
    return path;
  }
  IngestResult ingest_one(const std::string& path, IngestOptions opts = {}) {
    auto report = session.ingest({path}, opts);
    REQUIRE(report.files.size() == 1);
    return report.files.front();
  }
};

}  // namespace

TEST_CASE("a new study of a known patient ID with other names is refused naming the fields",
          "[ingest][integrity]") {
  Fixture f;
  auto first = f.study_file("a.dcm", {"PatientID=P1", "PatientName=Müller^Zoé", "PatientBirthDate=19800102"});
  REQUIRE(f.ingest_one(first).status == IngestStatus::kStored);
  // Same patient written without accents and in capitals: the same person.
  auto same = f.study_file("b.dcm", {"PatientID=P1", "PatientName=MULLER^ZOE", "PatientBirthDate=19800102"});
  CHECK(f.ingest_one(same).status == IngestStatus::kStored);

  auto other = f.study_file("c.dcm", {"PatientID=P1", "PatientName=Martin^Zoé", "PatientBirthDate=19800103"});
  auto r = f.ingest_one(other);
  CHECK(r.status == IngestStatus::kRejected);
  CHECK(r.error == ErrorCode::kConflict);
  CHECK_THAT(r.message, Catch::Contains("last name") && Catch::Contains("birth date") &&
                            !Catch::Contains("first name"));
  CHECK(f.session.find_studies({}).total == 2);  // nothing of the refused file went in
}

TEST_CASE("same names and birth date under another patient ID are refused unless told to merge",
          "[ingest][integrity]") {
  Fixture f;
  auto first = f.study_file("a.dcm", {"PatientID=P1", "PatientName=Lefèvre^Hélène", "PatientBirthDate=19700506"});
  REQUIRE(f.ingest_one(first).status == IngestStatus::kStored);
  auto other_id = f.study_file("b.dcm", {"PatientID=X-99", "PatientName=Lefèvre^Hélène", "PatientBirthDate=19700506"});
  auto refused = f.ingest_one(other_id);
  CHECK(refused.status == IngestStatus::kRejected);
  CHECK_THAT(refused.message, Catch::Contains("patient ID"));

  IngestOptions merge;
  merge.ignore_patient_id = true;
  auto merged = f.ingest_one(other_id, merge);
  CHECK(merged.status == IngestStatus::kStored);
  // Merged into the known patient: the history of one study shows the other.
  auto history = f.session.history(merged.study_uid);
  REQUIRE(history.size() == 1);
  CHECK(history.front().patient.patient_id == "P1");
  CHECK(f.session.study(merged.study_uid).patient.patient_id == "P1");
}

TEST_CASE("more files for a known study must match its patient's name and birth date",
          "[ingest][integrity]") {
  Fixture f;
  auto first = f.study_file("a.dcm", {"PatientID=P1", "PatientName=Dupont^Jean", "PatientBirthDate=19500101"});
  auto stored = f.ingest_one(first);
  REQUIRE(stored.status == IngestStatus::kStored);
  std::string extra = f.dir / "extra.dcm";
  test::dicom_variant(first, extra, {"PatientName=Durand^Jean", "--new-uids=sop"});
  auto r = f.ingest_one(extra);
  CHECK(r.status == IngestStatus::kRejected);
  CHECK_THAT(r.message, Catch::Contains("last name") && Catch::Contains("Durand"));
  std::string good = f.dir / "good.dcm";
  test::dicom_variant(first, good, {"--new-uids=sop"});
  CHECK(f.ingest_one(good).status == IngestStatus::kStored);
  CHECK(f.session.study(stored.study_uid).num_instances == 2);
}

TEST_CASE("a trusted source updates demographics instead of being refused", "[ingest][integrity]") {
  Fixture f;
  auto first = f.study_file("a.dcm", {"PatientID=P7", "PatientName=Smith^Ann", "PatientBirthDate=19900101"});
  REQUIRE(f.ingest_one(first).status == IngestStatus::kStored);
  auto corrected = f.study_file("b.dcm", {"PatientID=P7", "PatientName=Smith-Jones^Ann", "PatientBirthDate=19900101"});
  IngestOptions pacs;
  pacs.update_demographics = true;
  REQUIRE(f.ingest_one(corrected, pacs).status == IngestStatus::kStored);
  StudyQuery q;
  q.last_name = "smith jones";
  CHECK(f.session.find_studies(q).total == 2);  // both studies follow the new name
}
