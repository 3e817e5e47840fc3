#include <catch2/catch.hpp>

#include "libportal/common/text.hpp"

using namespace portal::detail;

TEST_CASE("folding removes accents and case so muller finds Müller", "[common]") {
  CHECK(fold("Müller^Zoé") == "muller zoe");
  CHECK(fold("LEFÈVRE") == "lefevre");
  CHECK(fold("O'Brien") == "o brien");
  CHECK(fold("Nguyễn^Văn An") == "nguyen van an");
  CHECK(fold("Straße") == "strasse");
  CHECK(fold("Łódź Øre Æsir") == "lodz ore aesir");
  CHECK(fold("  ^^  ") == "");
  CHECK(fold("\xff\xfe" "abc") == "abc");  // invalid UTF-8 bytes are dropped
}

TEST_CASE("person names split into family and given names", "[common]") {
  auto n = split_person_name("Müller^Zoé^Anne^Dr^=ミュラー");
  CHECK(n.family == "Müller");
  CHECK(n.given == "Zoé Anne");
  CHECK(split_person_name("Single").given.empty());
  CHECK(display_person_name("Martin^Claire^^Dr") == "Martin Claire Dr");
  CHECK(display_person_name("A^B\\C^D") == "A B, C D");
  CHECK(display_person_name("") == "");
}

TEST_CASE("prefix upper bound orders after every continuation", "[common]") {
  std::string ub = prefix_upper_bound("mul");
  CHECK(std::string("muller") < ub);
  CHECK(std::string("mulz") < ub);
  CHECK(std::string("mum") > ub);
  CHECK(std::string("mul") < ub);
}

TEST_CASE("latin-1 text becomes UTF-8 and UTF-8 is recognised", "[common]") {
  CHECK(latin1_to_utf8("Bront\xeb") == "Brontë");
  CHECK(is_valid_utf8("Brontë"));
  CHECK_FALSE(is_valid_utf8("Bront\xeb"));
  CHECK(trim(std::string("  A B \0\0", 8)) == "A B");
}
