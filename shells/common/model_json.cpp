// shells/common/model_json.cpp — see model_json.hpp.
#include "model_json.hpp"

namespace portal::shell {

Json to_json(const Patient& patient) {
  return {{"patient_id", patient.patient_id},
          {"family_name", patient.family_name},
          {"given_name", patient.given_name},
          {"birth_date", patient.birth_date},
          {"sex", patient.sex}};
}

Json to_json(const Study& study) {
  return {{"uid", study.uid},
          {"patient", to_json(study.patient)},
          {"date", study.date},
          {"time", study.time},
          {"description", study.description},
          {"accession", study.accession},
          {"referring_physician", study.referring_physician},
          {"performing_physician", study.performing_physician},
          {"reading_physician", study.reading_physician},
          {"institution", study.institution},
          {"repository", study.repository},
          {"modalities", study.modalities},
          {"num_series", study.num_series},
          {"num_instances", study.num_instances},
          {"size_bytes", study.size_bytes},
          {"received_at", study.received_at},
          {"updated_at", study.updated_at},
          {"seen_by_radiologist", study.seen_by_radiologist},
          {"seen_by_referring", study.seen_by_referring},
          {"seen_by_patient", study.seen_by_patient},
          {"has_report", study.has_report},
          {"report_status", study.report_status}};
}

Json to_json(const Series& series) {
  return {{"uid", series.uid},
          {"study_uid", series.study_uid},
          {"modality", series.modality},
          {"number", series.number},
          {"description", series.description},
          {"body_part", series.body_part},
          {"num_instances", series.num_instances}};
}

Json to_json(const Instance& instance) {
  return {{"sop_uid", instance.sop_uid},
          {"sop_class_uid", instance.sop_class_uid},
          {"series_uid", instance.series_uid},
          {"study_uid", instance.study_uid},
          {"transfer_syntax_uid", instance.transfer_syntax_uid},
          {"number", instance.number},
          {"rows", instance.rows},
          {"columns", instance.columns},
          {"frames", instance.frames},
          {"size_bytes", instance.size_bytes},
          {"sha256", instance.sha256},
          {"received_at", instance.received_at}};
}

Json to_json(const IngestResult& result) {
  const bool rejected = result.status == IngestStatus::kRejected;
  return {{"source", result.source},
          {"status", std::string(ingest_status_name(result.status))},
          {"error", rejected ? Json(std::string(error_code_name(result.error))) : Json(nullptr)},
          {"message", result.message},
          {"study_uid", result.study_uid},
          {"series_uid", result.series_uid},
          {"sop_uid", result.sop_uid},
          {"size_bytes", result.size_bytes}};
}

Json to_json(const FsckIssue& issue) {
  return {{"kind", std::string(fsck_issue_name(issue.kind))},
          {"blob_id", issue.blob_id},
          {"sop_uid", issue.sop_uid},
          {"detail", issue.detail},
          {"repaired", issue.repaired}};
}

Json to_json(const User& u) {
  return {{"id", u.id},
          {"login", u.login},
          {"emails", u.emails},
          {"first_name", u.first_name},
          {"last_name", u.last_name},
          {"phone", u.phone},
          {"physician_id", u.physician_id},
          {"linked_physician_id", u.linked_physician_id},
          {"referring_name", u.referring_name},
          {"profile", u.profile},
          {"state", std::string(user_state_name(u.state))},
          {"preferences", to_json(u.preferences)},
          {"created_at", u.created_at}};
}

Json to_json(const Profile& p) { return {{"name", p.name}, {"rights", p.rights}}; }

Json to_json(const AuditEvent& e) {
  return {{"id", e.id},           {"at", e.at},           {"user_id", e.user_id},
          {"login", e.login},     {"profile", e.profile}, {"address", e.address},
          {"action", e.action},   {"study_uid", e.study_uid}, {"patient_id", e.patient_id},
          {"outcome", e.outcome}, {"detail", e.detail}};
}

Json to_json(const MailMessage& m) {
  return {{"id", m.id},
          {"to", m.to},
          {"subject", m.subject},
          {"kind", m.kind},
          {"language", m.language},
          {"status", std::string(mail_status_name(m.status))},
          {"attempts", m.attempts},
          {"next_attempt_at", m.next_attempt_at},
          {"last_error", m.last_error},
          {"created_at", m.created_at},
          {"sent_at", m.sent_at}};
}

Json to_json(const Share& s) {
  return {{"id", s.id},
          {"study_uid", s.study_uid},
          {"recipient", s.recipient},
          {"recipient_login", s.recipient_login},
          {"shared_by", s.shared_by},
          {"message", s.message},
          {"created_at", s.created_at},
          {"expires_at", s.expires_at},
          {"revoked_at", s.revoked_at},
          {"pending", s.pending},
          {"active", s.active}};
}

Json to_json(const StudyGrant& g) {
  return {{"study_uid", g.study_uid}, {"user_login", g.user_login},
          {"granted_by", g.granted_by}, {"created_at", g.created_at},
          {"expires_at", g.expires_at}, {"revoked_at", g.revoked_at},
          {"active", g.active}};
}

Json to_json(const AccessToken& t) {
  Json j = {{"id", t.id},
            {"name", t.name},
            {"user_login", t.user_login},
            {"created_at", t.created_at},
            {"expires_at", t.expires_at},
            {"last_used_at", t.last_used_at},
            {"revoked_at", t.revoked_at},
            {"active", t.active}};
  if (!t.token.empty()) j["token"] = t.token;
  return j;
}

Json to_json(const Preferences& p) {
  return {{"language", p.language},
          {"first_tab", p.first_tab},
          {"columns", p.columns},
          {"default_period", p.default_period}};
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

void append_key(std::string& out, const char* key) {
  out += '"';
  out += key;
  out += "\":";
}

void append_field(std::string& out, const char* key, std::string_view value) {
  append_key(out, key);
  append_json_string(out, value);
  out += ',';
}

void append_field(std::string& out, const char* key, std::int64_t value) {
  append_key(out, key);
  out += std::to_string(value);
  out += ',';
}

void append_field(std::string& out, const char* key, bool value) {
  append_key(out, key);
  out += value ? "true" : "false";
  out += ',';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  std::size_t i = 0, run = 0;  // s[run, i) is copied as is
  auto flush = [&] {
    out.append(s.data() + run, i - run);
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t n = utf8_length(s, i);
      if (n != 0) {
        i += n;
        continue;
      }
      flush();
      out += "\xEF\xBF\xBD";  // U+FFFD, as nlohmann's error_handler_t::replace
      run = ++i;
      continue;
    }
    flush();
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    run = ++i;
  }
  flush();
  out += '"';
}

void append_json(std::string& out, const Study& s) {
  out += '{';
  append_field(out, "uid", s.uid);
  append_key(out, "patient");
  out += '{';
  append_field(out, "patient_id", s.patient.patient_id);
  append_field(out, "family_name", s.patient.family_name);
  append_field(out, "given_name", s.patient.given_name);
  append_field(out, "birth_date", s.patient.birth_date);
  append_field(out, "sex", s.patient.sex);
  out.back() = '}';
  out += ',';
  append_field(out, "date", s.date);
  append_field(out, "time", s.time);
  append_field(out, "description", s.description);
  append_field(out, "accession", s.accession);
  append_field(out, "referring_physician", s.referring_physician);
  append_field(out, "performing_physician", s.performing_physician);
  append_field(out, "reading_physician", s.reading_physician);
  append_field(out, "institution", s.institution);
  append_field(out, "repository", s.repository);
  append_key(out, "modalities");
  out += '[';
  for (std::size_t i = 0; i < s.modalities.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, s.modalities[i]);
  }
  out += "],";
  append_field(out, "num_series", static_cast<std::int64_t>(s.num_series));
  append_field(out, "num_instances", static_cast<std::int64_t>(s.num_instances));
  append_field(out, "size_bytes", static_cast<std::int64_t>(s.size_bytes));
  append_field(out, "received_at", s.received_at);
  append_field(out, "updated_at", s.updated_at);
  append_field(out, "seen_by_radiologist", s.seen_by_radiologist);
  append_field(out, "seen_by_referring", s.seen_by_referring);
  append_field(out, "seen_by_patient", s.seen_by_patient);
  append_field(out, "has_report", s.has_report);
  append_field(out, "report_status", s.report_status);
  out.back() = '}';
}

std::string dump(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace portal::shell
