// SQL of study reports, audio notes and portal-uploaded documents (LIST-8, VIEW-6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace portal::detail {

class Index;

/// A study_reports row. Times are Unix milliseconds.
struct ReportRow {
  std::string study_uid;
  std::string status;   ///< "draft" or "final"
  std::string format;   ///< "text" or "pdf"
  std::string body;     ///< text of a portal text report
  std::string blob_id;  ///< the PDF of a portal PDF report
  std::int64_t size_bytes = 0;
  std::string source;   ///< "portal" or "dicom"
  std::string sop_uid;  ///< dicom: the instance it was recognised in
  std::string instance_blob_id;  ///< dicom: that instance's file
  std::string author;
  std::int64_t created_at = 0, updated_at = 0;
};

/// A study_audio row.
struct AudioRow {
  std::string public_id, study_uid, name, media_type, blob_id, author;
  std::int64_t size_bytes = 0, created_at = 0;
};

/// An uploaded_documents row with its instance.
struct DocumentRow {
  std::string sop_uid, study_uid, name, uploaded_by, blob_id;
  std::int64_t uploaded_at = 0;
};

/// Reports, audio notes and uploaded documents in the index. Thread-safe (the index's single
/// writer serialises writes). Throws Error(kNotFound) when writing for an unknown study.
class ReportStore {
 public:
  explicit ReportStore(Index& index) : index_(index) {}

  std::optional<ReportRow> report(const std::string& study_uid);
  /// Writes the report of `row.study_uid` (created_at kept when it exists). Returns the row it
  /// replaced, if any (its PDF blob is the caller's to remove).
  std::optional<ReportRow> put_report(const ReportRow& row);
  /// Removes it; returns the removed row (std::nullopt when there was none).
  std::optional<ReportRow> delete_report(const std::string& study_uid);

  void add_audio(const AudioRow& row);
  std::vector<AudioRow> audio_notes(const std::string& study_uid);
  std::optional<AudioRow> audio(const std::string& public_id);
  std::optional<AudioRow> delete_audio(const std::string& public_id);

  /// Records that the portal made instance `sop_uid` from an uploaded file.
  void add_document(const std::string& sop_uid, const std::string& name,
                    const std::string& uploaded_by, std::int64_t now);
  std::vector<DocumentRow> documents(const std::string& study_uid);
  std::optional<DocumentRow> document(const std::string& sop_uid);

 private:
  Index& index_;
};

}  // namespace portal::detail
