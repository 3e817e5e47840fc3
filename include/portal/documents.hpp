// portal/documents.hpp — documents and images turned into DICOM (ING-3, ING-4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portal {

/// A file as uploaded: its name (only reported back) and its bytes.
struct NamedFile {
  std::string name;
  std::string bytes;
};

/// The form of a study made from plain images (ING-4). Mandatory: patient_family_name,
/// birth_date (YYYYMMDD), sex (M, F or O), patient_id, study_date (YYYYMMDD), modality.
struct NewStudyForm {
  std::string patient_family_name;
  std::string patient_given_name;
  std::string birth_date;
  std::string sex;
  std::string patient_id;
  std::string study_description;
  std::string study_date;
  std::string modality = "OT";
  std::string accession;
  std::string referring_physician;  ///< "FAMILY^GIVEN" or plain text
};

/// What a study export holds (LIST-7, VIEW-6).
enum class ExportFormat {
  kDicomZip,  ///< every instance as received, with a DICOMDIR, in a zip archive
  kJpegZip,   ///< every frame of every image as a JPEG (default window), in a zip archive
  kPdf,       ///< a printable summary: patient and study header, one key image per series
};

/// Parses "dicom", "jpeg" or "pdf". Throws Error(kInvalidArgument) otherwise.
ExportFormat parse_export_format(std::string_view text);

}  // namespace portal
