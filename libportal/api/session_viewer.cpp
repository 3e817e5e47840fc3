// Desktop-viewer tokens (LIST-7): a short-lived bearer token that opens one study, read-only,
// for an external viewer fed by DICOMweb (e.g. Weasis). Stored as a one-time-token row
// (purpose "viewer"), hashed; checked again at every call of the session it opens.
#include "libportal/api/state.hpp"
#include "libportal/auth/tokens.hpp"
#include "libportal/common/text.hpp"
#include "portal/error.hpp"
#include "portal/portal.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {
constexpr const char* kViewerPurpose = "viewer";
}  // namespace

std::string Session::viewer_token(const std::string& study_uid) {
  auto p = require_study(study_uid);
  std::string token = detail::new_token();
  detail::TokenRow row;
  row.hash = detail::token_hash(token);
  row.purpose = kViewerPurpose;
  row.user_ref = p.user_ref;
  // kind, study, patient ref and accession (patients), one per line.
  const char* kind = p.kind == detail::Principal::Kind::kSystem    ? "system"
                     : p.kind == detail::Principal::Kind::kPatient ? "patient"
                                                                   : "user";
  row.data = std::string(kind) + "\n" + study_uid + "\n" + std::to_string(p.patient_ref) + "\n" +
             (p.kind == detail::Principal::Kind::kPatient ? p.login : "");
  std::int64_t now = state_->now_ms();
  row.expires_at = now + std::int64_t(state_->options.viewer_token_minutes) * 60000;
  state_->accounts->insert_token(row);
  state_->audit(p, address(), {"viewer_token", "success", study_uid});
  return token;
}

Session Portal::viewer_session(const std::string& token, const std::string& client_address) {
  auto auth = std::make_shared<detail::SessionAuth>();
  auth->token_hash = detail::token_hash(token);
  auth->address = client_address;
  auto row = state_->accounts->peek_token(auth->token_hash, kViewerPurpose, state_->now_ms());
  if (!row) throw Error(ErrorCode::kUnauthenticated, "the viewer link is unknown or has expired");
  auto lines = detail::split(row->data, '\n');
  if (lines.size() < 2 || lines[1].empty())
    throw Error(ErrorCode::kUnauthenticated, "the viewer link is unknown or has expired");
  auth->viewer_study = lines[1];
  auto p = state_->resolve(*auth);  // the issuer must still be allowed
  return Session(state_,
                 p.kind == detail::Principal::Kind::kPatient ? PrincipalKind::kPatient
                                                             : PrincipalKind::kUser,
                 std::move(auth));
}

namespace detail {

Principal PortalState::resolve_viewer(const SessionAuth& auth) {
  auto ended = [] {
    return Error(ErrorCode::kUnauthenticated, "the viewer link is unknown or has expired");
  };
  auto row = accounts->peek_token(auth.token_hash, kViewerPurpose, now_ms());
  if (!row) throw ended();
  auto lines = split(row->data, '\n');
  if (lines.size() < 4 || lines[1] != auth.viewer_study) throw ended();
  Principal p;
  if (lines[0] == "system") {
    p = system_principal();
  } else if (lines[0] == "patient") {
    p.kind = Principal::Kind::kPatient;
    p.profile = std::string(kPatientProfile);
    p.patient_ref = std::stoll(lines[2]);
    p.login = lines[3];
    for (auto& r : accounts->rights_of(p.profile)) p.rights.insert(r);
  } else {
    auto user = accounts->user_by_ref(row->user_ref);
    if (!user || user->state != "active") throw ended();
    p = user_principal(*user);
  }
  p.only_study = auth.viewer_study;
  return p;
}

}  // namespace detail
}  // namespace portal
