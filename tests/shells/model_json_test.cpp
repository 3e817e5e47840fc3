// The JSON shapes shared by the CLI and portald (shells/common): the fast study writer gives
// exactly the text of the generic one.
#include <catch2/catch.hpp>

#include "shells/common/model_json.hpp"

using namespace portal;

TEST_CASE("the fast study writer matches the JSON tree byte for byte", "[shells][http]") {
  Study s;
  s.uid = "1.2.840.113619.2.55";
  s.patient = {"PID\"1\\", "Müller", "Zoé\tÉlise", "19720119", "F"};
  s.date = "20240131";
  s.time = "101500";
  s.description = "line\nbreak \x01 control \x1f / slash \x7f del 中文 😀";
  s.accession = "";
  s.referring_physician = "Martin Claire";
  s.modalities = {"CT", "SR"};
  s.num_series = 3;
  s.num_instances = 120;
  s.size_bytes = 5000000000;
  s.received_at = "2026-11-28T10:00:00.000Z";
  s.seen_by_referring = true;
  std::string fast;
  shell::append_json(fast, s);
  CHECK(fast == shell::dump(shell::to_json(s)));
  s.modalities.clear();
  fast.clear();
  shell::append_json(fast, s);
  CHECK(fast == shell::dump(shell::to_json(s)));
}

TEST_CASE("invalid UTF-8 is replaced, never passed through", "[shells][http]") {
  std::string out;
  shell::append_json_string(out, std::string("a\xff" "b\xc3" "\xe0\x80\x80" "c", 8));
  CHECK(out == "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "c\"");
  CHECK_NOTHROW(shell::Json::parse(out));
}
