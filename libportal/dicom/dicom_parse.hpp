// The header of one DICOM file, read through DCMTK. The only place DCMTK types appear is dicom/.
#pragma once

#include <cstdint>
#include <string>

namespace portal::detail {

/// Every attribute the index keeps, read from a DICOM header. Text is UTF-8.
struct DicomMeta {
  std::string sop_uid, sop_class_uid, study_uid, series_uid, transfer_syntax_uid;
  std::string patient_id, patient_name, birth_date, sex;  ///< patient_name in DICOM PN form
  std::string study_date, study_time, study_description, accession, study_id;
  std::string referring, performing, reading, institution;  ///< person names in DICOM PN form
  /// Referring Physician Identification Sequence > Person Identification Code Sequence >
  /// Code Value: e.g. a national practitioner number.
  std::string referring_id;
  std::string modality, series_description, body_part;
  int series_number = 0;
  int instance_number = 0;
  int rows = 0, columns = 0, frames = 0;
  /// LIST-8: "sr" for a Structured Report, "pdf" for an Encapsulated PDF, else empty.
  std::string report_kind;
  /// Structured Reports: "final" when the Verification Flag is VERIFIED or the Completion Flag
  /// COMPLETE, else "draft"; Encapsulated PDFs are "final".
  std::string report_status;
  /// The verifying observer, else the first author observer's name (PN form), when present.
  std::string report_author;
};

/// True for the SOP classes of DICOM Structured Reports (1.2.840.10008.5.1.4.1.1.88.*).
bool is_structured_report_class(const std::string& sop_class_uid);

/// The SOP Class UID of Encapsulated PDF Storage.
inline constexpr const char* kEncapsulatedPdfClass = "1.2.840.10008.5.1.4.1.1.104.1";

/// Registers DCMTK's decoders and quiets its logging. Idempotent and thread-safe.
void dicom_init();

/// Parses a DICOM file held in memory; a value running past the end of the data (e.g. truncated
/// Pixel Data) is refused. Accepts files with or without the 128-byte preamble. Throws
/// Error(kCorrupt) for data that is not DICOM or is damaged, and Error(kInvalidArgument) when an
/// identifying UID is missing or malformed.
DicomMeta parse_dicom(const char* data, std::size_t size);

/// The same, reading the file at `path` (elements larger than a few KiB are not loaded).
DicomMeta parse_dicom_file(const std::string& path);

}  // namespace portal::detail
