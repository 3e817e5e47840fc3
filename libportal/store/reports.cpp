// SQL of study reports, audio notes and portal-uploaded documents (LIST-8, VIEW-6).
#include "libportal/store/reports.hpp"

#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"
#include "libportal/store/txn.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

std::int64_t study_ref(Connection& c, const std::string& study_uid) {
  auto& q = c.prepare("SELECT id FROM studies WHERE uid = ?");
  q.bind(1, study_uid);
  if (!q.executeStep()) throw Error(ErrorCode::kNotFound, "no study " + study_uid);
  std::int64_t id = q.getColumn(0).getInt64();
  q.reset();
  return id;
}

const char* const kReportSelect =
    "SELECT s.uid, r.status, r.format, r.body, r.blob_id, r.size_bytes, r.source,"
    " COALESCE(i.sop_uid, ''), COALESCE(i.blob_id, ''), r.author, r.created_at, r.updated_at"
    " FROM study_reports r JOIN studies s ON s.id = r.study_ref"
    " LEFT JOIN instances i ON i.id = r.instance_ref WHERE s.uid = ?";

std::optional<ReportRow> report_row(Connection& c, const std::string& study_uid) {
  auto& q = c.prepare(kReportSelect);
  q.bind(1, study_uid);
  if (!q.executeStep()) return std::nullopt;
  ReportRow r;
  int i = 0;
  r.study_uid = q.getColumn(i++).getString();
  r.status = q.getColumn(i++).getString();
  r.format = q.getColumn(i++).getString();
  r.body = q.getColumn(i++).getString();
  r.blob_id = q.getColumn(i++).getString();
  r.size_bytes = q.getColumn(i++).getInt64();
  r.source = q.getColumn(i++).getString();
  r.sop_uid = q.getColumn(i++).getString();
  r.instance_blob_id = q.getColumn(i++).getString();
  r.author = q.getColumn(i++).getString();
  r.created_at = q.getColumn(i++).getInt64();
  r.updated_at = q.getColumn(i++).getInt64();
  q.reset();
  return r;
}

const char* const kAudioSelect =
    "SELECT a.public_id, s.uid, a.name, a.media_type, a.blob_id, a.author, a.size_bytes,"
    " a.created_at FROM study_audio a JOIN studies s ON s.id = a.study_ref";

AudioRow audio_from(SQLite::Statement& q) {
  AudioRow a;
  a.public_id = q.getColumn(0).getString();
  a.study_uid = q.getColumn(1).getString();
  a.name = q.getColumn(2).getString();
  a.media_type = q.getColumn(3).getString();
  a.blob_id = q.getColumn(4).getString();
  a.author = q.getColumn(5).getString();
  a.size_bytes = q.getColumn(6).getInt64();
  a.created_at = q.getColumn(7).getInt64();
  return a;
}

std::optional<AudioRow> audio_row(Connection& c, const std::string& public_id) {
  auto& q = c.prepare(std::string(kAudioSelect) + " WHERE a.public_id = ?");
  q.bind(1, public_id);
  if (!q.executeStep()) return std::nullopt;
  AudioRow a = audio_from(q);
  q.reset();
  return a;
}

const char* const kDocumentSelect =
    "SELECT i.sop_uid, s.uid, d.name, d.uploaded_by, i.blob_id, d.uploaded_at"
    " FROM uploaded_documents d JOIN instances i ON i.id = d.instance_ref"
    " JOIN studies s ON s.id = i.study_ref";

DocumentRow document_from(SQLite::Statement& q) {
  DocumentRow d;
  d.sop_uid = q.getColumn(0).getString();
  d.study_uid = q.getColumn(1).getString();
  d.name = q.getColumn(2).getString();
  d.uploaded_by = q.getColumn(3).getString();
  d.blob_id = q.getColumn(4).getString();
  d.uploaded_at = q.getColumn(5).getInt64();
  return d;
}

}  // namespace

// --- Reports -------------------------------------------------------------------------------------

std::optional<ReportRow> ReportStore::report(const std::string& study_uid) {
  return read(index_, [&](Connection& c) { return report_row(c, study_uid); });
}

std::optional<ReportRow> ReportStore::put_report(const ReportRow& row) {
  return write_txn(index_, [&](Connection& c) {
    std::int64_t ref = study_ref(c, row.study_uid);
    auto previous = report_row(c, row.study_uid);
    exec(c,
         "INSERT INTO study_reports(study_ref, status, format, body, blob_id, size_bytes, source,"
         " instance_ref, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'portal',"
         " NULL, ?, ?, ?)"
         " ON CONFLICT(study_ref) DO UPDATE SET status = excluded.status,"
         " format = excluded.format, body = excluded.body, blob_id = excluded.blob_id,"
         " size_bytes = excluded.size_bytes, source = 'portal', instance_ref = NULL,"
         " author = excluded.author, updated_at = excluded.updated_at",
         ref, row.status, row.format, row.body, row.blob_id, row.size_bytes, row.author,
         row.created_at, row.updated_at);
    return previous;
  });
}

std::optional<ReportRow> ReportStore::delete_report(const std::string& study_uid) {
  return write_txn(index_, [&](Connection& c) {
    auto previous = report_row(c, study_uid);
    if (previous)
      exec(c, "DELETE FROM study_reports WHERE study_ref = ?", study_ref(c, study_uid));
    return previous;
  });
}

bool WriteTxn::recognise_report(const DicomMeta& meta, std::int64_t now_ms) {
  if (meta.report_kind.empty()) return false;
  auto& c = index_.impl_->writer;
  auto& q = c.prepare("SELECT id, study_ref FROM instances WHERE sop_uid = ?");
  q.bind(1, meta.sop_uid);
  if (!q.executeStep()) return false;
  std::int64_t instance = q.getColumn(0).getInt64(), study = q.getColumn(1).getInt64();
  q.reset();
  std::string author = meta.report_author;
  for (char& ch : author)
    if (ch == '^') ch = ' ';
  while (!author.empty() && author.back() == ' ') author.pop_back();
  // A later final DICOM report replaces a DICOM draft (the verified version of a preliminary
  // SR); a portal report, or a final one, is never replaced by ingest.
  int added = exec(c,
                   "INSERT INTO study_reports(study_ref, status, format, source, instance_ref,"
                   " author, created_at, updated_at) VALUES (?, ?, ?, 'dicom', ?, ?, ?, ?)"
                   " ON CONFLICT(study_ref) DO UPDATE SET status = excluded.status,"
                   " format = excluded.format, instance_ref = excluded.instance_ref,"
                   " author = excluded.author, updated_at = excluded.updated_at"
                   " WHERE study_reports.source = 'dicom' AND study_reports.status = 'draft'"
                   " AND excluded.status = 'final'",
                   study, meta.report_status, meta.report_kind == "pdf" ? "pdf" : "text",
                   instance, author.empty() ? std::string("dicom") : author, now_ms, now_ms);
  return added > 0 && meta.report_status == "final";
}

// --- Audio notes ---------------------------------------------------------------------------------

void ReportStore::add_audio(const AudioRow& row) {
  write_txn(index_, [&](Connection& c) {
    return exec(c,
                "INSERT INTO study_audio(public_id, study_ref, name, media_type, blob_id,"
                " size_bytes, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row.public_id, study_ref(c, row.study_uid), row.name, row.media_type, row.blob_id,
                row.size_bytes, row.author, row.created_at);
  });
}

std::vector<AudioRow> ReportStore::audio_notes(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare(std::string(kAudioSelect) + " WHERE s.uid = ? ORDER BY a.created_at, a.id");
    q.bind(1, study_uid);
    std::vector<AudioRow> out;
    while (q.executeStep()) out.push_back(audio_from(q));
    return out;
  });
}

std::optional<AudioRow> ReportStore::audio(const std::string& public_id) {
  return read(index_, [&](Connection& c) { return audio_row(c, public_id); });
}

std::optional<AudioRow> ReportStore::delete_audio(const std::string& public_id) {
  return write_txn(index_, [&](Connection& c) {
    auto row = audio_row(c, public_id);
    if (row) exec(c, "DELETE FROM study_audio WHERE public_id = ?", public_id);
    return row;
  });
}

// --- Uploaded documents --------------------------------------------------------------------------

void ReportStore::add_document(const std::string& sop_uid, const std::string& name,
                               const std::string& uploaded_by, std::int64_t now) {
  write_txn(index_, [&](Connection& c) {
    return exec(c,
                "INSERT OR IGNORE INTO uploaded_documents(instance_ref, name, uploaded_by,"
                " uploaded_at) SELECT id, ?, ?, ? FROM instances WHERE sop_uid = ?",
                name, uploaded_by, now, sop_uid);
  });
}

std::vector<DocumentRow> ReportStore::documents(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare(std::string(kDocumentSelect) +
                        " WHERE s.uid = ? ORDER BY d.uploaded_at, i.id");
    q.bind(1, study_uid);
    std::vector<DocumentRow> out;
    while (q.executeStep()) out.push_back(document_from(q));
    return out;
  });
}

std::optional<DocumentRow> ReportStore::document(const std::string& sop_uid) {
  return read(index_, [&](Connection& c) -> std::optional<DocumentRow> {
    auto& q = c.prepare(std::string(kDocumentSelect) + " WHERE i.sop_uid = ?");
    q.bind(1, sop_uid);
    if (!q.executeStep()) return std::nullopt;
    DocumentRow d = document_from(q);
    q.reset();
    return d;
  });
}

}  // namespace portal::detail
