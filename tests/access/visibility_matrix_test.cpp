// LIST-1, LIST-7, ACC-2, ACC-7: who sees which study, as a generated table, for search and for
// every study-scoped call.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "support/accounts_support.hpp"

using namespace portal;

namespace {

enum class Kind { kOwn, kForeign, kShared, kRevoked, kDisabled, kNonexistent };
const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kOwn:
      return "own";
    case Kind::kForeign:
      return "foreign";
    case Kind::kShared:
      return "shared";
    case Kind::kRevoked:
      return "shared-then-revoked";
    case Kind::kDisabled:
      return "disabled";
    case Kind::kNonexistent:
      return "nonexistent";
  }
  return "?";
}

struct World {
  test::AccountsPortal p;
  std::map<Kind, std::string> study;
  std::map<Kind, std::string> sop;  // one instance of each study
  std::map<std::string, Session> sessions;

  World() {
    // Patient P1 (accession ACC-OWN) is "own" for the patient; Martin^Claire is the referring
    // physician linked to the referring account.
    study[Kind::kOwn] = p.add_study(
        "own.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                    "AccessionNumber=ACC-OWN", "ReferringPhysicianName=Martin^Claire"});
    study[Kind::kForeign] = p.add_study(
        "foreign.dcm", {"PatientID=P2", "PatientName=Petit^Bob", "PatientBirthDate=19800202",
                        "AccessionNumber=ACC-F", "ReferringPhysicianName=Other^Olga"});
    study[Kind::kShared] = p.add_study(
        "shared.dcm", {"PatientID=P3", "PatientName=Roux^Cid", "PatientBirthDate=19900303",
                       "AccessionNumber=ACC-S", "ReferringPhysicianName=Other^Olga"});
    study[Kind::kRevoked] = p.add_study(
        "revoked.dcm", {"PatientID=P4", "PatientName=Blanc^Dan", "PatientBirthDate=19600404",
                        "AccessionNumber=ACC-R", "ReferringPhysicianName=Other^Olga"});
    // Disabled: the patient's own, the referring physician's own, and shared: only the
    // administrator (and the system) still see it.
    study[Kind::kDisabled] = p.add_study(
        "disabled.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                         "AccessionNumber=ACC-D", "ReferringPhysicianName=Martin^Claire"});
    study[Kind::kNonexistent] = "1.2.826.0.1.3680043.99999.1";
    auto system = p.portal->system_session();
    for (auto& [k, uid] : study) {
      if (k == Kind::kNonexistent) continue;
      sop[k] = system.instances(uid).at(0).sop_uid;
    }
    sop[Kind::kNonexistent] = "1.2.826.0.1.3680043.99999.2";

    Session admin = p.admin();
    p.add_user(admin, "rad", "radiologist");
    p.add_user(admin, "refdoc", "referring_physician");
    admin.link_referring_physician("refdoc", "", "MARTIN^CLAIRE");
    p.add_user(admin, "guest1", "guest");
    for (const char* who : {"refdoc", "guest1"}) {
      admin.grant_study(study[Kind::kShared], who);
      admin.grant_study(study[Kind::kRevoked], who);
      admin.revoke_study_grant(study[Kind::kRevoked], who);
      admin.grant_study(study[Kind::kDisabled], who);
    }
    admin.set_study_disabled(study[Kind::kDisabled], true);

    sessions.emplace("system", system);
    sessions.emplace("administrator", admin);
    sessions.emplace("radiologist", p.sign_in("rad"));
    sessions.emplace("referring_physician", p.sign_in("refdoc"));
    sessions.emplace("guest", p.sign_in("guest1"));
    sessions.emplace("patient", p.portal->patient_sign_in("ACC-OWN", "19700101"));
  }
};

// The expected table: principal -> the kinds of study it sees.
const std::map<std::string, std::set<Kind>> kExpected = {
    {"system", {Kind::kOwn, Kind::kForeign, Kind::kShared, Kind::kRevoked, Kind::kDisabled}},
    {"administrator", {Kind::kOwn, Kind::kForeign, Kind::kShared, Kind::kRevoked, Kind::kDisabled}},
    {"radiologist", {Kind::kOwn, Kind::kForeign, Kind::kShared, Kind::kRevoked}},
    {"referring_physician", {Kind::kOwn, Kind::kShared}},
    {"guest", {Kind::kShared}},
    {"patient", {Kind::kOwn}},
};

bool is_not_found(const std::function<void()>& fn) {
  try {
    fn();
    return false;
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.code() == ErrorCode::kNotFound);  // never PermissionDenied: existence does not leak
    return true;
  }
}

}  // namespace

TEST_CASE("every principal sees exactly its studies, in search and every study call",
          "[access][visibility]") {
  World w;
  const std::vector<Kind> kinds = {Kind::kOwn,     Kind::kForeign,  Kind::kShared,
                                   Kind::kRevoked, Kind::kDisabled, Kind::kNonexistent};
  int rows = 0;
  for (const auto& [principal, visible] : kExpected) {
    Session& s = w.sessions.at(principal);
    std::set<std::string> found;
    for (const auto& st : s.find_studies({}).studies) found.insert(st.uid);
    std::set<std::string> visible_uids;
    for (Kind k : visible) visible_uids.insert(w.study.at(k));
    for (Kind k : kinds) {
      const std::string& uid = w.study.at(k);
      bool expect = visible.count(k) > 0;
      INFO(principal << " x " << kind_name(k) << " study: expected "
                     << (expect ? "visible" : "not found"));
      ++rows;
      CHECK(found.count(uid) == (expect ? 1u : 0u));
      CHECK(is_not_found([&] { s.study(uid); }) == !expect);
      CHECK(is_not_found([&] { s.series(uid); }) == !expect);
      CHECK(is_not_found([&] { s.instances(uid); }) == !expect);
      CHECK(is_not_found([&] { s.history(uid); }) == !expect);
      CHECK(is_not_found([&] { s.instance_bytes(w.sop.at(k)); }) == !expect);
      if (expect) {
        CHECK(s.study(uid).uid == uid);
        CHECK_FALSE(s.series(uid).empty());
        CHECK_FALSE(s.instance_bytes(w.sop.at(k)).empty());
        // History holds only studies this principal may see.
        for (const auto& h : s.history(uid)) CHECK(visible_uids.count(h.uid) == 1);
      }
    }
  }
  CHECK(rows == 6 * 6);
}

TEST_CASE("history shows the patient's other studies only when visible", "[access][visibility]") {
  World w;
  auto uids = [](const std::vector<Study>& v) {
    std::set<std::string> out;
    for (const auto& s : v) out.insert(s.uid);
    return out;
  };
  // P1 has the own and the disabled study: the administrator sees both, the patient one.
  CHECK(uids(w.sessions.at("administrator").history(w.study[Kind::kOwn])) ==
        std::set<std::string>{w.study[Kind::kDisabled]});
  CHECK(w.sessions.at("patient").history(w.study[Kind::kOwn]).empty());
  CHECK(w.sessions.at("radiologist").history(w.study[Kind::kOwn]).empty());
}

TEST_CASE("a grant that expires stops giving access", "[access][visibility]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve",
                                   "PatientBirthDate=19750505", "AccessionNumber=Q-1"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  admin.grant_study(uid, "g", p.clock->now() + std::chrono::hours(2));
  auto guest = p.sign_in("g");
  CHECK(guest.study(uid).uid == uid);
  CHECK(guest.find_studies({}).total == 1);
  p.clock->advance(std::chrono::hours(2));
  guest = p.sign_in("g");  // the first session is idle-expired by now
  CHECK(guest.find_studies({}).total == 0);
  CHECK_THROWS_MATCHES(guest.study(uid), Error, Catch::Predicate<Error>([](const Error& e) {
                         return e.code() == ErrorCode::kNotFound;
                       }));
  admin = p.admin();  // idle for two hours too
  auto grants = admin.study_grants(uid);
  REQUIRE(grants.size() == 1);
  CHECK_FALSE(grants[0].active);
}

TEST_CASE("disabling a study needs the disable_study right", "[access]") {
  test::AccountsPortal p;
  auto uid =
      p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve", "PatientBirthDate=19750505",
                            "AccessionNumber=Q-1", "ReferringPhysicianName=Lune^Leo"});
  auto admin = p.admin();
  p.add_user(admin, "doc", "referring_physician", "", "Lune^Leo");
  auto doc = p.sign_in("doc");
  CHECK(doc.study(uid).uid == uid);
  CHECK_THROWS_MATCHES(doc.set_study_disabled(uid, true), Error,
                       Catch::Predicate<Error>([](const Error& e) {
                         return e.code() == ErrorCode::kPermissionDenied;
                       }));
  admin.grant_right("referring_physician", "disable_study");
  doc.set_study_disabled(uid, true);
  CHECK(doc.find_studies({}).total == 0);
  CHECK(admin.find_studies({}).total == 1);
  admin.set_study_disabled(uid, false);
  CHECK(doc.find_studies({}).total == 1);
}

TEST_CASE("guests and patients may not upload", "[access]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  auto guest = p.sign_in("g");
  CHECK_THROWS_MATCHES(guest.ingest({test::pydicom_dir() + "/CT_small.dcm"}), Error,
                       Catch::Predicate<Error>([](const Error& e) {
                         return e.code() == ErrorCode::kPermissionDenied;
                       }));
  CHECK(admin.ingest({test::pydicom_dir() + "/CT_small.dcm"}).stored == 1);
}

TEST_CASE("columns a profile may not see are never sent and advanced filters need the right",
          "[access]") {
  test::AccountsPortal p;
  auto uid =
      p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve", "PatientBirthDate=19750505",
                            "AccessionNumber=Q-1", "ReferringPhysicianName=Lune^Leo"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  admin.grant_study(uid, "g");
  auto guest = p.sign_in("g");
  auto s = guest.study(uid);
  CHECK(s.patient.family_name == "Vert");  // column:patient_name
  CHECK(s.patient.patient_id.empty());     // no column:patient_id for guests
  CHECK(s.accession.empty());
  CHECK(s.referring_physician.empty());
  CHECK(guest.find_studies({}).studies.at(0).patient.patient_id.empty());
  admin.grant_right("guest", "column:patient_id");
  CHECK(guest.study(uid).patient.patient_id == "Q1");
  CHECK(admin.study(uid).accession == "Q-1");

  StudyQuery q;
  q.accession = "Q-1";
  CHECK_THROWS_MATCHES(guest.find_studies(q), Error, Catch::Predicate<Error>([](const Error& e) {
                         return e.code() == ErrorCode::kPermissionDenied;
                       }));
  CHECK(admin.find_studies(q).total == 1);
  admin.grant_right("guest", "advanced_filters");
  CHECK(guest.find_studies(q).total == 1);
}

TEST_CASE("a linked referring name matches the same physician written with more components",
          "[access]") {
  test::AccountsPortal p;
  auto plain =
      p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve", "PatientBirthDate=19750505",
                            "AccessionNumber=Q-1", "ReferringPhysicianName=MARTIN^Claire"});
  auto titled =
      p.add_study("b.dcm", {"PatientID=Q2", "PatientName=Bleu^Ivo", "PatientBirthDate=19750506",
                            "AccessionNumber=Q-2", "ReferringPhysicianName=Martin^Claire^^Dr"});
  auto other =
      p.add_study("c.dcm", {"PatientID=Q3", "PatientName=Rose^Ula", "PatientBirthDate=19750507",
                            "AccessionNumber=Q-3", "ReferringPhysicianName=Martine^Claire"});
  auto admin = p.admin();
  p.add_user(admin, "doc", "referring_physician");
  auto doc = p.sign_in("doc");
  CHECK(doc.find_studies({}).total == 0);  // not linked yet: nothing
  admin.link_referring_physician("doc", "", "Martin^Claire");
  std::set<std::string> seen;
  for (const auto& s : doc.find_studies({}).studies) seen.insert(s.uid);
  CHECK(seen == std::set<std::string>{plain, titled});
  CHECK(seen.count(other) == 0);
}

TEST_CASE("an administrative session as a user sees what that user sees", "[access]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve",
                                   "PatientBirthDate=19750505", "AccessionNumber=Q-1"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  auto as_guest = p.portal->session_as("g");
  CHECK(as_guest.profile() == "guest");
  CHECK(as_guest.token().empty());
  CHECK(as_guest.find_studies({}).total == 0);
  admin.grant_study(uid, "g");
  CHECK(as_guest.find_studies({}).total == 1);
  CHECK_THROWS_AS(p.portal->session_as("nobody"), Error);
}

TEST_CASE("a referring physician linked by identifier sees the studies that carry it",
          "[access]") {
  test::AccountsPortal p;
  auto coded = p.add_study("a.dcm", {"PatientID=R1", "PatientName=Vert^Eve",
                                     "PatientBirthDate=19750505", "AccessionNumber=R-1",
                                     "ReferringPhysicianName=Someone^Else", "--referring-id=10101"});
  auto uncoded = p.add_study("b.dcm", {"PatientID=R2", "PatientName=Bleu^Ivo",
                                       "PatientBirthDate=19750506", "AccessionNumber=R-2",
                                       "ReferringPhysicianName=Someone^Else"});
  auto admin = p.admin();
  p.add_user(admin, "doc", "referring_physician");
  auto doc = p.sign_in("doc");
  CHECK(doc.find_studies({}).total == 0);
  admin.link_referring_physician("doc", "10101", "");
  auto page = doc.find_studies({});
  REQUIRE(page.total == 1);
  CHECK(page.studies.front().uid == coded);
  CHECK_THROWS_AS(doc.study(uncoded), Error);
}
