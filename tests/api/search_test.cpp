// LIST-3, LIST-4, LIST-5, LIST-7 history: study search through the public API.
#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <set>

#include "portal/all.hpp"
#include "support/manifest.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

struct Fixture {
  test::TempDir dir;
  test::Manifest manifest = test::load_manifest(test::studies_dir());
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(manifest.today_noon());
  std::shared_ptr<Portal> portal;
  Fixture(int max_limit = 150) {
    Options o;
    o.clock = clock;
    o.search_max_limit = max_limit;
    o.search_default_limit = std::min(150, max_limit);
    portal = Portal::open(dir / "data", o);
    auto report = portal->system_session().ingest({test::studies_dir()});
    REQUIRE(report.stored == static_cast<std::uint64_t>(manifest.num_instances));
  }
  std::set<std::string> uids(const StudyQuery& q) {
    auto page = portal->system_session().find_studies(q);
    CHECK(page.total == static_cast<std::int64_t>(page.studies.size()));
    std::set<std::string> out;
    for (const auto& s : page.studies) out.insert(s.uid);
    return out;
  }
  template <typename Pred>
  std::set<std::string> expected(Pred pred) {
    std::set<std::string> out;
    for (const auto& s : manifest.studies)
      if (pred(s)) out.insert(s.study_uid);
    return out;
  }
};

std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("period filters follow the clock", "[search]") {
  Fixture f;
  auto by_days = [&](int lo, int hi) {
    return f.expected([&](const test::ManifestStudy& s) { return s.days_ago >= lo && s.days_ago <= hi; });
  };
  StudyQuery q;
  q.period = Period::kToday;
  CHECK(f.uids(q) == by_days(0, 0));
  CHECK_FALSE(f.uids(q).empty());
  q.period = Period::kYesterday;
  CHECK(f.uids(q) == by_days(1, 1));
  q.period = Period::kLast7Days;
  CHECK(f.uids(q) == by_days(0, 6));
  q.period = Period::kLast30Days;
  CHECK(f.uids(q) == by_days(0, 29));
  // Tomorrow, yesterday's studies are two days old.
  f.clock->advance(std::chrono::hours(24));
  q.period = Period::kYesterday;
  CHECK(f.uids(q) == by_days(0, 0));
}

TEST_CASE("a custom date range is inclusive at both ends", "[search]") {
  Fixture f;
  const auto& some = f.manifest.studies.front();
  StudyQuery q;
  q.period = Period::kCustom;
  q.date_from = some.study_date;
  q.date_to = some.study_date;
  auto got = f.uids(q);
  CHECK(got.count(some.study_uid) == 1);
  CHECK(got == f.expected([&](const test::ManifestStudy& s) { return s.study_date == some.study_date; }));
  q.date_to = "";
  CHECK(f.uids(q) == f.expected([&](const test::ManifestStudy& s) { return s.study_date >= some.study_date; }));
  StudyQuery bad;
  bad.period = Period::kCustom;
  CHECK_THROWS_AS(f.portal->system_session().find_studies(bad), Error);
}

TEST_CASE("names match by prefix, ignoring case and accents", "[search]") {
  Fixture f;
  auto muller = f.expected([](const test::ManifestStudy& s) { return s.family_name.rfind("Müller", 0) == 0; });
  REQUIRE_FALSE(muller.empty());
  for (const char* typed : {"muller", "MULL", "Mül", "mül"}) {
    StudyQuery q;
    q.last_name = typed;
    INFO(typed);
    CHECK(f.uids(q) == muller);
  }
  StudyQuery given;
  given.first_name = "zoe";
  auto zoe = f.expected([](const test::ManifestStudy& s) { return s.given_name.rfind("Zoé", 0) == 0; });
  CHECK(f.uids(given) == zoe);
  StudyQuery both;
  both.last_name = "muller";
  both.first_name = "nobody-has-this-name";
  CHECK(f.uids(both).empty());
  StudyQuery wrong_field;
  wrong_field.first_name = "muller";  // family and given names are searched separately
  CHECK(f.uids(wrong_field) != muller);
}

TEST_CASE("modality, patient ID and accession filters are exact", "[search]") {
  Fixture f;
  std::set<std::string> modalities;
  for (const auto& s : f.manifest.studies) modalities.insert(s.modalities.begin(), s.modalities.end());
  REQUIRE(modalities.size() >= 5);
  for (const auto& mod : modalities) {
    StudyQuery q;
    q.modality = lower_ascii(mod);
    INFO(mod);
    CHECK(f.uids(q) == f.expected([&](const test::ManifestStudy& s) {
      return std::find(s.modalities.begin(), s.modalities.end(), mod) != s.modalities.end();
    }));
  }
  const auto& one = f.manifest.studies.back();
  StudyQuery pid;
  pid.patient_id = one.patient_id;
  CHECK(f.uids(pid) == f.expected([&](const test::ManifestStudy& s) { return s.patient_id == one.patient_id; }));
  StudyQuery acc;
  acc.accession = one.accession;
  CHECK(f.uids(acc) == std::set<std::string>{one.study_uid});
  acc.accession = one.accession.substr(0, one.accession.size() - 1);
  CHECK(f.uids(acc).empty());
}

TEST_CASE("referring, performing and site filters match any word by prefix", "[search]") {
  Fixture f;
  // Pick a referring physician and search by the start of their family name.
  const auto& one = f.manifest.studies.front();
  std::string family = one.referring.substr(0, one.referring.find('^'));
  REQUIRE(family.size() >= 3);
  StudyQuery q;
  q.referring = family.substr(0, 3);
  auto got = f.uids(q);
  CHECK(got.count(one.study_uid) == 1);
  for (const auto& s : f.manifest.studies)
    if (s.referring == one.referring) CHECK(got.count(s.study_uid) == 1);

  std::string site_word = one.institution.substr(0, one.institution.find(' '));
  StudyQuery site;
  site.site = lower_ascii(site_word);
  auto sites = f.uids(site);
  CHECK(sites.count(one.study_uid) == 1);
  for (const auto& s : f.manifest.studies)
    if (s.institution == one.institution) CHECK(sites.count(s.study_uid) == 1);

  std::string performer;
  for (const auto& s : f.manifest.studies)
    if (!s.performing.empty()) performer = s.performing;
  REQUIRE_FALSE(performer.empty());
  StudyQuery perf;
  perf.performing = performer.substr(0, performer.find('^'));
  auto performed = f.uids(perf);
  for (const auto& s : f.manifest.studies)
    if (s.performing == performer) CHECK(performed.count(s.study_uid) == 1);
}

TEST_CASE("results are newest first, sortable, limited, and counted in full", "[search]") {
  Fixture f(5);
  auto session = f.portal->system_session();
  StudyQuery q;
  q.limit = 100;  // above the configured cap of 5
  auto page = session.find_studies(q);
  CHECK(page.limit == 5);
  CHECK(page.studies.size() == 5);
  CHECK(page.total == static_cast<std::int64_t>(f.manifest.studies.size()));
  CHECK(page.truncated());
  for (std::size_t i = 1; i < page.studies.size(); ++i)
    CHECK(page.studies[i - 1].date + page.studies[i - 1].time >= page.studies[i].date + page.studies[i].time);

  // Paging through with offsets visits every study exactly once.
  std::set<std::string> seen;
  for (int offset = 0; offset < page.total; offset += 5) {
    q.offset = offset;
    for (const auto& s : session.find_studies(q).studies) CHECK(seen.insert(s.uid).second);
  }
  CHECK(seen.size() == f.manifest.studies.size());

  StudyQuery by_id;
  by_id.sort = parse_sort("patient_id");
  by_id.limit = 5;
  auto sorted = session.find_studies(by_id).studies;
  for (std::size_t i = 1; i < sorted.size(); ++i)
    CHECK(sorted[i - 1].patient.patient_id <= sorted[i].patient.patient_id);
  StudyQuery oldest;
  oldest.sort = parse_sort("date");
  auto first = session.find_studies(oldest).studies.front();
  for (const auto& s : f.manifest.studies) CHECK(first.date <= s.study_date);
}

TEST_CASE("patient history lists the same patient's other studies, newest first", "[search]") {
  Fixture f;
  std::map<std::string, std::vector<const test::ManifestStudy*>> by_patient;
  for (const auto& s : f.manifest.studies) by_patient[s.patient_id].push_back(&s);
  int checked = 0;
  auto session = f.portal->system_session();
  for (const auto& [pid, studies] : by_patient) {
    if (studies.size() < 2) continue;
    auto history = session.history(studies.front()->study_uid);
    CHECK(history.size() == studies.size() - 1);
    for (const auto& h : history) {
      CHECK(h.patient.patient_id == pid);
      CHECK(h.uid != studies.front()->study_uid);
    }
    for (std::size_t i = 1; i < history.size(); ++i) CHECK(history[i - 1].date >= history[i].date);
    ++checked;
  }
  CHECK(checked >= 1);
  CHECK_THROWS_AS(session.history("1.2.3.4.5.6.7"), Error);
}

TEST_CASE("unknown studies are NotFound", "[search]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  try {
    session.study("1.2.3");
    FAIL("found a study that does not exist");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  CHECK_THROWS_AS(session.series("1.2.3"), Error);
  CHECK_THROWS_AS(session.instance_bytes("1.2.3"), Error);
}

TEST_CASE("a study whose name has two words with the same prefix is counted once", "[search]") {
  test::TempDir dir;
  auto portal = Portal::open(dir / "data");
  auto session = portal->system_session();
  test::dicom_variant(test::pydicom_dir() + "/CT_small.dcm", dir / "a.dcm",
                      {"PatientName=Martin-Martinez^Marie Marion", "ReferringPhysicianName=Mart^Martine",
                       "InstitutionName=Saint Sauveur Santé"});
  REQUIRE(session.ingest({dir / "a.dcm"}).stored == 1);
  for (auto field : {&StudyQuery::last_name, &StudyQuery::first_name, &StudyQuery::referring,
                     &StudyQuery::site}) {
    StudyQuery q;
    q.*field = field == &StudyQuery::site ? "sa" : "mar";
    if (field == &StudyQuery::referring) q.referring = "mart";
    auto page = session.find_studies(q);
    CHECK(page.total == 1);
    CHECK(page.studies.size() == 1);
  }
}
