#include "libportal/dicom/dicomdir.hpp"

#include <dcmtk/dcmdata/dcddirif.h>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {

void write_dicomdir(const std::string& root, const std::vector<std::string>& files) {
  dicom_init();
  DicomDirInterface ddir;
  // Files are exported as received (any transfer syntax), so the General Purpose profile's
  // transfer syntax rule and its strict attribute checks cannot apply; missing type 1
  // attributes are invented rather than refused.
  ddir.disableTransferSyntaxCheck();
  ddir.disableConsistencyCheck();
  ddir.enableInventMode();
  ddir.disableBackupMode();
  std::string path = root + "/DICOMDIR";
  OFCondition c = ddir.createNewDicomDir(DicomDirInterface::AP_GeneralPurpose, path.c_str(),
                                         "PORTAL_EXPORT");
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("DICOMDIR: ") + c.text());
  for (const auto& f : files) {
    c = ddir.addDicomFile(f.c_str(), root.c_str());
    if (c.bad()) throw Error(ErrorCode::kInternal, "DICOMDIR: " + f + ": " + c.text());
  }
  c = ddir.writeDicomDir();
  if (c.bad()) throw Error(ErrorCode::kInternal, std::string("DICOMDIR: ") + c.text());
}

}  // namespace portal::detail
