#include "libportal/dicom/dicom_parse.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstring>

#include "libportal/common/text.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

// A plain dataset without preamble must start with a group 0002 or 0008 element (little endian)
// or a big-endian 0008; anything else is not worth handing to the parser.
bool looks_like_dicom(const char* data, std::size_t size) {
  if (size >= 132 && std::memcmp(data + 128, "DICM", 4) == 0) return true;
  if (size < 8) return false;
  auto b = reinterpret_cast<const unsigned char*>(data);
  unsigned le_group = b[0] | (b[1] << 8);
  unsigned be_group = (b[0] << 8) | b[1];
  return le_group == 0x0002 || le_group == 0x0008 || be_group == 0x0008;
}

bool valid_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64) return false;
  char prev = '.';
  for (char c : uid) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
    prev = c;
  }
  return prev != '.';
}

std::string get_string(DcmItem* item, const DcmTagKey& key, bool text_ok) {
  DcmElement* elem = nullptr;
  if (item->findAndGetElement(key, elem).bad() || !elem) return {};
  std::string s;
  if (elem->ident() == EVR_UN) {
    // Some writers mark well-known text attributes as UN: their bytes are still the text.
    Uint8* raw = nullptr;
    if (elem->getUint8Array(raw).bad() || !raw) return {};
    s = trim(std::string(reinterpret_cast<const char*>(raw), elem->getLength()));
  } else {
    OFString value;
    if (elem->getOFStringArray(value).bad()) return {};
    s = trim(std::string(value.c_str(), value.length()));
  }
  // After a failed character-set conversion raw bytes remain: keep the text readable.
  if (text_ok && !is_valid_utf8(s)) s = latin1_to_utf8(s);
  return s;
}

int get_int(DcmItem* item, const DcmTagKey& key) {
  OFString value;
  if (item->findAndGetOFString(key, value).bad()) return 0;
  try {
    return std::stoi(std::string(value.c_str()));
  } catch (...) {
    return 0;
  }
}

DicomMeta extract(DcmFileFormat& ff) {
  DcmDataset* ds = ff.getDataset();
  DcmMetaInfo* meta = ff.getMetaInfo();
  // Names are searched and shown in UTF-8 whatever the file's Specific Character Set.
  if (ds->tagExists(DCM_SpecificCharacterSet)) ds->convertToUTF8();

  DicomMeta m;
  m.sop_uid = get_string(ds, DCM_SOPInstanceUID, false);
  m.sop_class_uid = get_string(ds, DCM_SOPClassUID, false);
  m.study_uid = get_string(ds, DCM_StudyInstanceUID, false);
  m.series_uid = get_string(ds, DCM_SeriesInstanceUID, false);
  if (m.sop_uid.empty() && meta) m.sop_uid = get_string(meta, DCM_MediaStorageSOPInstanceUID, false);
  if (m.sop_class_uid.empty() && meta)
    m.sop_class_uid = get_string(meta, DCM_MediaStorageSOPClassUID, false);
  if (meta) m.transfer_syntax_uid = get_string(meta, DCM_TransferSyntaxUID, false);
  if (m.transfer_syntax_uid.empty()) {
    DcmXfer xfer(ds->getOriginalXfer());
    if (xfer.getXfer() != EXS_Unknown) m.transfer_syntax_uid = xfer.getXferID();
  }

  if (m.sop_class_uid == UID_MediaStorageDirectoryStorage)
    throw Error(ErrorCode::kUnsupported, "a DICOMDIR is a media index, not an instance to store");
  auto require_uid = [](const std::string& uid, const char* what) {
    if (uid.empty()) throw Error(ErrorCode::kInvalidArgument, std::string("missing ") + what);
    if (!valid_uid(uid))
      throw Error(ErrorCode::kInvalidArgument, std::string("malformed ") + what + " \"" +
                                                   uid.substr(0, 80) + "\"");
  };
  require_uid(m.sop_uid, "SOP Instance UID (0008,0018)");
  require_uid(m.study_uid, "Study Instance UID (0020,000D)");
  require_uid(m.series_uid, "Series Instance UID (0020,000E)");

  m.patient_id = get_string(ds, DCM_PatientID, true);
  m.patient_name = get_string(ds, DCM_PatientName, true);
  m.birth_date = get_string(ds, DCM_PatientBirthDate, false);
  m.sex = get_string(ds, DCM_PatientSex, false);
  m.study_date = get_string(ds, DCM_StudyDate, false);
  m.study_time = get_string(ds, DCM_StudyTime, false);
  m.study_description = get_string(ds, DCM_StudyDescription, true);
  m.accession = get_string(ds, DCM_AccessionNumber, true);
  m.study_id = get_string(ds, DCM_StudyID, true);
  m.referring = get_string(ds, DCM_ReferringPhysicianName, true);
  {
    DcmItem* ident = nullptr;
    DcmItem* code = nullptr;
    if (ds->findAndGetSequenceItem(DCM_ReferringPhysicianIdentificationSequence, ident).good() &&
        ident &&
        ident->findAndGetSequenceItem(DCM_PersonIdentificationCodeSequence, code).good() && code)
      m.referring_id = get_string(code, DCM_CodeValue, true);
  }
  m.performing = get_string(ds, DCM_PerformingPhysicianName, true);
  m.reading = get_string(ds, DCM_NameOfPhysiciansReadingStudy, true);
  m.institution = get_string(ds, DCM_InstitutionName, true);
  m.modality = get_string(ds, DCM_Modality, true);
  m.series_description = get_string(ds, DCM_SeriesDescription, true);
  m.body_part = get_string(ds, DCM_BodyPartExamined, true);
  m.series_number = get_int(ds, DCM_SeriesNumber);
  m.instance_number = get_int(ds, DCM_InstanceNumber);
  m.rows = get_int(ds, DCM_Rows);
  m.columns = get_int(ds, DCM_Columns);
  if (m.rows > 0 && m.columns > 0) {
    int frames = get_int(ds, DCM_NumberOfFrames);
    m.frames = frames > 0 ? frames : 1;
  }
  if (is_structured_report_class(m.sop_class_uid)) {
    m.report_kind = "sr";
    std::string verification = get_string(ds, DCM_VerificationFlag, false);
    std::string completion = get_string(ds, DCM_CompletionFlag, false);
    m.report_status = verification == "VERIFIED" || completion == "COMPLETE" ? "final" : "draft";
    DcmItem* observer = nullptr;
    if (ds->findAndGetSequenceItem(DCM_VerifyingObserverSequence, observer).good() && observer)
      m.report_author = get_string(observer, DCM_VerifyingObserverName, true);
    if (m.report_author.empty() &&
        ds->findAndGetSequenceItem(DCM_AuthorObserverSequence, observer).good() && observer)
      m.report_author = get_string(observer, DCM_PersonName, true);
  } else if (m.sop_class_uid == kEncapsulatedPdfClass) {
    m.report_kind = "pdf";
    m.report_status = "final";
  }
  return m;
}

std::uint32_t read32(const char* p, bool big_endian) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return big_endian ? (std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 |
                       std::uint32_t(b[2]) << 8 | b[3])
                    : (std::uint32_t(b[3]) << 24 | std::uint32_t(b[2]) << 16 |
                       std::uint32_t(b[1]) << 8 | b[0]);
}

[[noreturn]] void truncated(const std::string& what) {
  throw Error(ErrorCode::kCorrupt,
              "not a readable DICOM file (truncated or damaged): Pixel Data " + what);
}

// `pos` is where the Pixel Data value starts (readUntilTag stops right after its header).
// Returns false when the header before `pos` is not recognisably Pixel Data; throws when the
// declared value (or a fragment) runs past the end of the data.
bool pixel_data_fits(const char* data, std::size_t size, std::size_t pos, E_TransferSyntax xfer) {
  bool big = DcmXfer(xfer).getByteOrder() == EBO_BigEndian;
  auto is_tag = [&](std::size_t at) {
    if (at + 4 > pos) return false;
    auto b = reinterpret_cast<const unsigned char*>(data + at);
    return big ? (b[0] == 0x7F && b[1] == 0xE0 && b[2] == 0x00 && b[3] == 0x10)
               : (b[0] == 0xE0 && b[1] == 0x7F && b[2] == 0x10 && b[3] == 0x00);
  };
  if (pos < 12 || !(is_tag(pos - 12) || is_tag(pos - 8))) return false;
  std::uint32_t len = read32(data + pos - 4, big);
  if (len != 0xFFFFFFFFu) {
    if (len > size - pos)
      truncated("declares " + std::to_string(len) + " bytes but " + std::to_string(size - pos) +
                " remain");
    return true;
  }
  // Encapsulated: items (FFFE,E000) until the sequence delimiter (FFFE,E0DD), little endian.
  while (pos + 8 <= size) {
    auto b = reinterpret_cast<const unsigned char*>(data + pos);
    bool item_tag = b[0] == 0xFE && b[1] == 0xFF && b[3] == 0xE0;
    std::uint32_t item_len = read32(data + pos + 4, false);
    if (item_tag && b[2] == 0xDD) return true;
    if (!item_tag || b[2] != 0x00 || item_len == 0xFFFFFFFFu)
      truncated("holds something other than fragments");
    if (item_len > size - pos - 8) truncated("fragment runs past the end of the file");
    pos += 8 + item_len;
  }
  truncated("fragments are not closed by a sequence delimiter");
}

[[noreturn]] void parse_failed(const OFCondition& cond) {
  throw Error(ErrorCode::kCorrupt,
              std::string("not a readable DICOM file (truncated or damaged): ") + cond.text());
}

}  // namespace

bool is_structured_report_class(const std::string& uid) {
  return uid.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) == 0;
}

DicomMeta parse_dicom(const char* data, std::size_t size) {
  dicom_init();
  if (!looks_like_dicom(data, size))
    throw Error(ErrorCode::kCorrupt, "not a DICOM file (no DICM marker and no DICOM header)");
  DcmInputBufferStream stream;
  stream.setBuffer(data, static_cast<offile_off_t>(size));
  stream.setEos();
  DcmFileFormat ff;
  ff.transferInit();
  // Parsing stops at Pixel Data (copying megabytes of pixels only to index a file is the
  // largest CPU cost there is); its declared length is then checked against the bytes present.
  OFCondition cond = ff.readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                     DCM_PixelData);
  ff.transferEnd();
  if (cond.bad()) parse_failed(cond);
  auto pos = static_cast<std::size_t>(stream.tell());
  if (pos < size && !pixel_data_fits(data, size, pos, ff.getDataset()->getOriginalXfer())) {
    // Not the layout we expected right before the value: let DCMTK read the whole file.
    DcmInputBufferStream again;
    again.setBuffer(data, static_cast<offile_off_t>(size));
    again.setEos();
    DcmFileFormat full;
    full.transferInit();
    cond = full.read(again, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    full.transferEnd();
    if (cond.bad()) parse_failed(cond);
    return extract(full);
  }
  return extract(ff);
}

DicomMeta parse_dicom_file(const std::string& path) {
  dicom_init();
  {
    char head[132] = {};
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(ErrorCode::kNotFound, "cannot open " + path);
    std::size_t n = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (!looks_like_dicom(head, n))
      throw Error(ErrorCode::kCorrupt, "not a DICOM file (no DICM marker and no DICOM header)");
  }
  DcmFileFormat ff;
  // Values larger than a few KiB (Pixel Data) are not loaded, but their declared lengths are
  // still checked against the file size.
  OFCondition cond = ff.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                 ERM_autoDetect);
  if (cond.bad()) parse_failed(cond);
  return extract(ff);
}

}  // namespace portal::detail
