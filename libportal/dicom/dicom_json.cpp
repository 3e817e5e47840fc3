#include "libportal/dicom/dicom_json.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcvrobow.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstring>
#include <memory>
#include <sstream>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

// Compact output; Pixel Data becomes a BulkDataURI.
class BulkFormat : public DcmJsonFormatCompact {
 public:
  explicit BulkFormat(std::string uri) : DcmJsonFormatCompact(OFFalse), uri_(std::move(uri)) {}
  OFBool asBulkDataURI(const DcmTagKey& tag, OFString& uri) override {
    if (tag != DCM_PixelData || uri_.empty()) return OFFalse;
    uri = uri_.c_str();
    return OFTrue;
  }

 private:
  std::string uri_;
};

// Reads everything before Pixel Data; `has_pixels` tells whether the parse stopped on it.
std::unique_ptr<DcmFileFormat> read_header(const char* data, std::size_t size, bool& has_pixels) {
  dicom_init();
  bool preamble = size >= 132 && std::memcmp(data + 128, "DICM", 4) == 0;
  if (!preamble && size < 8) throw Error(ErrorCode::kCorrupt, "not a DICOM file");
  DcmInputBufferStream stream;
  stream.setBuffer(data, static_cast<offile_off_t>(size));
  stream.setEos();
  auto ff = std::make_unique<DcmFileFormat>();
  ff->transferInit();
  OFCondition cond =
      ff->readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, DCM_PixelData);
  ff->transferEnd();
  if (cond.bad() && cond != EC_StreamNotifyClient)
    throw Error(ErrorCode::kCorrupt, std::string("not a readable DICOM file: ") + cond.text());
  has_pixels = static_cast<std::size_t>(stream.tell()) < size;
  return ff;
}

std::string get(DcmItem* item, const DcmTagKey& tag) {
  OFString v;
  if (item && item->findAndGetOFString(tag, v).good()) return std::string(v.c_str());
  return {};
}

}  // namespace

std::string dicom_json(const std::string& bytes, const std::string& pixel_bulk_uri) {
  bool has_pixels = false;
  auto ff = read_header(bytes.data(), bytes.size(), has_pixels);
  DcmDataset* ds = ff->getDataset();
  // Best effort: a dataset in an unknown character set is written as stored.
  (void)ds->convertToUTF8();
  if (has_pixels) {
    DcmXfer xfer(ds->getOriginalXfer());
    Uint16 bits = 8;
    (void)ds->findAndGetUint16(DCM_BitsAllocated, bits);
    DcmEVR vr = (xfer.isEncapsulated() || bits <= 8) ? EVR_OB : EVR_OW;
    // DCMTK asks for a BulkDataURI only for a non-empty value: a placeholder, never written.
    auto* pixels = new DcmOtherByteOtherWord(DcmTag(DCM_PixelData, vr));
    const Uint8 bytes[2] = {0, 0};
    const Uint16 word[1] = {0};
    if (vr == EVR_OW)
      pixels->putUint16Array(word, 1);
    else
      pixels->putUint8Array(bytes, 2);
    ds->insert(pixels, OFTrue);
  }
  BulkFormat format(pixel_bulk_uri);
  std::ostringstream out;
  OFCondition cond = ds->writeJson(out, format);
  if (cond.bad())
    throw Error(ErrorCode::kCorrupt, std::string("cannot write DICOM JSON: ") + cond.text());
  std::string text = out.str();
  // DcmDataset::writeJson writes the members only.
  std::size_t first = text.find_first_not_of(" \r\n\t");
  if (first == std::string::npos || text[first] != '{') text = "{" + text + "}";
  return text;
}

DicomIdentity dicom_identity(const char* data, std::size_t size) {
  bool has_pixels = false;
  auto ff = read_header(data, size, has_pixels);
  DcmDataset* ds = ff->getDataset();
  DicomIdentity id;
  id.sop_class_uid = get(ds, DCM_SOPClassUID);
  id.sop_uid = get(ds, DCM_SOPInstanceUID);
  id.study_uid = get(ds, DCM_StudyInstanceUID);
  if (id.sop_class_uid.empty()) id.sop_class_uid = get(ff->getMetaInfo(), DCM_MediaStorageSOPClassUID);
  if (id.sop_uid.empty()) id.sop_uid = get(ff->getMetaInfo(), DCM_MediaStorageSOPInstanceUID);
  return id;
}

}  // namespace portal::detail
