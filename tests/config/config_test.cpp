// PLAT-4: portal.toml in the data directory, environment overrides, documented settings.
#include "libportal/config/config.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "portal/all.hpp"
#include "support/test_support.hpp"

using namespace portal;

TEST_CASE("portal.toml sets options and the environment overrides it", "[config]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "data");
  test::write_file(dir / "data/portal.toml",
                   "[accounts]\npublic_base_url = \"https://pacs.example.org\"\n"
                   "captcha_enabled = true\n[session]\nidle_minutes = 10\n"
                   "[smtp]\nhost = \"mail.example.org\"\nport = 587\ntls = \"starttls\"\n"
                   "[search]\nmax_limit = 50\n");
  ::setenv("PORTAL_SESSION_IDLE_MINUTES", "5", 1);
  auto p = Portal::open(dir / "data");
  ::unsetenv("PORTAL_SESSION_IDLE_MINUTES");
  const auto& o = p->options();
  CHECK(o.public_base_url == "https://pacs.example.org");
  CHECK(o.captcha_enabled);
  CHECK(o.session_idle_minutes == 5);
  CHECK(o.smtp_host == "mail.example.org");
  CHECK(o.smtp_port == 587);
  CHECK(o.smtp_tls == "starttls");
  CHECK(o.search_max_limit == 50);
  CHECK(o.password_min_length == 12);  // untouched default
}

TEST_CASE("a configuration with an unknown key or a wrong type is refused", "[config]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "data");
  test::write_file(dir / "data/portal.toml", "[session]\nidle_minuts = 10\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  test::write_file(dir / "data/portal.toml", "[session]\nidle_minutes = \"ten\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  test::write_file(dir / "data/portal.toml", "[session\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  test::write_file(dir / "data/portal.toml", "[smtp]\ntls = \"ssl\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  Options o;
  o.load_config = false;  // embedders may ignore the file
  CHECK(Portal::open(dir / "data", o)->options().session_idle_minutes == 30);
}

TEST_CASE("every setting is documented with its default in docs/configuration.md", "[config]") {
  std::string doc = test::read_file(std::string(PORTAL_SOURCE_DIR) + "/docs/configuration.md");
  for (const auto& s : portal::detail::known_settings()) {
    INFO(s.section << "." << s.key << " = " << s.default_value);
    CHECK(doc.find("`" + s.section + "." + s.key + "`") != std::string::npos);
    CHECK(doc.find("PORTAL_") != std::string::npos);
  }
}

TEST_CASE("the [http] section of portald, its environment overrides and --config", "[config]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "data");
  test::write_file(dir / "data/portal.toml",
                   "[http]\nlisten = \"127.0.0.1:9000\"\nmax_body_bytes = 1000\n"
                   "behind_tls_proxy = true\n");
  ::setenv("PORTAL_HTTP_MAX_CONCURRENT_UPLOADS", "2", 1);
  auto p = Portal::open(dir / "data");
  ::unsetenv("PORTAL_HTTP_MAX_CONCURRENT_UPLOADS");
  CHECK(p->options().http_listen == "127.0.0.1:9000");
  CHECK(p->options().http_max_body_bytes == 1000);
  CHECK(p->options().http_behind_tls_proxy);
  CHECK(p->options().http_max_concurrent_uploads == 2);
  CHECK(p->options().http_max_json_bytes == 1u << 20);  // default

  test::write_file(dir / "other.toml", "[http]\nlisten = \"127.0.0.1:9100\"\n");
  Options o;
  o.config_file = dir / "other.toml";
  CHECK(Portal::open(dir / "data", o)->options().http_listen == "127.0.0.1:9100");
  o.config_file = dir / "missing.toml";
  CHECK_THROWS_AS(Portal::open(dir / "data", o), Error);

  test::write_file(dir / "data/portal.toml", "[http]\ntls_cert = \"/etc/cert.pem\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);  // tls_key missing
  test::write_file(dir / "data/portal.toml", "[http]\nmax_concurrent_uploads = 0\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
}

TEST_CASE("the [dicom] section sets the receiver, allowed AEs and nodes (PLAT-2)", "[config][net]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "data");
  test::write_file(dir / "data/portal.toml",
                   "[dicom]\naet = \"MYPORTAL\"\nport = 11112\nallowed_aets = [\"CT1\", \"MR2\"]\n"
                   "max_associations = 3\n\n[[dicom.nodes]]\nname = \"pacs\"\naet = \"PACS\"\n"
                   "host = \"127.0.0.1\"\nport = 104\n\n[dicomweb]\nviewer_token_minutes = 5\n");
  auto p = Portal::open(dir / "data");
  const auto& o = p->options();
  CHECK(o.dicom_aet == "MYPORTAL");
  CHECK(o.dicom_port == 11112);
  CHECK(o.dicom_allowed_aets == std::vector<std::string>{"CT1", "MR2"});
  CHECK(o.dicom_max_associations == 3);
  REQUIRE(o.dicom_nodes.size() == 1);
  CHECK(o.dicom_nodes[0].name == "pacs");
  CHECK(o.dicom_nodes[0].aet == "PACS");
  CHECK(o.dicom_nodes[0].port == 104);
  CHECK(o.viewer_token_minutes == 5);

  test::write_file(dir / "data/portal.toml", "[[dicom.nodes]]\nname = \"x\"\nhost = \"h\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);  // no aet
  test::write_file(dir / "data/portal.toml", "[dicom]\nallowed_aets = \"CT1\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  test::write_file(dir / "data/portal.toml", "[dicom]\naet = \"WAY-TOO-LONG-AE-TITLE\"\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
  test::write_file(dir / "data/portal.toml", "[dicom]\nport = 70000\n");
  CHECK_THROWS_AS(Portal::open(dir / "data"), Error);
}
