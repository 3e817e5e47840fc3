// Turning PDF documents and 8-bit images into DICOM instances (ING-3, ING-4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace portal::detail {

/// The identifying attributes written into a new instance. Person names in DICOM PN form.
struct DicomizeContext {
  std::string study_uid;  ///< existing study, or a new UID
  std::string series_uid;  ///< empty: a new series for this instance
  std::string patient_id, patient_name, birth_date, sex;
  std::string study_date, study_time, study_description, accession, referring, institution;
  std::string study_id;
  std::string modality;            ///< of the new series ("DOC" for PDF, "OT" by default)
  std::string series_description;
  int series_number = 9001;
  int instance_number = 1;
};

/// A new random DICOM UID ("2.25." followed by a 128-bit random number).
std::string new_dicom_uid();

/// An Encapsulated PDF instance (new series) carrying `pdf` byte for byte.
std::string make_encapsulated_pdf(const DicomizeContext& ctx, const std::string& pdf,
                                  const std::string& title);

/// A Secondary Capture instance (new series) holding an 8-bit grey or RGB image.
std::string make_secondary_capture(const DicomizeContext& ctx, int width, int height,
                                   int channels, const std::vector<std::uint8_t>& pixels);

}  // namespace portal::detail
