// DIF-7: the physician directory — CSV import (documented columns, quoting, UTF-8, bad rows
// reported by line with nothing imported) and search by name, identifier, city, department.
#include <catch2/catch.hpp>

#include "support/accounts_support.hpp"

using namespace portal;

namespace {

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return e.what();
  }
  return {};
}

const std::string kCsv =
    "Last name,First name,Identifier,Specialty,City,Postcode,Department,Email\r\n"
    "Müller,Zoé,10001,Cardiologie,Saint-Étienne,42000,42,zoe.muller@example.org\r\n"
    "\"Martin, Jr\",Claire,10002,\"Médecine \"\"générale\"\"\",Lyon,69003,69,claire@example.org\r\n"
    "\r\n"
    "Dupont,Jean,,Radiologie,Lyon,69001,69,\r\n";

std::vector<std::string> last_names(const std::vector<Physician>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.last_name);
  return out;
}

}  // namespace

TEST_CASE("a directory CSV with a header, quotes and accents is imported", "[sharing][directory]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  auto r = admin.import_physicians(kCsv);
  CHECK(r.added == 3);
  CHECK(r.updated == 0);
  auto all = admin.find_physicians({});
  REQUIRE(all.size() == 3);
  CHECK(last_names(all) == std::vector<std::string>{"Dupont", "Martin, Jr", "Müller"});
  CHECK(all[1].specialty == "Médecine \"générale\"");
  CHECK(all[2].first_name == "Zoé");
  CHECK(all[2].city == "Saint-Étienne");
  CHECK(all[2].postcode == "42000");
  CHECK(all[2].email == "zoe.muller@example.org");
  CHECK(all[0].identifier.empty());

  // Importing again updates by identifier (and by name + email without one).
  r = admin.import_physicians(
      "last_name;first_name;identifier;email;city\nMüller;Zoé;10001;zoe@example.org;Roanne\n"
      "Dupont;Jean;;;Villeurbanne\n");
  CHECK(r.added == 0);
  CHECK(r.updated == 2);
  auto z = admin.find_physicians({.identifier = "10001"});
  REQUIRE(z.size() == 1);
  CHECK(z[0].email == "zoe@example.org");
  CHECK(z[0].city == "Roanne");
}

TEST_CASE("the directory is searched by name, identifier, city and department",
          "[sharing][directory]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  admin.import_physicians(kCsv);
  CHECK(last_names(admin.find_physicians({.name = "muller"})) ==
        std::vector<std::string>{"Müller"});
  CHECK(last_names(admin.find_physicians({.name = "ZO"})) == std::vector<std::string>{"Müller"});
  CHECK(last_names(admin.find_physicians({.name = "jr clai"})) ==
        std::vector<std::string>{"Martin, Jr"});
  CHECK(admin.find_physicians({.name = "claire zoe"}).empty());
  CHECK(last_names(admin.find_physicians({.identifier = "10002"})) ==
        std::vector<std::string>{"Martin, Jr"});
  CHECK(last_names(admin.find_physicians({.city = "saint etienne"})) ==
        std::vector<std::string>{"Müller"});
  CHECK(last_names(admin.find_physicians({.city = "lyon"})) ==
        std::vector<std::string>{"Dupont", "Martin, Jr"});
  CHECK(last_names(admin.find_physicians({.department = "69"})) ==
        std::vector<std::string>{"Dupont", "Martin, Jr"});
  CHECK(last_names(admin.find_physicians({.name = "dupont", .city = "lyon"})) ==
        std::vector<std::string>{"Dupont"});
  CHECK(admin.find_physicians({.limit = 1}).size() == 1);
  CHECK_THROWS_AS(admin.find_physicians({.limit = 0}), Error);

  // Anyone who may share may search; guests may not; only administrators import.
  p.add_user(admin, "claire", "referring_physician");
  p.add_user(admin, "gus", "guest");
  auto claire = p.sign_in("claire");
  CHECK(claire.find_physicians({.name = "dupont"}).size() == 1);
  try {
    p.sign_in("gus").find_physicians({});
    FAIL("a guest searched the directory");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kPermissionDenied);
  }
  try {
    claire.import_physicians(kCsv);
    FAIL("a referring physician imported the directory");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kPermissionDenied);
  }
}

TEST_CASE("bad directory rows are reported with their line numbers and nothing is imported",
          "[sharing][directory]") {
  test::AccountsPortal p;
  auto admin = p.admin();
  std::string csv =
      "Ok,One,1,,,,,\n"                       // line 1 (no header: documented order)
      "Short,Two,2\n"                         // line 2: 3 fields
      ",Three,3,,,,,\n"                       // line 3: no last name
      "Bad,Four,4,,,,,not-an-email\n"         // line 4
      "\"Multi\nLine\",Five,5,,,,,\n"         // lines 5-6: quoted, but no line breaks in fields
      "Ok,Six,6,,,,,\xff\xfe@example.org\n"   // line 7: not UTF-8
      "\"Open,Seven,7,,,,,\n";                // line 8: quote never closed
  auto msg = message_of([&] { admin.import_physicians(csv); });
  INFO(msg);
  CHECK(msg.find("line 2: expected 8 fields, found 3") != std::string::npos);
  CHECK(msg.find("line 3: the last name is empty") != std::string::npos);
  CHECK(msg.find("line 4: invalid email address") != std::string::npos);
  CHECK(msg.find("line 5: last_name holds a line break") != std::string::npos);
  CHECK(msg.find("line 7: email is not valid UTF-8") != std::string::npos);
  CHECK(msg.find("line 8: a quoted field is not closed") != std::string::npos);
  CHECK(msg.find("6 bad rows, nothing imported") != std::string::npos);
  CHECK(admin.find_physicians({}).empty());

  CHECK(message_of([&] { admin.import_physicians(""); }).find("empty") != std::string::npos);
  CHECK(message_of([&] { admin.import_physicians("last_name,email\n"); }).find("no rows") !=
        std::string::npos);
  CHECK(message_of([&] { admin.import_physicians("email,email\nx@y.org,x@y.org\n"); })
            .find("appears twice") != std::string::npos);
  CHECK(admin.find_physicians({}).empty());
}
