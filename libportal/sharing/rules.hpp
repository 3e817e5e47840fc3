// DIF-3: which automatic notification rules apply to a study (pure decisions, no I/O).
#pragma once

#include <string>
#include <vector>

#include "portal/model.hpp"
#include "portal/options.hpp"

namespace portal::detail {

/// The triggers a rule may name.
inline constexpr const char* kTriggerStudyArrived = "study_arrived";
inline constexpr const char* kTriggerReportAvailable = "report_available";

/// True when `rule` is for `trigger` and `study` passes its site and modality filters (site:
/// the institution, folded, equals one of `sites`; modality: one of the study's modalities is
/// in `modalities`, case-insensitive; an empty list passes everything).
bool rule_applies(const NotifyRule& rule, const std::string& trigger, const Study& study);

/// The rules of `rules` that apply.
std::vector<const NotifyRule*> applicable_rules(const std::vector<NotifyRule>& rules,
                                                const std::string& trigger, const Study& study);

}  // namespace portal::detail
