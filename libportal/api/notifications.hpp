// Referring-physician notifications (DIF-2..4): the hooks other modules call.
#pragma once

#include <string>

namespace portal::detail {

struct PortalState;

/// Schedules the automatic notifications (Options::notify_rules) that `trigger` ("study_arrived"
/// or "report_available") gives for a study: each applicable rule (site and modality filters
/// checked against the study as it is now) adds one notification due after the rule's delay,
/// once per study, trigger and rule (later calls for the same ones do nothing). Ingest calls it
/// with "study_arrived" for every study it stored instances in; the reports module calls it
/// with "report_available". Unknown study: nothing. Throws Error(kInvalidArgument) for another
/// trigger. Thread-safe.
void schedule_notifications(PortalState& state, const std::string& study_uid,
                            const std::string& trigger);

}  // namespace portal::detail
