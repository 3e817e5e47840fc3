#include "libportal/config/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <variant>

#include "libportal/common/text.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

using Field =
    std::variant<bool Options::*, int Options::*, std::uint64_t Options::*, std::string Options::*>;

struct Setting {
  const char* section;
  const char* key;
  Field field;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> s = {
      {"storage", "durable", &Options::durable},
      {"search", "default_limit", &Options::search_default_limit},
      {"search", "max_limit", &Options::search_max_limit},
      {"ingest", "threads", &Options::ingest_threads},
      {"ingest", "batch", &Options::ingest_batch},
      {"ingest", "max_file_bytes", &Options::max_file_bytes},
      {"ingest", "max_header_bytes", &Options::max_header_bytes},
      {"ingest", "zip_max_entries", &Options::zip_max_entries},
      {"ingest", "zip_max_entry_bytes", &Options::zip_max_entry_bytes},
      {"ingest", "zip_max_total_bytes", &Options::zip_max_total_bytes},
      {"ingest", "zip_max_ratio", &Options::zip_max_ratio},
      {"accounts", "public_base_url", &Options::public_base_url},
      {"accounts", "default_language", &Options::default_language},
      {"accounts", "confirmation_expiry_minutes", &Options::confirmation_expiry_minutes},
      {"accounts", "reset_expiry_minutes", &Options::reset_expiry_minutes},
      {"accounts", "invitation_expiry_minutes", &Options::invitation_expiry_minutes},
      {"sharing", "share_expiry_days", &Options::share_expiry_days},
      {"sharing", "patient_release_delay_minutes", &Options::patient_release_delay_minutes},
      {"notify", "interval_seconds", &Options::notify_interval_seconds},
      {"accounts", "captcha_enabled", &Options::captcha_enabled},
      {"accounts", "captcha_expiry_minutes", &Options::captcha_expiry_minutes},
      {"accounts", "captcha_length", &Options::captcha_length},
      {"accounts", "patient_access_code", &Options::patient_access_code},
      {"password", "min_length", &Options::password_min_length},
      {"password", "dictionary", &Options::password_dictionary},
      {"password", "hash_memory", &Options::password_hash_memory},
      {"password", "hash_passes", &Options::password_hash_passes},
      {"lockout", "failures", &Options::lockout_failures},
      {"lockout", "address_failures", &Options::lockout_address_failures},
      {"lockout", "window_minutes", &Options::lockout_window_minutes},
      {"lockout", "minutes", &Options::lockout_minutes},
      {"session", "idle_minutes", &Options::session_idle_minutes},
      {"session", "absolute_minutes", &Options::session_absolute_minutes},
      {"mail", "from", &Options::mail_from},
      {"mail", "spool_dir", &Options::mail_spool_dir},
      {"mail", "max_attempts", &Options::mail_max_attempts},
      {"mail", "retry_seconds", &Options::mail_retry_seconds},
      {"smtp", "host", &Options::smtp_host},
      {"smtp", "port", &Options::smtp_port},
      {"smtp", "tls", &Options::smtp_tls},
      {"smtp", "user", &Options::smtp_user},
      {"smtp", "password", &Options::smtp_password},
      {"smtp", "timeout_seconds", &Options::smtp_timeout_seconds},
      {"reports", "max_report_bytes", &Options::max_report_bytes},
      {"reports", "max_audio_bytes", &Options::max_audio_bytes},
      {"imaging", "thumbnail_cache", &Options::thumbnail_cache},
      // [http]: portald (shells/http) only.
      {"http", "listen", &Options::http_listen},
      {"http", "tls_cert", &Options::http_tls_cert},
      {"http", "tls_key", &Options::http_tls_key},
      {"http", "behind_tls_proxy", &Options::http_behind_tls_proxy},
      {"http", "threads", &Options::http_threads},
      {"http", "max_body_bytes", &Options::http_max_body_bytes},
      {"http", "max_json_bytes", &Options::http_max_json_bytes},
      {"http", "max_header_bytes", &Options::http_max_header_bytes},
      {"http", "request_timeout_seconds", &Options::http_request_timeout_seconds},
      {"http", "io_timeout_seconds", &Options::http_io_timeout_seconds},
      {"http", "max_concurrent_uploads", &Options::http_max_concurrent_uploads},
      {"http", "access_log", &Options::http_access_log},
      {"http", "mail_interval_seconds", &Options::http_mail_interval_seconds},
      {"http", "web_root", &Options::http_web_root},
      {"dicom", "aet", &Options::dicom_aet},
      {"dicom", "host", &Options::dicom_host},
      {"dicom", "port", &Options::dicom_port},
      {"dicom", "max_associations", &Options::dicom_max_associations},
      {"dicom", "timeout_seconds", &Options::dicom_timeout_seconds},
      {"dicomweb", "viewer_token_minutes", &Options::viewer_token_minutes},
      {"dicomweb", "public_url", &Options::dicomweb_public_url},
  };
  return s;
}

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument, where + ": " + why);
}

std::string env_name(const Setting& s) {
  std::string n = std::string("PORTAL_") + s.section + "_" + s.key;
  for (auto& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return n;
}

void set_from_text(Options& o, const Setting& s, const std::string& text,
                   const std::string& where) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(o.*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          if (text == "true" || text == "1" || text == "yes")
            o.*member = true;
          else if (text == "false" || text == "0" || text == "no")
            o.*member = false;
          else
            bad(where, "expected true or false");
        } else if constexpr (std::is_same_v<T, std::string>) {
          o.*member = text;
        } else {
          try {
            std::size_t used = 0;
            long long v = std::stoll(text, &used);
            if (used != text.size() || v < 0) bad(where, "expected a non-negative integer");
            if constexpr (std::is_same_v<T, int>) {
              if (v > INT32_MAX) bad(where, "value too large");
            }
            o.*member = static_cast<T>(v);
          } catch (const std::logic_error&) {
            bad(where, "expected a non-negative integer");
          }
        }
      },
      s.field);
}

void set_from_toml(Options& o, const Setting& s, const toml::node& node, const std::string& where) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(o.*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          auto v = node.value<bool>();
          if (!v || !node.is_boolean()) bad(where, "expected true or false");
          o.*member = *v;
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!node.is_string()) bad(where, "expected a string");
          o.*member = *node.value<std::string>();
        } else {
          if (!node.is_integer()) bad(where, "expected an integer");
          auto v = *node.value<std::int64_t>();
          if (v < 0) bad(where, "expected a non-negative integer");
          if constexpr (std::is_same_v<T, int>) {
            if (v > INT32_MAX) bad(where, "value too large");
          }
          o.*member = static_cast<T>(v);
        }
      },
      s.field);
}

std::string default_text(const Setting& s) {
  static const Options defaults;
  return std::visit(
      [&](auto member) -> std::string {
        const auto& v = defaults.*member;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return "\"" + v + "\"";
        else
          return std::to_string(v);
      },
      s.field);
}

// "90", "30m", "2h", "1d" (or a TOML integer): minutes.
int parse_delay(const toml::node& node, const std::string& where) {
  if (node.is_integer()) {
    auto v = *node.value<std::int64_t>();
    if (v < 0 || v > 525600) bad(where, "expected 0 to 525600 minutes");
    return static_cast<int>(v);
  }
  if (!node.is_string()) bad(where, "expected minutes or a duration such as \"30m\", \"2h\", \"1d\"");
  std::string text = *node.value<std::string>();
  int unit = 1;
  std::string digits = text;
  if (!text.empty() && (text.back() == 'm' || text.back() == 'h' || text.back() == 'd')) {
    unit = text.back() == 'm' ? 1 : text.back() == 'h' ? 60 : 1440;
    digits.pop_back();
  }
  if (digits.empty() || digits.size() > 6 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    bad(where, "expected minutes or a duration such as \"30m\", \"2h\", \"1d\", not \"" + text + "\"");
  long long v = std::stoll(digits) * unit;
  if (v > 525600) bad(where, "longer than a year");
  return static_cast<int>(v);
}

std::vector<std::string> parse_names(const toml::node& node, const std::string& where) {
  std::vector<std::string> out;
  if (node.is_string()) {
    out.push_back(*node.value<std::string>());
  } else if (const auto* arr = node.as_array()) {
    for (const auto& v : *arr) {
      if (!v.is_string()) bad(where, "expected a list of strings");
      out.push_back(*v.value<std::string>());
    }
  } else {
    bad(where, "expected a string or a list of strings");
  }
  return out;
}

// [[notify.rules]] tables (DIF-3).
std::vector<NotifyRule> parse_rules(const toml::node& node, const std::string& where) {
  const auto* arr = node.as_array();
  if (!arr) bad(where, "must be an array of tables: [[notify.rules]]");
  std::vector<NotifyRule> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    std::string here = where + "[" + std::to_string(i) + "]";
    if (!t) bad(here, "must be a table");
    NotifyRule r;
    r.name = "rule" + std::to_string(i + 1);
    for (const auto& [key, value] : *t) {
      std::string k(key.str());
      std::string w = here + "." + k;
      if (k == "name") {
        if (!value.is_string() || value.value<std::string>()->empty()) bad(w, "expected a name");
        r.name = *value.value<std::string>();
      } else if (k == "trigger") {
        if (!value.is_string()) bad(w, "expected \"study_arrived\" or \"report_available\"");
        r.trigger = *value.value<std::string>();
      } else if (k == "delay") {
        r.delay_minutes = parse_delay(value, w);
      } else if (k == "sites") {
        r.sites = parse_names(value, w);
      } else if (k == "modalities") {
        r.modalities = parse_names(value, w);
      } else {
        bad(w, "unknown key (name, trigger, delay, sites, modalities)");
      }
    }
    if (r.trigger != "study_arrived" && r.trigger != "report_available")
      bad(here + ".trigger", "must be \"study_arrived\" or \"report_available\"");
    for (const auto& o : out)
      if (o.name == r.name) bad(here + ".name", "two rules are named " + r.name);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<SettingInfo> known_settings() {
  std::vector<SettingInfo> out;
  for (const auto& s : settings()) out.push_back({s.section, s.key, default_text(s)});
  out.push_back({"dicom", "allowed_aets", "[]"});
  out.push_back({"dicom", "nodes", "[]"});
  return out;
}

void check_options(const Options& o) {
  auto positive = [](int v, const char* name) {
    if (v <= 0) bad(name, "must be at least 1");
  };
  positive(o.password_min_length, "password.min_length");
  positive(o.confirmation_expiry_minutes, "accounts.confirmation_expiry_minutes");
  positive(o.reset_expiry_minutes, "accounts.reset_expiry_minutes");
  positive(o.invitation_expiry_minutes, "accounts.invitation_expiry_minutes");
  positive(o.captcha_expiry_minutes, "accounts.captcha_expiry_minutes");
  if (o.share_expiry_days < 0) bad("sharing.share_expiry_days", "must not be negative");
  if (o.patient_release_delay_minutes < 0)
    bad("sharing.patient_release_delay_minutes", "must not be negative");
  positive(o.notify_interval_seconds, "notify.interval_seconds");
  for (const auto& r : o.notify_rules) {
    if (r.trigger != "study_arrived" && r.trigger != "report_available")
      bad("notify.rules", "trigger must be study_arrived or report_available, not " + r.trigger);
    if (r.delay_minutes < 0) bad("notify.rules", "delay must not be negative");
  }
  positive(o.lockout_failures, "lockout.failures");
  positive(o.lockout_address_failures, "lockout.address_failures");
  positive(o.lockout_window_minutes, "lockout.window_minutes");
  positive(o.lockout_minutes, "lockout.minutes");
  positive(o.session_idle_minutes, "session.idle_minutes");
  positive(o.session_absolute_minutes, "session.absolute_minutes");
  positive(o.mail_max_attempts, "mail.max_attempts");
  positive(o.mail_retry_seconds, "mail.retry_seconds");
  positive(o.smtp_port, "smtp.port");
  positive(o.smtp_timeout_seconds, "smtp.timeout_seconds");
  if (o.captcha_length < 4 || o.captcha_length > 12) bad("accounts.captcha_length", "must be 4 to 12");
  if (o.smtp_tls != "none" && o.smtp_tls != "starttls" && o.smtp_tls != "tls")
    bad("smtp.tls", "must be none, starttls or tls");
  if (o.default_language != "en" && o.default_language != "fr")
    bad("accounts.default_language", "must be en or fr");
  positive(o.http_request_timeout_seconds, "http.request_timeout_seconds");
  positive(o.http_io_timeout_seconds, "http.io_timeout_seconds");
  positive(o.http_max_concurrent_uploads, "http.max_concurrent_uploads");
  positive(o.http_mail_interval_seconds, "http.mail_interval_seconds");
  if (o.http_max_body_bytes == 0 || o.http_max_json_bytes == 0 || o.http_max_header_bytes < 1024)
    bad("http", "body limits must be at least 1 byte and max_header_bytes at least 1024");
  if (o.http_tls_cert.empty() != o.http_tls_key.empty())
    bad("http.tls_cert", "tls_cert and tls_key go together");
  if (o.dicom_port < 0 || o.dicom_port > 65535) bad("dicom.port", "must be 0 to 65535");
  if (o.dicom_aet.empty() || o.dicom_aet.size() > 16) bad("dicom.aet", "must be 1 to 16 characters");
  positive(o.dicom_max_associations, "dicom.max_associations");
  positive(o.dicom_timeout_seconds, "dicom.timeout_seconds");
  positive(o.viewer_token_minutes, "dicomweb.viewer_token_minutes");
  if (!o.dicomweb_public_url.empty() &&
      ((o.dicomweb_public_url.rfind("http://", 0) != 0 &&
        o.dicomweb_public_url.rfind("https://", 0) != 0) ||
       o.dicomweb_public_url.back() == '/'))
    bad("dicomweb.public_url", "must start with http:// or https:// and not end with '/'");
  for (const auto& n : o.dicom_nodes)
    if (n.port <= 0 || n.port > 65535 || n.aet.size() > 16)
      bad("dicom.nodes", "node " + n.name + " needs a port 1 to 65535 and an AE title of 16 characters at most");
  if (o.public_base_url.rfind("http://", 0) != 0 && o.public_base_url.rfind("https://", 0) != 0)
    bad("accounts.public_base_url", "must start with http:// or https://");
}

// [dicom] allowed_aets = ["A", "B"] and [[dicom.nodes]] name/aet/host/port (PLAT-2).
bool apply_dicom_list(Options& o, const std::string& key, const toml::node& value,
                      const std::string& where) {
  if (key == "allowed_aets") {
    const auto* arr = value.as_array();
    if (!arr) bad(where, "expected an array of AE titles");
    o.dicom_allowed_aets.clear();
    for (const auto& v : *arr) {
      if (!v.is_string()) bad(where, "expected an array of AE titles");
      o.dicom_allowed_aets.push_back(*v.value<std::string>());
    }
    return true;
  }
  if (key == "nodes") {
    const auto* arr = value.as_array();
    if (!arr) bad(where, "expected [[dicom.nodes]] tables");
    o.dicom_nodes.clear();
    for (const auto& v : *arr) {
      const auto* t = v.as_table();
      if (!t) bad(where, "expected [[dicom.nodes]] tables");
      DicomNode n;
      for (const auto& [k, field] : *t) {
        std::string name(k.str());
        if (name == "port") {
          if (!field.is_integer()) bad(where + ".port", "expected an integer");
          n.port = static_cast<int>(*field.value<std::int64_t>());
        } else if (name == "name" || name == "aet" || name == "host") {
          if (!field.is_string()) bad(where + "." + name, "expected a string");
          (name == "name" ? n.name : name == "aet" ? n.aet : n.host) =
              *field.value<std::string>();
        } else {
          bad(where, "unknown node setting " + name);
        }
      }
      if (n.name.empty() || n.aet.empty() || n.host.empty())
        bad(where, "each node needs name, aet and host");
      o.dicom_nodes.push_back(n);
    }
    return true;
  }
  return false;
}

void apply_config(const std::string& data_dir, Options& o) {
  std::string path = o.config_file.empty() ? data_dir + "/portal.toml" : o.config_file;
  if (!o.config_file.empty() && !std::filesystem::exists(path))
    throw Error(ErrorCode::kNotFound, "no configuration file " + path);
  if (std::filesystem::exists(path)) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      throw Error(ErrorCode::kInvalidArgument, path + ":" + std::to_string(where.line) + ":" +
                                                   std::to_string(where.column) + ": " +
                                                   std::string(e.description()));
    }
    for (const auto& [section, node] : table) {
      const auto* sub = node.as_table();
      std::string sec(section.str());
      if (!sub) bad(path, "[" + sec + "] must be a table");
      for (const auto& [key, value] : *sub) {
        std::string k(key.str());
        if (sec == "dicom" && apply_dicom_list(o, k, value, path + ": dicom." + k)) continue;
        if (sec == "notify" && k == "rules") {
          o.notify_rules = parse_rules(value, path + ": notify.rules");
          continue;
        }
        const Setting* found = nullptr;
        for (const auto& s : settings())
          if (sec == s.section && k == s.key) found = &s;
        if (!found) bad(path, "unknown setting " + sec + "." + k);
        set_from_toml(o, *found, value, path + ": " + sec + "." + k);
      }
    }
  }
  for (const auto& s : settings()) {
    std::string name = env_name(s);
    if (const char* v = std::getenv(name.c_str())) set_from_text(o, s, v, name);
  }
  if (const char* v = std::getenv("PORTAL_DICOM_ALLOWED_AETS")) {
    o.dicom_allowed_aets.clear();
    for (const auto& a : split(v, ','))
      if (!trim(a).empty()) o.dicom_allowed_aets.push_back(trim(a));
  }
}

}  // namespace portal::detail
