// portal/query.hpp — what callers ask for: study searches and ingest requests, and their answers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/error.hpp"
#include "portal/model.hpp"

namespace portal {

/// Study-date period (LIST-3). Relative periods are computed from the injected Clock in local time.
enum class Period { kAll, kToday, kYesterday, kLast7Days, kLast30Days, kCustom };

/// Parses "all", "today", "yesterday", "7d" (or "last7days"), "30d" (or "last30days"), "custom".
/// Throws Error(kInvalidArgument) otherwise.
Period parse_period(std::string_view text);
std::string_view period_name(Period period) noexcept;

/// Columns a study list can be sorted by (LIST-5).
enum class SortKey {
  kDate, kPatientName, kPatientId, kBirthDate, kAccession, kDescription,
  kModality, kSite, kReferring, kPerforming, kReceived,
};

struct Sort {
  SortKey key = SortKey::kDate;
  bool descending = true;  ///< newest first by default
};

/// Parses "date", "-date", "patient_name", "-accession", ... ('-' = descending). Names:
/// date, patient_name, patient_id, birth_date, accession, description, modality, site,
/// referring, performing, received. Throws Error(kInvalidArgument) otherwise.
Sort parse_sort(std::string_view text);
std::string sort_name(const Sort& sort);

/// A study search (LIST-3, LIST-4, LIST-5). Empty strings mean "no filter". Text filters are
/// case- and accent-insensitive prefix matches ("muller" finds "Müller^Zoé"), except
/// patient_id and accession which are exact, and modality which is exact (case-insensitive).
struct StudyQuery {
  Period period = Period::kAll;
  std::string date_from;   ///< YYYYMMDD, inclusive; with Period::kCustom (or alone)
  std::string date_to;     ///< YYYYMMDD, inclusive
  std::string first_name;
  std::string last_name;
  std::string modality;
  std::string patient_id;
  std::string accession;
  std::string referring;   ///< referring physician name (family or given name prefix)
  std::string performing;  ///< performing or reading physician name prefix
  std::string site;        ///< institution name prefix
  /// Read status (LIST-4, DIF-1): "" (any), "seen" or "unseen" by the caller's role: the
  /// radiologists for radiologists, administrators and the system; the referring physician for
  /// referring physicians; the patient for patients. Guests have no read status: any other
  /// value, or a guest asking, is Error(kInvalidArgument).
  std::string seen;
  /// Report (LIST-8): "" (any), "yes" (has a report), "no" (has none), "draft" or "final".
  /// Drafts count only for profiles with manage_reports: for others "yes" means a final
  /// report, and "draft" is Error(kPermissionDenied). Anything else is kInvalidArgument.
  std::string report;
  Sort sort;
  int limit = 0;           ///< 0 = Options::search_default_limit; clamped to Options::search_max_limit
  int offset = 0;
};

/// One page of a search: at most `limit` studies, and the count of every match.
struct StudyPage {
  std::vector<Study> studies;
  std::int64_t total = 0;  ///< all matches, not only those returned
  int limit = 0;           ///< the limit actually applied
  int offset = 0;
  /// True when matches exist beyond this page (the UI says so: LIST-5).
  bool truncated() const { return offset + static_cast<std::int64_t>(studies.size()) < total; }
};

/// The fate of one ingested file.
enum class IngestStatus {
  kStored,     ///< new instance, stored and indexed (durable when reported)
  kDuplicate,  ///< an instance with this SOP Instance UID was already stored; nothing changed
  kRejected,   ///< refused; `message` says why; nothing was written
};
std::string_view ingest_status_name(IngestStatus status) noexcept;

struct IngestResult {
  std::string source;      ///< the path, or "archive.zip!entry/name" for an archive member
  IngestStatus status = IngestStatus::kRejected;
  ErrorCode error = ErrorCode::kInternal;  ///< meaningful only when rejected
  std::string message;     ///< why it was rejected (empty otherwise)
  std::string study_uid;   ///< filled when the file could be parsed
  std::string series_uid;
  std::string sop_uid;
  std::int64_t size_bytes = 0;
};

/// Progress of a running ingest, passed to the callback after each file is settled.
struct IngestProgress {
  std::uint64_t files_done = 0;
  std::uint64_t files_found = 0;     ///< files discovered so far (grows while walking folders)
  bool discovery_complete = false;   ///< true once every input has been walked
  std::uint64_t bytes_done = 0;
};

struct IngestOptions {
  /// ING-2: when names and birth date match a known patient whose ID differs, merge into that
  /// patient instead of refusing.
  bool ignore_patient_id = false;
  /// A trusted source (e.g. the site's PACS) updates the demographics of a known patient ID
  /// instead of being refused on a mismatch.
  bool update_demographics = false;
  /// Recorded on new studies as their repository (LIST-2). Empty = "import".
  std::string repository;
  /// LIST-8: the first DICOM Structured Report or Encapsulated PDF received for a study without
  /// a report becomes its report. Session::add_files turns this off for uploaded documents.
  bool recognise_reports = true;
  /// Keep every IngestResult in the report. Turn off for huge ingests: memory then stays bounded
  /// and the callback is the only per-file output.
  bool collect_results = true;
  /// Called from one thread, in acknowledgement order, after each file is settled. A kStored
  /// result is reported only once the file and its index row are durable.
  std::function<void(const IngestResult&, const IngestProgress&)> on_file;
};

struct IngestReport {
  std::vector<IngestResult> files;  ///< empty when collect_results is false
  std::uint64_t stored = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t bytes_stored = 0;
};

/// The outcome of Session::send_study (PLAT-2).
struct SendReport {
  std::string node;            ///< the node's name
  std::uint64_t sent = 0;      ///< instances the node acknowledged (success or warning)
  std::uint64_t failed = 0;    ///< instances it refused, or that could not be offered
  std::vector<std::string> failures;  ///< "SOP-UID: reason", one per failed instance
};

/// One problem found by a consistency check (PLAT-6).
struct FsckIssue {
  enum class Kind { kMissingFile, kOrphanFile, kHashMismatch, kSizeMismatch };
  Kind kind;
  std::string blob_id;
  std::string sop_uid;  ///< empty for orphan files
  std::string detail;
  bool repaired = false;  ///< fixed by this run (fsck with repair)
};
std::string_view fsck_issue_name(FsckIssue::Kind kind) noexcept;

struct FsckReport {
  std::uint64_t instances_checked = 0;
  std::uint64_t files_checked = 0;
  std::vector<FsckIssue> issues;
  std::uint64_t repaired = 0;  ///< orphan files removed and dangling rows dropped, with repair
  /// True when no issue was found.
  bool clean() const { return issues.empty(); }
  /// Issues still present after this run (those not repaired).
  std::uint64_t remaining() const {
    std::uint64_t n = 0;
    for (const auto& i : issues) n += i.repaired ? 0 : 1;
    return n;
  }
};

}  // namespace portal
