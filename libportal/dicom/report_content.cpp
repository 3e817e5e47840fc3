#include "libportal/dicom/report_content.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <memory>

#include "libportal/common/text.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

constexpr int kMaxDepth = 32;          // nesting deeper than this is not a report anyone wrote
constexpr std::size_t kMaxText = 4u << 20;  // characters of laid-out text

std::unique_ptr<DcmFileFormat> load(const std::string& bytes, DcmDataset*& ds) {
  dicom_init();
  auto ff = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  ff->transferInit();
  OFCondition cond = ff->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  ff->transferEnd();
  if (cond.bad())
    throw Error(ErrorCode::kCorrupt, std::string("not a readable DICOM file: ") + cond.text());
  ds = ff->getDataset();
  if (ds->tagExists(DCM_SpecificCharacterSet)) ds->convertToUTF8();
  return ff;
}

std::string str(DcmItem* item, const DcmTagKey& key) {
  OFString v;
  if (item->findAndGetOFStringArray(key, v).bad()) return {};
  std::string s = trim(std::string(v.c_str(), v.length()));
  return is_valid_utf8(s) ? s : latin1_to_utf8(s);
}

std::string meaning(DcmItem* item, const DcmTagKey& sequence) {
  DcmItem* code = nullptr;
  if (item->findAndGetSequenceItem(sequence, code).bad() || !code) return {};
  return str(code, DCM_CodeMeaning);
}

std::string person(const std::string& pn) {
  std::string out;
  for (char c : pn) out.push_back(c == '^' ? ' ' : c);
  return trim(out);
}

// The value of one content item, or "" when it has none worth showing.
std::string value_of(DcmItem* item, const std::string& type) {
  if (type == "TEXT") return str(item, DCM_TextValue);
  if (type == "CODE") return meaning(item, DCM_ConceptCodeSequence);
  if (type == "PNAME") return person(str(item, DCM_PersonName));
  if (type == "DATE") return str(item, DCM_Date);
  if (type == "TIME") return str(item, DCM_Time);
  if (type == "DATETIME") return str(item, DCM_DateTime);
  if (type == "UIDREF") return str(item, DCM_UID);
  if (type == "NUM") {
    DcmItem* mv = nullptr;
    if (item->findAndGetSequenceItem(DCM_MeasuredValueSequence, mv).bad() || !mv) return {};
    std::string v = str(mv, DCM_NumericValue);
    DcmItem* unit = nullptr;
    if (mv->findAndGetSequenceItem(DCM_MeasurementUnitsCodeSequence, unit).good() && unit) {
      std::string u = str(unit, DCM_CodeValue);
      if (!u.empty() && u != "1") v += " " + u;
    }
    return v;
  }
  return {};
}

void walk(DcmItem* parent, int depth, std::string& out) {
  if (depth > kMaxDepth) throw Error(ErrorCode::kCorrupt, "the report's content nests too deeply");
  DcmSequenceOfItems* seq = nullptr;
  if (parent->findAndGetSequence(DCM_ContentSequence, seq).bad() || !seq) return;
  for (unsigned long i = 0; i < seq->card(); ++i) {
    DcmItem* item = seq->getItem(i);
    std::string type = str(item, DCM_ValueType);
    std::string concept_name = meaning(item, DCM_ConceptNameCodeSequence);
    std::string value = value_of(item, type);
    std::string line;
    if (type == "CONTAINER") {
      line = concept_name;
    } else if (!value.empty()) {
      line = concept_name.empty() ? value : concept_name + ": " + value;
    }
    int child_depth = depth;
    if (!line.empty()) {
      // Multi-line text keeps its lines, each indented like the first.
      std::string indent(static_cast<std::size_t>(2 * depth), ' ');
      std::string normalised;
      for (std::size_t k = 0; k < line.size(); ++k) {
        char c = line[k];
        if (c == '\r') {
          if (k + 1 < line.size() && line[k + 1] == '\n') continue;
          c = '\n';
        }
        normalised.push_back(c);
        if (c == '\n') normalised += indent;
      }
      out += indent + normalised + "\n";
      child_depth = depth + 1;
    }
    if (out.size() > kMaxText) throw Error(ErrorCode::kTooLarge, "the report's text is too long");
    walk(item, child_depth, out);
  }
}

}  // namespace

std::string structured_report_text(const std::string& bytes) {
  DcmDataset* ds = nullptr;
  auto ff = load(bytes, ds);
  if (!is_structured_report_class(str(ds, DCM_SOPClassUID)))
    throw Error(ErrorCode::kUnsupported, "this instance is not a Structured Report");
  std::string out;
  std::string title = meaning(ds, DCM_ConceptNameCodeSequence);
  if (!title.empty()) out = title + "\n";
  walk(ds, title.empty() ? 0 : 1, out);
  return out;
}

std::string encapsulated_document(const std::string& bytes) {
  DcmDataset* ds = nullptr;
  auto ff = load(bytes, ds);
  DcmElement* doc = nullptr;
  if (ds->findAndGetElement(DCM_EncapsulatedDocument, doc).bad() || !doc)
    throw Error(ErrorCode::kUnsupported, "this instance holds no encapsulated document");
  Uint8* data = nullptr;
  if (doc->getUint8Array(data).bad() || (!data && doc->getLength() > 0))
    throw Error(ErrorCode::kCorrupt, "the encapsulated document cannot be read");
  std::size_t n = doc->getLength();
  // (0042,0012) length-less PDFs: DICOM pads odd lengths with one NUL after %%EOF.
  Uint32 declared = 0;
  if (ds->findAndGetUint32(DCM_EncapsulatedDocumentLength, declared).good() && declared > 0 &&
      declared <= n)
    n = declared;
  else if (n > 0 && data[n - 1] == 0)
    --n;
  return std::string(reinterpret_cast<const char*>(data), n);
}

}  // namespace portal::detail
