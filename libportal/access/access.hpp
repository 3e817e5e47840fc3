// Pure access decisions: who may see which studies and do what. No I/O (ARCHITECTURE rule 1).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "libportal/store/index.hpp"
#include "portal/model.hpp"
#include "portal/query.hpp"

namespace portal::detail {

/// The acting principal as the decisions need it.
struct Principal {
  enum class Kind { kSystem, kUser, kPatient };
  Kind kind = Kind::kSystem;
  std::int64_t user_ref = 0;
  std::string user_id;         ///< public id
  std::string login;           ///< users; the accession for patients; "system"
  std::string profile;         ///< "system", "patient" or a profile identifier
  std::string physician_id;    ///< referring physicians: linked identifier found in studies
  std::string referring_name;  ///< referring physicians: linked DICOM name
  std::int64_t patient_ref = 0;
  std::string patient_id;
  std::set<std::string> rights;
  /// Viewer sessions (LIST-7): only this study is visible, no right is held.
  std::string only_study;
};

/// Account profiles, in display order (the patient pseudo-profile excluded).
const std::vector<std::string>& account_profiles();
/// True for an account profile identifier.
bool is_account_profile(const std::string& profile);
/// The study-list columns and viewer tools that have per-column / per-tool rights.
const std::vector<std::string>& study_columns();
const std::vector<std::string>& viewer_tools();
/// True for a named right, "column:<known column>" or "tool:<known tool>".
bool is_known_right(const std::string& right);
/// Every known right, sorted.
std::vector<std::string> all_rights();
/// The rights each profile (and "patient") starts with.
std::map<std::string, std::vector<std::string>> default_profile_rights();

/// LIST-1, LIST-7: the studies `p` may see at `now_ms`.
StudyFilter study_filter(const Principal& p, std::int64_t now_ms);

/// LIST-6: blanks the fields of the study-list columns `p` has no "column:<name>" right for,
/// so a column a profile may not see is never sent to it.
void redact_study(const Principal& p, Study& study);

/// LIST-4: kPermissionDenied when `q` uses an advanced filter (accession, referring,
/// performing, site) and `p` lacks the advanced_filters right.
void check_query_rights(const Principal& p, const StudyQuery& q);

/// True when `p` holds `right` (the system holds every right).
bool has_right(const Principal& p, const std::string& right);
/// Administrators and the system: account administration, audit, outbox (ACC-7).
bool may_administer(const Principal& p);
/// Administrators, radiologists and the system: grants list, patient access codes.
bool is_privileged(const Principal& p);
/// DIF-1: the role whose seen flag the principal sets on opening a study: "radiologist",
/// "referring" (referring physicians), "patient" (patients), "" (anyone else: no flag).
std::string seen_role(const Principal& p);
/// LIST-4: the role whose flag the read-status filter uses: seen_role(), and the radiologists'
/// flag for administrators and the system; "" for guests (the filter is refused).
std::string seen_filter_role(const Principal& p);

}  // namespace portal::detail
