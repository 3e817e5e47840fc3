// ING-1, ING-6, LIST-2: ingest of files and folders through the public API.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "portal/all.hpp"
#include "support/manifest.hpp"
#include "support/test_support.hpp"

using namespace portal;
namespace fs = std::filesystem;

TEST_CASE("generated studies go in with every study-list field right", "[ingest]") {
  test::TempDir dir;
  auto manifest = test::load_manifest(test::studies_dir());
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  std::uint64_t callbacks = 0;
  IngestOptions opts;
  opts.repository = "test-folder";
  opts.on_file = [&](const IngestResult& r, const IngestProgress& p) {
    ++callbacks;
    CHECK(p.files_done == callbacks);
  };
  auto report = session.ingest({test::studies_dir()}, opts);
  CHECK(report.stored == static_cast<std::uint64_t>(manifest.num_instances));
  CHECK(report.rejected == 1);  // manifest.json itself
  CHECK(callbacks == report.files.size());

  auto page = session.find_studies({});
  CHECK(page.total == static_cast<std::int64_t>(manifest.studies.size()));
  for (const auto& m : manifest.studies) {
    INFO("study " << m.study_uid);
    Study s = session.study(m.study_uid);
    CHECK(s.patient.patient_id == m.patient_id);
    CHECK(s.patient.family_name == m.family_name);
    CHECK(s.patient.given_name == m.given_name);
    CHECK(s.patient.birth_date == m.birth_date);
    CHECK(s.patient.sex == m.sex);
    CHECK(s.date == m.study_date);
    CHECK(s.time == m.study_time.substr(0, 6));
    CHECK(s.accession == m.accession);
    CHECK(s.description == m.description);
    CHECK(s.referring_physician == test::display_name(m.referring));
    CHECK(s.institution == m.institution);
    CHECK(s.repository == "test-folder");
    CHECK(s.modalities == m.modalities);
    CHECK(s.num_series == m.num_series);
    CHECK(s.num_instances == m.num_instances);
    CHECK(session.series(m.study_uid).size() == static_cast<std::size_t>(m.num_series));
    CHECK(session.instances(m.study_uid).size() == static_cast<std::size_t>(m.num_instances));
  }
}

TEST_CASE("re-sending instances changes nothing", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  auto first = session.ingest({test::studies_dir()});
  auto before = session.find_studies({});
  auto again = session.ingest({test::studies_dir()});
  CHECK(again.stored == 0);
  CHECK(again.duplicates == first.stored);
  auto after = session.find_studies({});
  CHECK(after.total == before.total);
  for (std::size_t i = 0; i < after.studies.size(); ++i)
    CHECK(after.studies[i].num_instances == before.studies[i].num_instances);
  CHECK(portal->fsck().clean());  // duplicates left no stray files
}

TEST_CASE("every pydicom sample is stored byte for byte or refused with a reason", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  auto files = test::files_under(test::pydicom_dir());
  auto report = session.ingest({test::pydicom_dir()});
  REQUIRE(report.files.size() == files.size());
  std::set<std::string> sources;
  for (const auto& r : report.files) {
    sources.insert(r.source);
    INFO(r.source);
    if (r.status == IngestStatus::kRejected) {
      CHECK(r.message.size() > 5);
      continue;
    }
    CHECK_FALSE(r.sop_uid.empty());
    if (r.status == IngestStatus::kStored) {
      std::string original = test::read_file(r.source);
      CHECK(session.instance_bytes(r.sop_uid) == original);
      bool listed = false;
      for (const auto& in : session.instances(r.study_uid))
        if (in.sop_uid == r.sop_uid) listed = in.sha256 == test::sha256_file(r.source);
      CHECK(listed);
    }
  }
  CHECK(sources == std::set<std::string>(files.begin(), files.end()));
  CHECK(report.stored >= 100);
  CHECK(portal->fsck().clean());
}

TEST_CASE("stored files are named by server ids, never by UIDs or client names", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  portal->system_session().ingest({test::pydicom_dir() + "/CT_small.dcm"});
  auto files = test::files_under(dir / "data/blobs");
  int blobs = 0;
  for (const auto& f : files) {
    std::string name = fs::path(f).filename().string();
    if (fs::path(f).parent_path().filename().string().size() != 2) continue;
    ++blobs;
    CHECK(name.find("CT_small") == std::string::npos);
    CHECK(name.find('.') == std::string::npos);
    CHECK(name.size() == 32);
  }
  CHECK(blobs == 1);
}

TEST_CASE("bad input is reported per file while the rest goes in", "[ingest]") {
  test::TempDir dir;
  fs::create_directories(dir / "in");
  test::write_file(dir / "in/garbage.dcm", std::string(300, 'g'));
  test::write_file(dir / "in/empty.dcm", "");
  std::string truncated = test::read_file(test::pydicom_dir() + "/CT_small.dcm").substr(0, 600);
  test::write_file(dir / "in/truncated.dcm", truncated);
  fs::copy_file(test::pydicom_dir() + "/MR_small.dcm", dir / "in/good.dcm");
  auto portal = Portal::open(dir / "data");
  auto report = portal->system_session().ingest({dir / "in"});
  CHECK(report.stored == 1);
  CHECK(report.rejected == 3);
  CHECK(portal->fsck().clean());
  CHECK(test::files_under(dir / "data/blobs/tmp").empty());
}

TEST_CASE("a missing path is refused before anything is ingested", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  try {
    session.ingest({test::pydicom_dir() + "/CT_small.dcm", dir / "nope"});
    FAIL("accepted a missing path");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  CHECK(session.find_studies({}).total == 0);
}

TEST_CASE("bytes in memory are ingested like a file", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  auto bad = session.ingest_bytes("upload.bin", "definitely not dicom");
  CHECK(bad.status == IngestStatus::kRejected);
  CHECK(bad.error == ErrorCode::kCorrupt);
  std::string ct = test::read_file(test::pydicom_dir() + "/CT_small.dcm");
  auto good = session.ingest_bytes("ct.dcm", ct);
  CHECK(good.status == IngestStatus::kStored);
  CHECK(session.study(good.study_uid).repository == "upload");
  CHECK(session.ingest_bytes("ct.dcm", ct).status == IngestStatus::kDuplicate);
}

TEST_CASE("files over the size cap are refused without reading them", "[ingest]") {
  test::TempDir dir;
  Options opts;
  opts.max_file_bytes = 1000;
  auto portal = Portal::open(dir / "data", opts);
  auto report = portal->system_session().ingest({test::pydicom_dir() + "/CT_small.dcm"});
  REQUIRE(report.files.size() == 1);
  CHECK(report.files[0].error == ErrorCode::kTooLarge);
}

TEST_CASE("the in-memory store serves a whole portal", "[ingest][blob]") {
  test::TempDir dir;
  Options opts;
  opts.blob_store = memory_blob_store();
  auto portal = Portal::open(dir / "data", opts);
  auto session = portal->system_session();
  auto report = session.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  REQUIRE(report.stored == 1);
  CHECK(session.instance_bytes(report.files[0].sop_uid) ==
        test::read_file(test::pydicom_dir() + "/CT_small.dcm"));
  CHECK_FALSE(fs::exists(dir / "data/blobs"));  // nothing went to disk
}

TEST_CASE("results can be streamed instead of collected", "[ingest]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  IngestOptions opts;
  opts.collect_results = false;
  std::vector<IngestResult> seen;
  opts.on_file = [&](const IngestResult& r, const IngestProgress&) { seen.push_back(r); };
  auto report = portal->system_session().ingest({test::studies_dir()}, opts);
  CHECK(report.files.empty());
  CHECK(seen.size() == report.stored + report.rejected + report.duplicates);
  CHECK(report.stored > 0);
}

TEST_CASE("reads after a lookup see later writes (no stale snapshot)", "[ingest][store]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  auto first = session.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  session.study(first.files[0].study_uid);
  session.instance_bytes(first.files[0].sop_uid);
  session.ingest({test::pydicom_dir() + "/MR_small.dcm"});
  CHECK(session.find_studies({}).total == 2);
  CHECK(portal->fsck().instances_checked == 2);
}
