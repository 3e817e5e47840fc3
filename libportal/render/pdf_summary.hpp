// A printable PDF summary of a study (cairo): header, key images, page numbers.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace portal::detail {

struct SummaryImage {
  std::string caption;  ///< e.g. "Series 2 — Axial 5mm (CT)"
  std::string png;      ///< a rendered PNG
};

struct SummaryContent {
  std::string title;                ///< "Study summary"
  std::vector<std::string> header;  ///< lines: patient, birth date, study, date, accession...
  std::string report;               ///< report text, may be empty
  std::vector<SummaryImage> images;
  std::string footer;               ///< e.g. "Not for diagnosis"
};

/// Writes an A4 PDF to `sink`: the header lines, the report text wrapped, then the images two
/// per row with their captions; "page N / M" on every page. Throws Error(kInternal) if cairo fails.
void write_pdf_summary(const SummaryContent& content,
                       const std::function<void(const char*, std::size_t)>& sink);

}  // namespace portal::detail
