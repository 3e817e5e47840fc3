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

std::string dump(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace portal::shell
