// Reports (LIST-8, VIEW-6): one per study, text or PDF, draft or final; written through the
// portal or recognised in ingested DICOM (SR, Encapsulated PDF).
#include <cstring>

#include "libportal/api/notifications.hpp"
#include "libportal/api/report_hook.hpp"
#include "libportal/api/state.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/dicom/report_content.hpp"
#include "libportal/render/pdf_summary.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

ReportStatus parse_report_status(std::string_view text) {
  if (text == "draft") return ReportStatus::kDraft;
  if (text == "final") return ReportStatus::kFinal;
  throw Error(ErrorCode::kInvalidArgument,
              "a report status is \"draft\" or \"final\", not \"" +
                  std::string(text.substr(0, 20)) + "\"");
}

std::string_view report_status_name(ReportStatus status) noexcept {
  return status == ReportStatus::kFinal ? "final" : "draft";
}

std::string_view report_format_name(ReportFormat format) noexcept {
  return format == ReportFormat::kPdf ? "pdf" : "text";
}

namespace detail {

// THE hook (see report_hook.hpp): audits, then schedules the "report available" notifications
// of the rules (DIF-3). A failure here never undoes the report that was stored.
void on_report_available(PortalState& state, const std::string& study_uid) noexcept {
  try {
    auto study = state.index->study(study_uid);
    state.audit(state.system_principal(), {},
                {"report_available", "success", study_uid, study ? study->patient.patient_id : ""});
  } catch (...) {
  }
  try {
    schedule_notifications(state, study_uid, "report_available");
  } catch (...) {
  }
}

}  // namespace detail

namespace {

bool may_manage(const detail::Principal& p) {
  return detail::has_right(p, std::string(kRightManageReports));
}

// The row unless a draft hidden from `p`.
std::optional<detail::ReportRow> readable(detail::PortalState& st, const detail::Principal& p,
                                          const std::string& study_uid) {
  auto row = st.reports->report(study_uid);
  if (row && row->status == "draft" && !may_manage(p)) return std::nullopt;
  return row;
}

std::string instance_file(detail::PortalState& st, const detail::ReportRow& row) {
  auto bytes = st.blobs->read(row.instance_blob_id);
  if (!bytes)
    throw Error(ErrorCode::kCorrupt, "the file of report instance " + row.sop_uid + " is missing");
  return std::move(*bytes);
}

Report to_report(detail::PortalState& st, const detail::ReportRow& row, bool with_text) {
  Report r;
  r.study_uid = row.study_uid;
  r.status = row.status == "final" ? ReportStatus::kFinal : ReportStatus::kDraft;
  r.format = row.format == "pdf" ? ReportFormat::kPdf : ReportFormat::kText;
  r.author = row.author;
  r.created_at = detail::iso8601_utc_ms(row.created_at);
  r.updated_at = detail::iso8601_utc_ms(row.updated_at);
  r.source = row.source;
  r.sop_uid = row.sop_uid;
  r.pdf_size = row.format == "pdf" ? row.size_bytes : 0;
  if (row.source == "dicom" && row.format == "pdf" && with_text)
    r.pdf_size = static_cast<std::int64_t>(detail::encapsulated_document(instance_file(st, row)).size());
  if (with_text && r.format == ReportFormat::kText)
    r.text = row.source == "dicom" ? detail::structured_report_text(instance_file(st, row)) : row.body;
  return r;
}

}  // namespace

std::optional<Report> Session::report(const std::string& study_uid) const {
  auto p = require_study(study_uid);
  auto row = readable(*state_, p, study_uid);
  state_->audit(p, address(), {"report_view", row ? "success" : "none", study_uid});
  if (!row) return std::nullopt;
  return to_report(*state_, *row, true);
}

std::string Session::report_pdf(const std::string& study_uid) const {
  auto p = require_study(study_uid);
  auto row = readable(*state_, p, study_uid);
  if (!row) throw Error(ErrorCode::kNotFound, "study " + study_uid + " has no report");
  std::string out;
  if (row->format == "pdf") {
    if (row->source == "dicom") {
      out = detail::encapsulated_document(instance_file(*state_, *row));
    } else {
      auto bytes = state_->blobs->read(row->blob_id);
      if (!bytes) throw Error(ErrorCode::kCorrupt, "the report's PDF file is missing");
      out = std::move(*bytes);
    }
  } else {
    Report r = to_report(*state_, *row, true);
    auto st = state_->index->study(study_uid);
    detail::redact_study(p, *st);
    auto date = [](const std::string& d) {
      return d.size() == 8 ? d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) : d;
    };
    detail::SummaryContent c;
    c.title = "Report";
    c.header = {"Patient: " + st->patient.family_name + " " + st->patient.given_name +
                    "    ID: " + st->patient.patient_id + "    Born: " + date(st->patient.birth_date),
                "Study: " + st->description + "    " + date(st->date) +
                    "    Accession: " + st->accession,
                std::string("Status: ") + (r.status == ReportStatus::kFinal ? "final" : "draft") +
                    "    Author: " + r.author + "    Updated: " + r.updated_at.substr(0, 16)};
    c.report = r.text;
    c.footer = "libportal — report";
    detail::write_pdf_summary(c, [&](const char* d, std::size_t n) { out.append(d, n); });
  }
  state_->audit(p, address(), {"report_view", "success", study_uid, "", "pdf"});
  return out;
}

Report Session::set_report(const std::string& study_uid, const ReportContent& content) {
  auto p = require_study(study_uid);
  if (!may_manage(p)) {
    state_->audit(p, address(), {"report_set", "denied", study_uid});
    throw Error(ErrorCode::kPermissionDenied, "this profile may not write reports");
  }
  if (content.text.has_value() == content.pdf.has_value())
    throw Error(ErrorCode::kInvalidArgument, "a report is either text or a PDF file (give one)");
  const std::string& data = content.text ? *content.text : *content.pdf;
  if (data.size() > state_->options.max_report_bytes)
    throw Error(ErrorCode::kTooLarge, "the report exceeds " +
                                          std::to_string(state_->options.max_report_bytes) +
                                          " bytes");
  if (content.text) {
    if (content.text->find_first_not_of(" \t\r\n\f\v") == std::string::npos)
      throw Error(ErrorCode::kInvalidArgument, "the report text is empty");
    if (!detail::is_valid_utf8(*content.text))
      throw Error(ErrorCode::kInvalidArgument, "the report text is not valid UTF-8");
  } else if (content.pdf->size() < 5 || std::memcmp(content.pdf->data(), "%PDF-", 5) != 0) {
    throw Error(ErrorCode::kInvalidArgument, "the report file is not a PDF document");
  }
  auto existing = state_->reports->report(study_uid);
  if (existing && existing->status == "final" && content.status == ReportStatus::kDraft)
    throw Error(ErrorCode::kConflict, "a final report cannot become a draft again");

  detail::ReportRow row;
  row.study_uid = study_uid;
  row.status = std::string(report_status_name(content.status));
  row.format = content.text ? "text" : "pdf";
  row.source = "portal";
  row.author = p.login;
  row.created_at = row.updated_at = state_->now_ms();
  row.size_bytes = static_cast<std::int64_t>(data.size());
  std::optional<detail::ReportRow> previous;
  if (content.text) {
    row.body = *content.text;
    previous = state_->reports->put_report(row);
  } else {
    // File first, durably; then the row that refers to it.
    auto blob = state_->blobs->stage();
    blob->write(data.data(), data.size());
    row.blob_id = blob->id();
    std::vector<std::unique_ptr<StagedBlob>> group;
    group.push_back(std::move(blob));
    std::uint64_t ticket = state_->blobs->publish(std::move(group));
    try {
      previous = state_->reports->put_report(row);
    } catch (...) {
      state_->blobs->remove(row.blob_id);
      throw;
    }
    state_->blobs->settle(ticket);
  }
  if (previous && !previous->blob_id.empty()) state_->blobs->remove(previous->blob_id);
  if (previous) row.created_at = previous->created_at;
  state_->audit(p, address(), {"report_set", "success", study_uid, "", row.status + " " + row.format});
  if (row.status == "final" && (!previous || previous->status != "final"))
    detail::on_report_available(*state_, study_uid);
  Report out = to_report(*state_, row, false);
  out.text = row.body;
  return out;
}

void Session::delete_report(const std::string& study_uid) {
  auto p = require_study(study_uid);
  if (!may_manage(p)) {
    state_->audit(p, address(), {"report_delete", "denied", study_uid});
    throw Error(ErrorCode::kPermissionDenied, "this profile may not delete reports");
  }
  auto removed = state_->reports->delete_report(study_uid);
  if (!removed) throw Error(ErrorCode::kNotFound, "study " + study_uid + " has no report");
  if (!removed->blob_id.empty()) state_->blobs->remove(removed->blob_id);
  state_->audit(p, address(), {"report_delete", "success", study_uid});
}

}  // namespace portal
