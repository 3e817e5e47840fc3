// DICOM JSON (PS3.18 F.2) of a stored instance, through DCMTK. Only dicom/ sees DCMTK.
#pragma once

#include <string>

namespace portal::detail {

/// The DICOM JSON object ("{...}") of the dataset of the instance in `dicom_bytes` (file meta
/// information excluded), text converted to UTF-8. Pixel Data is not read: when present it is
/// written as {"vr": "OB"|"OW", "BulkDataURI": pixel_bulk_uri}. Other binary values are inline
/// (InlineBinary). Throws Error(kCorrupt) for data DCMTK cannot read.
std::string dicom_json(const std::string& dicom_bytes, const std::string& pixel_bulk_uri);

/// The SOP Class and SOP Instance UIDs and the Study Instance UID of a DICOM file held in
/// memory, without validation beyond what DCMTK needs to read them (empty when absent). Throws
/// Error(kCorrupt) when the bytes are not DICOM.
struct DicomIdentity {
  std::string sop_class_uid, sop_uid, study_uid;
};
DicomIdentity dicom_identity(const char* data, std::size_t size);

}  // namespace portal::detail
