// Names of enums as they appear in the CLI, JSON and Python.
#include <array>
#include <utility>

#include "portal/error.hpp"
#include "portal/query.hpp"

namespace portal {
namespace {

constexpr std::array<std::pair<std::string_view, SortKey>, 11> kSortNames = {{
    {"date", SortKey::kDate},
    {"patient_name", SortKey::kPatientName},
    {"patient_id", SortKey::kPatientId},
    {"birth_date", SortKey::kBirthDate},
    {"accession", SortKey::kAccession},
    {"description", SortKey::kDescription},
    {"modality", SortKey::kModality},
    {"site", SortKey::kSite},
    {"referring", SortKey::kReferring},
    {"performing", SortKey::kPerforming},
    {"received", SortKey::kReceived},
}};

}  // namespace

Period parse_period(std::string_view text) {
  if (text == "all" || text.empty()) return Period::kAll;
  if (text == "today") return Period::kToday;
  if (text == "yesterday") return Period::kYesterday;
  if (text == "7d" || text == "last7days") return Period::kLast7Days;
  if (text == "30d" || text == "last30days") return Period::kLast30Days;
  if (text == "custom") return Period::kCustom;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown period \"" + std::string(text.substr(0, 40)) +
                  "\" (all, today, yesterday, 7d, 30d, custom)");
}

std::string_view period_name(Period period) noexcept {
  switch (period) {
    case Period::kAll: return "all";
    case Period::kToday: return "today";
    case Period::kYesterday: return "yesterday";
    case Period::kLast7Days: return "7d";
    case Period::kLast30Days: return "30d";
    case Period::kCustom: return "custom";
  }
  return "all";
}

Sort parse_sort(std::string_view text) {
  Sort sort;
  if (text.empty()) return sort;
  sort.descending = false;
  if (text.front() == '-' || text.front() == '+') {
    sort.descending = text.front() == '-';
    text.remove_prefix(1);
  }
  for (const auto& [name, key] : kSortNames) {
    if (name == text) {
      sort.key = key;
      return sort;
    }
  }
  throw Error(ErrorCode::kInvalidArgument,
              "unknown sort \"" + std::string(text.substr(0, 40)) +
                  "\" (date, patient_name, patient_id, birth_date, accession, description, "
                  "modality, site, referring, performing, received; '-' for descending)");
}

std::string sort_name(const Sort& sort) {
  for (const auto& [name, key] : kSortNames)
    if (key == sort.key) return (sort.descending ? "-" : "") + std::string(name);
  return "-date";
}

std::string_view ingest_status_name(IngestStatus status) noexcept {
  switch (status) {
    case IngestStatus::kStored: return "stored";
    case IngestStatus::kDuplicate: return "duplicate";
    case IngestStatus::kRejected: return "rejected";
  }
  return "rejected";
}

std::string_view fsck_issue_name(FsckIssue::Kind kind) noexcept {
  switch (kind) {
    case FsckIssue::Kind::kMissingFile: return "missing_file";
    case FsckIssue::Kind::kOrphanFile: return "orphan_file";
    case FsckIssue::Kind::kHashMismatch: return "hash_mismatch";
    case FsckIssue::Kind::kSizeMismatch: return "size_mismatch";
  }
  return "missing_file";
}

}  // namespace portal
