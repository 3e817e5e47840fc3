// Writes to the index: the ingest path. One WriteTxn per group commit.
#include <algorithm>

#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/store/index_impl.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

PatientRow patient_from_row(SQLite::Statement& q) {
  PatientRow r;
  r.id = q.getColumn(0).getInt64();
  r.patient.patient_id = q.getColumn(1).getString();
  r.patient.family_name = q.getColumn(2).getString();
  r.patient.given_name = q.getColumn(3).getString();
  r.patient.birth_date = q.getColumn(4).getString();
  r.patient.sex = q.getColumn(5).getString();
  r.family_fold = q.getColumn(6).getString();
  r.given_fold = q.getColumn(7).getString();
  return r;
}

constexpr const char* kPatientColumns =
    "id, patient_id, family_name, given_name, birth_date, sex, family_fold, given_fold";

// Study time as HHMMSS: drop fractions and separators some writers add.
std::string normalise_time(const std::string& t) {
  std::string out;
  for (char c : t) {
    if (c == '.') break;
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out.substr(0, 6);
}

}  // namespace

void Index::Impl::refresh_modalities(std::int64_t study_ref) {
  auto& q = writer.prepare("SELECT modality FROM study_modalities WHERE study_ref = ? ORDER BY modality");
  q.bind(1, study_ref);
  std::string mods;
  while (q.executeStep()) {
    if (!mods.empty()) mods += '\\';
    mods += q.getColumn(0).getString();
  }
  q.reset();
  auto& u = writer.prepare("UPDATE studies SET modalities = ? WHERE id = ?");
  u.bind(1, mods);
  u.bind(2, study_ref);
  u.exec();
}

void Index::Impl::add_terms(std::int64_t study_ref, const char* kind, const std::string& folded) {
  for (const auto& word : split(folded, ' ')) {
    if (word.empty()) continue;
    auto& q = writer.prepare(
        "INSERT OR IGNORE INTO study_terms(kind, term, study_date, study_time, study_ref)"
        " SELECT ?, ?, study_date, study_time, id FROM studies WHERE id = ?");
    q.bind(1, kind);
    q.bind(2, word);
    q.bind(3, study_ref);
    q.exec();
  }
}

WriteTxn::WriteTxn(Index& index) : index_(index), lock_(index.impl_->write_mutex) {
  guard_sql([&] { index_.impl_->writer.db.exec("BEGIN IMMEDIATE"); });
}

WriteTxn::~WriteTxn() {
  if (!done_) {
    try {
      index_.impl_->writer.db.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void WriteTxn::commit() {
  guard_sql([&] { index_.impl_->writer.db.exec("COMMIT"); });
  done_ = true;
}

void WriteTxn::savepoint() {
  guard_sql([&] { index_.impl_->writer.db.exec("SAVEPOINT item"); });
}

void WriteTxn::release() {
  guard_sql([&] { index_.impl_->writer.db.exec("RELEASE item"); });
}

void WriteTxn::rollback_to() {
  guard_sql([&] {
    index_.impl_->writer.db.exec("ROLLBACK TO item");
    index_.impl_->writer.db.exec("RELEASE item");
  });
}

bool WriteTxn::instance_exists(const std::string& sop_uid) {
  return guard_sql([&] {
    auto& q = index_.impl_->writer.prepare("SELECT 1 FROM instances WHERE sop_uid = ?");
    q.bind(1, sop_uid);
    bool found = q.executeStep();
    q.reset();
    return found;
  });
}

std::optional<PatientRow> WriteTxn::study_patient(const std::string& study_uid) {
  return guard_sql([&]() -> std::optional<PatientRow> {
    auto& q = index_.impl_->writer.prepare(
        std::string("SELECT ") + kPatientColumns +
        " FROM patients WHERE id = (SELECT patient_ref FROM studies WHERE uid = ?)");
    q.bind(1, study_uid);
    std::optional<PatientRow> r;
    if (q.executeStep()) r = patient_from_row(q);
    q.reset();
    return r;
  });
}

std::vector<PatientRow> WriteTxn::patients_by_id(const std::string& patient_id) {
  return guard_sql([&] {
    auto& q = index_.impl_->writer.prepare(std::string("SELECT ") + kPatientColumns +
                                           " FROM patients WHERE patient_id = ? ORDER BY id");
    q.bind(1, patient_id);
    std::vector<PatientRow> out;
    while (q.executeStep()) out.push_back(patient_from_row(q));
    return out;
  });
}

std::vector<PatientRow> WriteTxn::patients_by_identity(const std::string& family_fold,
                                                       const std::string& given_fold,
                                                       const std::string& birth_date) {
  return guard_sql([&] {
    auto& q = index_.impl_->writer.prepare(
        std::string("SELECT ") + kPatientColumns +
        " FROM patients WHERE family_fold = ? AND given_fold = ? AND birth_date = ? ORDER BY id");
    q.bind(1, family_fold);
    q.bind(2, given_fold);
    q.bind(3, birth_date);
    std::vector<PatientRow> out;
    while (q.executeStep()) out.push_back(patient_from_row(q));
    return out;
  });
}

std::int64_t WriteTxn::insert_patient(const Patient& p, const std::string& now) {
  return guard_sql([&] {
    auto& q = index_.impl_->writer.prepare(
        "INSERT INTO patients(patient_id, family_name, given_name, family_fold, given_fold,"
        " birth_date, sex, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, p.patient_id);
    q.bind(2, p.family_name);
    q.bind(3, p.given_name);
    q.bind(4, fold(p.family_name));
    q.bind(5, fold(p.given_name));
    q.bind(6, p.birth_date);
    q.bind(7, p.sex);
    q.bind(8, now);
    q.exec();
    return index_.impl_->writer.db.getLastInsertRowid();
  });
}

void WriteTxn::update_patient(std::int64_t id, const Patient& p) {
  guard_sql([&] {
    auto& impl = *index_.impl_;
    std::string ff = fold(p.family_name), gf = fold(p.given_name);
    auto& q = impl.writer.prepare(
        "UPDATE patients SET family_name = ?, given_name = ?, family_fold = ?, given_fold = ?,"
        " birth_date = ?, sex = ? WHERE id = ?");
    q.bind(1, p.family_name);
    q.bind(2, p.given_name);
    q.bind(3, ff);
    q.bind(4, gf);
    q.bind(5, p.birth_date);
    q.bind(6, p.sex);
    q.bind(7, id);
    q.exec();
    auto& s = impl.writer.prepare(
        "UPDATE studies SET family_fold = ?, given_fold = ?, birth_date = ? WHERE patient_ref = ?");
    s.bind(1, ff);
    s.bind(2, gf);
    s.bind(3, p.birth_date);
    s.bind(4, id);
    s.exec();
    // Patient-name search terms follow the new demographics.
    std::vector<std::int64_t> studies;
    auto& l = impl.writer.prepare("SELECT id FROM studies WHERE patient_ref = ?");
    l.bind(1, id);
    while (l.executeStep()) studies.push_back(l.getColumn(0).getInt64());
    l.reset();
    for (auto study : studies) {
      auto& d = impl.writer.prepare("DELETE FROM study_terms WHERE study_ref = ? AND kind IN ('f', 'g')");
      d.bind(1, study);
      d.exec();
      impl.add_terms(study, "f", ff);
      impl.add_terms(study, "g", gf);
    }
  });
}

void WriteTxn::add_instance(std::int64_t patient_ref, const DicomMeta& m,
                            const std::string& repository, const std::string& blob_id,
                            const std::string& sha256, std::int64_t size, const std::string& now) {
  guard_sql([&] {
    auto& impl = *index_.impl_;
    auto& w = impl.writer;
    std::int64_t study_ref = 0;
    {
      auto& q = w.prepare("SELECT id FROM studies WHERE uid = ?");
      q.bind(1, m.study_uid);
      if (q.executeStep()) study_ref = q.getColumn(0).getInt64();
      q.reset();
    }
    std::string performing = display_person_name(m.performing);
    std::string reading = display_person_name(m.reading);
    std::string referring = display_person_name(m.referring);
    if (study_ref == 0) {
      auto& p = w.prepare(
          "SELECT patient_id, family_fold, given_fold, birth_date FROM patients WHERE id = ?");
      p.bind(1, patient_ref);
      if (!p.executeStep()) throw Error(ErrorCode::kInternal, "patient row vanished");
      std::string pid = p.getColumn(0).getString(), ff = p.getColumn(1).getString(),
                  gf = p.getColumn(2).getString(), bd = p.getColumn(3).getString();
      p.reset();
      auto& q = w.prepare(
          "INSERT INTO studies(uid, patient_ref, patient_id, family_fold, given_fold, birth_date,"
          " study_date, study_time, description, accession, study_id, referring, referring_fold,"
          " performing, performing_fold, reading, institution, institution_fold, repository,"
          " modalities, received_at, updated_at, referring_id)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)");
      int i = 1;
      q.bind(i++, m.study_uid);
      q.bind(i++, patient_ref);
      q.bind(i++, pid);
      q.bind(i++, ff);
      q.bind(i++, gf);
      q.bind(i++, bd);
      q.bind(i++, normalise_date(m.study_date));
      q.bind(i++, normalise_time(m.study_time));
      q.bind(i++, m.study_description);
      q.bind(i++, m.accession);
      q.bind(i++, m.study_id);
      q.bind(i++, referring);
      q.bind(i++, fold(referring));
      q.bind(i++, performing);
      q.bind(i++, fold(performing));
      q.bind(i++, reading);
      q.bind(i++, m.institution);
      q.bind(i++, fold(m.institution));
      q.bind(i++, repository);
      q.bind(i++, now);
      q.bind(i++, now);
      q.bind(i++, m.referring_id);
      q.exec();
      study_ref = w.db.getLastInsertRowid();
      impl.add_terms(study_ref, "f", ff);
      impl.add_terms(study_ref, "g", gf);
      impl.add_terms(study_ref, "r", fold(referring));
      impl.add_terms(study_ref, "p", fold(performing + " " + reading));
      impl.add_terms(study_ref, "s", fold(m.institution));
    }

    std::int64_t series_ref = 0;
    {
      auto& q = w.prepare("SELECT id, study_ref FROM series WHERE uid = ?");
      q.bind(1, m.series_uid);
      if (q.executeStep()) {
        series_ref = q.getColumn(0).getInt64();
        if (q.getColumn(1).getInt64() != study_ref) {
          q.reset();
          throw Error(ErrorCode::kConflict, "series " + m.series_uid +
                                                " already belongs to another study");
        }
      }
      q.reset();
    }
    if (series_ref == 0) {
      auto& q = w.prepare(
          "INSERT INTO series(uid, study_ref, modality, number, description, body_part)"
          " VALUES (?, ?, ?, ?, ?, ?)");
      q.bind(1, m.series_uid);
      q.bind(2, study_ref);
      q.bind(3, m.modality);
      q.bind(4, m.series_number);
      q.bind(5, m.series_description);
      q.bind(6, m.body_part);
      q.exec();
      series_ref = w.db.getLastInsertRowid();
      auto& u = w.prepare("UPDATE studies SET num_series = num_series + 1 WHERE id = ?");
      u.bind(1, study_ref);
      u.exec();
      if (!m.modality.empty()) {
        auto& mq = w.prepare(
            "INSERT OR IGNORE INTO study_modalities(modality, study_date, study_time, study_ref)"
            " SELECT ?, study_date, study_time, id FROM studies WHERE id = ?");
        mq.bind(1, m.modality);
        mq.bind(2, study_ref);
        mq.exec();
        if (w.db.getChanges() > 0) impl.refresh_modalities(study_ref);
      }
      // A later series may carry study-level text the first one lacked.
      if (!performing.empty() || !reading.empty()) {
        auto& f = w.prepare(
            "UPDATE studies SET performing = CASE WHEN performing = '' THEN ? ELSE performing END,"
            " performing_fold = CASE WHEN performing_fold = '' THEN ? ELSE performing_fold END,"
            " reading = CASE WHEN reading = '' THEN ? ELSE reading END WHERE id = ?");
        f.bind(1, performing);
        f.bind(2, fold(performing));
        f.bind(3, reading);
        f.bind(4, study_ref);
        f.exec();
        impl.add_terms(study_ref, "p", fold(performing + " " + reading));
      }
    }

    auto& ins = w.prepare(
        "INSERT INTO instances(sop_uid, sop_class_uid, series_ref, study_ref, transfer_syntax_uid,"
        " number, rows, columns, frames, blob_id, sha256, size_bytes, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int i = 1;
    ins.bind(i++, m.sop_uid);
    ins.bind(i++, m.sop_class_uid);
    ins.bind(i++, series_ref);
    ins.bind(i++, study_ref);
    ins.bind(i++, m.transfer_syntax_uid);
    ins.bind(i++, m.instance_number);
    ins.bind(i++, m.rows);
    ins.bind(i++, m.columns);
    ins.bind(i++, m.frames);
    ins.bind(i++, blob_id);
    ins.bind(i++, sha256);
    ins.bind(i++, size);
    ins.bind(i++, now);
    ins.exec();
    auto& us = w.prepare("UPDATE series SET num_instances = num_instances + 1 WHERE id = ?");
    us.bind(1, series_ref);
    us.exec();
    auto& ust = w.prepare(
        "UPDATE studies SET num_instances = num_instances + 1, size_bytes = size_bytes + ?,"
        " updated_at = ? WHERE id = ?");
    ust.bind(1, size);
    ust.bind(2, now);
    ust.bind(3, study_ref);
    ust.exec();
  });
}

}  // namespace portal::detail
