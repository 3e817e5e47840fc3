// DIF-2..4: referring-physician notifications — rules from configuration (trigger, delay, site
// and modality filters), status scheduled -> sent or -> failure, manual notification and its
// right, the scheduler thread; mails go to a real SMTP server on loopback.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "libportal/api/notifications.hpp"
#include "portal/notify.hpp"
#include "sharing/smtp_support.hpp"

using namespace portal;
using namespace std::chrono_literals;

namespace {

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

NotifyRule rule(const std::string& name, const std::string& trigger, int delay,
                std::vector<std::string> sites = {}, std::vector<std::string> modalities = {}) {
  NotifyRule r;
  r.name = name;
  r.trigger = trigger;
  r.delay_minutes = delay;
  r.sites = std::move(sites);
  r.modalities = std::move(modalities);
  return r;
}

struct World {
  test::SmtpServer smtp;
  test::AccountsPortal p;
  Session admin;
  explicit World(std::vector<NotifyRule> rules)
      : p(smtp.tweak([rules](Options& o) { o.notify_rules = rules; })), admin(p.admin()) {
    p.add_user(admin, "claire", "referring_physician", "", "Martin^Claire");
    p.add_user(admin, "idris", "referring_physician", "RPPS-42");
    p.add_user(admin, "rad", "radiologist");
  }
  Study study(const std::string& uid) { return p.portal->system_session().study(uid); }
};

}  // namespace

TEST_CASE("a study-arrived rule notifies the referring physician after its delay",
          "[sharing][notify]") {
  World w({rule("ct-after-1h", "study_arrived", 60, {"CHU Nord"}, {"CT"})});
  auto uid = w.p.add_study("a.dcm", {"PatientID=P1", "PatientName=Name1^Given", "AccessionNumber=A1",
                                     "ReferringPhysicianName=Martin^Claire",
                                     "InstitutionName=CHU NORD"});
  // Scheduled at once, shown with the study in search results.
  CHECK(w.study(uid).notification_status == "scheduled");
  auto page = w.admin.find_studies({});
  REQUIRE(page.studies.size() == 1);
  CHECK(page.studies[0].notification_status == "scheduled");

  // Not due yet.
  auto r = w.p.portal->run_notifications();
  CHECK(r.due == 0);
  w.p.clock->advance(59min);
  CHECK(w.p.portal->run_notifications().due == 0);
  w.p.clock->advance(2min);
  r = w.p.portal->run_notifications();
  CHECK(r.due == 1);
  CHECK(r.queued == 1);
  CHECK(r.failed == 0);
  CHECK(w.study(uid).notification_status == "scheduled");  // mail queued, not delivered yet
  auto report = w.p.portal->deliver_mail();
  CHECK(report.sent == 1);
  CHECK(w.study(uid).notification_status == "sent");
  CHECK(w.study(uid).notification_error.empty());

  auto mails = w.smtp.to("claire@example.org");
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].find("https://portal.example.org/studies/" + uid) != std::string::npos);
  CHECK(mails[0].find("P1") == std::string::npos);  // no patient data in the mail
  CHECK(w.smtp.messages().size() == 1);

  auto admin = w.p.admin();  // the earlier session idled out while the clock moved
  auto list = admin.notifications(uid);
  REQUIRE(list.size() == 1);
  CHECK(list[0].trigger == "study_arrived");
  CHECK(list[0].rule == "ct-after-1h");
  CHECK(list[0].status == "sent");
  CHECK(list[0].recipient == "claire@example.org");
  CHECK(list[0].recipient_login == "claire");
  CHECK(list[0].created_by == "system");

  // Once per study, trigger and rule: more instances and more passes send nothing more.
  std::string more = w.p.dir / "more.dcm";
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", more,
                      {"StudyInstanceUID=" + uid, "PatientID=P1", "PatientName=Name1^Given", "AccessionNumber=A1",
                       "ReferringPhysicianName=Martin^Claire", "InstitutionName=CHU NORD",
                       "--new-uids=series,sop"});
  auto again = w.p.portal->system_session().ingest({more});
  REQUIRE(again.files.at(0).status == IngestStatus::kStored);
  REQUIRE(again.files.at(0).study_uid == uid);
  w.p.clock->advance(2h);
  CHECK(w.p.portal->run_notifications().due == 0);
  CHECK(w.p.admin().notifications(uid).size() == 1);
}

TEST_CASE("a rule notification fails, with the reason, when no account is the physician",
          "[sharing][notify]") {
  World w({rule("any", "study_arrived", 0)});
  auto nobody = w.p.add_study("n.dcm", {"PatientID=P2", "PatientName=Name2^Given", "ReferringPhysicianName=Nobody^Known"});
  auto none = w.p.add_study("z.dcm", {"PatientID=P3", "PatientName=Name3^Given", "ReferringPhysicianName="});
  auto by_id = w.p.add_study("i.dcm", {"PatientID=P4", "PatientName=Name4^Given", "ReferringPhysicianName=Someone^Else",
                                       "--referring-id=RPPS-42"});
  auto r = w.p.portal->run_notifications();
  CHECK(r.due == 3);
  CHECK(r.queued == 1);
  CHECK(r.failed == 2);
  auto s = w.study(nobody);
  CHECK(s.notification_status == "failure");
  CHECK(s.notification_error.find("no account") != std::string::npos);
  CHECK(s.notification_error.find("Nobody Known") != std::string::npos);
  CHECK(w.study(none).notification_status == "failure");
  CHECK(w.study(none).notification_error.find("no referring physician") != std::string::npos);
  // Resolved by the linked identifier although the name differs.
  w.p.portal->deliver_mail();
  CHECK(w.study(by_id).notification_status == "sent");
  CHECK(w.smtp.to("idris@example.org").size() == 1);
  CHECK(w.smtp.messages().size() == 1);
  // A failure is final: a later pass does not retry it.
  CHECK(w.p.portal->run_notifications().due == 0);
}

TEST_CASE("rules filter by site and modality and by trigger", "[sharing][notify]") {
  World w({rule("mr-only", "study_arrived", 0, {}, {"MR"}),
           rule("south", "study_arrived", 0, {"Clinique Sud"}, {}),
           rule("reports", "report_available", 0)});
  auto uid = w.p.add_study("a.dcm", {"PatientID=P1", "PatientName=Name5^Given", "ReferringPhysicianName=Martin^Claire",
                                     "InstitutionName=CHU Nord"});
  CHECK(w.study(uid).notification_status == "not_sent");
  CHECK(w.p.portal->run_notifications().due == 0);
  auto south = w.p.add_study("s.dcm", {"PatientID=P2", "PatientName=Name6^Given", "ReferringPhysicianName=Martin^Claire",
                                       "InstitutionName=CLINIQUE  SUD"});
  CHECK(w.study(south).notification_status == "scheduled");
  REQUIRE(w.admin.notifications(south).size() == 1);
  CHECK(w.admin.notifications(south)[0].rule == "south");
}

TEST_CASE("a manual notification needs the notify right and a visible study", "[sharing][notify]") {
  World w({});
  auto uid = w.p.add_study("a.dcm", {"PatientID=P1", "PatientName=Name7^Given", "ReferringPhysicianName=Martin^Claire"});
  auto other = w.p.add_study("b.dcm", {"PatientID=P2", "PatientName=Name8^Given", "ReferringPhysicianName=Other^Olga"});
  // Referring physicians have no notify right by default.
  auto claire = w.p.sign_in("claire");
  CHECK(code_of([&] { claire.notify(uid); }) == ErrorCode::kPermissionDenied);
  // A study one may not see is not found, whatever the rights.
  w.admin.grant_right("referring_physician", "notify");
  CHECK(code_of([&] { claire.notify(other); }) == ErrorCode::kNotFound);
  w.admin.revoke_right("referring_physician", "notify");
  CHECK(w.study(uid).notification_status == "not_sent");
  CHECK(w.admin.notifications(uid).empty());
  CHECK(w.smtp.messages().empty());

  auto rad = w.p.sign_in("rad");
  auto n = rad.notify(uid);
  CHECK(n.trigger == "manual");
  CHECK(n.status == "scheduled");
  CHECK(n.created_by == "rad");
  CHECK(n.recipient == "claire@example.org");
  w.p.portal->deliver_mail();
  CHECK(w.study(uid).notification_status == "sent");
  CHECK(w.smtp.to("claire@example.org").size() == 1);
  // Without an account it is a failure with the reason, not an exception.
  auto f = rad.notify(other);
  CHECK(f.status == "failure");
  CHECK(f.error.find("no account") != std::string::npos);
  auto audit = w.admin.audit({.action = "study_notify"});
  CHECK(audit.size() == 2);
}

TEST_CASE("the scheduler thread runs due notifications with the injected clock",
          "[sharing][notify]") {
  World w({rule("later", "study_arrived", 30)});
  auto uid = w.p.add_study("a.dcm", {"PatientID=P1", "PatientName=Name9^Given", "ReferringPhysicianName=Martin^Claire"});
  NotificationScheduler scheduler(w.p.portal, 20ms, /*deliver_mail=*/true);
  scheduler.start();
  CHECK(scheduler.running());
  // Passes happen, but nothing is due on the manual clock.
  for (int i = 0; i < 500 && scheduler.passes() < 3; ++i) std::this_thread::sleep_for(10ms);
  CHECK(scheduler.passes() >= 3);
  CHECK(w.study(uid).notification_status == "scheduled");
  w.p.clock->advance(31min);
  scheduler.wake();
  // Polling a real thread, bounded at 20 s.
  for (int i = 0; i < 2000 && w.study(uid).notification_status != "sent"; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(w.study(uid).notification_status == "sent");
  scheduler.stop();
  CHECK_FALSE(scheduler.running());
  CHECK(scheduler.totals().queued == 1);
  CHECK(w.smtp.to("claire@example.org").size() == 1);
}
