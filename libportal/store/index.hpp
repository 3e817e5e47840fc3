// The index: the only place SQL lives. SQLite through SQLiteCpp, WAL mode, versioned schema.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "portal/model.hpp"
#include "portal/query.hpp"

namespace portal::detail {

struct DicomMeta;

/// A patient row.
struct PatientRow {
  std::int64_t id = 0;
  Patient patient;
  std::string family_fold, given_fold;
};

/// An instance row as fsck and retrieval need it.
struct InstanceLocation {
  std::string sop_uid;
  std::string blob_id;
  std::string sha256;
  std::int64_t size_bytes = 0;
};

/// Which studies a principal may see (LIST-1, LIST-7), as decided by access/. The default sees
/// everything (the system principal).
struct StudyFilter {
  bool all = true;                ///< no restriction by owner, referring physician or grant
  bool include_disabled = true;   ///< disabled studies too (administrators, system)
  std::int64_t patient_ref = 0;   ///< >0: this patient's studies
  std::int64_t grant_user = 0;    ///< >0: studies granted to this user (unrevoked, unexpired)
  std::string referring_fold;     ///< non-empty: studies whose folded referring name is this,
                                  ///< possibly followed by more words
  std::string referring_id;       ///< non-empty: studies whose referring physician id is this
  std::int64_t now_ms = 0;        ///< for grant expiry
  std::string study_uid;          ///< non-empty: only this study (viewer sessions, LIST-7)
};

/// What the search needs beyond the query: "today", the applied limit and visibility.
struct SearchContext {
  StudyFilter filter;
  std::string today;      ///< YYYYMMDD, local
  std::string yesterday;  ///< YYYYMMDD
  std::string days_ago_6; ///< first day of "last 7 days"
  std::string days_ago_29;///< first day of "last 30 days"
  int default_limit = 150;
  int max_limit = 150;
  /// The caller's read-status role for StudyQuery::seen: "radiologist", "referring",
  /// "patient", or empty (the filter is then refused).
  std::string seen_role;
  /// LIST-8: draft reports count for StudyQuery::report (profiles with manage_reports).
  bool report_drafts = true;
};

class Index;

/// A write transaction on the index. Holds the single writer lock for its lifetime; rolls back
/// unless commit() is called. Not thread-safe (one thread uses it).
class WriteTxn {
 public:
  explicit WriteTxn(Index& index);
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  void commit();
  /// Nested undo point for one file: release() keeps its writes, rollback_to() drops them.
  void savepoint();
  void release();
  void rollback_to();

  bool instance_exists(const std::string& sop_uid);
  /// The patient of a known study, or nullopt when the study is new.
  std::optional<PatientRow> study_patient(const std::string& study_uid);
  std::vector<PatientRow> patients_by_id(const std::string& patient_id);
  std::vector<PatientRow> patients_by_identity(const std::string& family_fold,
                                               const std::string& given_fold,
                                               const std::string& birth_date);
  std::int64_t insert_patient(const Patient& p, const std::string& now);
  void update_patient(std::int64_t id, const Patient& p);
  /// Adds one instance under `patient_ref`, creating its study and series when new, and keeps
  /// every study-level aggregate (counts, modalities, search terms) current.
  void add_instance(std::int64_t patient_ref, const DicomMeta& meta, const std::string& repository,
                    const std::string& blob_id, const std::string& sha256, std::int64_t size,
                    const std::string& now);
  /// LIST-8: when `meta` is a report instance (DicomMeta::report_kind) already added in this
  /// transaction and its study has no report yet, makes it the study's report. Returns true
  /// when it did and the report is final (see on_report_available).
  bool recognise_report(const DicomMeta& meta, std::int64_t now_ms);

 private:
  Index& index_;
  std::unique_lock<std::mutex> lock_;
  bool done_ = false;
};

class Index {
 public:
  /// Opens or creates the index at `path` and migrates it to the current schema version.
  explicit Index(const std::string& path);
  ~Index();

  StudyPage search(const StudyQuery& q, const SearchContext& ctx);
  /// A study when it exists and `filter` lets it through.
  std::optional<Study> study(const std::string& uid, const StudyFilter& filter = {});
  std::vector<Series> series(const std::string& study_uid);
  std::vector<Instance> instances(const std::string& study_uid, const std::string& series_uid);
  /// The same patient's other studies that `filter` lets through.
  std::vector<Study> history(const std::string& study_uid, const StudyFilter& filter = {});
  std::optional<InstanceLocation> instance_location(const std::string& sop_uid);

  bool blob_indexed(const std::string& blob_id);
  void for_each_instance(const std::function<void(const InstanceLocation&)>& fn);
  /// Removes an instance row whose file is gone, fixing the aggregates (fsck --repair).
  void drop_instance(const std::string& sop_uid);

  int schema_version();

  struct Impl;
  /// For the other store/ classes (AccountStore) only.
  Impl& impl() { return *impl_; }

 private:
  friend class WriteTxn;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portal::detail
