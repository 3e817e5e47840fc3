// Audit trail (PLAT-3): append-only records of who did what, when, from where, with which outcome.
// Callers pass no secret: records hold logins, ids, actions and outcomes only.
#pragma once

#include <cstdint>
#include <string>

#include "libportal/access/access.hpp"
#include "libportal/store/accounts.hpp"

namespace portal::detail {

/// What happened, beyond the actor.
struct AuditEntry {
  AuditEntry(std::string action_, std::string outcome_ = "success", std::string study_uid_ = {},
             std::string patient_id_ = {}, std::string detail_ = {})
      : action(std::move(action_)),
        outcome(std::move(outcome_)),
        study_uid(std::move(study_uid_)),
        patient_id(std::move(patient_id_)),
        detail(std::move(detail_)) {}
  std::string action;
  std::string outcome = "success";
  std::string study_uid;
  std::string patient_id;
  std::string detail;
};

/// Appends one record for a known principal. Never throws: an audit failure is reported on
/// stderr and the operation goes on (the index being unwritable fails that operation anyway).
void audit_record(AccountStore& store, std::int64_t now_ms, const Principal& who,
                  const std::string& address, const AuditEntry& what);

/// Appends one record for an actor known only by what they typed (failed sign-ins).
void audit_anonymous(AccountStore& store, std::int64_t now_ms, const std::string& login,
                     const std::string& address, const AuditEntry& what);

}  // namespace portal::detail
