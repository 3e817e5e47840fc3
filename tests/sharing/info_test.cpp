// LIST-7 study information, with a real SMTP server on loopback: shares, notifications and
// mail errors (a refused recipient) for privileged profiles; the patient release delay.
#include <catch2/catch.hpp>
#include <chrono>

#include "sharing/smtp_support.hpp"

using namespace portal;
using namespace std::chrono_literals;

TEST_CASE("a refused recipient shows as a failure with its error in study information",
          "[sharing][info]") {
  test::SmtpServer smtp;
  test::AccountsPortal p(smtp.tweak());
  auto admin = p.admin();
  p.add_user(admin, "rad", "radiologist");
  p.add_user(admin, "claire", "referring_physician", "", "Martin^Claire");
  auto uid = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann",
                                   "PatientBirthDate=19700101", "ReferringPhysicianName=Martin^Claire"});
  auto rad = p.sign_in("rad");
  auto shares = rad.share(uid, "friend@example.org, refused@example.org", "Have a look");
  REQUIRE(shares.size() == 2);
  auto report = p.portal->deliver_mail();
  CHECK(report.sent == 1);
  CHECK(report.failed == 1);
  CHECK(smtp.to("friend@example.org").size() == 1);
  CHECK(smtp.messages().size() == 1);

  auto info = rad.study_info(uid);
  CHECK(info.privileged);
  CHECK(info.study.uid == uid);
  CHECK(info.study.patient.family_name == "Durand");
  CHECK(info.study.patient.birth_date == "19700101");
  CHECK(info.series.size() == 1);
  REQUIRE(info.shares.size() == 2);
  CHECK(info.shares[1].recipient == "refused@example.org");
  CHECK(info.shares[1].shared_by == "rad");
  CHECK_FALSE(info.shares[1].created_at.empty());
  CHECK_FALSE(info.shares[1].expires_at.empty());
  CHECK(info.shares[1].revoked_at.empty());
  REQUIRE(info.mail_errors.size() == 1);
  CHECK(info.mail_errors[0].to == "refused@example.org");
  CHECK(info.mail_errors[0].status == MailStatus::kFailed);
  CHECK(info.mail_errors[0].last_error.find("550") != std::string::npos);
  CHECK(info.mail_errors[0].body.empty());

  // A revoked share is listed with its revocation time.
  rad.revoke_share(shares[0].id);
  CHECK_FALSE(rad.study_info(uid).shares[0].revoked_at.empty());

  // The notification appears too.
  rad.notify(uid);
  p.portal->deliver_mail();
  info = admin.study_info(uid);
  REQUIRE(info.notifications.size() == 1);
  CHECK(info.notifications[0].status == "sent");
  CHECK(info.study.notification_status == "sent");

  // A referring physician sees the study and patient, not the shares nor mail errors.
  auto claire = p.sign_in("claire");
  auto mine = claire.study_info(uid);
  CHECK_FALSE(mine.privileged);
  CHECK(mine.study.patient.family_name == "Durand");
  CHECK(mine.shares.empty());
  CHECK(mine.mail_errors.empty());
  CHECK(mine.notifications.empty());
  // Not visible: not found, and audited.
  auto other = p.add_study("b.dcm", {"PatientID=P2", "ReferringPhysicianName=Other^Olga"});
  try {
    claire.study_info(other);
    FAIL("an invisible study was described");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  CHECK(admin.audit({.action = "study_info"}).size() == 5);
}

TEST_CASE("a new study becomes visible to the patient only after the release delay",
          "[sharing][release]") {
  test::AccountsPortal p([](Options& o) { o.patient_release_delay_minutes = 120; });
  auto admin = p.admin();
  auto uid = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann",
                                   "PatientBirthDate=19700101", "AccessionNumber=ACC-1"});
  // Staff see it at once.
  CHECK(admin.find_studies({}).studies.size() == 1);
  auto patient = p.portal->patient_sign_in("ACC-1", "19700101");
  CHECK(patient.find_studies({}).studies.empty());
  CHECK_THROWS_AS(patient.study(uid), Error);
  p.clock->advance(119min);
  patient = p.portal->patient_sign_in("ACC-1", "19700101");
  CHECK(patient.find_studies({}).studies.empty());
  p.clock->advance(2min);
  patient = p.portal->patient_sign_in("ACC-1", "19700101");
  REQUIRE(patient.find_studies({}).studies.size() == 1);
  CHECK(patient.study(uid).uid == uid);
}

TEST_CASE("without a release delay the patient sees a new study at once", "[sharing][release]") {
  test::AccountsPortal p;
  p.admin();
  p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                        "AccessionNumber=ACC-1"});
  auto patient = p.portal->patient_sign_in("ACC-1", "19700101");
  CHECK(patient.find_studies({}).studies.size() == 1);
}
