// The one place the rest of the portal learns that a study's report is available (LIST-8).
#pragma once

#include <string>

namespace portal::detail {

struct PortalState;

/// Called when a study's report becomes final: set_report() with status final on a report that
/// was not final, or a final DICOM SR / Encapsulated PDF recognised at ingest. Runs after the
/// report is committed, outside any transaction; never throws. Today it writes the audit
/// event "report_available"; the notification scheduler of [sharing] hooks in here.
void on_report_available(PortalState& state, const std::string& study_uid) noexcept;

}  // namespace portal::detail
