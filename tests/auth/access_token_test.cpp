// Issue [http]: personal access tokens (bearer credentials of API clients) and the CSRF token
// bound to a session. Every clock is manual.
#include <catch2/catch.hpp>
#include <chrono>

#include "support/accounts_support.hpp"

using namespace portal;
using test::kUserPassword;

namespace {

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error thrown");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("a personal access token acts as its user until revoked", "[auth][http]") {
  test::AccountsPortal p;
  Session admin = p.admin();
  p.add_user(admin, "doc", std::string(kRadiologist));
  Session doc = p.sign_in("doc");
  AccessToken t = doc.create_access_token("backup script");
  CHECK(t.token.rfind("pat_", 0) == 0);
  CHECK(t.token.size() == 68);
  CHECK(t.user_login == "doc");
  CHECK(t.active);
  CHECK(t.expires_at.empty());

  Session api = p.portal->resume(t.token);
  CHECK(api.is_access_token());
  REQUIRE(api.user());
  CHECK(api.user()->login == "doc");
  CHECK(api.profile() == kRadiologist);
  CHECK(api.find_studies({}).total == 0);
  // A token does not sign out: it is revoked.
  CHECK(code_of([&] { api.sign_out(); }) == ErrorCode::kInvalidArgument);

  auto listed = doc.access_tokens();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].token.empty());  // never shown again
  CHECK(listed[0].name == "backup script");
  // Only its hash is stored.
  CHECK(test::index_bytes(p.dir / "data").find(t.token) == std::string::npos);

  // Another user can neither see nor revoke it.
  p.add_user(admin, "other", std::string(kRadiologist));
  Session other = p.sign_in("other");
  CHECK(other.access_tokens().empty());
  CHECK(code_of([&] { other.revoke_access_token(t.id); }) == ErrorCode::kNotFound);
  CHECK(p.portal->system_session().access_tokens().size() == 1);

  doc.revoke_access_token(t.id);
  CHECK(code_of([&] { api.find_studies({}); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { p.portal->resume(t.token); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { doc.revoke_access_token(t.id); }) == ErrorCode::kNotFound);
  CHECK_FALSE(doc.access_tokens()[0].active);
  CHECK_FALSE(doc.access_tokens()[0].revoked_at.empty());

  auto events = p.portal->system_session().audit({.action = "access_token_create"});
  REQUIRE(events.size() == 1);
  CHECK(events[0].login == "doc");
  CHECK(events[0].detail == "backup script");
}

TEST_CASE("access tokens expire, and stop with their account", "[auth][http]") {
  test::AccountsPortal p;
  Session admin = p.admin();
  p.add_user(admin, "doc", std::string(kReferringPhysician));
  Session doc = p.sign_in("doc");
  AccessToken t = doc.create_access_token("one day", p.clock->now() + std::chrono::hours(24));
  CHECK_FALSE(t.expires_at.empty());
  Session api = p.portal->resume(t.token);
  p.clock->advance(std::chrono::hours(23));
  CHECK_NOTHROW(api.find_studies({}));  // not bound to the session idle timeout
  p.clock->advance(std::chrono::hours(2));
  CHECK(code_of([&] { api.find_studies({}); }) == ErrorCode::kUnauthenticated);

  AccessToken forever = p.sign_in("doc").create_access_token("forever");
  Session api2 = p.portal->resume(forever.token);
  CHECK_NOTHROW(api2.user());
  admin = p.sign_in("admin", test::kAdminPassword);
  admin.disable_user("doc");
  CHECK(code_of([&] { api2.find_studies({}); }) == ErrorCode::kUnauthenticated);
}

TEST_CASE("access tokens need a name, a future expiry and a user account", "[auth][http]") {
  test::AccountsPortal p;
  Session admin = p.admin();
  CHECK(code_of([&] { admin.create_access_token(""); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.create_access_token(std::string(101, 'x')); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.create_access_token("a\nb"); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { admin.create_access_token("old", p.clock->now()); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { p.portal->system_session().create_access_token("sys"); }) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { p.portal->resume("pat_" + std::string(64, '0')); }) ==
        ErrorCode::kUnauthenticated);
}

TEST_CASE("the CSRF token is bound to its session and reveals nothing of it", "[auth][http]") {
  test::AccountsPortal p;
  Session admin = p.admin();
  Session again = p.sign_in("admin", test::kAdminPassword);
  std::string csrf = admin.csrf_token();
  CHECK(csrf.size() == 64);
  CHECK(csrf != admin.token());
  CHECK(csrf.find(admin.token()) == std::string::npos);
  CHECK(csrf == p.portal->resume(admin.token()).csrf_token());  // stable for the session
  CHECK(csrf != again.csrf_token());
  CHECK(p.portal->system_session().csrf_token().empty());
  CHECK_FALSE(admin.is_access_token());
  auto rights = admin.rights();
  CHECK(std::is_sorted(rights.begin(), rights.end()));
  CHECK(std::find(rights.begin(), rights.end(), "upload") != rights.end());
}
