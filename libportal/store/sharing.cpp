// SQL of notifications (DIF-2..4), the physician directory (DIF-7) and mails by study (LIST-7).
#include "libportal/store/sharing.hpp"

#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"
#include "libportal/store/txn.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

const char* const kNotificationColumns =
    "n.id, s.uid, n.event, n.rule, n.due_at, n.status, n.error, n.recipient, n.user_ref,"
    " n.mail_ref, n.created_by, n.created_at, n.done_at,"
    " CASE WHEN n.status = 'failure' OR o.status = 'failed' THEN 'failure'"
    " WHEN o.status = 'sent' THEN 'sent' ELSE 'scheduled' END,"
    " CASE WHEN n.status = 'failure' THEN n.error WHEN o.status = 'failed' THEN o.last_error"
    " ELSE '' END"
    " FROM notifications n JOIN studies s ON s.id = n.study_ref"
    " LEFT JOIN outbox o ON o.id = n.mail_ref AND n.mail_ref > 0";

NotificationRow notification_from_row(SQLite::Statement& q) {
  NotificationRow r;
  int i = 0;
  r.id = q.getColumn(i++).getInt64();
  r.study_uid = q.getColumn(i++).getString();
  r.event = q.getColumn(i++).getString();
  r.rule = q.getColumn(i++).getString();
  r.due_at = q.getColumn(i++).getInt64();
  r.status = q.getColumn(i++).getString();
  r.error = q.getColumn(i++).getString();
  r.recipient = q.getColumn(i++).getString();
  r.user_ref = q.getColumn(i++).getInt64();
  r.mail_ref = q.getColumn(i++).getInt64();
  r.created_by = q.getColumn(i++).getString();
  r.created_at = q.getColumn(i++).getInt64();
  r.done_at = q.getColumn(i++).getInt64();
  r.effective_status = q.getColumn(i++).getString();
  r.effective_error = q.getColumn(i++).getString();
  return r;
}

const char* const kPhysicianColumns =
    "id, last_name, first_name, identifier, specialty, city, postcode, department, email";

Physician physician_from_row(SQLite::Statement& q) {
  Physician p;
  int i = 0;
  p.id = q.getColumn(i++).getInt64();
  p.last_name = q.getColumn(i++).getString();
  p.first_name = q.getColumn(i++).getString();
  p.identifier = q.getColumn(i++).getString();
  p.specialty = q.getColumn(i++).getString();
  p.city = q.getColumn(i++).getString();
  p.postcode = q.getColumn(i++).getString();
  p.department = q.getColumn(i++).getString();
  p.email = q.getColumn(i++).getString();
  return p;
}

}  // namespace

bool SharingStore::schedule_once(const std::string& study_uid, const std::string& event,
                                 const std::string& rule, std::int64_t due_at, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    return exec(c,
                "INSERT OR IGNORE INTO notifications(study_ref, event, rule, due_at, status,"
                " created_by, created_at) SELECT id, ?, ?, ?, 'scheduled', 'system', ?"
                " FROM studies WHERE uid = ?",
                event, rule, due_at, now, study_uid) > 0;
  });
}

std::int64_t SharingStore::insert_manual(const std::string& study_uid,
                                         const std::string& created_by, std::int64_t now) {
  return write_txn(index_, [&](Connection& c) -> std::int64_t {
    if (exec(c,
             "INSERT INTO notifications(study_ref, event, rule, due_at, status, created_by,"
             " created_at) SELECT id, 'manual', '', ?, 'running', ?, ? FROM studies WHERE uid = ?",
             now, created_by, now, study_uid) == 0)
      throw Error(ErrorCode::kNotFound, "no study " + study_uid);
    return c.db.getLastInsertRowid();
  });
}

std::vector<std::int64_t> SharingStore::due(std::int64_t now, int limit) {
  return read(index_, [&](Connection& c) {
    std::vector<std::int64_t> out;
    auto& q = c.prepare(
        "SELECT id FROM notifications WHERE status = 'scheduled' AND due_at <= ?"
        " ORDER BY due_at, id LIMIT ?");
    bind_all(q, now, limit);
    while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
    q.reset();
    return out;
  });
}

bool SharingStore::claim(std::int64_t id) {
  return write_txn(index_, [&](Connection& c) {
    return exec(c,
                "UPDATE notifications SET status = 'running' WHERE id = ? AND status = 'scheduled'",
                id) > 0;
  });
}

void SharingStore::finish(std::int64_t id, const std::string& status, const std::string& error,
                          const std::string& recipient, std::int64_t user_ref,
                          std::int64_t mail_ref, std::int64_t now) {
  write_txn(index_, [&](Connection& c) {
    exec(c,
         "UPDATE notifications SET status = ?, error = ?, recipient = ?, user_ref = ?,"
         " mail_ref = ?, done_at = ? WHERE id = ?",
         status, error, recipient, user_ref, mail_ref, now, id);
  });
}

std::optional<NotificationRow> SharingStore::notification(std::int64_t id) {
  return read(index_, [&](Connection& c) -> std::optional<NotificationRow> {
    auto& q = c.prepare(std::string("SELECT ") + kNotificationColumns + " WHERE n.id = ?");
    bind_all(q, id);
    std::optional<NotificationRow> out;
    if (q.executeStep()) out = notification_from_row(q);
    q.reset();
    return out;
  });
}

std::vector<NotificationRow> SharingStore::notifications(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    std::vector<NotificationRow> out;
    auto& q = c.prepare(std::string("SELECT ") + kNotificationColumns +
                        " WHERE s.uid = ? ORDER BY n.id");
    bind_all(q, study_uid);
    while (q.executeStep()) out.push_back(notification_from_row(q));
    q.reset();
    return out;
  });
}

std::pair<std::string, std::string> SharingStore::study_referring(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    auto& q = c.prepare("SELECT referring_id, referring FROM studies WHERE uid = ?");
    bind_all(q, study_uid);
    std::pair<std::string, std::string> out;
    if (q.executeStep()) out = {q.getColumn(0).getString(), q.getColumn(1).getString()};
    q.reset();
    return out;
  });
}

void SharingStore::tag_mail(std::int64_t mail_id, const std::string& study_uid) {
  write_txn(index_, [&](Connection& c) {
    exec(c, "UPDATE outbox SET study_uid = ? WHERE id = ?", study_uid, mail_id);
  });
}

std::vector<MailMessage> SharingStore::mail_errors(const std::string& study_uid) {
  return read(index_, [&](Connection& c) {
    std::vector<MailMessage> out;
    auto& q = c.prepare(
        "SELECT id, recipient, subject, kind, language, status, attempts, next_attempt_at,"
        " last_error, created_at, sent_at FROM outbox"
        " WHERE study_uid = ? AND study_uid <> '' AND (status = 'failed' OR last_error <> '')"
        " ORDER BY id");
    bind_all(q, study_uid);
    while (q.executeStep()) {
      MailMessage m;
      int i = 0;
      m.id = q.getColumn(i++).getInt64();
      m.to = q.getColumn(i++).getString();
      m.subject = q.getColumn(i++).getString();
      m.kind = q.getColumn(i++).getString();
      m.language = q.getColumn(i++).getString();
      std::string status = q.getColumn(i++).getString();
      m.status = parse_mail_status(status);
      m.attempts = q.getColumn(i++).getInt();
      std::int64_t next = q.getColumn(i++).getInt64();
      m.next_attempt_at = status == "pending" ? iso8601_utc_ms(next) : std::string();
      m.last_error = q.getColumn(i++).getString();
      m.created_at = iso8601_utc_ms(q.getColumn(i++).getInt64());
      m.sent_at = iso8601_utc_ms(q.getColumn(i++).getInt64());
      out.push_back(std::move(m));
    }
    q.reset();
    return out;
  });
}

PhysicianImportReport SharingStore::import_physicians(const std::vector<PhysicianRow>& rows,
                                                      std::int64_t now) {
  return write_txn(index_, [&](Connection& c) {
    PhysicianImportReport report;
    for (const auto& row : rows) {
      const Physician& p = row.p;
      std::string last = fold(p.last_name), first = fold(p.first_name), city = fold(p.city);
      std::int64_t existing = 0;
      {
        auto& q = p.identifier.empty()
                      ? c.prepare(
                            "SELECT id FROM physicians WHERE identifier = '' AND last_fold = ?"
                            " AND first_fold = ? AND email = ? COLLATE NOCASE LIMIT 1")
                      : c.prepare("SELECT id FROM physicians WHERE identifier = ? LIMIT 1");
        if (p.identifier.empty())
          bind_all(q, last, first, p.email);
        else
          bind_all(q, p.identifier);
        if (q.executeStep()) existing = q.getColumn(0).getInt64();
        q.reset();
      }
      if (existing) {
        exec(c,
             "UPDATE physicians SET last_name = ?, first_name = ?, identifier = ?, specialty = ?,"
             " city = ?, postcode = ?, department = ?, email = ?, last_fold = ?, first_fold = ?,"
             " city_fold = ?, updated_at = ? WHERE id = ?",
             p.last_name, p.first_name, p.identifier, p.specialty, p.city, p.postcode,
             p.department, p.email, last, first, city, now, existing);
        ++report.updated;
      } else {
        exec(c,
             "INSERT INTO physicians(last_name, first_name, identifier, specialty, city, postcode,"
             " department, email, last_fold, first_fold, city_fold, updated_at)"
             " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
             p.last_name, p.first_name, p.identifier, p.specialty, p.city, p.postcode,
             p.department, p.email, last, first, city, now);
        ++report.added;
      }
    }
    return report;
  });
}

std::vector<Physician> SharingStore::find_physicians(const PhysicianQuery& pq) {
  return read(index_, [&](Connection& c) {
    std::string sql = std::string("SELECT ") + kPhysicianColumns + " FROM physicians WHERE 1";
    std::vector<std::string> params;
    // Each word of the name is a prefix of a word of the last or first name.
    for (const auto& word : split(fold(pq.name), ' ')) {
      if (word.empty()) continue;
      sql +=
          " AND (substr(last_fold, 1, ?) = ? OR instr(last_fold, ?) > 0"
          " OR substr(first_fold, 1, ?) = ? OR instr(first_fold, ?) > 0)";
      auto n = std::to_string(word.size());
      params.insert(params.end(), {n, word, " " + word, n, word, " " + word});
    }
    if (!pq.identifier.empty()) {
      sql += " AND identifier = ?";
      params.push_back(trim(pq.identifier));
    }
    std::string city = fold(pq.city);
    if (!city.empty()) {
      sql += " AND city_fold >= ? AND city_fold < ?";
      params.push_back(city);
      params.push_back(prefix_upper_bound(city));
    }
    if (!pq.department.empty()) {
      sql += " AND department = ? COLLATE NOCASE";
      params.push_back(trim(pq.department));
    }
    sql += " ORDER BY last_fold, first_fold, id LIMIT " + std::to_string(pq.limit);
    SQLite::Statement q(c.db, sql);
    int i = 1;
    for (const auto& p : params) {
      q.bind(i++, p);
    }
    std::vector<Physician> out;
    while (q.executeStep()) out.push_back(physician_from_row(q));
    return out;
  });
}

}  // namespace portal::detail
