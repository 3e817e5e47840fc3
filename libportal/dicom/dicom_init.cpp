#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {

void dicom_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs warnings for every odd file to stderr; our callers get errors as values.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    if (!dcmDataDict.isDictionaryLoaded())
      throw Error(ErrorCode::kInternal, "the DCMTK data dictionary is not available");
  });
}

}  // namespace portal::detail
