// DIF-3: rule filters (pure) and the [[notify.rules]] configuration.
#include <catch2/catch.hpp>
#include <fstream>

#include "libportal/config/config.hpp"
#include "libportal/sharing/rules.hpp"
#include "portal/error.hpp"
#include "support/test_support.hpp"

using namespace portal;

TEST_CASE("a rule applies to its trigger, its sites and its modalities only", "[sharing][notify]") {
  NotifyRule r;
  r.trigger = "report_available";
  r.sites = {"Clinique Saint-Éloi"};
  r.modalities = {"mr", "CT"};
  Study s;
  s.institution = "CLINIQUE SAINT ELOI";
  s.modalities = {"CT", "SR"};
  CHECK(detail::rule_applies(r, "report_available", s));
  CHECK_FALSE(detail::rule_applies(r, "study_arrived", s));
  s.modalities = {"US"};
  CHECK_FALSE(detail::rule_applies(r, "report_available", s));
  s.modalities = {"MR"};
  s.institution = "Other";
  CHECK_FALSE(detail::rule_applies(r, "report_available", s));
  r.sites.clear();
  CHECK(detail::rule_applies(r, "report_available", s));
  r.modalities.clear();
  s.modalities.clear();
  CHECK(detail::rule_applies(r, "report_available", s));
}

TEST_CASE("notification rules and the release delay are read from portal.toml",
          "[sharing][notify][config]") {
  test::TempDir dir;
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "portal.toml") << text;
  };
  write(R"(
[sharing]
patient_release_delay_minutes = 90
[notify]
interval_seconds = 15
[[notify.rules]]
name = "ct-mr"
trigger = "study_arrived"
delay = "2h"
sites = ["CHU Nord", "Clinique Sud"]
modalities = ["CT", "MR"]
[[notify.rules]]
trigger = "report_available"
delay = 0
modalities = "US"
)");
  Options o;
  detail::apply_config(dir.path(), o);
  detail::check_options(o);
  CHECK(o.patient_release_delay_minutes == 90);
  CHECK(o.notify_interval_seconds == 15);
  REQUIRE(o.notify_rules.size() == 2);
  CHECK(o.notify_rules[0].name == "ct-mr");
  CHECK(o.notify_rules[0].delay_minutes == 120);
  CHECK(o.notify_rules[0].sites == std::vector<std::string>{"CHU Nord", "Clinique Sud"});
  CHECK(o.notify_rules[1].name == "rule2");
  CHECK(o.notify_rules[1].trigger == "report_available");
  CHECK(o.notify_rules[1].modalities == std::vector<std::string>{"US"});

  auto refused = [&](const std::string& text, const std::string& what) {
    write(text);
    Options x;
    try {
      detail::apply_config(dir.path(), x);
      FAIL("accepted: " + text);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInvalidArgument);
      CHECK(std::string(e.what()).find(what) != std::string::npos);
    }
  };
  refused("[[notify.rules]]\ntrigger = \"study_deleted\"\n", "notify.rules[0].trigger");
  refused("[[notify.rules]]\ntrigger = \"study_arrived\"\ndelay = \"soon\"\n", "delay");
  refused("[[notify.rules]]\ntrigger = \"study_arrived\"\ncolour = 1\n", "unknown key");
  refused("[[notify.rules]]\ntrigger = \"study_arrived\"\nmodalities = [1]\n", "list of strings");
  refused("[notify]\nrules = 3\n", "array of tables");
}
