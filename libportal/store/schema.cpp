#include "libportal/store/schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>
#include <vector>

#include "portal/error.hpp"

namespace portal::detail {
namespace {

// Each entry moves the schema from version i to i+1. Never edit a shipped migration; append.
const std::vector<const char*> kMigrations = {
    // 1: patients, studies, series, instances, and the search side tables.
    R"sql(
CREATE TABLE patients (
  id          INTEGER PRIMARY KEY,
  patient_id  TEXT NOT NULL,
  family_name TEXT NOT NULL,
  given_name  TEXT NOT NULL,
  family_fold TEXT NOT NULL,
  given_fold  TEXT NOT NULL,
  birth_date  TEXT NOT NULL,
  sex         TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX patients_by_pid ON patients(patient_id);
CREATE INDEX patients_by_identity ON patients(family_fold, given_fold, birth_date);

-- Patient columns are repeated in studies so that every study-list filter and sort is an
-- index lookup on one table.
CREATE TABLE studies (
  id               INTEGER PRIMARY KEY,
  uid              TEXT NOT NULL UNIQUE,
  patient_ref      INTEGER NOT NULL REFERENCES patients(id),
  patient_id       TEXT NOT NULL,
  family_fold      TEXT NOT NULL,
  given_fold       TEXT NOT NULL,
  birth_date       TEXT NOT NULL,
  study_date       TEXT NOT NULL,
  study_time       TEXT NOT NULL,
  description      TEXT NOT NULL,
  accession        TEXT NOT NULL,
  study_id         TEXT NOT NULL,
  referring        TEXT NOT NULL,
  referring_fold   TEXT NOT NULL,
  performing       TEXT NOT NULL,
  performing_fold  TEXT NOT NULL,
  reading          TEXT NOT NULL,
  institution      TEXT NOT NULL,
  institution_fold TEXT NOT NULL,
  repository       TEXT NOT NULL,
  modalities       TEXT NOT NULL,
  num_series       INTEGER NOT NULL DEFAULT 0,
  num_instances    INTEGER NOT NULL DEFAULT 0,
  size_bytes       INTEGER NOT NULL DEFAULT 0,
  received_at      TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  disabled         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX studies_by_date ON studies(study_date, study_time);
CREATE INDEX studies_by_patient_id ON studies(patient_id, study_date);
CREATE INDEX studies_by_patient ON studies(patient_ref, study_date);
CREATE INDEX studies_by_accession ON studies(accession);
CREATE INDEX studies_by_family ON studies(family_fold, given_fold);
CREATE INDEX studies_by_birth_date ON studies(birth_date);
CREATE INDEX studies_by_received ON studies(received_at);

-- One row per distinct modality of a study (LIST-3 modality filter).
CREATE TABLE study_modalities (
  modality   TEXT NOT NULL,
  study_date TEXT NOT NULL,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  PRIMARY KEY (modality, study_date, study_ref)
) WITHOUT ROWID;
CREATE INDEX study_modalities_by_study ON study_modalities(study_ref);

-- Folded words of names for prefix search: kind f = patient family name, g = patient given
-- name, r = referring physician, p = performing or reading physician, s = site.
CREATE TABLE study_terms (
  kind      TEXT NOT NULL,
  term      TEXT NOT NULL,
  study_ref INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  PRIMARY KEY (kind, term, study_ref)
) WITHOUT ROWID;
CREATE INDEX study_terms_by_study ON study_terms(study_ref);

CREATE TABLE series (
  id            INTEGER PRIMARY KEY,
  uid           TEXT NOT NULL UNIQUE,
  study_ref     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  modality      TEXT NOT NULL,
  number        INTEGER NOT NULL,
  description   TEXT NOT NULL,
  body_part     TEXT NOT NULL,
  num_instances INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX series_by_study ON series(study_ref, number);

CREATE TABLE instances (
  id                  INTEGER PRIMARY KEY,
  sop_uid             TEXT NOT NULL UNIQUE,
  sop_class_uid       TEXT NOT NULL,
  series_ref          INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  study_ref           INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  transfer_syntax_uid TEXT NOT NULL,
  number              INTEGER NOT NULL,
  rows                INTEGER NOT NULL,
  columns             INTEGER NOT NULL,
  frames              INTEGER NOT NULL,
  blob_id             TEXT NOT NULL UNIQUE,
  sha256              TEXT NOT NULL,
  size_bytes          INTEGER NOT NULL,
  received_at         TEXT NOT NULL
);
CREATE INDEX instances_by_series ON instances(series_ref, number);
CREATE INDEX instances_by_study ON instances(study_ref);
)sql",
};

}  // namespace

int migrate(SQLite::Database& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  int version = 0;
  {
    SQLite::Statement q(db, "SELECT version FROM schema_version");
    if (q.executeStep()) {
      version = q.getColumn(0).getInt();
    } else {
      db.exec("INSERT INTO schema_version(version) VALUES (0)");
    }
  }
  if (version > static_cast<int>(kMigrations.size()))
    throw Error(ErrorCode::kCorrupt, "the index was written by a newer libportal (schema version " +
                                         std::to_string(version) + ")");
  for (int v = version; v < static_cast<int>(kMigrations.size()); ++v) {
    SQLite::Transaction txn(db);
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    db.exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
    txn.commit();
  }
  return static_cast<int>(kMigrations.size());
}

}  // namespace portal::detail
