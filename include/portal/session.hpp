// portal/session.hpp — Session: every operation, on behalf of one principal.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portal/model.hpp"
#include "portal/query.hpp"

namespace portal {

namespace detail {
struct PortalState;
}

/// Who a session acts for.
enum class PrincipalKind { kSystem };

/// Every operation on studies goes through a Session, so access rules cannot be bypassed.
/// Cheap to copy; thread-safe (calls on one session may run concurrently).
class Session {
 public:
  PrincipalKind principal() const noexcept { return principal_; }

  /// Searches studies visible to this principal (LIST-3..5). Throws Error(kInvalidArgument) for
  /// malformed dates or an inverted range.
  StudyPage find_studies(const StudyQuery& query) const;

  /// One study. Throws Error(kNotFound) when absent or not visible.
  Study study(const std::string& study_uid) const;

  /// The series of a study, by series number. Throws Error(kNotFound) like study().
  std::vector<Series> series(const std::string& study_uid) const;

  /// The instances of a study (optionally of one series), by series then instance number.
  std::vector<Instance> instances(const std::string& study_uid,
                                  const std::string& series_uid = {}) const;

  /// The same patient's other studies visible to this principal, newest first (LIST-7).
  /// Throws Error(kNotFound) when the study is absent or not visible.
  std::vector<Study> history(const std::string& study_uid) const;

  /// Ingests files, folders (recursively) and zip archives (ING-1, ING-2, ING-6). Never throws
  /// for a bad file: each file's fate is in the report. Throws Error(kNotFound) when a path
  /// does not exist, before anything is ingested.
  IngestReport ingest(const std::vector<std::string>& paths, const IngestOptions& options = {});

  /// Ingests one file held in memory; `name` is only used in the result's `source`.
  IngestResult ingest_bytes(const std::string& name, const std::string& bytes,
                            const IngestOptions& options = {});

  /// The stored bytes of one instance. Throws Error(kNotFound) when absent or not visible.
  std::string instance_bytes(const std::string& sop_uid) const;

 private:
  friend class Portal;
  Session(std::shared_ptr<detail::PortalState> state, PrincipalKind principal)
      : state_(std::move(state)), principal_(principal) {}
  std::shared_ptr<detail::PortalState> state_;
  PrincipalKind principal_;
};

}  // namespace portal
