// DIF-5, DIF-6, ACC-3 end to end with a real SMTP server on loopback: one email per recipient
// per study, the invitation link registers a guest who sees exactly the shared studies, revoke
// and expiry (injected clock) remove access at once.
#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "sharing/smtp_support.hpp"

using namespace portal;
using namespace std::chrono_literals;

namespace {

std::set<std::string> uids(const StudyPage& page) {
  std::set<std::string> out;
  for (const auto& s : page.studies) out.insert(s.uid);
  return out;
}

// The token of the link containing `path` in `mail`.
std::string token_in(const std::string& mail, const std::string& path) {
  auto at = mail.find(path + "?token=");
  REQUIRE(at != std::string::npos);
  at += path.size() + 7;
  auto end = mail.find_first_of("\r\n &", at);
  return mail.substr(at, end - at);
}

Registration form(const std::string& login) {
  Registration r;
  r.login = login;
  r.first_name = "Eve";
  r.last_name = "Vert";
  r.password = r.password_confirmation = test::kUserPassword;
  return r;
}

}  // namespace

TEST_CASE("over SMTP: one mail per recipient and study, and the invited guest sees exactly them",
          "[sharing][smtp]") {
  test::SmtpServer smtp;
  test::AccountsPortal p(smtp.tweak());
  auto admin = p.admin();
  p.add_user(admin, "claire", "referring_physician");
  auto a = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann"});
  auto b = p.add_study("b.dcm", {"PatientID=P2", "PatientName=Petit^Bob"});
  auto c = p.add_study("c.dcm", {"PatientID=P3", "PatientName=Roux^Cid"});

  admin.share(a, "claire@example.org, friend@example.org, FRIEND@example.org", "Series 2");
  admin.share(b, "friend@example.org", "Also this one");
  auto report = p.portal->deliver_mail();
  CHECK(report.sent == 3);
  CHECK(report.failed == 0);
  // Exactly one mail per recipient and study: claire 1 (a), friend 2 (a, b).
  CHECK(smtp.messages().size() == 3);
  auto to_claire = smtp.to("claire@example.org");
  REQUIRE(to_claire.size() == 1);
  CHECK(to_claire[0].find("/studies/" + a) != std::string::npos);
  CHECK(to_claire[0].find("Series 2") != std::string::npos);
  auto to_friend = smtp.to("friend@example.org");
  REQUIRE(to_friend.size() == 2);
  for (const auto& m : to_friend) CHECK(m.find("Durand") == std::string::npos);

  // The invitation link of either mail registers the guest, who sees a and b, nothing else.
  auto token = token_in(to_friend[1], "/invitation");
  auto user = p.portal->accept_invitation(token, form("friend"));
  CHECK(user.profile == "guest");
  auto guest = p.sign_in("friend");
  CHECK(uids(guest.find_studies({})) == std::set<std::string>{a, b});
  CHECK_THROWS_AS(guest.study(c), Error);
  try {
    guest.instances(c);
    FAIL("a guest read an unshared study");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  // The link is single-use.
  CHECK_THROWS_AS(p.portal->accept_invitation(token, form("friend2")), Error);
}

TEST_CASE("over SMTP: revoking or expiring a share removes access at once", "[sharing][smtp]") {
  test::SmtpServer smtp;
  test::AccountsPortal p(smtp.tweak());
  auto admin = p.admin();
  p.add_user(admin, "claire", "referring_physician");
  auto a = p.add_study("a.dcm", {"PatientID=P1", "PatientName=Durand^Ann"});
  auto b = p.add_study("b.dcm", {"PatientID=P2", "PatientName=Petit^Bob"});
  auto sa = admin.share(a, "claire@example.org").front();
  admin.share(b, "claire@example.org", "", p.clock->now() + 3h);
  CHECK(p.portal->deliver_mail().sent == 2);
  CHECK(smtp.to("claire@example.org").size() == 2);
  auto claire = p.sign_in("claire");
  CHECK(uids(claire.find_studies({})) == std::set<std::string>{a, b});

  admin.revoke_share(sa.id);
  CHECK(uids(claire.find_studies({})) == std::set<std::string>{b});
  try {
    claire.study(a);
    FAIL("a revoked share still gave access");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  p.clock->advance(2h + 59min);
  claire = p.sign_in("claire");
  CHECK(uids(claire.find_studies({})) == std::set<std::string>{b});
  p.clock->advance(1min);
  CHECK(claire.find_studies({}).studies.empty());
  CHECK_THROWS_AS(claire.study(b), Error);
}
