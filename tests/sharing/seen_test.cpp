// DIF-1, LIST-4: the seen status per reader role and the read-status filter.
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "support/accounts_support.hpp"

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

std::set<std::string> uids(const StudyPage& page) {
  std::set<std::string> out;
  for (const auto& s : page.studies) out.insert(s.uid);
  return out;
}

StudyQuery seen(const std::string& status) {
  StudyQuery q;
  q.seen = status;
  return q;
}

}  // namespace

TEST_CASE("opening a study sets the seen flag of the reader's role only", "[sharing][seen]") {
  test::AccountsPortal p;
  auto a =
      p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                            "AccessionNumber=ACC-A", "ReferringPhysicianName=Martin^Claire"});
  auto b =
      p.add_study("b.dcm", {"PatientID=P2", "PatientName=Petit^Bob", "PatientBirthDate=19800202",
                            "AccessionNumber=ACC-B", "ReferringPhysicianName=Martin^Claire"});
  auto admin = p.admin();
  p.add_user(admin, "rad", "radiologist");
  p.add_user(admin, "refdoc", "referring_physician");
  admin.link_referring_physician("refdoc", "", "MARTIN^CLAIRE");
  auto rad = p.sign_in("rad");
  auto ref = p.sign_in("refdoc");
  auto patient = p.portal->patient_sign_in("ACC-A", "19700101");

  auto flags = [&](const std::string& uid) { return admin.study(uid); };
  CHECK_FALSE(flags(a).seen_by_radiologist);
  CHECK_FALSE(flags(a).seen_by_referring);
  CHECK_FALSE(flags(a).seen_by_patient);

  rad.mark_seen(a);
  CHECK(flags(a).seen_by_radiologist);
  CHECK_FALSE(flags(a).seen_by_referring);
  CHECK_FALSE(flags(b).seen_by_radiologist);

  ref.mark_seen(b);
  CHECK(flags(b).seen_by_referring);
  CHECK_FALSE(flags(b).seen_by_patient);

  patient.mark_seen(a);
  CHECK(flags(a).seen_by_patient);
  rad.mark_seen(a);  // a second opening changes nothing
  CHECK(flags(a).seen_by_radiologist);

  // The flags come back with search results too.
  for (const auto& s : admin.find_studies({}).studies) {
    CHECK(s.seen_by_radiologist == (s.uid == a));
    CHECK(s.seen_by_referring == (s.uid == b));
    CHECK(s.seen_by_patient == (s.uid == a));
  }
  // Administrators have no reader role: opening records nothing.
  admin.mark_seen(b);
  CHECK_FALSE(flags(b).seen_by_radiologist);
  // Opening is audited.
  AuditQuery q;
  q.action = "study_seen";
  CHECK(admin.audit(q).size() == 4);
}

TEST_CASE("a study one may not see cannot be marked seen", "[sharing][seen]") {
  test::AccountsPortal p;
  auto a = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann",
                                 "PatientBirthDate=19700101", "AccessionNumber=ACC-A"});
  auto admin = p.admin();
  p.add_user(admin, "refdoc", "referring_physician");
  auto ref = p.sign_in("refdoc");
  CHECK(code_of([&] { ref.mark_seen(a); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { ref.mark_seen("1.2.3.4.404"); }) == ErrorCode::kNotFound);
  CHECK_FALSE(admin.study(a).seen_by_referring);
}

TEST_CASE("the read-status filter uses the caller's role", "[sharing][seen][search]") {
  test::AccountsPortal p;
  auto a =
      p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                            "AccessionNumber=ACC-A", "ReferringPhysicianName=Martin^Claire"});
  auto b =
      p.add_study("b.dcm", {"PatientID=P2", "PatientName=Petit^Bob", "PatientBirthDate=19800202",
                            "AccessionNumber=ACC-B", "ReferringPhysicianName=Martin^Claire"});
  auto admin = p.admin();
  p.add_user(admin, "rad", "radiologist");
  p.add_user(admin, "refdoc", "referring_physician");
  p.add_user(admin, "g", "guest");
  admin.link_referring_physician("refdoc", "", "MARTIN^CLAIRE");
  auto rad = p.sign_in("rad");
  auto ref = p.sign_in("refdoc");
  rad.mark_seen(a);
  ref.mark_seen(b);

  CHECK(uids(rad.find_studies(seen("seen"))) == std::set<std::string>{a});
  CHECK(uids(rad.find_studies(seen("unseen"))) == std::set<std::string>{b});
  CHECK(rad.find_studies(seen("unseen")).total == 1);
  CHECK(uids(ref.find_studies(seen("seen"))) == std::set<std::string>{b});
  CHECK(uids(ref.find_studies(seen("unseen"))) == std::set<std::string>{a});
  CHECK(uids(rad.find_studies(seen(""))) == std::set<std::string>{a, b});
  // Administrators filter on the radiologists' flag.
  CHECK(uids(admin.find_studies(seen("seen"))) == std::set<std::string>{a});
  // With a name filter too (the search then cannot take its posting-list fast path).
  StudyQuery q = seen("unseen");
  q.last_name = "petit";
  CHECK(uids(rad.find_studies(q)) == std::set<std::string>{b});
  q.last_name = "durand";
  CHECK(rad.find_studies(q).total == 0);

  CHECK(code_of([&] { rad.find_studies(seen("read")); }) == ErrorCode::kInvalidArgument);
  auto guest = p.sign_in("g");
  CHECK(code_of([&] { guest.find_studies(seen("seen")); }) == ErrorCode::kInvalidArgument);
}
