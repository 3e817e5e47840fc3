// PLAT-3: the audit trail records sign-ins, lockouts, password and account changes and study
// views; administrators query it; no secret appears in it, in the database or in the logs.
#include <catch2/catch.hpp>

#include "libportal/auth/captcha.hpp"
#include "support/accounts_support.hpp"

using namespace portal;

namespace {
bool has(const std::vector<AuditEvent>& events, const std::string& action,
         const std::string& outcome) {
  for (const auto& e : events)
    if (e.action == action && e.outcome == outcome) return true;
  return false;
}
}  // namespace

TEST_CASE("sign-ins, lockouts, account changes and study views are audited", "[audit]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=P5", "PatientName=Gris^Ana",
                                   "PatientBirthDate=19700707", "AccessionNumber=AC-5"});
  auto admin = p.admin();
  p.add_user(admin, "rad", "radiologist");
  auto rad = p.portal->sign_in("rad", test::kUserPassword, "192.0.2.7");
  rad.study(uid);
  for (int i = 0; i < 5; ++i) {
    try {
      p.portal->sign_in("rad", "Wrong-password-000", "192.0.2.8");
    } catch (const Error&) {
    }
  }
  admin.set_user_profile("rad", "referring_physician");
  admin.grant_right("guest", "export");

  auto all = admin.audit();
  CHECK(has(all, "sign_in", "success"));
  CHECK(has(all, "sign_in", "failure"));
  CHECK(has(all, "sign_in", "locked"));
  CHECK(has(all, "user_add", "success"));
  CHECK(has(all, "user_set_profile", "success"));
  CHECK(has(all, "profile_grant", "success"));

  AuditQuery q;
  q.action = "study_view";
  q.study_uid = uid;
  auto views = admin.audit(q);
  REQUIRE_FALSE(views.empty());
  const auto& v = views.front();
  CHECK(v.login == "rad");
  CHECK(v.profile == "radiologist");
  CHECK(v.address == "192.0.2.7");
  CHECK(v.patient_id == "P5");
  CHECK(v.outcome == "success");
  CHECK_FALSE(v.user_id.empty());
  CHECK(v.at.size() == 24);

  q = {};
  q.login = "rad";
  q.outcome = "failure";
  auto failures = admin.audit(q);
  CHECK(failures.size() == 5);  // the fifth also starts the lockout
  for (const auto& e : failures) CHECK(e.address == "192.0.2.8");

  // Newest first, and paged.
  q = {};
  q.limit = 2;
  auto page = admin.audit(q);
  REQUIRE(page.size() == 2);
  CHECK(page[0].id > page[1].id);

  // By time: everything happened at the manual clock's instant.
  q = {};
  q.from = all.back().at;
  q.to = all.front().at;
  CHECK(admin.audit(q).size() == all.size());
  p.clock->advance(std::chrono::hours(48));
  admin = p.admin();
  q = {};
  q.from = all.front().at.substr(0, 10);
  q.to = q.from;
  CHECK(admin.audit(q).size() == all.size());
  q.to = "not a date";
  CHECK_THROWS_AS(admin.audit(q), Error);

  // Only administrators query it.
  CHECK_THROWS_AS(p.sign_in("rad").audit(), Error);
}

TEST_CASE("a study a principal may not see is audited as not found", "[audit]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=P5", "PatientName=Gris^Ana",
                                   "PatientBirthDate=19700707", "AccessionNumber=AC-5"});
  auto admin = p.admin();
  p.add_user(admin, "g", "guest");
  auto g = p.sign_in("g");
  CHECK_THROWS_AS(g.study(uid), Error);
  AuditQuery q;
  q.login = "g";
  q.action = "study_view";
  auto events = admin.audit(q);
  REQUIRE(events.size() == 1);
  CHECK(events[0].outcome == "not_found");
}

TEST_CASE("no password, token or captcha answer appears in the database, audit or logs",
          "[audit][secrets]") {
  test::AccountsPortal p([](Options& o) { o.captcha_enabled = true; });
  portal::detail::set_captcha_text_for_tests([](int) { return std::string("Zq7Wm3"); });
  std::vector<std::string> secrets = {test::kAdminPassword, test::kUserPassword, "Zq7Wm3",
                                      "Lavender-Otter-Frame-31"};
  auto admin = p.admin();
  secrets.push_back(admin.token());
  p.add_user(admin, "rad", "radiologist");
  auto rad = p.sign_in("rad");
  secrets.push_back(rad.token());
  // Registration with a captcha, confirmation link.
  auto captcha = p.portal->new_captcha();
  Registration r;
  r.login = "claire";
  r.email = "claire@example.org";
  r.first_name = "Claire";
  r.last_name = "Martin";
  r.password = r.password_confirmation = "Saffron kettle marching 19";
  secrets.push_back(r.password);
  r.captcha_id = captcha.id;
  r.captcha_answer = "Zq7Wm3";
  p.portal->register_user(r);
  // Lost password and invitation links, before and after delivery.
  p.portal->request_password_reset("rad");
  auto inv = admin.invite("friend@example.org");
  secrets.push_back(inv.token);
  std::string before = test::index_bytes(p.dir / "data");
  auto confirm = p.token_from_mail("claire@example.org", "/confirm");
  auto reset = p.token_from_mail("rad@example.org", "/reset-password");
  secrets.push_back(confirm);
  secrets.push_back(reset);
  p.portal->reset_password(reset, "Lavender-Otter-Frame-31");
  p.portal->confirm_registration(confirm);
  // A failed sign-in with a real password of another account.
  try {
    p.portal->sign_in("claire", test::kAdminPassword);
  } catch (const Error& e) {
    for (const auto& s : secrets) CHECK(std::string(e.what()).find(s) == std::string::npos);
  }
  std::string after = test::index_bytes(p.dir / "data");
  std::string audit;
  for (const auto& e : admin.audit({})) audit += e.login + e.detail + e.address + e.user_id;
  std::string mail_listing;
  for (const auto& m : admin.mail()) mail_listing += m.body + m.last_error;
  for (const auto& s : secrets) {
    INFO("secret of " << s.size() << " characters");
    CHECK(before.find(s) == std::string::npos);
    CHECK(after.find(s) == std::string::npos);
    CHECK(audit.find(s) == std::string::npos);
    CHECK(mail_listing.find(s) == std::string::npos);
  }
  portal::detail::set_captcha_text_for_tests(nullptr);
}

TEST_CASE("audit time bounds read fractions, minutes-only times and refuse junk", "[audit]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  AuditQuery q;
  for (const char* good : {"2026-03-02", "20260302", "2026-03-02T09:30Z", "2026-03-02T09:30:00Z",
                           "2026-03-02T09:30:00.6Z", "2026-03-02T09:30:00.123456Z"}) {
    q.from = good;
    INFO(good);
    CHECK_NOTHROW(admin.audit(q));
  }
  for (const char* bad : {"2026-03-02T09:30:00Zgarbage", "2026-03-02T99:00:00Z", "2026-3-2",
                          "yesterday", "2026-03-02T09:30:00.Z"}) {
    q.from = bad;
    INFO(bad);
    CHECK_THROWS_AS(admin.audit(q), Error);
  }
  // A one-digit fraction is tenths of a second: bounds just below and just above the newest
  // event's time (".dZ" around its milliseconds) keep it and drop it.
  q = {};
  auto newest = admin.audit(q).front();
  REQUIRE(newest.at.size() == 24);  // 2026-03-02T09:30:00.123Z
  int ms = std::stoi(newest.at.substr(20, 3));
  std::string second = newest.at.substr(0, 19);
  q.from = second + "." + std::to_string(ms / 100) + "Z";  // at or before the event
  CHECK(admin.audit(q).front().id == newest.id);
  if (ms < 900) {
    q.from = second + "." + std::to_string(ms / 100 + 1) + "Z";
    auto after = admin.audit(q);
    CHECK((after.empty() || after.front().id != newest.id));
  }
}
