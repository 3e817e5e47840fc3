// portal/reports.hpp — the report of a study (LIST-8, VIEW-6) and its audio notes (VIEW-6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portal {

/// A report is a draft while it is being written, final once signed off. Only profiles with
/// the manage_reports right see drafts; everyone who sees the study sees a final report.
enum class ReportStatus { kDraft, kFinal };

/// Parses "draft" or "final". Throws Error(kInvalidArgument) otherwise.
ReportStatus parse_report_status(std::string_view text);
std::string_view report_status_name(ReportStatus status) noexcept;

/// What a report is made of: plain text (UTF-8), or a PDF document.
enum class ReportFormat { kText, kPdf };
std::string_view report_format_name(ReportFormat format) noexcept;

/// The one report of a study.
///
/// A report is written through the portal (Session::set_report) or recognised at ingest: the
/// first DICOM Structured Report or Encapsulated PDF instance received for a study that has no
/// report becomes its report (`source` "dicom", `sop_uid` that instance). Documents uploaded
/// through Session::add_files are documents, never reports.
struct Report {
  std::string study_uid;
  ReportStatus status = ReportStatus::kDraft;
  ReportFormat format = ReportFormat::kText;
  /// The text (text reports and Structured Reports, whose content tree is laid out as indented
  /// lines); empty for PDF reports.
  std::string text;
  std::int64_t pdf_size = 0;  ///< bytes of the PDF (PDF reports), else 0
  std::string author;         ///< login of the last writer; for DICOM reports the verifying
                              ///< observer or author found in the file, else "dicom"
  std::string created_at;     ///< UTC ISO 8601
  std::string updated_at;     ///< UTC ISO 8601
  std::string source;         ///< "portal" or "dicom"
  std::string sop_uid;        ///< the instance a DICOM report was recognised in; else empty
};

/// What Session::set_report writes: text or a PDF (exactly one of them), and the status.
struct ReportContent {
  std::optional<std::string> text;  ///< UTF-8, not blank
  std::optional<std::string> pdf;   ///< a PDF file's bytes (checked by content: "%PDF-")
  ReportStatus status = ReportStatus::kDraft;
};

/// An audio note attached to a study (VIEW-6): WebM, Ogg or MP4 audio, told by content.
struct AudioNote {
  std::string id;          ///< random, URL-safe
  std::string study_uid;
  std::string name;        ///< the file name given when it was added (display only)
  std::string media_type;  ///< "audio/webm", "audio/ogg" or "audio/mp4"
  std::int64_t size_bytes = 0;
  std::string author;      ///< login of who added it, or "system"
  std::string created_at;  ///< UTC ISO 8601
};

/// A portal-uploaded document (ING-3, ING-4): an instance the portal made from a PDF, PNG or
/// JPEG file. Only these can be deleted through Session::delete_document.
struct UploadedDocument {
  std::string sop_uid;
  std::string study_uid;
  std::string name;         ///< the uploaded file's name
  std::string uploaded_by;  ///< login, or "system"
  std::string uploaded_at;  ///< UTC ISO 8601
};

}  // namespace portal
