// Audio notes (VIEW-6): WebM, Ogg and MP4 audio told by content, listed, played and deleted by
// the right profiles; and uploaded documents deleted (VIEW-6) while ingested originals stay.
#include <catch2/catch.hpp>
#include <filesystem>

#include "portal/all.hpp"
#include "support/accounts_support.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error was thrown");
  return ErrorCode::kInternal;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// What browsers' MediaRecorder writes first, followed by some payload.
std::string webm() {
  return std::string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01\x42\xF2\x81\x04\x42"
                     "\xF3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02",
                     35) +
         std::string(200, '\x55');
}

std::string ogg_opus() {
  std::string page = "OggS";
  page += std::string("\x00\x02", 2);           // version, flags (beginning of stream)
  page += std::string(8, '\0');                 // granule position
  page += std::string("\x01\x00\x00\x00", 4);  // serial
  page += std::string(4, '\0');                 // sequence
  page += std::string(4, '\0');                 // checksum
  page += std::string("\x01\x13", 2);           // one segment of 19 bytes
  page += std::string("OpusHead\x01\x01\x38\x01\x80\xBB\x00\x00\x00\x00\x00", 19);
  return page + std::string(100, '\x11');
}

std::string mp4(const char* handler) {
  std::string ftyp = be32(20) + "ftypM4A " + be32(0) + "M4A ";
  std::string hdlr = be32(33) + "hdlr" + be32(0) + be32(0) + handler + std::string(12, '\0') +
                     std::string(1, '\0');
  return ftyp + be32(8 + static_cast<std::uint32_t>(hdlr.size())) + "moov" + hdlr +
         std::string(64, '\x22');
}

struct Notes {
  test::AccountsPortal p;
  Session admin = p.admin();
  std::string uid;
  Notes() {
    uid = p.add_study("a.dcm", {"PatientID=A1", "PatientName=Gris^Lou", "PatientBirthDate=19800101",
                                "ReferringPhysicianName=Martin^Claire"});
    p.add_user(admin, "rad", "radiologist");
    p.add_user(admin, "doc", "referring_physician", "", "Martin^Claire");
  }
};

}  // namespace

TEST_CASE("audio notes in WebM, Ogg and MP4 are kept, listed, played and deleted",
          "[audio][VIEW-6]") {
  Notes n;
  auto rad = n.p.sign_in("rad");
  AudioNote w = rad.add_audio(n.uid, {"dictation.webm", webm()});
  CHECK(w.media_type == "audio/webm");
  CHECK(w.author == "rad");
  CHECK(w.size_bytes == static_cast<std::int64_t>(webm().size()));
  n.p.clock->advance(std::chrono::seconds(1));
  AudioNote o = rad.add_audio(n.uid, {"note.bin", ogg_opus()});  // the name says nothing
  CHECK(o.media_type == "audio/ogg");
  n.p.clock->advance(std::chrono::seconds(1));
  AudioNote m = rad.add_audio(n.uid, {"voice.m4a", mp4("soun")});
  CHECK(m.media_type == "audio/mp4");
  auto list = rad.audio_notes(n.uid);
  REQUIRE(list.size() == 3);
  CHECK(list[0].id == w.id);
  CHECK(list[1].id == o.id);
  CHECK(list[2].name == "voice.m4a");
  CHECK(rad.audio(o.id) == ogg_opus());
  CHECK(rad.audio_note(m.id).media_type == "audio/mp4");
  CHECK(n.p.portal->fsck().clean());  // their files are not orphans

  rad.delete_audio(w.id);
  CHECK(rad.audio_notes(n.uid).size() == 2);
  CHECK(code_of([&] { rad.audio(w.id); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { rad.delete_audio(w.id); }) == ErrorCode::kNotFound);
  CHECK(n.p.portal->fsck().clean());  // its file went with it
  AuditQuery q;
  q.study_uid = n.uid;
  q.action = "audio_add";
  CHECK(n.admin.audit(q).size() == 3);
  q.action = "audio_delete";
  CHECK(n.admin.audit(q).size() == 1);
}

TEST_CASE("what is not audio, is video, empty or too large is refused", "[audio][VIEW-6]") {
  test::AccountsPortal p([](Options& o) { o.max_audio_bytes = 1000; });
  auto admin = p.admin();
  auto uid = p.add_study("a.dcm", {"PatientID=A2", "PatientName=Gris^Lou"});
  CHECK(code_of([&] { admin.add_audio(uid, {"a.webm", ""}); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.add_audio(uid, {"a.webm", "RIFF....WAVEfmt "}); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.add_audio(uid, {"a.mp4", mp4("vide")}); }) ==
        ErrorCode::kInvalidArgument);
  std::string theora = ogg_opus();
  theora.replace(28, 8, "\x80theora ");
  CHECK(code_of([&] { admin.add_audio(uid, {"a.ogg", theora}); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.add_audio(uid, {"a.webm", webm() + std::string(1000, 'x')}); }) ==
        ErrorCode::kTooLarge);
  CHECK(code_of([&] { admin.add_audio("1.2.3.4", {"a.webm", webm()}); }) == ErrorCode::kNotFound);
  CHECK(admin.audio_notes(uid).empty());
  CHECK(p.portal->fsck().clean());
}

TEST_CASE("recording needs record_audio; listening needs only to see the study",
          "[audio][access][VIEW-6]") {
  Notes n;
  auto rad = n.p.sign_in("rad");
  auto doc = n.p.sign_in("doc");
  auto note = rad.add_audio(n.uid, {"d.webm", webm()});
  CHECK(code_of([&] { doc.add_audio(n.uid, {"d.webm", webm()}); }) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { doc.delete_audio(note.id); }) == ErrorCode::kPermissionDenied);
  CHECK(doc.audio_notes(n.uid).size() == 1);
  CHECK(doc.audio(note.id) == webm());
  // Someone who cannot see the study cannot learn the note exists.
  n.p.add_user(n.admin, "g", "guest");
  auto guest = n.p.sign_in("g");
  CHECK(code_of([&] { guest.audio(note.id); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { guest.audio_notes(n.uid); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { guest.delete_audio(note.id); }) == ErrorCode::kNotFound);
}

TEST_CASE("uploaded documents can be deleted; ingested originals cannot",
          "[documents][VIEW-6]") {
  Notes n;
  auto rad = n.p.sign_in("rad");
  const std::string original = n.admin.instances(n.uid).at(0).sop_uid;
  std::string jpeg = rad.render(original);
  const std::string pdf = "%PDF-1.4\n%%EOF\n";
  auto added = rad.add_files(n.uid, {{"scan.pdf", pdf}, {"photo.jpg", jpeg}});
  REQUIRE(added.size() == 2);
  REQUIRE(added[0].status == IngestStatus::kStored);
  auto docs = rad.documents(n.uid);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].name == "scan.pdf");
  CHECK(docs[0].uploaded_by == "rad");
  CHECK(n.admin.study(n.uid).num_instances == 3);

  auto doc = n.p.sign_in("doc");
  CHECK(code_of([&] { doc.delete_document(added[0].sop_uid); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { rad.delete_document(original); }) == ErrorCode::kConflict);
  CHECK(code_of([&] { rad.delete_document("1.2.3.4.5"); }) == ErrorCode::kNotFound);
  rad.thumbnail(added[1].sop_uid);  // cached
  rad.delete_document(added[0].sop_uid);
  rad.delete_document(added[1].sop_uid);
  CHECK(rad.documents(n.uid).empty());
  Study st = n.admin.study(n.uid);
  CHECK(st.num_instances == 1);
  CHECK(st.num_series == 1);
  CHECK(code_of([&] { rad.instance_bytes(added[0].sop_uid); }) == ErrorCode::kNotFound);
  CHECK(n.p.portal->fsck().clean());  // no file left behind, none missing
  std::size_t cached = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           n.p.dir / "data/cache/thumbnails", ec);
       it != std::filesystem::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) ++cached;
  CHECK(cached == 0);
  AuditQuery q;
  q.action = "document_delete";
  q.outcome = "success";
  CHECK(n.admin.audit(q).size() == 2);
}

TEST_CASE("deleting the last document of a study made from images removes the study",
          "[documents][VIEW-6][ING-4]") {
  Notes n;
  std::string jpeg = n.admin.render(n.admin.instances(n.uid).at(0).sop_uid);
  NewStudyForm form;
  form.patient_family_name = "Lefèvre";
  form.birth_date = "19650811";
  form.sex = "F";
  form.patient_id = "IMG-9";
  form.study_date = "20240102";
  auto made = n.admin.create_study(form, {{"photo.jpg", jpeg}});
  REQUIRE(made.at(0).status == IngestStatus::kStored);
  const std::string uid = made[0].study_uid;
  n.admin.set_report(uid, ReportContent{std::nullopt, std::string("%PDF-1.4 x"), ReportStatus::kDraft});
  n.admin.add_audio(uid, {"d.webm", webm()});
  n.admin.delete_document(made[0].sop_uid);
  CHECK(code_of([&] { n.admin.study(uid); }) == ErrorCode::kNotFound);
  CHECK(n.p.portal->fsck().clean());  // the report's and the note's files went too
}
