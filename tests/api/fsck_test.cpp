// PLAT-6: the consistency check between index and file store.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "portal/all.hpp"
#include "support/test_support.hpp"

using namespace portal;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> blob_files(const std::string& data) {
  std::vector<std::string> out;
  for (const auto& f : test::files_under(data + "/blobs")) {
    std::string parent = fs::path(f).parent_path().filename().string();
    if (parent.size() == 2) out.push_back(f);
  }
  return out;
}
}  // namespace

TEST_CASE("fsck finds missing files, orphans and damaged bytes, and repair removes orphans",
          "[fsck]") {
  test::TempDir dir;
  std::string data = dir / "data";
  auto portal = Portal::open(data);
  auto session = portal->system_session();
  auto report = session.ingest({test::pydicom_dir() + "/CT_small.dcm",
                                test::pydicom_dir() + "/MR_small.dcm",
                                test::pydicom_dir() + "/JPEG2000.dcm"});
  REQUIRE(report.stored == 3);
  auto clean = portal->fsck();
  CHECK(clean.clean());
  CHECK(clean.instances_checked == 3);
  CHECK(clean.files_checked == 3);

  auto files = blob_files(data);
  REQUIRE(files.size() == 3);
  fs::remove(files[0]);                                   // a row without its file
  std::string damaged = test::read_file(files[1]);
  damaged[damaged.size() / 2] ^= 0x55;
  test::write_file(files[1], damaged);                    // same size, other bytes
  std::string orphan = data + "/blobs/ab/abababababababababababababababab";
  fs::create_directories(fs::path(orphan).parent_path());
  test::write_file(orphan, "stray");                      // a file without a row

  auto found = portal->fsck();
  CHECK_FALSE(found.clean());
  std::map<FsckIssue::Kind, int> kinds;
  for (const auto& i : found.issues) ++kinds[i.kind];
  CHECK(kinds[FsckIssue::Kind::kMissingFile] == 1);
  CHECK(kinds[FsckIssue::Kind::kHashMismatch] == 1);
  CHECK(kinds[FsckIssue::Kind::kOrphanFile] == 1);
  CHECK(found.repaired == 0);
  CHECK(fs::exists(orphan));  // no repair without asking

  auto repaired = portal->fsck(true);
  CHECK(repaired.repaired == 2);  // the orphan file and the dangling row
  CHECK_FALSE(fs::exists(orphan));
  auto after = portal->fsck();
  REQUIRE(after.issues.size() == 1);  // damaged bytes are reported, never silently dropped
  CHECK(after.issues[0].kind == FsckIssue::Kind::kHashMismatch);
  CHECK(session.find_studies({}).total == 2);  // the study whose only file vanished is gone
}
