// Reports (LIST-8, VIEW-6): written through the portal or recognised in ingested DICOM, with
// drafts for report writers only, the indicator and filter in searches, and the PDF export.
#include <catch2/catch.hpp>
#include <filesystem>

#include "portal/all.hpp"
#include "support/accounts_support.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

const std::string kPdf =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    "endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error was thrown");
  return ErrorCode::kInternal;
}

ReportContent text(const std::string& t, ReportStatus status = ReportStatus::kDraft) {
  ReportContent c;
  c.text = t;
  c.status = status;
  return c;
}

std::vector<std::string> uids(const StudyPage& page) {
  std::vector<std::string> out;
  for (const auto& s : page.studies) out.push_back(s.uid);
  std::sort(out.begin(), out.end());
  return out;
}

struct Reporting {
  test::AccountsPortal p;
  Session admin = p.admin();
  std::string a, b;
  Reporting() {
    a = p.add_study("a.dcm", {"PatientID=R1", "PatientName=Gris^Lou", "PatientBirthDate=19800101",
                              "AccessionNumber=R-1", "ReferringPhysicianName=Martin^Claire"});
    b = p.add_study("b.dcm", {"PatientID=R2", "PatientName=Blanc^Noe", "PatientBirthDate=19700101",
                              "AccessionNumber=R-2"});
    p.add_user(admin, "rad", "radiologist");
    p.add_user(admin, "doc", "referring_physician", "", "Martin^Claire");
  }
};

}  // namespace

TEST_CASE("a radiologist writes a draft report, then makes it final; times and author are kept",
          "[reports][LIST-8][VIEW-6]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  CHECK_FALSE(rad.report(r.a).has_value());
  Report draft = rad.set_report(r.a, text("No acute finding.\nLungs clear."));
  CHECK(draft.status == ReportStatus::kDraft);
  CHECK(draft.format == ReportFormat::kText);
  CHECK(draft.author == "rad");
  CHECK(draft.source == "portal");
  CHECK(draft.created_at == draft.updated_at);
  r.p.clock->advance(std::chrono::minutes(5));
  Report final_ = rad.set_report(r.a, text("No acute finding.", ReportStatus::kFinal));
  CHECK(final_.created_at == draft.created_at);
  CHECK(final_.updated_at > draft.updated_at);
  auto read = rad.report(r.a);
  REQUIRE(read.has_value());
  CHECK(read->text == "No acute finding.");
  CHECK(read->status == ReportStatus::kFinal);
  CHECK(read->created_at == draft.created_at);
  // A final report may be amended, never turned back into a draft.
  CHECK(code_of([&] { rad.set_report(r.a, text("x")); }) == ErrorCode::kConflict);
  CHECK(rad.report(r.a)->text == "No acute finding.");
  // Becoming final is announced once (on_report_available writes this audit event).
  AuditQuery q;
  q.action = "report_available";
  q.study_uid = r.a;
  CHECK(r.admin.audit(q).size() == 1);
  rad.set_report(r.a, text("Amended: no acute finding.", ReportStatus::kFinal));
  CHECK(r.admin.audit(q).size() == 1);
}

TEST_CASE("drafts are for report writers; others see final reports only", "[reports][LIST-8]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  auto doc = r.p.sign_in("doc");
  REQUIRE(doc.study(r.a).uid == r.a);  // the referring physician sees study a
  rad.set_report(r.a, text("Draft in progress"));
  CHECK_FALSE(doc.report(r.a).has_value());
  CHECK(code_of([&] { doc.report_pdf(r.a); }) == ErrorCode::kNotFound);
  StudyQuery all;
  auto doc_page = doc.find_studies(all);
  REQUIRE(doc_page.studies.size() == 1);
  CHECK_FALSE(doc_page.studies[0].has_report);
  CHECK(doc_page.studies[0].report_status.empty());
  CHECK(rad.study(r.a).report_status == "draft");
  CHECK(rad.study(r.a).has_report);
  StudyQuery with;
  with.report = "yes";
  CHECK(doc.find_studies(with).total == 0);
  with.report = "draft";
  CHECK(code_of([&] { doc.find_studies(with); }) == ErrorCode::kPermissionDenied);
  rad.set_report(r.a, text("Signed", ReportStatus::kFinal));
  REQUIRE(doc.report(r.a).has_value());
  CHECK(doc.report(r.a)->text == "Signed");
  with.report = "yes";
  CHECK(uids(doc.find_studies(with)) == std::vector<std::string>{r.a});
  CHECK(doc.find_studies(all).studies[0].report_status == "final");
}

TEST_CASE("the report filter finds studies with, without, draft and final reports",
          "[reports][search][LIST-8]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  rad.set_report(r.a, text("draft"));
  StudyQuery q;
  q.report = "yes";
  CHECK(uids(rad.find_studies(q)) == std::vector<std::string>{r.a});
  q.report = "no";
  CHECK(uids(rad.find_studies(q)) == std::vector<std::string>{r.b});
  q.report = "draft";
  CHECK(uids(rad.find_studies(q)) == std::vector<std::string>{r.a});
  q.report = "final";
  CHECK(rad.find_studies(q).total == 0);
  q.report = "maybe";
  CHECK(code_of([&] { rad.find_studies(q); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("only manage_reports writes and deletes reports; unseen studies are not found",
          "[reports][access][VIEW-6]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  auto doc = r.p.sign_in("doc");
  CHECK(code_of([&] { doc.set_report(r.a, text("mine")); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { doc.set_report(r.b, text("mine")); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { doc.report(r.b); }) == ErrorCode::kNotFound);
  rad.set_report(r.a, text("report", ReportStatus::kFinal));
  CHECK(code_of([&] { doc.delete_report(r.a); }) == ErrorCode::kPermissionDenied);
  CHECK(doc.report(r.a).has_value());
  r.admin.revoke_right("radiologist", "manage_reports");
  CHECK(code_of([&] { rad.set_report(r.a, text("again")); }) == ErrorCode::kPermissionDenied);
  r.admin.grant_right("radiologist", "manage_reports");
  rad.delete_report(r.a);
  CHECK_FALSE(rad.report(r.a).has_value());
  CHECK(code_of([&] { rad.delete_report(r.a); }) == ErrorCode::kNotFound);
}

TEST_CASE("bad report content is refused and changes nothing", "[reports][VIEW-6]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  rad.set_report(r.a, text("kept"));
  ReportContent both = text("x");
  both.pdf = kPdf;
  ReportContent none;
  ReportContent not_pdf;
  not_pdf.pdf = "GIF89a....";
  CHECK(code_of([&] { rad.set_report(r.a, both); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { rad.set_report(r.a, none); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { rad.set_report(r.a, not_pdf); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { rad.set_report(r.a, text("  \n ")); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { rad.set_report(r.a, text("bad \xC3\x28 utf8")); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { rad.set_report("1.2.3.4", text("x")); }) == ErrorCode::kNotFound);
  CHECK(rad.report(r.a)->text == "kept");
}

TEST_CASE("a PDF report is kept byte for byte; a text report is laid out as a PDF",
          "[reports][VIEW-6]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  ReportContent pdf;
  pdf.pdf = kPdf;
  pdf.status = ReportStatus::kFinal;
  Report rep = rad.set_report(r.a, pdf);
  CHECK(rep.format == ReportFormat::kPdf);
  CHECK(rep.pdf_size == static_cast<std::int64_t>(kPdf.size()));
  CHECK(rad.report_pdf(r.a) == kPdf);
  CHECK(r.p.portal->fsck().clean());  // the PDF's file is not an orphan
  // Replacing it with text drops the old file.
  rad.set_report(r.a, text("Findings: small nodule, right upper lobe.", ReportStatus::kFinal));
  CHECK(r.p.portal->fsck().clean());
  std::string out = rad.report_pdf(r.a);
  test::write_file(r.p.dir / "r.pdf", out);
  REQUIRE(test::run("pdftotext " + (r.p.dir / "r.pdf") + " " + (r.p.dir / "r.txt")) == 0);
  std::string laid_out = test::read_file(r.p.dir / "r.txt");
  CHECK_THAT(laid_out, Catch::Contains("small nodule") && Catch::Contains("Gris") &&
                           Catch::Contains("final"));
}

TEST_CASE("the PDF summary export carries the report", "[reports][export][LIST-7]") {
  Reporting r;
  auto rad = r.p.sign_in("rad");
  rad.set_report(r.a, text("Impression: unremarkable study.", ReportStatus::kFinal));
  std::string pdf;
  rad.export_study(r.a, ExportFormat::kPdf, [&](const char* d, std::size_t n) { pdf.append(d, n); });
  test::write_file(r.p.dir / "s.pdf", pdf);
  REQUIRE(test::run("pdftotext " + (r.p.dir / "s.pdf") + " " + (r.p.dir / "s.txt")) == 0);
  CHECK_THAT(test::read_file(r.p.dir / "s.txt"),
             Catch::Contains("Impression: unremarkable study.") && Catch::Contains("rad"));
}

TEST_CASE("an ingested Structured Report is recognised as the study's report",
          "[reports][ingest][LIST-8]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto s = portal->system_session();
  auto verified = s.ingest({test::pydicom_dir() + "/test-SR.dcm"});
  REQUIRE(verified.stored == 1);
  const std::string uid = verified.files[0].study_uid;
  auto rep = s.report(uid);
  REQUIRE(rep.has_value());
  CHECK(rep->source == "dicom");
  CHECK(rep->sop_uid == verified.files[0].sop_uid);
  CHECK(rep->status == ReportStatus::kFinal);  // COMPLETE and VERIFIED
  CHECK(rep->format == ReportFormat::kText);
  CHECK_THAT(rep->text, Catch::Contains("Diagnosis") && Catch::Contains("A mass of") &&
                            Catch::Contains("Diameter: 3 cm") &&
                            Catch::Contains("was detected."));
  CHECK_THAT(rep->author, Catch::Contains("Riesmeier"));
  CHECK(s.study(uid).report_status == "final");
  AuditQuery q;
  q.action = "report_available";
  CHECK(s.audit(q).size() == 1);
  // The first report stays; a partial, unverified SR elsewhere is a draft.
  auto partial = s.ingest({test::pydicom_dir() + "/reportsi.dcm"});
  REQUIRE(partial.stored == 1);
  auto draft = s.report(partial.files[0].study_uid);
  REQUIRE(draft.has_value());
  CHECK(draft->status == ReportStatus::kDraft);
  CHECK(s.audit(q).size() == 1);
  // A report written through the portal replaces a recognised one.
  s.set_report(uid, text("Rewritten", ReportStatus::kFinal));
  CHECK(s.report(uid)->source == "portal");
  CHECK(s.report(uid)->text == "Rewritten");
}

TEST_CASE("an ingested Encapsulated PDF is the report; an uploaded PDF is a document",
          "[reports][documents][LIST-8][ING-3]") {
  test::TempDir dir;
  auto first = Portal::open(dir / "one");
  auto s1 = first->system_session();
  auto ct = s1.ingest({test::pydicom_dir() + "/CT_small.dcm"});
  const std::string uid = ct.files[0].study_uid;
  auto added = s1.add_files(uid, {{"scan.pdf", kPdf}});
  REQUIRE(added[0].status == IngestStatus::kStored);
  CHECK_FALSE(s1.report(uid).has_value());
  CHECK_FALSE(s1.study(uid).has_report);
  // The same Encapsulated PDF instance arriving as DICOM data elsewhere is a report.
  std::string instance = s1.instance_bytes(added[0].sop_uid);
  auto second = Portal::open(dir / "two");
  auto s2 = second->system_session();
  REQUIRE(s2.ingest_bytes("doc.dcm", instance).status == IngestStatus::kStored);
  auto rep = s2.report(uid);
  REQUIRE(rep.has_value());
  CHECK(rep->format == ReportFormat::kPdf);
  CHECK(rep->source == "dicom");
  CHECK(rep->status == ReportStatus::kFinal);
  CHECK(s2.report_pdf(uid) == kPdf);
  CHECK(rep->pdf_size == static_cast<std::int64_t>(kPdf.size()));
}
