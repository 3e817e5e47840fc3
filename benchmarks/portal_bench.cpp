// portal_bench: the figures in benchmarks/README.md.
//
//   portal_bench ingest SRC_DIR DATA_DIR      ingest a folder; prints instances/s, MB/s, CPU and RSS
//   portal_bench search DATA_DIR [STUDIES]    build a synthetic index of STUDIES studies (default
//                                             100000) if empty, then time every filter shape
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "libportal/common/clock.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/store/index.hpp"
#include "portal/all.hpp"

using namespace portal;
using Steady = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int bench_ingest(const std::string& src, const std::string& data) {
  auto portal = Portal::open(data);
  auto session = portal->system_session();
  IngestOptions opts;
  opts.collect_results = false;  // what a huge ingest does: memory must not grow
  double cpu0 = cpu_seconds();
  auto t0 = Steady::now();
  auto report = session.ingest({src}, opts);
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  double mb = report.bytes_stored / 1e6;
  fmt::print("ingest: {} stored, {} rejected, {:.1f} MB in {:.2f} s\n", report.stored,
             report.rejected, mb, secs);
  fmt::print("ingest_instances_per_s {:.0f}\n", report.stored / secs);
  fmt::print("ingest_mb_per_s {:.1f}\n", mb / secs);
  fmt::print("ingest_cpu_ms_per_instance {:.3f}\n", 1000.0 * cpu / std::max<double>(1, report.stored));
  fmt::print("ingest_peak_rss_mb {:.1f}\n", peak_rss_kb() / 1024.0);
  return report.rejected == 0 ? 0 : 1;
}

// Synthetic but realistic demographics: the search only ever touches the index.
const char* kFamilies[] = {"Müller", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
                           "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre",
                           "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
                           "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert",
                           "Bonnet", "François", "Martinez", "Nguyễn", "O'Brien", "Schmidt"};
const char* kGivens[] = {"Zoé", "Jean", "Marie", "Pierre", "Hélène", "Louis", "Camille", "Léa",
                         "Hugo", "Chloé", "Lucas", "Emma", "Jules", "Inès", "Adam", "Anne",
                         "Paul", "Sarah", "Noah", "Manon", "Éric", "Seán"};
const char* kModalities[] = {"CT", "MR", "CR", "MG", "US", "DX", "NM", "PT", "XA"};
const char* kSites[] = {"Hôpital Saint-Louis", "Clinique du Parc", "Centre Imagerie Nord",
                        "CHU Sud", "Radiologie Est"};
const char* kDoctors[] = {"Martin^Claire", "Dubois^Étienne", "Leroy^Paul", "Garnier^Alice",
                          "Faure^Marc", "Rousseau^Julie", "Blanc^Hugo", "Guerin^Sophie"};

void build_index(detail::Index& index, int studies) {
  std::mt19937 rng(42);
  auto pick = [&](auto& arr) { return arr[rng() % (sizeof(arr) / sizeof(arr[0]))]; };
  auto now = std::chrono::system_clock::now();
  std::string ts = detail::iso8601_utc(now);
  int patients = studies / 3;
  auto t0 = Steady::now();
  for (int base = 0; base < studies; base += 2000) {
    detail::WriteTxn txn(index);
    for (int i = base; i < std::min(studies, base + 2000); ++i) {
      int p = static_cast<int>(rng() % patients);
      std::mt19937 prng(p);  // a patient's demographics depend on the patient only
      Patient pat{fmt::format("PID{:07}", p), kFamilies[prng() % std::size(kFamilies)],
                  kGivens[prng() % std::size(kGivens)],
                  fmt::format("{:04}{:02}{:02}", 1930 + prng() % 90, 1 + prng() % 12, 1 + prng() % 28),
                  prng() % 2 ? "F" : "M"};
      auto existing = txn.patients_by_id(pat.patient_id);
      std::int64_t ref = existing.empty() ? txn.insert_patient(pat, ts) : existing.front().id;
      detail::DicomMeta m;
      m.study_uid = fmt::format("2.25.1{:09}", i);
      m.series_uid = m.study_uid + ".1";
      m.sop_uid = m.study_uid + ".1.1";
      m.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
      m.transfer_syntax_uid = "1.2.840.10008.1.2.1";
      m.study_date = detail::local_date(now, static_cast<int>(rng() % 3650));
      m.study_time = fmt::format("{:02}{:02}00", rng() % 24, rng() % 60);
      m.accession = fmt::format("ACC{:08}", i);
      m.study_description = "Synthetic study";
      m.referring = pick(kDoctors);
      m.performing = pick(kDoctors);
      m.institution = pick(kSites);
      m.modality = pick(kModalities);
      txn.add_instance(ref, m, "bench", fmt::format("{:032x}", i), std::string(64, '0'), 1000, ts);
    }
    txn.commit();
  }
  fmt::print("built an index of {} studies in {:.1f} s\n", studies,
             std::chrono::duration<double>(Steady::now() - t0).count());
}

int bench_search(const std::string& data, int studies) {
  std::filesystem::create_directories(data);
  {
    detail::Index index(data + "/index.sqlite");
    detail::SearchContext ctx;
    if (index.search({}, ctx).total == 0) build_index(index, studies);
  }
  auto portal = Portal::open(data);
  auto session = portal->system_session();
  std::mt19937 rng(7);
  auto now = std::chrono::system_clock::now();
  struct Shape {
    const char* name;
    std::function<StudyQuery()> make;
  };
  std::vector<Shape> shapes = {
      {"all (newest first)", [] { return StudyQuery{}; }},
      {"period today", [] { StudyQuery q; q.period = Period::kToday; return q; }},
      {"period yesterday", [] { StudyQuery q; q.period = Period::kYesterday; return q; }},
      {"period 7 days", [] { StudyQuery q; q.period = Period::kLast7Days; return q; }},
      {"period 30 days", [] { StudyQuery q; q.period = Period::kLast30Days; return q; }},
      {"custom range (1 year)", [&] {
         StudyQuery q;
         q.period = Period::kCustom;
         int start = 365 + static_cast<int>(rng() % 2000);
         q.date_from = detail::local_date(now, start);
         q.date_to = detail::local_date(now, start - 365);
         return q;
       }},
      {"last name prefix", [&] { StudyQuery q; q.last_name = std::string(kFamilies[rng() % std::size(kFamilies)]).substr(0, 3); return q; }},
      {"first name prefix", [&] { StudyQuery q; q.first_name = std::string(kGivens[rng() % std::size(kGivens)]).substr(0, 3); return q; }},
      {"last + first name", [&] { StudyQuery q; q.last_name = "mar"; q.first_name = kGivens[rng() % std::size(kGivens)]; return q; }},
      {"modality", [&] { StudyQuery q; q.modality = kModalities[rng() % std::size(kModalities)]; return q; }},
      {"modality + 30 days", [&] { StudyQuery q; q.modality = kModalities[rng() % std::size(kModalities)]; q.period = Period::kLast30Days; return q; }},
      {"patient ID", [&] { StudyQuery q; q.patient_id = fmt::format("PID{:07}", rng() % (studies / 3)); return q; }},
      {"accession", [&] { StudyQuery q; q.accession = fmt::format("ACC{:08}", rng() % studies); return q; }},
      {"referring physician", [&] { StudyQuery q; q.referring = std::string(kDoctors[rng() % std::size(kDoctors)]).substr(0, 4); return q; }},
      {"performing physician", [&] { StudyQuery q; q.performing = std::string(kDoctors[rng() % std::size(kDoctors)]).substr(0, 4); return q; }},
      {"site", [&] { StudyQuery q; q.site = std::string(kSites[rng() % std::size(kSites)]).substr(0, 5); return q; }},
      {"name + modality + 30 days", [&] { StudyQuery q; q.last_name = "m"; q.modality = "CT"; q.period = Period::kLast30Days; return q; }},
  };
  fmt::print("{:<28} {:>9} {:>9} {:>9} {:>10}\n", "shape", "p50 ms", "p95 ms", "max ms", "matches");
  for (auto& shape : shapes) {
    std::vector<double> ms;
    std::int64_t matches = 0;
    for (int i = 0; i < 200; ++i) {
      StudyQuery q = shape.make();
      auto t0 = Steady::now();
      auto page = session.find_studies(q);
      ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
      matches += page.total;
    }
    std::sort(ms.begin(), ms.end());
    fmt::print("{:<28} {:>9.2f} {:>9.2f} {:>9.2f} {:>10}\n", shape.name, ms[ms.size() / 2],
               ms[ms.size() * 95 / 100], ms.back(), matches / 200);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "ingest") return bench_ingest(argv[2], argv[3]);
  if (argc >= 3 && std::string(argv[1]) == "search")
    return bench_search(argv[2], argc >= 4 ? std::stoi(argv[3]) : 100000);
  std::fprintf(stderr, "usage: portal_bench ingest SRC_DIR DATA_DIR | search DATA_DIR [STUDIES]\n");
  return 2;
}
