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

-- Posting lists: one row per distinct modality of a study (LIST-3 modality filter), and one per
-- folded word of its names (prefix search). Each row repeats the study's date and time so that a
-- filter's matches can be counted, intersected and ordered newest-first from these covering
-- indexes alone, touching the wide studies rows only for the page that is returned.
CREATE TABLE study_modalities (
  modality   TEXT NOT NULL,
  study_date TEXT NOT NULL,
  study_time TEXT NOT NULL,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  PRIMARY KEY (modality, study_date, study_time, study_ref)
) WITHOUT ROWID;
CREATE INDEX study_modalities_by_study ON study_modalities(study_ref, modality);

-- Folded words of names for prefix search: kind f = patient family name, g = patient given
-- name, r = referring physician, p = performing or reading physician, s = site.
CREATE TABLE study_terms (
  kind       TEXT NOT NULL,
  term       TEXT NOT NULL,
  study_date TEXT NOT NULL,
  study_time TEXT NOT NULL,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  PRIMARY KEY (kind, term, study_date, study_time, study_ref)
) WITHOUT ROWID;
CREATE INDEX study_terms_by_study ON study_terms(study_ref, kind, term);

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
    // 2: accounts, profiles, sessions, one-time tokens, throttling, study grants, patient access
    // codes, mail outbox and audit trail ([accounts]). Times are Unix milliseconds.
    R"sql(
-- Referring physician identifier found in studies (ACC-7); filled by ingest when known.
ALTER TABLE studies ADD COLUMN referring_id TEXT NOT NULL DEFAULT '';
-- Hash of the per-study patient access code (ACC-2), '' when none.
ALTER TABLE studies ADD COLUMN access_code_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX studies_by_referring ON studies(referring_fold);
CREATE INDEX studies_by_referring_id ON studies(referring_id);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  public_id      TEXT NOT NULL UNIQUE,
  login          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  first_name     TEXT NOT NULL,
  last_name      TEXT NOT NULL,
  phone          TEXT NOT NULL,
  physician_id   TEXT NOT NULL,
  -- Set by administrators only (ACC-7): what visibility matches against studies.
  linked_physician_id TEXT NOT NULL DEFAULT '',
  referring_name TEXT NOT NULL,
  profile        TEXT NOT NULL,
  state          TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  language       TEXT NOT NULL,
  first_tab      TEXT NOT NULL,
  columns        TEXT NOT NULL,
  default_period TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX users_by_state ON users(state, profile);

CREATE TABLE user_emails (
  email    TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  user_ref INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  position INTEGER NOT NULL
);
CREATE INDEX user_emails_by_user ON user_emails(user_ref, position);

-- Small key/value facts of the portal (e.g. that default profile rights were seeded).
CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE profile_rights (
  profile TEXT NOT NULL,
  "right" TEXT NOT NULL,
  PRIMARY KEY (profile, "right")
) WITHOUT ROWID;

CREATE TABLE sessions (
  token_hash  TEXT NOT NULL PRIMARY KEY,
  kind        TEXT NOT NULL,
  user_ref    INTEGER NOT NULL DEFAULT 0,
  patient_ref INTEGER NOT NULL DEFAULT 0,
  accession   TEXT NOT NULL DEFAULT '',
  address     TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_user ON sessions(user_ref);

CREATE TABLE tokens (
  hash       TEXT NOT NULL PRIMARY KEY,
  purpose    TEXT NOT NULL,
  user_ref   INTEGER NOT NULL DEFAULT 0,
  email      TEXT NOT NULL DEFAULT '',
  data       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE auth_throttle (
  key          TEXT NOT NULL PRIMARY KEY,
  failures     INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE study_grants (
  id         INTEGER PRIMARY KEY,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  user_ref   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  granted_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX study_grants_by_user ON study_grants(user_ref, study_ref);
CREATE INDEX study_grants_by_study ON study_grants(study_ref);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  recipient       TEXT NOT NULL,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  -- The full body, encrypted (common/secretbox), while it carries a one-time link; '' after.
  sealed          TEXT NOT NULL DEFAULT '',
  kind            TEXT NOT NULL,
  language        TEXT NOT NULL,
  status          TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  login      TEXT NOT NULL,
  profile    TEXT NOT NULL,
  address    TEXT NOT NULL,
  action     TEXT NOT NULL,
  study_uid  TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  detail     TEXT NOT NULL
);
CREATE INDEX audit_by_at ON audit(at);
CREATE INDEX audit_by_study ON audit(study_uid);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)sql",
    // 3: [sharing] seen status (DIF-1) and shares with users and guests (DIF-5, DIF-6).
    R"sql(
-- One row per study and reader role ('radiologist', 'referring', 'patient') once opened.
CREATE TABLE study_seen (
  study_ref INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  role      TEXT NOT NULL,
  first_at  INTEGER NOT NULL,
  PRIMARY KEY (study_ref, role)
) WITHOUT ROWID;

-- A share of one study with one recipient. user_ref = 0 while the recipient has no account:
-- the share is pending and becomes a study grant when the invitation of `email` is accepted.
CREATE TABLE shares (
  id         INTEGER PRIMARY KEY,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  email      TEXT NOT NULL,
  user_ref   INTEGER NOT NULL DEFAULT 0,
  grant_ref  INTEGER NOT NULL DEFAULT 0,
  shared_by  TEXT NOT NULL,
  message    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX shares_by_study ON shares(study_ref);
CREATE INDEX shares_pending ON shares(email, user_ref);
)sql",
    // 4: [http] personal access tokens (bearer) of API clients; only the token's SHA-256 is kept.
    R"sql(
CREATE TABLE access_tokens (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_ref     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL DEFAULT 0,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_by_user ON access_tokens(user_ref);
)sql",
    // 5: [imaging] reports (LIST-8, VIEW-6), audio notes (VIEW-6), documents uploaded through
    // the portal (VIEW-6: only these may be deleted), and the delete_documents right.
    R"sql(
-- One report per study. Portal reports keep their text here, or their PDF in the file store
-- (blob_id); a report recognised in ingested data points at its instance (instance_ref) and is
-- read from it. Times are Unix milliseconds.
CREATE TABLE study_reports (
  study_ref    INTEGER NOT NULL PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
  status       TEXT NOT NULL,
  format       TEXT NOT NULL,
  body         TEXT NOT NULL DEFAULT '',
  blob_id      TEXT NOT NULL DEFAULT '',
  size_bytes   INTEGER NOT NULL DEFAULT 0,
  source       TEXT NOT NULL,
  instance_ref INTEGER REFERENCES instances(id) ON DELETE CASCADE,
  author       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX study_reports_by_status ON study_reports(status, study_ref);
CREATE INDEX study_reports_by_blob ON study_reports(blob_id);
CREATE INDEX study_reports_by_instance ON study_reports(instance_ref);

CREATE TABLE study_audio (
  id         INTEGER PRIMARY KEY,
  public_id  TEXT NOT NULL UNIQUE,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  media_type TEXT NOT NULL,
  blob_id    TEXT NOT NULL UNIQUE,
  size_bytes INTEGER NOT NULL,
  author     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX study_audio_by_study ON study_audio(study_ref, created_at);

CREATE TABLE uploaded_documents (
  instance_ref INTEGER NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  uploaded_by  TEXT NOT NULL,
  uploaded_at  INTEGER NOT NULL
);

-- Profiles that could upload may delete what was uploaded (fresh indexes get the right from
-- the default profile rights).
INSERT OR IGNORE INTO profile_rights(profile, "right")
  SELECT profile, 'delete_documents' FROM profile_rights
  WHERE "right" = 'upload' AND profile IN ('administrator', 'radiologist');
)sql",
    // 6: [sharing] referring-physician notifications (DIF-2..4), the physician directory (DIF-7)
    // and the study a mail is about (LIST-7 email errors).
    R"sql(
ALTER TABLE outbox ADD COLUMN study_uid TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_by_study ON outbox(study_uid) WHERE study_uid <> '';

-- One notification of a study's referring physician. event: 'study_arrived',
-- 'report_available' (rules) or 'manual'. status: 'scheduled' (until due_at), 'running'
-- (claimed by one runner), 'queued' (its mail is outbox row mail_ref: delivered or failed there)
-- or 'failure' (error says why: no account, no email).
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  study_ref  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  event      TEXT NOT NULL,
  rule       TEXT NOT NULL,
  due_at     INTEGER NOT NULL,
  status     TEXT NOT NULL,
  error      TEXT NOT NULL DEFAULT '',
  recipient  TEXT NOT NULL DEFAULT '',
  user_ref   INTEGER NOT NULL DEFAULT 0,
  mail_ref   INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  done_at    INTEGER NOT NULL DEFAULT 0
);
-- A rule notifies once per study and trigger.
CREATE UNIQUE INDEX notifications_once ON notifications(study_ref, event, rule)
  WHERE event <> 'manual';
CREATE INDEX notifications_due ON notifications(status, due_at);
CREATE INDEX notifications_by_study ON notifications(study_ref, id);

-- The physician directory (DIF-7), imported from CSV. *_fold: fold() of the field, for search.
CREATE TABLE physicians (
  id          INTEGER PRIMARY KEY,
  last_name   TEXT NOT NULL,
  first_name  TEXT NOT NULL,
  identifier  TEXT NOT NULL,
  specialty   TEXT NOT NULL,
  city        TEXT NOT NULL,
  postcode    TEXT NOT NULL,
  department  TEXT NOT NULL,
  email       TEXT NOT NULL,
  last_fold   TEXT NOT NULL,
  first_fold  TEXT NOT NULL,
  city_fold   TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX physicians_by_identifier ON physicians(identifier);
CREATE INDEX physicians_by_name ON physicians(last_fold, first_fold);
CREATE INDEX physicians_by_city ON physicians(city_fold);
CREATE INDEX physicians_by_department ON physicians(department);
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
