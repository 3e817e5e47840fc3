// The content of report instances (LIST-8): the text of a DICOM Structured Report and the
// document inside an Encapsulated PDF.
#pragma once

#include <string>

namespace portal::detail {

/// The content tree of a Structured Report as readable text: the document title, then one
/// line per content item ("Concept: value"), indented two spaces per level; containers become
/// headings. Values: TEXT, CODE (meaning), NUM (value and unit), PNAME, DATE, TIME, DATETIME,
/// UIDREF; references to images and other objects are left out. Thread-safe. Throws
/// Error(kCorrupt) for damaged data, Error(kUnsupported) when the instance is not an SR.
std::string structured_report_text(const std::string& dicom_bytes);

/// The Encapsulated Document (0042,0011) of an Encapsulated PDF instance, without the pad byte
/// DICOM adds to odd lengths. Throws Error(kUnsupported) when there is none, kCorrupt for
/// damaged data.
std::string encapsulated_document(const std::string& dicom_bytes);

}  // namespace portal::detail
