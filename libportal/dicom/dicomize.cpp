#include "libportal/dicom/dicomize.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <ctime>

#include "libportal/common/random.hpp"
#include "portal/error.hpp"

namespace portal::detail {

std::string new_dicom_uid() {
  // 2.25 + a 128-bit random integer in decimal (PS3.5 B.2).
  std::string hex = random_hex(16);
  unsigned __int128 v = 0;
  for (char c : hex) v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  return "2.25." + digits;
}

namespace {

void put(DcmDataset* ds, const DcmTagKey& key, const std::string& value) {
  OFCondition c = ds->putAndInsertString(key, value.c_str());
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("cannot write DICOM: ") + c.text());
}

// The patient, study and new-series attributes every dicomized instance carries.
void put_common(DcmDataset* ds, const DicomizeContext& ctx, const char* sop_class,
                const std::string& sop_uid, const std::string& modality) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char date[9], time[7];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  put(ds, DCM_SpecificCharacterSet, "ISO_IR 192");
  put(ds, DCM_SOPClassUID, sop_class);
  put(ds, DCM_SOPInstanceUID, sop_uid);
  put(ds, DCM_StudyInstanceUID, ctx.study_uid);
  put(ds, DCM_SeriesInstanceUID, ctx.series_uid.empty() ? new_dicom_uid() : ctx.series_uid);
  put(ds, DCM_PatientID, ctx.patient_id);
  put(ds, DCM_PatientName, ctx.patient_name);
  put(ds, DCM_PatientBirthDate, ctx.birth_date);
  put(ds, DCM_PatientSex, ctx.sex);
  put(ds, DCM_StudyDate, ctx.study_date);
  put(ds, DCM_StudyTime, ctx.study_time);
  put(ds, DCM_StudyDescription, ctx.study_description);
  put(ds, DCM_AccessionNumber, ctx.accession);
  put(ds, DCM_ReferringPhysicianName, ctx.referring);
  put(ds, DCM_StudyID, ctx.study_id);
  if (!ctx.institution.empty()) put(ds, DCM_InstitutionName, ctx.institution);
  put(ds, DCM_Modality, modality);
  put(ds, DCM_SeriesNumber, std::to_string(ctx.series_number));
  put(ds, DCM_InstanceNumber, std::to_string(ctx.instance_number));
  if (!ctx.series_description.empty()) put(ds, DCM_SeriesDescription, ctx.series_description);
  put(ds, DCM_ContentDate, date);
  put(ds, DCM_ContentTime, time);
  put(ds, DCM_InstanceCreationDate, date);
  put(ds, DCM_InstanceCreationTime, time);
}

std::string to_bytes(DcmFileFormat& ff) {
  ff.getMetaInfo()->clear();
  OFCondition c = ff.validateMetaInfo(EXS_LittleEndianExplicit);
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("cannot write DICOM: ") + c.text());
  ff.transferInit();
  Uint32 length = ff.calcElementLength(EXS_LittleEndianExplicit, EET_ExplicitLength);
  std::string out(static_cast<std::size_t>(length) + 4096, '\0');
  DcmOutputBufferStream stream(out.data(), static_cast<offile_off_t>(out.size()));
  c = ff.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr);
  ff.transferEnd();
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("cannot write DICOM: ") + c.text());
  void* data = nullptr;
  offile_off_t written = 0;
  stream.flushBuffer(data, written);
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace

std::string make_encapsulated_pdf(const DicomizeContext& ctx, const std::string& pdf,
                                  const std::string& title) {
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  put_common(ds, ctx, UID_EncapsulatedPDFStorage, new_dicom_uid(),
             ctx.modality.empty() ? "DOC" : ctx.modality);
  put(ds, DCM_ConversionType, "WSD");
  put(ds, DCM_DocumentTitle, title);
  put(ds, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  put(ds, DCM_BurnedInAnnotation, "YES");
  // OB values are padded to an even length; the PDF's own end marker tolerates the pad byte.
  std::string value = pdf;
  if (value.size() % 2) value.push_back('\0');
  OFCondition c = ds->putAndInsertUint8Array(DCM_EncapsulatedDocument,
                                             reinterpret_cast<const Uint8*>(value.data()),
                                             static_cast<unsigned long>(value.size()));
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("cannot write DICOM: ") + c.text());
  return to_bytes(ff);
}

std::string make_secondary_capture(const DicomizeContext& ctx, int width, int height,
                                   int channels, const std::vector<std::uint8_t>& pixels) {
  if (width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
      pixels.size() != static_cast<std::size_t>(width) * height * channels)
    throw Error(ErrorCode::kInvalidArgument, "image size does not match its pixels");
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  put_common(ds, ctx, UID_SecondaryCaptureImageStorage, new_dicom_uid(),
             ctx.modality.empty() ? "OT" : ctx.modality);
  put(ds, DCM_ConversionType, "WSD");
  ds->putAndInsertUint16(DCM_SamplesPerPixel, static_cast<Uint16>(channels));
  put(ds, DCM_PhotometricInterpretation, channels == 3 ? "RGB" : "MONOCHROME2");
  if (channels == 3) ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(height));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(width));
  ds->putAndInsertUint16(DCM_BitsAllocated, 8);
  ds->putAndInsertUint16(DCM_BitsStored, 8);
  ds->putAndInsertUint16(DCM_HighBit, 7);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<std::uint8_t> data = pixels;
  if (data.size() % 2) data.push_back(0);
  OFCondition c = ds->putAndInsertUint8Array(DCM_PixelData, data.data(),
                                             static_cast<unsigned long>(data.size()));
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("cannot write DICOM: ") + c.text());
  return to_bytes(ff);
}

}  // namespace portal::detail
