#include "libportal/audit/audit.hpp"

#include <cstdio>

#include "portal/error.hpp"

namespace portal::detail {
namespace {
void append(AccountStore& store, const AuditRow& row) {
  try {
    store.append_audit(row);
  } catch (const Error& e) {
    std::fprintf(stderr, "libportal: audit record %s lost: %s\n", row.action.c_str(), e.what());
  }
}
}  // namespace

void audit_record(AccountStore& store, std::int64_t now_ms, const Principal& who,
                  const std::string& address, const AuditEntry& what) {
  AuditRow r;
  r.at = now_ms;
  r.user_id = who.user_id;
  r.login = who.login;
  r.profile = who.profile;
  r.address = address;
  r.action = what.action;
  r.study_uid = what.study_uid;
  r.patient_id = what.patient_id.empty() && who.kind == Principal::Kind::kPatient ? who.patient_id
                                                                                  : what.patient_id;
  r.outcome = what.outcome;
  r.detail = what.detail;
  append(store, r);
}

void audit_anonymous(AccountStore& store, std::int64_t now_ms, const std::string& login,
                     const std::string& address, const AuditEntry& what) {
  AuditRow r;
  r.at = now_ms;
  r.login = login.substr(0, 200);
  r.address = address;
  r.action = what.action;
  r.study_uid = what.study_uid;
  r.patient_id = what.patient_id;
  r.outcome = what.outcome;
  r.detail = what.detail;
  append(store, r);
}

}  // namespace portal::detail
