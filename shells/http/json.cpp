// shells/http/json.cpp — reading fields of JSON request bodies; times and base64. The JSON
// shapes of model types are in shells/common/model_json.cpp (shared with the CLI).
#include <ctime>

#include "portal/error.hpp"
#include "server.hpp"

namespace portal::http {

std::optional<std::string> get_optional_string(const Json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    throw Error(ErrorCode::kInvalidArgument, std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

std::string get_string(const Json& o, const char* key) {
  return get_optional_string(o, key).value_or(std::string());
}

bool get_bool(const Json& o, const char* key, bool fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    throw Error(ErrorCode::kInvalidArgument, std::string("\"") + key + "\" must be true or false");
  return it->get<bool>();
}

std::chrono::system_clock::time_point parse_time(const std::string& text) {
  std::tm tm{};
  const char* end = nullptr;
  if (text.size() == 10) {
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  } else if (text.size() == 20 && text.back() == 'Z') {
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (!end || *end != '\0')
    throw Error(ErrorCode::kInvalidArgument,
                "a time is \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\" (UTC), not \"" + text + "\"");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string base64(const std::string& bytes) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace portal::http
