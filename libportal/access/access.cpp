#include "libportal/access/access.hpp"

#include <algorithm>

#include "libportal/common/text.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"

namespace portal::detail {

const std::vector<std::string>& account_profiles() {
  static const std::vector<std::string> v = {std::string(kAdministrator), std::string(kRadiologist),
                                             std::string(kReferringPhysician), std::string(kGuest)};
  return v;
}

bool is_account_profile(const std::string& profile) {
  const auto& v = account_profiles();
  return std::find(v.begin(), v.end(), profile) != v.end();
}

const std::vector<std::string>& study_columns() {
  // LIST-2.
  static const std::vector<std::string> v = {
      "actions",    "patient_name", "birth_date", "patient_id", "description",
      "performing", "referring",    "date",       "site",       "repository",
      "accession",  "modalities",   "report",     "status"};
  return v;
}

const std::vector<std::string>& viewer_tools() {
  // VIEW-4..6.
  static const std::vector<std::string> v = {"zoom",  "pan",    "magnifier", "length",
                                             "angle", "window", "scroll",    "cine"};
  return v;
}

namespace {
const std::vector<std::string>& named_rights() {
  static const std::vector<std::string> v = {
      std::string(kRightUpload),       std::string(kRightShare),
      std::string(kRightNotify),       std::string(kRightAdvancedFilters),
      std::string(kRightDisableStudy), std::string(kRightDownload),
      std::string(kRightExport),       std::string(kRightManageReports),
      std::string(kRightRecordAudio),  std::string(kRightDeleteDocuments)};
  return v;
}

std::vector<std::string> with_prefix(const char* prefix, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(prefix + n);
  return out;
}
}  // namespace

bool is_known_right(const std::string& right) {
  auto in = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (in(named_rights(), right)) return true;
  if (right.rfind("column:", 0) == 0) return in(study_columns(), right.substr(7));
  if (right.rfind("tool:", 0) == 0) return in(viewer_tools(), right.substr(5));
  return false;
}

std::vector<std::string> all_rights() {
  std::vector<std::string> out = named_rights();
  for (auto& r : with_prefix("column:", study_columns())) out.push_back(r);
  for (auto& r : with_prefix("tool:", viewer_tools())) out.push_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, std::vector<std::string>> default_profile_rights() {
  auto columns = with_prefix("column:", study_columns());
  auto tools = with_prefix("tool:", viewer_tools());
  auto plus = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<std::string> patient_columns = {
      "column:actions", "column:patient_name", "column:birth_date", "column:description",
      "column:date",    "column:site",         "column:modalities", "column:report"};
  std::vector<std::string> basic_tools = {"tool:zoom", "tool:pan", "tool:window", "tool:scroll"};
  std::map<std::string, std::vector<std::string>> out;
  out[std::string(kAdministrator)] = all_rights();
  out[std::string(kRadiologist)] =
      plus(plus({"upload", "share", "notify", "advanced_filters", "disable_study", "download",
                 "export", "manage_reports", "record_audio", "delete_documents"},
                columns),
           tools);
  out[std::string(kReferringPhysician)] =
      plus(plus({"share", "advanced_filters", "download", "export"}, columns), tools);
  out[std::string(kGuest)] = plus(plus({"download"}, patient_columns), basic_tools);
  out[std::string(kPatientProfile)] = plus(plus({"download"}, patient_columns), basic_tools);
  for (auto& [p, v] : out) std::sort(v.begin(), v.end());
  return out;
}

namespace {
StudyFilter principal_filter(const Principal& p, std::int64_t now_ms);
}  // namespace

StudyFilter study_filter(const Principal& p, std::int64_t now_ms) {
  StudyFilter f = principal_filter(p, now_ms);
  f.study_uid = p.only_study;  // viewer sessions: the issuer's visibility and this one study
  return f;
}

namespace {
StudyFilter principal_filter(const Principal& p, std::int64_t now_ms) {
  StudyFilter f;
  f.now_ms = now_ms;
  if (p.kind == Principal::Kind::kSystem) return f;  // everything, disabled included
  if (p.kind == Principal::Kind::kUser && p.profile == kAdministrator) return f;
  f.include_disabled = false;
  if (p.kind == Principal::Kind::kUser && p.profile == kRadiologist) return f;
  f.all = false;
  if (p.kind == Principal::Kind::kPatient) {
    f.patient_ref = p.patient_ref;
    return f;
  }
  f.grant_user = p.user_ref;
  if (p.profile == kReferringPhysician) {
    if (!p.referring_name.empty()) {
      // Family and given names only: "Martin^Claire" also matches "Martin^Claire^^Dr".
      auto pn = split_person_name(p.referring_name);
      f.referring_fold = fold(pn.family + " " + pn.given);
    }
    f.referring_id = p.physician_id;
  }
  return f;
}
}  // namespace

void redact_study(const Principal& p, Study& s) {
  if (p.kind == Principal::Kind::kSystem) return;
  auto hidden = [&](const char* column) {
    return p.rights.count(std::string("column:") + column) == 0;
  };
  if (hidden("patient_name")) s.patient.family_name.clear(), s.patient.given_name.clear();
  if (hidden("birth_date")) s.patient.birth_date.clear();
  if (hidden("patient_id")) s.patient.patient_id.clear();
  if (hidden("description")) s.description.clear();
  if (hidden("performing")) s.performing_physician.clear(), s.reading_physician.clear();
  if (hidden("referring")) s.referring_physician.clear();
  if (hidden("date")) s.date.clear(), s.time.clear();
  if (hidden("site")) s.institution.clear();
  if (hidden("repository")) s.repository.clear();
  if (hidden("accession")) s.accession.clear();
  if (hidden("modalities")) s.modalities.clear();
  // LIST-8: drafts are for the profiles that write reports.
  if (hidden("report") ||
      (s.report_status == "draft" && !has_right(p, std::string(kRightManageReports)))) {
    s.has_report = false;
    s.report_status.clear();
  }
}

void check_query_rights(const Principal& p, const StudyQuery& q) {
  if (has_right(p, std::string(kRightAdvancedFilters))) return;
  if (!q.accession.empty() || !q.referring.empty() || !q.performing.empty() || !q.site.empty())
    throw Error(ErrorCode::kPermissionDenied,
                "filters on accession, referring or performing physician and site need the "
                "advanced_filters right");
}

bool has_right(const Principal& p, const std::string& right) {
  if (!p.only_study.empty()) return false;
  return p.kind == Principal::Kind::kSystem || p.rights.count(right) > 0;
}

bool may_administer(const Principal& p) {
  if (!p.only_study.empty()) return false;
  return p.kind == Principal::Kind::kSystem ||
         (p.kind == Principal::Kind::kUser && p.profile == kAdministrator);
}

std::string seen_role(const Principal& p) {
  if (p.kind == Principal::Kind::kPatient) return "patient";
  if (p.kind != Principal::Kind::kUser) return {};
  if (p.profile == kRadiologist) return "radiologist";
  if (p.profile == kReferringPhysician) return "referring";
  return {};
}

std::string seen_filter_role(const Principal& p) {
  auto role = seen_role(p);
  return role.empty() && may_administer(p) ? std::string("radiologist") : role;
}

bool is_privileged(const Principal& p) {
  return may_administer(p) || (p.kind == Principal::Kind::kUser && p.profile == kRadiologist);
}

}  // namespace portal::detail
