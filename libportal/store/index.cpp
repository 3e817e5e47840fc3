#include "libportal/store/index.hpp"

#include <algorithm>

#include "libportal/common/text.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"
#include "libportal/store/schema.hpp"
#include "portal/error.hpp"

namespace portal::detail {

Connection::Connection(const std::string& path)
    : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX) {
  db.setBusyTimeout(10000);
  db.exec("PRAGMA journal_mode = WAL");
  // WAL + NORMAL would lose the last commits on power failure; acknowledged means durable.
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA cache_size = -8000");  // 8 MiB per connection: keeps memory bounded
  db.exec("PRAGMA temp_store = MEMORY");
}

SQLite::Statement& Connection::prepare(const std::string& sql) {
  auto it = cache.find(sql);
  if (it == cache.end()) it = cache.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
  it->second->reset();
  it->second->clearBindings();
  return *it->second;
}

Index::Impl::Impl(const std::string& p) : path(p), writer(p) { version = migrate(writer.db); }

Index::Impl::ReadLease Index::Impl::read() {
  std::unique_ptr<Connection> conn;
  {
    std::lock_guard lock(pool_mutex);
    if (!pool.empty()) {
      conn = std::move(pool.back());
      pool.pop_back();
    }
  }
  if (!conn) conn = std::make_unique<Connection>(path);
  return ReadLease(this, std::move(conn));
}

Index::Impl::ReadLease::~ReadLease() {
  if (!conn_) return;
  // A statement left mid-result keeps its read transaction (and its old snapshot) open.
  for (auto& [sql, stmt] : conn_->cache) {
    try {
      stmt->reset();
    } catch (...) {
    }
  }
  std::lock_guard lock(impl_->pool_mutex);
  // Kept for reuse up to a bound above any server thread count: opening a connection (file,
  // schema parse) costs far more than an idle one.
  if (impl_->pool.size() < 128) impl_->pool.push_back(std::move(conn_));
}

const char* const kStudyColumns =
    "s.uid, s.patient_id, p.family_name, p.given_name, s.birth_date, p.sex, s.study_date, "
    "s.study_time, s.description, s.accession, s.referring, s.performing, s.reading, "
    "s.institution, s.repository, s.modalities, s.num_series, s.num_instances, s.size_bytes, "
    "s.received_at, s.updated_at, "
    "EXISTS(SELECT 1 FROM study_seen z WHERE z.study_ref = s.id AND z.role = 'radiologist'), "
    "EXISTS(SELECT 1 FROM study_seen z WHERE z.study_ref = s.id AND z.role = 'referring'), "
    "EXISTS(SELECT 1 FROM study_seen z WHERE z.study_ref = s.id AND z.role = 'patient'), "
    // LIST-8: the report status ('' when none).
    "COALESCE((SELECT r.status FROM study_reports r WHERE r.study_ref = s.id), '')";

Study study_from_row(SQLite::Statement& q) {
  Study s;
  int i = 0;
  s.uid = q.getColumn(i++).getString();
  s.patient.patient_id = q.getColumn(i++).getString();
  s.patient.family_name = q.getColumn(i++).getString();
  s.patient.given_name = q.getColumn(i++).getString();
  s.patient.birth_date = q.getColumn(i++).getString();
  s.patient.sex = q.getColumn(i++).getString();
  s.date = q.getColumn(i++).getString();
  s.time = q.getColumn(i++).getString();
  s.description = q.getColumn(i++).getString();
  s.accession = q.getColumn(i++).getString();
  s.referring_physician = q.getColumn(i++).getString();
  s.performing_physician = q.getColumn(i++).getString();
  s.reading_physician = q.getColumn(i++).getString();
  s.institution = q.getColumn(i++).getString();
  s.repository = q.getColumn(i++).getString();
  std::string mods = q.getColumn(i++).getString();
  if (!mods.empty()) s.modalities = split(mods, '\\');
  s.num_series = q.getColumn(i++).getInt();
  s.num_instances = q.getColumn(i++).getInt();
  s.size_bytes = q.getColumn(i++).getInt64();
  s.received_at = q.getColumn(i++).getString();
  s.updated_at = q.getColumn(i++).getString();
  s.seen_by_radiologist = q.getColumn(i++).getInt() != 0;
  s.seen_by_referring = q.getColumn(i++).getInt() != 0;
  s.seen_by_patient = q.getColumn(i++).getInt() != 0;
  s.report_status = q.getColumn(i++).getString();
  s.has_report = !s.report_status.empty();
  return s;
}

Index::Index(const std::string& path) {
  impl_ = guard_sql([&] { return std::make_unique<Impl>(path); });
}

Index::~Index() = default;

int Index::schema_version() { return impl_->version; }

std::optional<Study> Index::study(const std::string& uid, const StudyFilter& filter) {
  return guard_sql([&]() -> std::optional<Study> {
    auto lease = impl_->read();
    std::vector<std::string> params;
    std::string cond = study_filter_sql(filter, params);
    auto& q = lease->prepare(std::string("SELECT ") + kStudyColumns +
                             " FROM studies s JOIN patients p ON p.id = s.patient_ref"
                             " WHERE s.uid = ?" + (cond.empty() ? "" : " AND " + cond));
    q.bind(1, uid);
    int i = 2;
    for (const auto& p : params) q.bind(i++, p);
    if (!q.executeStep()) return std::nullopt;
    return study_from_row(q);
  });
}

std::vector<Series> Index::series(const std::string& study_uid) {
  return guard_sql([&] {
    auto lease = impl_->read();
    auto& q = lease->prepare(
        "SELECT r.uid, r.modality, r.number, r.description, r.body_part, r.num_instances"
        " FROM series r JOIN studies s ON s.id = r.study_ref WHERE s.uid = ?"
        " ORDER BY r.number, r.id");
    q.bind(1, study_uid);
    std::vector<Series> out;
    while (q.executeStep()) {
      Series r;
      r.uid = q.getColumn(0).getString();
      r.study_uid = study_uid;
      r.modality = q.getColumn(1).getString();
      r.number = q.getColumn(2).getInt();
      r.description = q.getColumn(3).getString();
      r.body_part = q.getColumn(4).getString();
      r.num_instances = q.getColumn(5).getInt();
      out.push_back(std::move(r));
    }
    return out;
  });
}

std::vector<Instance> Index::instances(const std::string& study_uid, const std::string& series_uid) {
  return guard_sql([&] {
    auto lease = impl_->read();
    auto& q = lease->prepare(
        "SELECT i.sop_uid, i.sop_class_uid, r.uid, i.transfer_syntax_uid, i.number, i.rows,"
        " i.columns, i.frames, i.size_bytes, i.sha256, i.received_at"
        " FROM instances i JOIN series r ON r.id = i.series_ref JOIN studies s ON s.id = i.study_ref"
        " WHERE s.uid = ? AND (? = '' OR r.uid = ?) ORDER BY r.number, r.id, i.number, i.id");
    q.bind(1, study_uid);
    q.bind(2, series_uid);
    q.bind(3, series_uid);
    std::vector<Instance> out;
    while (q.executeStep()) {
      Instance in;
      in.sop_uid = q.getColumn(0).getString();
      in.sop_class_uid = q.getColumn(1).getString();
      in.series_uid = q.getColumn(2).getString();
      in.study_uid = study_uid;
      in.transfer_syntax_uid = q.getColumn(3).getString();
      in.number = q.getColumn(4).getInt();
      in.rows = q.getColumn(5).getInt();
      in.columns = q.getColumn(6).getInt();
      in.frames = q.getColumn(7).getInt();
      in.size_bytes = q.getColumn(8).getInt64();
      in.sha256 = q.getColumn(9).getString();
      in.received_at = q.getColumn(10).getString();
      out.push_back(std::move(in));
    }
    return out;
  });
}

std::vector<Study> Index::history(const std::string& study_uid, const StudyFilter& filter) {
  return guard_sql([&] {
    auto lease = impl_->read();
    std::vector<std::string> params;
    std::string cond = study_filter_sql(filter, params);
    auto& q = lease->prepare(std::string("SELECT ") + kStudyColumns +
                             " FROM studies s JOIN patients p ON p.id = s.patient_ref"
                             " WHERE s.patient_ref = (SELECT patient_ref FROM studies WHERE uid = ?)"
                             " AND s.uid <> ?" + (cond.empty() ? "" : " AND " + cond) +
                             " ORDER BY s.study_date DESC, s.study_time DESC, s.id DESC");
    q.bind(1, study_uid);
    q.bind(2, study_uid);
    int i = 3;
    for (const auto& p : params) q.bind(i++, p);
    std::vector<Study> out;
    while (q.executeStep()) out.push_back(study_from_row(q));
    return out;
  });
}

std::optional<InstanceLocation> Index::instance_location(const std::string& sop_uid) {
  return guard_sql([&]() -> std::optional<InstanceLocation> {
    auto lease = impl_->read();
    auto& q = lease->prepare(
        "SELECT sop_uid, blob_id, sha256, size_bytes FROM instances WHERE sop_uid = ?");
    q.bind(1, sop_uid);
    if (!q.executeStep()) return std::nullopt;
    return InstanceLocation{q.getColumn(0).getString(), q.getColumn(1).getString(),
                            q.getColumn(2).getString(), q.getColumn(3).getInt64()};
  });
}

bool Index::blob_indexed(const std::string& blob_id) {
  return guard_sql([&] {
    auto lease = impl_->read();
    // Report PDFs and audio notes live in the file store too.
    auto& q = lease->prepare(
        "SELECT 1 FROM instances WHERE blob_id = ?1 UNION ALL"
        " SELECT 1 FROM study_reports WHERE blob_id = ?1 UNION ALL"
        " SELECT 1 FROM study_audio WHERE blob_id = ?1");
    q.bind(1, blob_id);
    return q.executeStep();
  });
}

void Index::for_each_instance(const std::function<void(const InstanceLocation&)>& fn) {
  guard_sql([&] {
    auto lease = impl_->read();
    // Page by rowid so no read transaction stays open for the whole walk.
    std::int64_t last = 0;
    while (true) {
      std::vector<std::pair<std::int64_t, InstanceLocation>> batch;
      {
        auto& q = lease->prepare(
            "SELECT id, sop_uid, blob_id, sha256, size_bytes FROM instances WHERE id > ?"
            " ORDER BY id LIMIT 1000");
        q.bind(1, last);
        while (q.executeStep())
          batch.push_back({q.getColumn(0).getInt64(),
                           {q.getColumn(1).getString(), q.getColumn(2).getString(),
                            q.getColumn(3).getString(), q.getColumn(4).getInt64()}});
        q.reset();
      }
      if (batch.empty()) break;
      for (const auto& [id, loc] : batch) fn(loc);
      last = batch.back().first;
    }
  });
}

void Index::drop_instance(const std::string& sop_uid) {
  guard_sql([&] {
    std::lock_guard lock(impl_->write_mutex);
    auto& db = impl_->writer.db;
    SQLite::Transaction txn(db);
    std::int64_t series_ref = 0, study_ref = 0, size = 0;
    {
      auto& q = impl_->writer.prepare(
          "SELECT series_ref, study_ref, size_bytes FROM instances WHERE sop_uid = ?");
      q.bind(1, sop_uid);
      if (!q.executeStep()) return;
      series_ref = q.getColumn(0).getInt64();
      study_ref = q.getColumn(1).getInt64();
      size = q.getColumn(2).getInt64();
      q.reset();
    }
    auto exec = [&](const char* sql, auto... args) {
      auto& s = impl_->writer.prepare(sql);
      int i = 1;
      (s.bind(i++, args), ...);
      s.exec();
    };
    exec("DELETE FROM instances WHERE sop_uid = ?", sop_uid);
    exec("UPDATE series SET num_instances = num_instances - 1 WHERE id = ?", series_ref);
    exec("UPDATE studies SET num_instances = num_instances - 1, size_bytes = size_bytes - ?"
         " WHERE id = ?", size, study_ref);
    exec("DELETE FROM series WHERE id = ? AND num_instances <= 0", series_ref);
    if (db.getChanges() > 0) {
      exec("UPDATE studies SET num_series = num_series - 1 WHERE id = ?", study_ref);
      impl_->refresh_modalities(study_ref);
    }
    exec("DELETE FROM studies WHERE id = ? AND num_instances <= 0", study_ref);
    if (db.getChanges() > 0)
      exec("DELETE FROM patients WHERE id NOT IN (SELECT patient_ref FROM studies)");
    txn.commit();
  });
}

}  // namespace portal::detail
