// PLAT-1 DICOMweb over a Session (QIDO-RS, WADO-RS, STOW-RS) and LIST-7 desktop-viewer tokens.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "portal/dicomweb.hpp"
#include "support/accounts_support.hpp"

using namespace portal;
using nlohmann::json;

namespace {

const std::string kRoot = "https://portal.example.org/dicom-web";

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

std::set<std::string> study_uids(const std::string& qido) {
  std::set<std::string> out;
  for (const auto& o : json::parse(qido)) out.insert(o["0020000D"]["Value"][0].get<std::string>());
  return out;
}

struct Part {
  std::string content_type;
  std::string body;
};

// Splits a multipart/related body by the boundary of its Content-Type.
std::vector<Part> parts_of(const std::string& content_type, const std::string& body) {
  auto b = content_type.substr(content_type.find("boundary=") + 9);
  std::string delim = "--" + b;
  std::vector<Part> out;
  REQUIRE(body.compare(0, delim.size(), delim) == 0);
  REQUIRE(body.size() >= delim.size() + 4);
  CHECK(body.substr(body.size() - delim.size() - 4) == delim + "--\r\n");
  std::size_t pos = 0;
  for (;;) {
    std::size_t start = body.find(delim, pos);
    REQUIRE(start != std::string::npos);
    start += delim.size();
    if (body.compare(start, 2, "--") == 0) break;
    std::size_t head_end = body.find("\r\n\r\n", start);
    Part p;
    auto head = body.substr(start + 2, head_end - start - 2);
    p.content_type = head.substr(head.find("Content-Type: ") + 14);
    std::size_t next = body.find("\r\n" + delim, head_end + 4);
    REQUIRE(next != std::string::npos);
    p.body = body.substr(head_end + 4, next - head_end - 4);
    out.push_back(p);
    pos = next + 2;
  }
  return out;
}

std::string stream_to_string(const DicomWebStream& s) {
  std::string out;
  s.write([&](const char* d, std::size_t n) { out.append(d, n); });
  return out;
}

struct World {
  test::AccountsPortal p;
  std::string a, b, c;
  Session admin;
  World() : admin((init(), p.admin())) {
    p.add_user(admin, "gina", "guest");
    admin.share_with_user(a, "gina");
  }
  void init() {
    a = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "StudyDate=20200105",
                              "AccessionNumber=ACC-A", "Modality=CT"});
    b = p.add_study("b.dcm", {"PatientID=P2", "PatientName=Müller^Zoé", "StudyDate=20210310",
                              "AccessionNumber=ACC-B", "Modality=MR"});
    c = p.add_study("c.dcm", {"PatientID=P3", "PatientName=Durandal^Cid", "StudyDate=20220720",
                              "AccessionNumber=ACC-C", "Modality=CT"});
  }
  DicomWeb web(const Session& s) { return DicomWeb(s, kRoot + "/"); }
};

}  // namespace

TEST_CASE("QIDO-RS matches names with wildcards and fuzzy matching (PLAT-1)", "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  CHECK(study_uids(dw.search_studies({})) == std::set<std::string>{w.a, w.b, w.c});
  CHECK(study_uids(dw.search_studies({{"PatientName", "DURAND*"}})) ==
        std::set<std::string>{w.a, w.c});
  CHECK(study_uids(dw.search_studies({{"PatientName", "Durand^Ann"}})) ==
        std::set<std::string>{w.a});
  CHECK(study_uids(dw.search_studies({{"00100010", "*dal*"}})) == std::set<std::string>{w.c});
  CHECK(study_uids(dw.search_studies({{"PatientName", "mu?ler*"}})) ==
        std::set<std::string>{w.b});
  CHECK(study_uids(dw.search_studies({{"PatientName", "mull"}, {"fuzzymatching", "true"}})) ==
        std::set<std::string>{w.b});
  CHECK(study_uids(dw.search_studies({{"PatientName", "Durand"}})).empty());  // exact
}

TEST_CASE("QIDO-RS filters by ID, accession, date range, modality, UID, limit and offset",
          "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  CHECK(study_uids(dw.search_studies({{"PatientID", "P2"}})) == std::set<std::string>{w.b});
  CHECK(study_uids(dw.search_studies({{"PatientID", "P*"}})).size() == 3);
  CHECK(study_uids(dw.search_studies({{"AccessionNumber", "ACC-C"}})) ==
        std::set<std::string>{w.c});
  CHECK(study_uids(dw.search_studies({{"StudyDate", "20200101-20211231"}})) ==
        std::set<std::string>{w.a, w.b});
  CHECK(study_uids(dw.search_studies({{"StudyDate", "20210101-"}})) ==
        std::set<std::string>{w.b, w.c});
  CHECK(study_uids(dw.search_studies({{"StudyDate", "-20200105"}})) ==
        std::set<std::string>{w.a});
  CHECK(study_uids(dw.search_studies({{"ModalitiesInStudy", "MR"}})) ==
        std::set<std::string>{w.b});
  CHECK(study_uids(dw.search_studies({{"ModalitiesInStudy", "MR\\CT"}})).size() == 3);
  CHECK(study_uids(dw.search_studies({{"StudyInstanceUID", w.a + "," + w.c}})) ==
        std::set<std::string>{w.a, w.c});
  auto first = study_uids(dw.search_studies({{"limit", "2"}}));
  auto rest = study_uids(dw.search_studies({{"limit", "2"}, {"offset", "2"}}));
  CHECK(first.size() == 2);
  CHECK(rest.size() == 1);
  CHECK_FALSE(first.count(*rest.begin()));
  CHECK(code_of([&] { dw.search_studies({{"StudyDate", "2020-01-01"}}); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { dw.search_studies({{"limit", "ten"}}); }) == ErrorCode::kInvalidArgument);
  // includefield and unknown keys are accepted.
  CHECK(study_uids(dw.search_studies({{"includefield", "all"}, {"00091010", "x"}})).size() == 3);
}

TEST_CASE("QIDO-RS answers DICOM JSON (PS3.18 F.2) for studies, series and instances",
          "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  auto studies = json::parse(dw.search_studies({{"PatientID", "P1"}}));
  REQUIRE(studies.size() == 1);
  const auto& s = studies[0];
  CHECK(s["00100010"]["vr"] == "PN");
  CHECK(s["00100010"]["Value"][0]["Alphabetic"] == "Durand^Ann");
  CHECK(s["00080020"] == json({{"vr", "DA"}, {"Value", {"20200105"}}}));
  CHECK(s["00080061"]["Value"] == json({"CT"}));
  CHECK(s["00201208"]["Value"][0] == 1);
  CHECK(s["00081190"]["Value"][0] == kRoot + "/studies/" + w.a);
  // Empty attributes carry their VR and no Value.
  CHECK(s["00081030"].contains("vr"));

  auto series = json::parse(dw.search_series(w.a, {}));
  REQUIRE(series.size() == 1);
  CHECK(series[0]["00080060"]["Value"][0] == "CT");
  std::string series_uid = series[0]["0020000E"]["Value"][0];
  CHECK(json::parse(dw.search_series(w.a, {{"Modality", "MR"}})).empty());
  CHECK(json::parse(dw.search_series({}, {{"PatientID", "P2"}})).size() == 1);

  auto inst = json::parse(dw.search_instances(w.a, series_uid, {}));
  REQUIRE(inst.size() == 1);
  CHECK(inst[0]["00280010"]["Value"][0] == 128);
  CHECK(inst[0]["00080016"]["Value"][0] == "1.2.840.10008.5.1.4.1.1.2");
  CHECK(json::parse(dw.search_instances(w.a, {}, {})).size() == 1);
  CHECK(json::parse(dw.search_instances(w.a, series_uid, {{"SOPInstanceUID", "1.2.3"}})).empty());
  CHECK(code_of([&] { dw.search_instances(w.b, series_uid, {}); }) == ErrorCode::kNotFound);
  CHECK(json::parse(dw.search_instances({}, {}, {{"PatientID", "P3"}})).size() == 1);
}

TEST_CASE("a guest's QIDO lists only the studies shared with them (PLAT-1)", "[dicomweb][access]") {
  World w;
  auto guest = w.p.sign_in("gina");
  auto dw = w.web(guest);
  CHECK(study_uids(dw.search_studies({})) == std::set<std::string>{w.a});
  CHECK(study_uids(dw.search_studies({{"StudyInstanceUID", w.b}})).empty());
  CHECK(study_uids(dw.search_studies({{"PatientName", "*"}})) == std::set<std::string>{w.a});
  CHECK(code_of([&] { dw.search_series(w.b, {}); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { dw.search_instances(w.b, {}, {}); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { dw.metadata(w.b); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { dw.retrieve(w.b); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { dw.retrieve("1.2.3.4"); }) == ErrorCode::kNotFound);
  // Root-level series and instance searches stay within the visible studies.
  CHECK(json::parse(dw.search_series({}, {})).size() == 1);
  CHECK(json::parse(dw.search_instances({}, {}, {})).size() == 1);
}

TEST_CASE("WADO-RS retrieves instances as multipart/related application/dicom", "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  auto inst = w.admin.instances(w.a).front();
  auto stream = dw.retrieve(w.a);
  CHECK(stream.content_type.rfind("multipart/related; type=\"application/dicom\"; boundary=", 0) ==
        0);
  auto body = stream_to_string(stream);
  auto parts = parts_of(stream.content_type, body);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].content_type == "application/dicom; transfer-syntax=" + inst.transfer_syntax_uid);
  CHECK(parts[0].body == w.admin.instance_bytes(inst.sop_uid));
  // Series and instance levels; a series of another study is not found.
  auto series_stream = dw.retrieve(w.a, inst.series_uid);
  CHECK(parts_of(series_stream.content_type, stream_to_string(series_stream)).size() == 1);
  CHECK(code_of([&] { dw.retrieve(w.b, inst.series_uid); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { dw.retrieve(w.a, inst.series_uid, "1.2.3"); }) == ErrorCode::kNotFound);
  // Asking for another transfer syntax than the stored one is refused.
  CHECK(code_of([&] {
          dw.retrieve(w.a, {}, {}, "multipart/related; type=\"application/dicom\"; "
                                   "transfer-syntax=1.2.840.10008.1.2.4.50");
        }) == ErrorCode::kUnsupported);
  CHECK_NOTHROW(dw.retrieve(w.a, {}, {}, "multipart/related; type=\"application/dicom\"; "
                                         "transfer-syntax=*"));
}

TEST_CASE("WADO-RS metadata is read from the stored file with Pixel Data as BulkDataURI",
          "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  auto inst = w.admin.instances(w.a).front();
  auto meta = json::parse(dw.metadata(w.a));
  REQUIRE(meta.size() == 1);
  const auto& m = meta[0];
  CHECK(m["00100010"]["Value"][0]["Alphabetic"] == "Durand^Ann");
  CHECK(m["00080018"]["Value"][0] == inst.sop_uid);
  CHECK(m["00280010"]["vr"] == "US");
  std::string uri = m["7FE00010"]["BulkDataURI"];
  CHECK(uri == kRoot + "/studies/" + w.a + "/series/" + inst.series_uid + "/instances/" +
                   inst.sop_uid + "/bulkdata/7fe00010");
  CHECK_FALSE(m["7FE00010"].contains("InlineBinary"));
  CHECK_FALSE(m.contains("00020010"));  // no file meta information
  auto bulk = dw.bulkdata(w.a, inst.series_uid, inst.sop_uid, "7fe00010");
  auto parts = parts_of(bulk.content_type, bulk.body);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].body.size() == 128u * 128u * 2u);
  CHECK(code_of([&] { dw.bulkdata(w.a, inst.series_uid, inst.sop_uid, "00100010"); }) ==
        ErrorCode::kNotFound);
}

TEST_CASE("WADO-RS frames in each transfer: uncompressed, as stored, lossy JPEG", "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  auto inst = w.admin.instances(w.a).front();
  auto get = [&](const std::string& accept) {
    auto r = dw.frames(w.a, inst.series_uid, inst.sop_uid, "1", accept);
    auto parts = parts_of(r.content_type, r.body);
    REQUIRE(parts.size() == 1);
    return parts[0];
  };
  auto raw = get("");
  CHECK(raw.content_type == "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
  CHECK(raw.body.size() == 128u * 128u * 2u);
  CHECK(raw.body == w.admin.frame(inst.sop_uid, 0, FrameTransfer::kUncompressed).bytes);
  auto explicit_le = get(
      "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");
  CHECK(explicit_le.body == raw.body);
  auto stored = get("multipart/related; type=\"application/octet-stream\"; transfer-syntax=*");
  CHECK(stored.body == w.admin.frame(inst.sop_uid, 0, FrameTransfer::kAsStored).bytes);
  auto jpeg = get("multipart/related; type=\"image/jpeg\"");
  CHECK(jpeg.content_type == "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50");
  REQUIRE(jpeg.body.size() > 100);
  CHECK(static_cast<unsigned char>(jpeg.body[0]) == 0xFF);
  CHECK(static_cast<unsigned char>(jpeg.body[1]) == 0xD8);
  CHECK(code_of([&] { get("multipart/related; type=\"image/jp2\""); }) ==
        ErrorCode::kUnsupported);

  // A JPEG baseline instance: image/jpeg gives the stored fragment, octet-stream decodes it.
  auto r = w.admin.ingest({test::pydicom_dir() + "/SC_rgb_jpeg_dcmtk.dcm"});
  REQUIRE(r.stored == 1);
  const auto& f = r.files.front();
  auto jr = dw.frames(f.study_uid, f.series_uid, f.sop_uid, "1", "multipart/related; type=\"image/jpeg\"");
  auto jp = parts_of(jr.content_type, jr.body);
  REQUIRE(jp.size() == 1);
  CHECK(jp[0].content_type == "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50");
  CHECK(jp[0].body == w.admin.frame(f.sop_uid, 0, FrameTransfer::kAsStored).bytes);
  auto dr = dw.frames(f.study_uid, f.series_uid, f.sop_uid, "1", "");
  auto dp = parts_of(dr.content_type, dr.body);
  REQUIRE(dp.size() == 1);
  CHECK(dp[0].content_type == "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
  CHECK(dp[0].body.size() == 100u * 100u * 3u);
  CHECK(code_of([&] { dw.frames(w.a, inst.series_uid, inst.sop_uid, "2", ""); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { dw.frames(w.a, inst.series_uid, inst.sop_uid, "x", ""); }) ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("WADO-RS rendered and thumbnail images", "[dicomweb]") {
  World w;
  auto dw = w.web(w.admin);
  auto inst = w.admin.instances(w.a).front();
  auto jpg = dw.rendered(w.a, inst.series_uid, inst.sop_uid, 0,
                         {{"window", "40,400"}, {"quality", "80"}, {"viewport", "64,64"}});
  CHECK(jpg.content_type == "image/jpeg");
  CHECK(static_cast<unsigned char>(jpg.body[0]) == 0xFF);
  auto png = dw.rendered(w.a, inst.series_uid, inst.sop_uid, 1, {}, "image/png");
  CHECK(png.content_type == "image/png");
  CHECK(png.body.compare(1, 3, "PNG") == 0);
  CHECK(code_of([&] { dw.rendered(w.a, inst.series_uid, inst.sop_uid, 0, {}, "image/gif"); }) ==
        ErrorCode::kUnsupported);
  CHECK(code_of([&] {
          dw.rendered(w.a, inst.series_uid, inst.sop_uid, 0, {{"window", "a,b"}});
        }) == ErrorCode::kInvalidArgument);
  auto thumb = dw.thumbnail(w.a, {}, {}, {});
  CHECK(thumb.content_type == "image/jpeg");
  CHECK(thumb.body == w.admin.thumbnail(inst.sop_uid, 128));
  CHECK(code_of([&] { w.web(w.p.sign_in("gina")).thumbnail(w.b, {}, {}, {}); }) ==
        ErrorCode::kNotFound);
}

TEST_CASE("STOW-RS stores the good part and reports the corrupt one (PLAT-1)", "[dicomweb][stow]") {
  World w;
  auto dw = w.web(w.admin);
  std::string path = w.p.dir / "new.dcm";
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", path,
                      {"PatientID=P9", "PatientName=Neuf^Nina", "--new-uids=study,series,sop"});
  std::string good = test::read_file(path);
  std::string corrupt = good.substr(0, 132) + std::string(300, '\x07');
  std::string boundary = "XyZ-boundary-123";
  std::string body = "preamble\r\n--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" +
                     good + "\r\n--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" +
                     corrupt + "\r\n--" + boundary + "--\r\n";
  std::string ct = "multipart/related; type=\"application/dicom\"; boundary=\"" + boundary + "\"";
  auto before = w.admin.find_studies({}).total;
  // Fed in small chunks so parts straddle reads.
  std::size_t pos = 0;
  auto result = dw.store(ct, [&](char* buf, std::size_t n) {
    std::size_t k = std::min<std::size_t>({n, 1000, body.size() - pos});
    std::copy(body.data() + pos, body.data() + pos + k, buf);
    pos += k;
    return k;
  });
  CHECK(result.http_status == 202);
  auto resp = json::parse(result.json);
  REQUIRE(resp["00081199"]["Value"].size() == 1);
  REQUIRE(resp["00081198"]["Value"].size() == 1);
  CHECK(resp["00081198"]["Value"][0]["00081197"]["Value"][0] == 0xC000);
  const auto& ref = resp["00081199"]["Value"][0];
  CHECK(ref["00081150"]["Value"][0] == "1.2.840.10008.5.1.4.1.1.2");
  std::string sop = ref["00081155"]["Value"][0];
  CHECK(w.admin.instance_bytes(sop) == good);
  CHECK(w.admin.find_studies({}).total == before + 1);
  REQUIRE(result.files.size() == 2);
  CHECK(result.files[0].status == IngestStatus::kStored);
  CHECK(result.files[1].status == IngestStatus::kRejected);

  // The same body again: a duplicate is acknowledged; from a file.
  test::write_file(w.p.dir / "body.bin", body);
  auto again = dw.store_file(ct, w.p.dir / "body.bin");
  CHECK(again.http_status == 202);
  CHECK(again.files[0].status == IngestStatus::kDuplicate);

  // Only corrupt parts: 409, nothing stored.
  std::string bad_body = "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" + corrupt +
                         "\r\n--" + boundary + "--\r\n";
  test::write_file(w.p.dir / "bad.bin", bad_body);
  CHECK(dw.store_file(ct, w.p.dir / "bad.bin").http_status == 409);
  CHECK(w.admin.find_studies({}).total == before + 1);

  // STOW to a given study refuses instances of another study.
  auto to_a = dw.store_file(ct, w.p.dir / "body.bin", w.a);
  CHECK(to_a.http_status == 409);

  // Framing errors and missing rights.
  test::write_file(w.p.dir / "trunc.bin", body.substr(0, body.size() - 30));
  CHECK(code_of([&] { dw.store_file(ct, w.p.dir / "trunc.bin"); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { dw.store_file("application/dicom", w.p.dir / "body.bin"); }) ==
        ErrorCode::kInvalidArgument);
  auto guest = w.web(w.p.sign_in("gina"));
  CHECK(code_of([&] { guest.store_file(ct, w.p.dir / "body.bin"); }) ==
        ErrorCode::kPermissionDenied);
}

TEST_CASE("a viewer token opens one study, read-only, until it expires (LIST-7)",
          "[dicomweb][viewer]") {
  World w;
  auto guest = w.p.sign_in("gina");
  CHECK(code_of([&] { guest.viewer_token(w.b); }) == ErrorCode::kNotFound);
  std::string token = guest.viewer_token(w.a);
  CHECK(token.size() == 64);
  auto viewer = w.p.portal->viewer_session(token);
  CHECK(viewer.find_studies({}).total == 1);
  CHECK(viewer.study(w.a).uid == w.a);
  CHECK(code_of([&] { viewer.study(w.b); }) == ErrorCode::kNotFound);
  auto inst = viewer.instances(w.a).front();
  CHECK_FALSE(viewer.instance_bytes(inst.sop_uid).empty());
  CHECK(code_of([&] { viewer.ingest_bytes("x.dcm", viewer.instance_bytes(inst.sop_uid)); }) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { viewer.share(w.a, "x@example.org"); }) == ErrorCode::kPermissionDenied);

  // An administrator's token is limited the same way (no administration either).
  auto admin_viewer = w.p.portal->viewer_session(w.admin.viewer_token(w.c));
  CHECK(admin_viewer.find_studies({}).total == 1);
  CHECK(code_of([&] { admin_viewer.users(); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { admin_viewer.study(w.a); }) == ErrorCode::kNotFound);

  // Revoking the guest's access ends the token's access too.
  auto share_id = w.admin.shares(w.a).front().id;
  w.admin.revoke_share(share_id);
  CHECK(code_of([&] { viewer.study(w.a); }) == ErrorCode::kNotFound);

  // Expiry (Options::viewer_token_minutes, default 60), with the injected clock.
  auto sys_token = w.p.portal->system_session().viewer_token(w.b);
  auto sys_viewer = w.p.portal->viewer_session(sys_token);
  CHECK(sys_viewer.study(w.b).uid == w.b);
  w.p.clock->advance(std::chrono::minutes(61));
  CHECK(code_of([&] { sys_viewer.study(w.b); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { w.p.portal->viewer_session(sys_token); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { w.p.portal->viewer_session("not-a-token"); }) == ErrorCode::kUnauthenticated);
}

TEST_CASE("the desktop viewer link is a weasis:// $dicom:rs command with a study token",
          "[dicomweb][viewer]") {
  World w;
  auto dw = w.web(w.admin);
  auto link = dw.desktop_viewer_link(w.a);
  REQUIRE(link.rfind("weasis://?", 0) == 0);
  // Decode the percent-encoding.
  std::string cmd;
  for (std::size_t i = 10; i < link.size(); ++i) {
    if (link[i] == '%') {
      cmd.push_back(static_cast<char>(std::stoi(link.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      cmd.push_back(link[i]);
    }
  }
  CHECK(cmd.rfind("$dicom:rs --url \"" + kRoot + "\" -r \"studyUID=" + w.a + "\"", 0) == 0);
  auto at = cmd.find("Authorization: Bearer ");
  REQUIRE(at != std::string::npos);
  std::string token = cmd.substr(at + 22, 64);
  CHECK(w.p.portal->viewer_session(token).find_studies({}).total == 1);
  CHECK(link.find(' ') == std::string::npos);
  CHECK(code_of([&] { w.web(w.p.sign_in("gina")).desktop_viewer_link(w.b); }) ==
        ErrorCode::kNotFound);
}
