#include "support/accounts_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

namespace portal::test {

namespace fs = std::filesystem;

AccountsPortal::AccountsPortal(const std::function<void(Options&)>& tweak) {
  Options o = options();
  if (tweak) tweak(o);
  portal = Portal::open(dir / "data", o);
}

Options AccountsPortal::options() const {
  Options o;
  o.clock = clock;
  o.durable = false;
  o.load_config = false;
  o.public_base_url = "https://portal.example.org/";
  return o;
}

Session AccountsPortal::admin() {
  NewUser u;
  u.login = "admin";
  u.emails = {"admin@example.org"};
  u.first_name = "Ada";
  u.last_name = "Admin";
  u.password = kAdminPassword;
  try {
    portal->create_first_administrator(u);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
  }
  return portal->sign_in("admin", kAdminPassword);
}

User AccountsPortal::add_user(Session& admin, const std::string& login, const std::string& profile,
                              const std::string& physician_id, const std::string& referring_name) {
  NewUser u;
  u.login = login;
  u.emails = {login + "@example.org"};
  u.first_name = "First";
  u.last_name = login;
  u.profile = profile;
  u.linked_physician_id = physician_id;
  u.referring_name = referring_name;
  u.password = kUserPassword;
  return admin.add_user(u);
}

Session AccountsPortal::sign_in(const std::string& login, const std::string& password,
                                const std::string& address) {
  return portal->sign_in(login, password, address);
}

std::string AccountsPortal::add_study(const std::string& name,
                                      const std::vector<std::string>& attrs) {
  std::string path = dir / name;
  std::vector<std::string> args = attrs;
  args.push_back("--new-uids=study,series,sop");
  dicom_variant(pydicom_dir() + "/CT_small.dcm", path, args);
  auto report = portal->system_session().ingest({path});
  REQUIRE(report.files.size() == 1);
  REQUIRE(report.files.front().status == IngestStatus::kStored);
  return report.files.front().study_uid;
}

std::string decode_eml(const std::string& eml) {
  auto split = eml.find("\r\n\r\n");
  if (split == std::string::npos) return eml;
  std::string out = eml.substr(0, split + 4);
  std::string b64;
  for (char c : eml.substr(split + 4))
    if (c != '\r' && c != '\n') b64 += c;
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  int bits = 0, acc = 0;
  for (char c : b64) {
    int v = val(c);
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::vector<std::string> AccountsPortal::delivered_mails() {
  portal->deliver_mail();
  std::vector<std::string> out;
  std::string spool = dir / "data/spool";
  if (!fs::exists(spool)) return out;
  // Names are "<date>-portal-<zero-padded outbox id>-...": sorted names are in sending order.
  for (const auto& f : files_under(spool)) out.push_back(decode_eml(read_file(f)));
  return out;
}

std::string AccountsPortal::token_from_mail(const std::string& to, const std::string& path) {
  std::string token;
  for (const auto& m : delivered_mails()) {
    if (m.find("To: " + to + "\r\n") == std::string::npos) continue;
    auto pos = m.find(path + "?token=");
    if (pos == std::string::npos) continue;
    token = m.substr(pos + path.size() + 7, 64);
  }
  REQUIRE(token.size() == 64);
  return token;
}

std::string index_bytes(const std::string& data_dir) {
  std::string out;
  for (const char* name : {"/index.sqlite", "/index.sqlite-wal"})
    if (fs::exists(data_dir + name)) out += read_file(data_dir + name);
  return out;
}

}  // namespace portal::test
