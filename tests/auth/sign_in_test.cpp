// ACC-1..6, ACC-8: passwords, sign-in, throttling, sessions, tokens; every clock is manual.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>

#include "libportal/auth/captcha.hpp"
#include "support/accounts_support.hpp"

using namespace portal;
using test::kAdminPassword;
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

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

Registration form(const std::string& login, const std::string& email) {
  Registration r;
  r.login = login;
  r.email = email;
  r.first_name = "Claire";
  r.last_name = "Martin";
  r.physician_id = "10001234567";
  r.password = r.password_confirmation = kUserPassword;
  return r;
}

}  // namespace

TEST_CASE("stored password hashes are argon2id with at least 19 MiB and two passes", "[auth]") {
  test::AccountsPortal p;
  p.admin();
  std::string bytes = test::index_bytes(p.dir / "data");
  std::smatch m;
  std::regex re(R"(\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$)");
  REQUIRE(std::regex_search(bytes, m, re));
  CHECK(std::stoi(m[1]) >= 19 * 1024);  // KiB
  CHECK(std::stoi(m[2]) >= 2);
  CHECK(bytes.find(kAdminPassword) == std::string::npos);
}

TEST_CASE("short, common and dictionary passwords are refused, long passphrases accepted",
          "[auth]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  auto try_password = [&](const std::string& pw) {
    NewUser u;
    static int n = 0;
    u.login = "u" + std::to_string(++n);
    u.emails = {u.login + "@example.org"};
    u.password = pw;
    return code_of([&] { admin.add_user(u); });
  };
  CHECK(try_password("Sh0rt!pass") == ErrorCode::kInvalidArgument);     // 10 characters
  CHECK(try_password("password1234") == ErrorCode::kInvalidArgument);   // common
  CHECK(try_password("Sunshine2024!") == ErrorCode::kInvalidArgument);  // dictionary word + digits
  CHECK(try_password("aaaaaaaaaaaaaaaa") == ErrorCode::kInvalidArgument);
  CHECK(try_password("abcdefghijklmnop") == ErrorCode::kInvalidArgument);
  NewUser ok;
  ok.login = "long";
  ok.emails = {"long@example.org"};
  ok.password = "correct horse battery staple";
  CHECK(admin.add_user(ok).login == "long");
  ok.login = "random";
  ok.emails = {"random@example.org"};
  ok.password = "k9#Lm2!pQz7wX";
  CHECK(admin.add_user(ok).login == "random");
}

TEST_CASE("the minimum password length is configurable", "[auth]") {
  test::AccountsPortal p([](Options& o) { o.password_min_length = 20; });
  NewUser u;
  u.login = "admin";
  u.emails = {"a@example.org"};
  u.password = "k9#Lm2!pQz7wX";  // 13
  CHECK(code_of([&] { p.portal->create_first_administrator(u); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("the first administrator can be created only once", "[auth]") {
  test::AccountsPortal p;
  p.admin();
  NewUser u;
  u.login = "second";
  u.emails = {"second@example.org"};
  u.password = kUserPassword;
  CHECK(code_of([&] { p.portal->create_first_administrator(u); }) == ErrorCode::kConflict);
}

TEST_CASE("sign-in works with login or email and a wrong password or unknown account answer alike",
          "[auth]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  CHECK(p.portal->sign_in("claire", kUserPassword).user()->login == "claire");
  CHECK(p.portal->sign_in("claire@example.org", kUserPassword).user()->login == "claire");
  std::string wrong = message_of([&] { p.portal->sign_in("claire", "Not-the-password-99"); });
  std::string unknown = message_of([&] { p.portal->sign_in("nobody", "Not-the-password-99"); });
  CHECK_FALSE(wrong.empty());
  CHECK(wrong == unknown);
  CHECK(code_of([&] { p.portal->sign_in("nobody", "x"); }) == ErrorCode::kUnauthenticated);
}

TEST_CASE("five failures lock an account for fifteen minutes", "[auth][lockout]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  for (int i = 0; i < 4; ++i)
    CHECK(message_of([&] { p.sign_in("claire", "Wrong-password-000"); }) ==
          "wrong login or password");
  // The fifth failure locks; then even the right password is refused, with a clear message.
  CHECK(message_of([&] { p.sign_in("claire", "Wrong-password-000"); }).find("locked") !=
        std::string::npos);
  CHECK(message_of([&] { p.sign_in("claire", kUserPassword); }).find("locked") !=
        std::string::npos);
  p.clock->advance(std::chrono::minutes(14));
  CHECK(code_of([&] { p.sign_in("claire", kUserPassword); }) == ErrorCode::kUnauthenticated);
  p.clock->advance(std::chrono::minutes(1));
  CHECK(p.sign_in("claire").user()->login == "claire");
  // Unknown accounts lock the same way, so a lock reveals nothing.
  for (int i = 0; i < 4; ++i) message_of([&] { p.sign_in("ghost", "Wrong-password-000"); });
  CHECK(message_of([&] { p.sign_in("ghost", "Wrong-password-000"); }).find("locked") !=
        std::string::npos);
}

TEST_CASE("failures spread over more than the window do not lock", "[auth][lockout]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  for (int i = 0; i < 8; ++i) {
    CHECK(message_of([&] { p.sign_in("claire", "Wrong-password-000"); }) ==
          "wrong login or password");
    p.clock->advance(std::chrono::minutes(4));
  }
  CHECK(p.sign_in("claire").user()->login == "claire");
}

TEST_CASE("one client address guessing many accounts is locked", "[auth][lockout]") {
  test::AccountsPortal p([](Options& o) { o.lockout_address_failures = 6; });
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  for (int i = 0; i < 6; ++i)
    message_of([&] { p.sign_in("user" + std::to_string(i), "Wrong-password-000", "10.0.0.9"); });
  CHECK(message_of([&] { p.sign_in("claire", kUserPassword, "10.0.0.9"); }).find("locked") !=
        std::string::npos);
  CHECK(p.sign_in("claire", kUserPassword, "10.0.0.10").user()->login == "claire");
}

TEST_CASE("patients sign in with accession and birth date and are locked after five failures",
          "[auth][lockout]") {
  test::AccountsPortal p;
  auto uid = p.add_study("a.dcm", {"PatientID=P9", "PatientName=Noir^Zoe",
                                   "PatientBirthDate=19991231", "AccessionNumber=A-77"});
  auto patient = p.portal->patient_sign_in("A-77", "19991231");
  CHECK(patient.principal() == PrincipalKind::kPatient);
  CHECK(patient.profile() == "patient");
  CHECK(patient.study(uid).uid == uid);
  for (int i = 0; i < 4; ++i)
    CHECK(message_of([&] { p.portal->patient_sign_in("A-77", "19990101"); }) ==
          "wrong accession number or birth date");
  CHECK(message_of([&] { p.portal->patient_sign_in("A-77", "19990101"); }).find("locked") !=
        std::string::npos);
  CHECK(code_of([&] { p.portal->patient_sign_in("A-77", "19991231"); }) ==
        ErrorCode::kUnauthenticated);
  p.clock->advance(std::chrono::minutes(15));
  CHECK(p.portal->patient_sign_in("A-77", "19991231").study(uid).uid == uid);
}

TEST_CASE("a per-study patient access code can be required", "[auth]") {
  test::AccountsPortal p([](Options& o) { o.patient_access_code = true; });
  auto uid = p.add_study("a.dcm", {"PatientID=P9", "PatientName=Noir^Zoe",
                                   "PatientBirthDate=19991231", "AccessionNumber=A-77"});
  CHECK(code_of([&] { p.portal->patient_sign_in("A-77", "19991231"); }) ==
        ErrorCode::kUnauthenticated);
  auto admin = p.admin();
  std::string code = admin.new_patient_access_code(uid);
  CHECK(code.size() == 10);
  CHECK(code_of([&] { p.portal->patient_sign_in("A-77", "19991231", "", "WRONGCODE1"); }) ==
        ErrorCode::kUnauthenticated);
  CHECK(p.portal->patient_sign_in("A-77", "19991231", "", code).study(uid).uid == uid);
  CHECK(test::index_bytes(p.dir / "data").find(code) == std::string::npos);
}

TEST_CASE("sessions end after the idle and the absolute timeouts", "[auth][session]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto s = p.sign_in("claire");
  CHECK(s.token().size() == 64);  // 256 bits, hex
  p.clock->advance(std::chrono::minutes(29));
  CHECK(s.find_studies({}).total == 0);  // still alive, and the idle timer restarts
  p.clock->advance(std::chrono::minutes(29));
  CHECK(p.portal->resume(s.token()).user()->login == "claire");
  p.clock->advance(std::chrono::minutes(30));
  CHECK(code_of([&] { s.find_studies({}); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { p.portal->resume(s.token()); }) == ErrorCode::kUnauthenticated);

  // Absolute: used every 20 minutes, the session still ends after 12 hours.
  auto t = p.sign_in("claire");
  for (int i = 0; i < 35; ++i) {
    p.clock->advance(std::chrono::minutes(20));
    t.find_studies({});
  }
  p.clock->advance(std::chrono::minutes(20));  // 12 h
  CHECK(code_of([&] { t.find_studies({}); }) == ErrorCode::kUnauthenticated);
}

TEST_CASE("sign-out revokes the session and a password change revokes the others",
          "[auth][session]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto a = p.sign_in("claire");
  auto b = p.sign_in("claire");
  auto c = p.sign_in("claire");
  a.sign_out();
  CHECK(code_of([&] { a.find_studies({}); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { p.portal->resume(a.token()); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { b.change_password("wrong current pw", "Lavender-Otter-Frame-31"); }) ==
        ErrorCode::kUnauthenticated);
  b.change_password(kUserPassword, "Lavender-Otter-Frame-31");
  CHECK(b.user()->login == "claire");                                // this one stays
  CHECK(code_of([&] { c.user(); }) == ErrorCode::kUnauthenticated);  // the others end
  CHECK(code_of([&] { p.sign_in("claire"); }) == ErrorCode::kUnauthenticated);
  CHECK(p.sign_in("claire", "Lavender-Otter-Frame-31").user()->login == "claire");
}

TEST_CASE("a disabled account cannot sign in and its sessions end", "[auth]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto s = p.sign_in("claire");
  admin.disable_user("claire");
  CHECK(code_of([&] { s.find_studies({}); }) == ErrorCode::kUnauthenticated);
  CHECK(message_of([&] { p.sign_in("claire"); }) == "this account is disabled");
}

TEST_CASE("registration needs email confirmation then activation by an administrator",
          "[auth][registration]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  auto user = p.portal->register_user(form("claire", "claire@example.org"));
  CHECK(user.state == UserState::kAwaitingConfirmation);
  CHECK(user.profile == "referring_physician");
  CHECK(code_of([&] { p.sign_in("claire"); }) == ErrorCode::kUnauthenticated);
  CHECK(code_of([&] { p.portal->register_user(form("claire", "other@example.org")); }) ==
        ErrorCode::kAlreadyExists);
  std::string token = p.token_from_mail("claire@example.org", "/confirm");
  p.portal->confirm_registration(token);
  CHECK(code_of([&] { p.portal->confirm_registration(token); }) == ErrorCode::kNotFound);
  auto pending = admin.users(UserState::kAwaitingActivation);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].login == "claire");
  // The administrators were told.
  bool told = false;
  for (const auto& m : p.delivered_mails())
    told = told || (m.find("To: admin@example.org") != std::string::npos &&
                    m.find("claire") != std::string::npos);
  CHECK(told);
  CHECK(message_of([&] { p.sign_in("claire"); }) == "this account is not active yet");
  admin.activate_user("claire");
  CHECK(p.sign_in("claire").user()->state == UserState::kActive);
}

TEST_CASE("an expired confirmation link is refused", "[auth][registration]") {
  test::AccountsPortal p([](Options& o) { o.confirmation_expiry_minutes = 60; });
  p.portal->register_user(form("claire", "claire@example.org"));
  std::string token = p.token_from_mail("claire@example.org", "/confirm");
  p.clock->advance(std::chrono::minutes(61));
  CHECK(code_of([&] { p.portal->confirm_registration(token); }) == ErrorCode::kNotFound);
}

TEST_CASE("registration refuses mismatched confirmation and weak passwords",
          "[auth][registration]") {
  test::AccountsPortal p;
  auto f = form("claire", "claire@example.org");
  f.password_confirmation = "something else entirely";
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
  f = form("claire", "claire@example.org");
  f.password = f.password_confirmation = "password1234";
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
  f = form("claire", "not-an-email");
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("the captcha is a PNG, case-sensitive, single-use and expiring", "[auth][captcha]") {
  test::AccountsPortal p([](Options& o) { o.captcha_enabled = true; });
  portal::detail::set_captcha_text_for_tests([](int) { return std::string("aBcD7x"); });
  auto c = p.portal->new_captcha();
  CHECK(c.png.substr(1, 3) == "PNG");
  CHECK(c.png.size() > 500);
  auto f = form("claire", "claire@example.org");
  // Missing captcha.
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
  // Wrong case: refused, and the captcha is spent.
  f.captcha_id = c.id;
  f.captcha_answer = "abcd7x";
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
  f.captcha_answer = "aBcD7x";
  CHECK(code_of([&] { p.portal->register_user(f); }) == ErrorCode::kInvalidArgument);
  // A fresh one works once.
  c = p.portal->new_captcha();
  f.captcha_id = c.id;
  CHECK(p.portal->register_user(f).login == "claire");
  // Expired.
  c = p.portal->new_captcha();
  p.clock->advance(std::chrono::minutes(11));
  auto g = form("marc", "marc@example.org");
  g.captcha_id = c.id;
  g.captcha_answer = "aBcD7x";
  CHECK(code_of([&] { p.portal->register_user(g); }) == ErrorCode::kInvalidArgument);
  CHECK(test::index_bytes(p.dir / "data").find("aBcD7x") == std::string::npos);
  portal::detail::set_captcha_text_for_tests(nullptr);
}

TEST_CASE("lost password: same answer always, single-use link, fifteen-minute expiry",
          "[auth][reset]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto old_session = p.sign_in("claire");
  CHECK_NOTHROW(p.portal->request_password_reset("nobody@example.org"));
  CHECK_NOTHROW(p.portal->request_password_reset("claire"));
  std::string token = p.token_from_mail("claire@example.org", "/reset-password");
  bool link_from_config = false;
  for (const auto& m : p.delivered_mails())
    link_from_config =
        link_from_config ||
        m.find("https://portal.example.org/reset-password?token=" + token) != std::string::npos;
  CHECK(link_from_config);
  // A weak password does not spend the link.
  CHECK(code_of([&] { p.portal->reset_password(token, "password1234"); }) ==
        ErrorCode::kInvalidArgument);
  p.portal->reset_password(token, "Lavender-Otter-Frame-31");
  CHECK(code_of([&] { p.portal->reset_password(token, "Another-Fine-Phrase-8"); }) ==
        ErrorCode::kNotFound);
  CHECK(code_of([&] { old_session.find_studies({}); }) == ErrorCode::kUnauthenticated);
  CHECK(p.sign_in("claire", "Lavender-Otter-Frame-31").user()->login == "claire");

  p.portal->request_password_reset("claire@example.org");
  std::string late = p.token_from_mail("claire@example.org", "/reset-password");
  CHECK(late != token);
  p.clock->advance(std::chrono::minutes(15));
  CHECK(code_of([&] { p.portal->reset_password(late, "Another-Fine-Phrase-8"); }) ==
        ErrorCode::kNotFound);
}

TEST_CASE("an invitation registers a guest with the invited email, once", "[auth][invitation]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  auto uid = p.add_study("a.dcm", {"PatientID=Q1", "PatientName=Vert^Eve",
                                   "PatientBirthDate=19750505", "AccessionNumber=Q-1"});
  auto inv = admin.invite("friend@example.org");
  CHECK(inv.link.rfind("https://portal.example.org/invitation?token=", 0) == 0);
  std::string token = p.token_from_mail("friend@example.org", "/invitation");
  CHECK(token == inv.token);
  auto f = form("friend", "attacker@example.org");
  auto guest = p.portal->accept_invitation(token, f);
  CHECK(guest.profile == "guest");
  CHECK(guest.state == UserState::kActive);
  CHECK(guest.emails == std::vector<std::string>{"friend@example.org"});
  CHECK(code_of([&] { p.portal->accept_invitation(token, form("friend2", "x@example.org")); }) ==
        ErrorCode::kNotFound);
  auto s = p.sign_in("friend@example.org");
  CHECK(s.find_studies({}).total == 0);
  admin.grant_study(uid, "friend");
  CHECK(s.find_studies({}).total == 1);
  CHECK(code_of([&] { s.invite("other@example.org"); }) == ErrorCode::kPermissionDenied);
}

TEST_CASE("preferences and own fields are kept", "[auth][profile]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto s = p.sign_in("claire");
  Preferences prefs;
  prefs.language = "fr";
  prefs.first_tab = "shared";
  prefs.columns = {"patient_name", "date", "modalities"};
  prefs.default_period = "7d";
  s.set_preferences(prefs);
  UserUpdate u;
  u.phone = "+33 1 23 45 67 89";
  u.physician_id = "10009999999";  // declared, not linked: gives no visibility
  u.emails = std::vector<std::string>{"claire@example.org", "c.martin@example.org"};
  s.update_me(u);
  auto me = *s.user();
  CHECK(me.preferences.language == "fr");
  CHECK(me.preferences.columns == prefs.columns);
  CHECK(me.preferences.default_period == "7d");
  CHECK(me.phone == "+33 1 23 45 67 89");
  CHECK(me.physician_id == "10009999999");
  CHECK(me.linked_physician_id.empty());
  CHECK(p.sign_in("c.martin@example.org").user()->login == "claire");
  prefs.language = "de";
  CHECK(code_of([&] { s.set_preferences(prefs); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("administration: profiles and rights are editable by administrators only",
          "[auth][admin]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  p.add_user(admin, "claire", "referring_physician");
  auto s = p.sign_in("claire");
  CHECK_FALSE(s.has_right("upload"));
  CHECK(s.has_right("share"));
  CHECK(s.has_right("column:patient_name"));
  admin.grant_right("referring_physician", "upload");
  CHECK(s.has_right("upload"));
  admin.revoke_right("referring_physician", "column:patient_name");
  CHECK_FALSE(s.has_right("column:patient_name"));
  CHECK(code_of([&] { admin.grant_right("referring_physician", "fly"); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { s.users(); }) == ErrorCode::kPermissionDenied);
  CHECK(code_of([&] { s.grant_right("referring_physician", "export"); }) ==
        ErrorCode::kPermissionDenied);
  admin.set_user_profile("claire", "radiologist");
  CHECK(s.profile() == "radiologist");
  auto profiles = admin.profiles();
  CHECK(profiles.size() == 5);
  CHECK(admin.find_user("claire@example.org").login == "claire");
}

TEST_CASE("refusing an unknown account takes about as long as a wrong password", "[auth]") {
  test::AccountsPortal p([](Options& o) { o.lockout_failures = 1000; });
  auto admin = p.admin();
  p.add_user(admin, "claire", "radiologist");
  auto median_ms = [&](const std::string& login) {
    std::vector<double> t;
    for (int i = 0; i < 5; ++i) {
      auto start = std::chrono::steady_clock::now();
      message_of([&] { p.sign_in(login, "Wrong-password-000"); });
      t.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(t.begin(), t.end());
    return t[2];
  };
  median_ms("nobody");  // the dummy hash is made on first use
  double known = median_ms("claire"), unknown = median_ms("nobody");
  INFO("wrong password " << known << " ms, unknown account " << unknown << " ms");
  // Both run one argon2id verification; generous bounds keep a loaded machine from flaking.
  CHECK(unknown > known * 0.4);
  CHECK(unknown < known * 2.5);
}

TEST_CASE("a missing password dictionary is reported, not silently skipped", "[auth]") {
  test::AccountsPortal p([](Options& o) { o.password_dictionary = "/nonexistent/dict"; });
  NewUser u;
  u.login = "admin";
  u.emails = {"a@example.org"};
  u.password = kAdminPassword;
  CHECK(code_of([&] { p.portal->create_first_administrator(u); }) == ErrorCode::kInternal);
}

TEST_CASE("the last active administrator cannot be disabled or demoted", "[auth][admin]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  auto system = p.portal->system_session();
  CHECK(code_of([&] { system.disable_user("admin"); }) == ErrorCode::kConflict);
  CHECK(code_of([&] { system.set_user_profile("admin", "guest"); }) == ErrorCode::kConflict);
  p.add_user(admin, "second", "administrator");
  system.set_user_profile("admin", "radiologist");
  CHECK(code_of([&] { system.disable_user("second"); }) == ErrorCode::kConflict);
}
