// DIF-5, DIF-6, ACC-3: sharing a study with guests (by email) and with users, invitations that
// turn into access, expiry and revocation.
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "support/accounts_support.hpp"

using namespace portal;

namespace {

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::set<std::string> uids(const StudyPage& page) {
  std::set<std::string> out;
  for (const auto& s : page.studies) out.insert(s.uid);
  return out;
}

// Mails delivered to `to`.
std::vector<std::string> mails_to(test::AccountsPortal& p, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& m : p.delivered_mails())
    if (m.find("To: " + to + "\r\n") != std::string::npos) out.push_back(m);
  return out;
}

Registration form(const std::string& login) {
  Registration r;
  r.login = login;
  r.first_name = "Eve";
  r.last_name = "Vert";
  r.password = r.password_confirmation = test::kUserPassword;
  return r;
}

struct World {
  test::AccountsPortal p;
  std::string a, b, c;
  Session admin;
  World() : admin((init(), p.admin())) { p.add_user(admin, "claire", "referring_physician"); }
  void init() {
    a = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann", "PatientBirthDate=19700101",
                              "AccessionNumber=ACC-A"});
    b = p.add_study("b.dcm", {"PatientID=P2", "PatientName=Petit^Bob", "PatientBirthDate=19800202",
                              "AccessionNumber=ACC-B"});
    c = p.add_study("c.dcm", {"PatientID=P3", "PatientName=Roux^Cid", "PatientBirthDate=19900303",
                              "AccessionNumber=ACC-C"});
  }
};

}  // namespace

TEST_CASE("each recipient of a share gets exactly one email for the study", "[sharing]") {
  World w;
  auto shares = w.admin.share(w.a, " claire@example.org, friend@example.org,FRIEND@example.org ,",
                              "Please look at the second series.");
  REQUIRE(shares.size() == 2);
  CHECK(shares[0].recipient == "claire@example.org");
  CHECK(shares[0].recipient_login == "claire");
  CHECK_FALSE(shares[0].pending);
  CHECK(shares[1].recipient == "friend@example.org");
  CHECK(shares[1].pending);
  CHECK(shares[1].recipient_login.empty());
  CHECK(shares[0].active);
  CHECK_FALSE(shares[0].expires_at.empty());  // the configured default (30 days)

  auto to_claire = mails_to(w.p, "claire@example.org");
  REQUIRE(to_claire.size() == 1);
  CHECK(to_claire[0].find("Please look at the second series.") != std::string::npos);
  CHECK(to_claire[0].find("https://portal.example.org/studies/" + w.a) != std::string::npos);
  auto to_friend = mails_to(w.p, "friend@example.org");
  REQUIRE(to_friend.size() == 1);
  CHECK(to_friend[0].find("Please look at the second series.") != std::string::npos);
  CHECK(to_friend[0].find("https://portal.example.org/invitation?token=") != std::string::npos);
  // No patient data in the mails.
  CHECK(to_friend[0].find("Durand") == std::string::npos);
  CHECK(to_claire[0].find("Durand") == std::string::npos);

  // The known user sees the study at once.
  CHECK(uids(w.p.sign_in("claire").find_studies({})) == std::set<std::string>{w.a});
}

TEST_CASE("one invalid address refuses the whole share and sends nothing", "[sharing]") {
  World w;
  auto msg = message_of([&] { w.admin.share(w.a, "claire@example.org, not-an-address, x@y.org"); });
  CHECK(msg.find("not-an-address") != std::string::npos);
  CHECK(code_of([&] { w.admin.share(w.a, "claire@example.org, not-an-address"); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { w.admin.share(w.a, " , "); }) == ErrorCode::kInvalidArgument);
  CHECK(w.admin.shares(w.a).empty());
  CHECK(w.admin.study_grants(w.a).empty());
  CHECK(w.p.delivered_mails().empty());
  CHECK(w.p.sign_in("claire").find_studies({}).total == 0);
}

TEST_CASE("an invited recipient registers and then sees exactly the shared studies",
          "[sharing][invitation]") {
  World w;
  w.admin.share(w.a, "friend@example.org", "first");
  w.admin.share(w.b, "Friend@example.org", "second");
  CHECK(mails_to(w.p, "friend@example.org").size() == 1);  // the other is to "Friend@..."
  std::string token = w.p.token_from_mail("friend@example.org", "/invitation");
  auto guest = w.p.portal->accept_invitation(token, form("friend"));
  CHECK(guest.profile == "guest");
  auto s = w.p.sign_in("friend");
  CHECK(uids(s.find_studies({})) == std::set<std::string>{w.a, w.b});
  CHECK(code_of([&] { s.study(w.c); }) == ErrorCode::kNotFound);
  CHECK(s.study(w.a).uid == w.a);
  for (const auto& sh : w.admin.shares()) {
    CHECK_FALSE(sh.pending);
    CHECK(sh.recipient_login == "friend");
  }
  // A guest has no share right.
  CHECK(code_of([&] { s.share(w.a, "other@example.org"); }) == ErrorCode::kPermissionDenied);
}

TEST_CASE("a revoked share stops access at once, pending or not", "[sharing]") {
  World w;
  auto known = w.admin.share(w.a, "claire@example.org").front();
  auto pending = w.admin.share(w.b, "friend@example.org").front();
  auto claire = w.p.sign_in("claire");
  CHECK(claire.find_studies({}).total == 1);
  w.admin.revoke_share(known.id);
  CHECK(claire.find_studies({}).total == 0);
  CHECK(code_of([&] { claire.study(w.a); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { w.admin.revoke_share(known.id); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { w.admin.revoke_share(999999); }) == ErrorCode::kNotFound);

  w.admin.revoke_share(pending.id);
  std::string token = w.p.token_from_mail("friend@example.org", "/invitation");
  w.p.portal->accept_invitation(token, form("friend"));
  CHECK(w.p.sign_in("friend").find_studies({}).total == 0);

  auto listed = w.admin.shares(w.a);
  REQUIRE(listed.size() == 1);
  CHECK_FALSE(listed[0].active);
  CHECK_FALSE(listed[0].revoked_at.empty());
  CHECK(listed[0].shared_by == "admin");
}

TEST_CASE("an expired share stops access at once", "[sharing]") {
  World w;
  auto in_2h = w.p.clock->now() + std::chrono::hours(2);
  w.admin.share(w.a, "claire@example.org", "", in_2h);
  w.admin.share(w.b, "friend@example.org", "", in_2h);
  CHECK(w.p.sign_in("claire").find_studies({}).total == 1);
  w.p.clock->advance(std::chrono::hours(2));
  CHECK(w.p.sign_in("claire").find_studies({}).total == 0);
  // A pending share that expired gives nothing on registration.
  std::string token = w.p.token_from_mail("friend@example.org", "/invitation");
  w.p.portal->accept_invitation(token, form("friend"));
  CHECK(w.p.sign_in("friend").find_studies({}).total == 0);
  auto admin = w.p.admin();
  for (const auto& sh : admin.shares()) CHECK_FALSE(sh.active);
  CHECK(code_of([&] { admin.share(w.a, "claire@example.org", "", w.p.clock->now()); }) ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("the default share expiry comes from the options", "[sharing]") {
  test::AccountsPortal p([](Options& o) { o.share_expiry_days = 1; });
  auto uid = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann",
                                   "PatientBirthDate=19700101", "AccessionNumber=ACC-A"});
  auto admin = p.admin();
  p.add_user(admin, "claire", "referring_physician");
  admin.share(uid, "claire@example.org");
  CHECK(p.sign_in("claire").find_studies({}).total == 1);
  p.clock->advance(std::chrono::hours(24));
  CHECK(p.sign_in("claire").find_studies({}).total == 0);
}

TEST_CASE("sharing needs the share right and a visible study", "[sharing]") {
  World w;
  w.p.add_user(w.admin, "g", "guest");
  w.p.add_user(w.admin, "rad", "radiologist");
  auto claire = w.p.sign_in("claire");  // referring physician: share right, sees nothing yet
  CHECK(code_of([&] { claire.share(w.a, "x@example.org"); }) == ErrorCode::kNotFound);
  CHECK(code_of([&] { claire.share_with_user(w.a, "g"); }) == ErrorCode::kNotFound);
  w.admin.share_with_user(w.a, "g");
  auto guest = w.p.sign_in("g");
  CHECK(guest.find_studies({}).total == 1);
  CHECK(code_of([&] { guest.share(w.a, "x@example.org"); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { guest.share_with_user(w.a, "claire"); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { claire.shares(); }) == ErrorCode::kPermissionDenied);
  w.admin.share(w.a, "x@example.org");  // pending: listed too
  CHECK(code_of([&] { w.admin.share("1.2.3.404", "x@example.org"); }) == ErrorCode::kNotFound);
  CHECK(w.p.sign_in("rad").shares(w.a).size() == 2);
}

TEST_CASE("sharing with a user by login sends them one email with the message", "[sharing]") {
  World w;
  auto share = w.admin.share_with_user(w.b, "claire", "For your opinion");
  CHECK(share.recipient_login == "claire");
  CHECK(share.recipient == "claire@example.org");
  auto mails = mails_to(w.p, "claire@example.org");
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].find("For your opinion") != std::string::npos);
  CHECK(uids(w.p.sign_in("claire").find_studies({})) == std::set<std::string>{w.b});
  CHECK(code_of([&] { w.admin.share_with_user(w.b, "nobody"); }) == ErrorCode::kNotFound);
  // Sharing again replaces the earlier share; revoking the grant ends the share too.
  auto again = w.admin.share_with_user(w.b, "claire", "Again");
  auto listed = w.admin.shares(w.b);
  REQUIRE(listed.size() == 2);
  CHECK_FALSE(listed[0].active);
  CHECK(listed[1].active);
  CHECK(listed[1].id == again.id);
  w.admin.revoke_study_grant(w.b, "claire");
  CHECK_FALSE(w.admin.shares(w.b)[1].active);
  CHECK(w.p.sign_in("claire").find_studies({}).total == 0);
  AuditQuery q;
  q.action = "study_share";
  CHECK(w.admin.audit(q).size() == 2);
}
