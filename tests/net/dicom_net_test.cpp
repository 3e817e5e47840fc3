// PLAT-2 DICOM networking: the C-STORE/C-ECHO receiver against DCMTK's storescu and echoscu, and
// Session::send_study to a second receiver.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <functional>
#include <set>

#include "portal/dicomnet.hpp"
#include "support/accounts_support.hpp"
#include "support/manifest.hpp"

using namespace portal;

namespace {

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

// A loopback port the kernel says is free right now.
int next_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

// storescu's output of the last call.
std::string storescu_log() {
  return test::read_file("/tmp/portal-storescu-" + std::to_string(::getpid()) + ".log");
}

int storescu(int port, const std::string& calling, const std::string& called,
             const std::string& files, const std::string& extra = {}) {
  return test::run("TCP_NODELAY=1 storescu -v -aet " + calling + " -aec " + called + " " + extra +
                   " 127.0.0.1 " + std::to_string(port) + " " + files + " >/tmp/portal-storescu-" +
                   std::to_string(::getpid()) + ".log 2>&1");
}

}  // namespace

TEST_CASE("C-ECHO and C-STORE from storescu are ingested with the calling AE as repository",
          "[net][dcmtk]") {
  test::AccountsPortal p;
  int port = next_port();
  DicomReceiverOptions o;
  o.port = port;
  o.aet = "PORTALTEST";
  DicomReceiver receiver(p.portal->system_session(), o);
  receiver.start();
  CHECK(receiver.running());
  CHECK(test::run("echoscu -aec PORTALTEST 127.0.0.1 " + std::to_string(port) +
                  " >/dev/null 2>&1") == 0);
  // pydicom samples of several transfer syntaxes, sent as they are (one association each).
  auto send_all = [&] {
    std::string d = test::pydicom_dir() + "/";
    CHECK(storescu(port, "MODALITY1", "PORTALTEST", d + "CT_small.dcm " + d + "MR_small.dcm") ==
          0);
    CHECK(storescu(port, "MODALITY1", "PORTALTEST", d + "SC_rgb_jpeg_dcmtk.dcm", "-xy") == 0);
    CHECK(storescu(port, "MODALITY1", "PORTALTEST", d + "SC_rgb_rle.dcm", "-xr") == 0);
  };
  send_all();
  auto sys = p.portal->system_session();
  auto page = sys.find_studies({});
  CHECK(page.total >= 3);
  std::set<std::string> repos;
  for (const auto& s : page.studies) repos.insert(s.repository);
  CHECK(repos == std::set<std::string>{"dicom:MODALITY1"});
  auto stats = receiver.stats();
  CHECK(stats.echoes == 1);
  CHECK(stats.stored == 4);
  CHECK(stats.associations == 4);
  // Compressed instances keep the transfer syntax they arrived in.
  std::set<std::string> syntaxes;
  for (const auto& s : page.studies)
    for (const auto& i : sys.instances(s.uid)) syntaxes.insert(i.transfer_syntax_uid);
  CHECK(syntaxes.count("1.2.840.10008.1.2.5") == 1);
  CHECK(syntaxes.count("1.2.840.10008.1.2.4.50") == 1);
  // Sending the same files again: acknowledged as duplicates, nothing new.
  send_all();
  CHECK(receiver.stats().duplicates == 4);
  CHECK(sys.find_studies({}).total == page.total);
  receiver.stop();
  CHECK_FALSE(receiver.running());
  CHECK(test::run("echoscu -to 2 -aec PORTALTEST 127.0.0.1 " + std::to_string(port) +
                  " >/dev/null 2>&1") != 0);
}

TEST_CASE("the receiver refuses unknown calling and called AEs", "[net][dcmtk]") {
  test::AccountsPortal p;
  int port = next_port();
  DicomReceiverOptions o;
  o.port = port;
  o.aet = "PORTAL";
  o.allowed_aets = {"GOODAE"};
  DicomReceiver receiver(p.portal->system_session(), o);
  receiver.start();
  std::string f = test::pydicom_dir() + "/CT_small.dcm";
  CHECK(storescu(port, "BADAE", "PORTAL", f) != 0);
  CHECK(storescu(port, "GOODAE", "OTHER", f) != 0);
  CHECK(p.portal->system_session().find_studies({}).total == 0);
  CHECK(storescu(port, "GOODAE", "PORTAL", f) == 0);
  CHECK(p.portal->system_session().find_studies({}).total == 1);
  CHECK(receiver.stats().refused == 2);
}

TEST_CASE("a corrupt instance gets a failure status and nothing is written", "[net][dcmtk]") {
  test::AccountsPortal p;
  int port = next_port();
  DicomReceiverOptions o;
  o.port = port;
  DicomReceiver receiver(p.portal->system_session(), o);
  receiver.start();
  // A malformed Study Instance UID: DCMTK sends it, the ingest refuses it.
  std::string bad = p.dir / "short.dcm";
  REQUIRE(test::run(std::string(PORTAL_PYTHON) +
                    " -c \"import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); d.StudyInstanceUID='1.2.abc'; "
                    "d.SOPInstanceUID='2.25.777'; d.save_as(sys.argv[2])\" " +
                    test::pydicom_dir() + "/CT_small.dcm " + bad) == 0);
  std::string good = p.dir / "good.dcm";
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", good,
                      {"--new-uids=study,series,sop"});
  std::size_t blobs_before = test::files_under(p.dir / "data/blobs").size();
  storescu(port, "SCU", "PORTAL", bad + " " + good, "-nh");
  CHECK(storescu_log().find("Received Store Response (Error: CannotUnderstand)") !=
        std::string::npos);
  auto st = receiver.stats();
  CHECK(st.failed == 1);
  CHECK(st.stored == 1);
  CHECK(p.portal->system_session().find_studies({}).total == 1);
  CHECK(test::files_under(p.dir / "data/blobs").size() == blobs_before + 1);
}

TEST_CASE("send_study delivers a study to a configured node (a second receiver)", "[net][dcmtk]") {
  int port_b = next_port();
  test::AccountsPortal a([&](Options& o) {
    o.dicom_nodes.push_back({"archive", "ARCHIVE", "127.0.0.1", port_b});
  });
  test::AccountsPortal b;
  DicomReceiverOptions o;
  o.port = port_b;
  o.aet = "ARCHIVE";
  DicomReceiver receiver(b.portal->system_session(), o);
  receiver.start();
  std::string uid = a.add_study("s.dcm", {"PatientID=SEND1", "PatientName=Envoi^Eva"});
  auto admin = a.admin();
  auto report = admin.send_study(uid, "archive");
  CHECK(report.sent == 1);
  CHECK(report.failed == 0);
  CHECK(report.node == "archive");
  auto sys_b = b.portal->system_session();
  auto got = sys_b.study(uid);
  CHECK(got.repository == "dicom:PORTAL");
  auto ia = a.portal->system_session().instances(uid);
  auto ib = sys_b.instances(uid);
  REQUIRE(ib.size() == ia.size());
  CHECK(ib[0].sop_uid == ia[0].sop_uid);
  CHECK(code_of([&] { admin.send_study(uid, "nowhere"); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { admin.send_study("1.2.3", "archive"); }) == ErrorCode::kNotFound);
  a.add_user(admin, "gina", "guest");
  admin.share_with_user(uid, "gina");
  admin.revoke_right("guest", "download");
  CHECK(code_of([&] { a.sign_in("gina").send_study(uid, "archive"); }) ==
        ErrorCode::kPermissionDenied);
  receiver.stop();
  CHECK(code_of([&] { admin.send_study(uid, "archive"); }) == ErrorCode::kIo);
}

TEST_CASE("a receiver needs a session that may upload and a port", "[net]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "gina", "guest");
  DicomReceiverOptions o;
  o.port = next_port();
  CHECK(code_of([&] { DicomReceiver r(p.sign_in("gina"), o); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { DicomReceiver r(p.portal->system_session()); }) ==
        ErrorCode::kInvalidArgument);
  DicomReceiver r(p.portal->system_session(), o);
  r.start();
  DicomReceiver clash(p.portal->system_session(), o);
  CHECK(code_of([&] { clash.start(); }) == ErrorCode::kIo);
  CHECK(code_of([&] { r.start(); }) == ErrorCode::kConflict);
}

TEST_CASE("the generated studies arrive whole over 4 parallel storescu associations",
          "[net][dcmtk]") {
  test::AccountsPortal p;
  int port = next_port();
  DicomReceiverOptions o;
  o.port = port;
  DicomReceiver receiver(p.portal->system_session(), o);
  receiver.start();
  auto manifest = test::load_manifest(test::studies_dir());
  // Four storescu processes at once, each with every fourth study folder.
  std::string cmd;
  for (int k = 0; k < 4; ++k) {
    std::string dirs;
    for (std::size_t i = k; i < manifest.studies.size(); i += 4)
      dirs += " " + test::studies_dir() + "/" + manifest.studies[i].patient_id + "_" +
              manifest.studies[i].study_date + "_" + manifest.studies[i].accession;
    if (!dirs.empty())
      cmd += "TCP_NODELAY=1 storescu -aet GEN" + std::to_string(k) + " -aec PORTAL +sd +r " +
             "+sp '*.dcm' 127.0.0.1 " + std::to_string(port) + dirs + " >/dev/null 2>&1 & ";
  }
  CHECK(test::run("(" + cmd + "wait)") == 0);
  auto sys = p.portal->system_session();
  StudyQuery all;
  all.limit = 150;
  auto page = sys.find_studies(all);
  CHECK(page.total == static_cast<std::int64_t>(manifest.studies.size()));
  for (const auto& m : manifest.studies) {
    INFO(m.study_uid);
    auto st = sys.study(m.study_uid);
    CHECK(st.num_instances == m.num_instances);
    CHECK(st.num_series == m.num_series);
    CHECK(st.accession == m.accession);
    CHECK(st.repository.rfind("dicom:GEN", 0) == 0);
  }
  auto stats = receiver.stats();
  CHECK(stats.stored == static_cast<std::uint64_t>(manifest.num_instances));
  CHECK(stats.failed == 0);
  CHECK(stats.commits <= stats.stored);
}

TEST_CASE("a connection that never sends its association request does not stall the receiver",
          "[net][dcmtk]") {
  test::AccountsPortal p;
  int port = next_port();
  DicomReceiverOptions o;
  o.port = port;
  DicomReceiver receiver(p.portal->system_session(), o);
  receiver.start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  ::usleep(200000);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(test::run("echoscu -aec PORTAL 127.0.0.1 " + std::to_string(port) + " >/dev/null 2>&1") ==
        0);
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited < std::chrono::seconds(10));  // the silent peer is dropped after 3 s, not 30
  ::close(fd);
}
