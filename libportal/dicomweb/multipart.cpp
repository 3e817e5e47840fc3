#include "libportal/dicomweb/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "libportal/common/text.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument, "malformed multipart body: " + why);
}

}  // namespace

std::string media_type(const std::string& content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

std::string media_param(const std::string& content_type, const std::string& name) {
  // Parameters are ';'-separated; values may be quoted (and then contain ';').
  std::size_t i = content_type.find(';');
  while (i != std::string::npos && i < content_type.size()) {
    ++i;
    std::size_t eq = content_type.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = lower(trim(content_type.substr(i, eq - i)));
    std::size_t v = eq + 1;
    while (v < content_type.size() && content_type[v] == ' ') ++v;
    std::string value;
    std::size_t next;
    if (v < content_type.size() && content_type[v] == '"') {
      std::size_t close = content_type.find('"', v + 1);
      if (close == std::string::npos) close = content_type.size();
      value = content_type.substr(v + 1, close - v - 1);
      next = content_type.find(';', close);
    } else {
      next = content_type.find(';', v);
      value = trim(content_type.substr(v, next == std::string::npos ? std::string::npos : next - v));
    }
    if (key == name) return value;
    i = next;
  }
  return {};
}

std::string part_head(const std::string& boundary, const std::string& content_type, bool first) {
  return std::string(first ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + content_type +
         "\r\n\r\n";
}

std::string multipart_end(const std::string& boundary) { return "\r\n--" + boundary + "--\r\n"; }

void read_multipart(const std::string& boundary,
                    const std::function<std::size_t(char*, std::size_t)>& read,
                    std::uint64_t max_part_bytes,
                    const std::function<void(MultipartPart&)>& on_part) {
  if (boundary.empty() || boundary.size() > 200) bad("no usable boundary");
  const std::string delim = "\r\n--" + boundary;
  constexpr std::size_t kChunk = 256 * 1024;
  constexpr std::size_t kMaxHeaders = 16 * 1024;
  // Pretend the body starts with CRLF so the first delimiter looks like every other one.
  std::string buf = "\r\n";
  bool eof = false;
  std::vector<char> chunk(kChunk);
  auto more = [&]() -> bool {
    if (eof) return false;
    std::size_t n = read(chunk.data(), chunk.size());
    if (n == 0) {
      eof = true;
      return false;
    }
    buf.append(chunk.data(), n);
    return true;
  };

  // Preamble: everything before the first delimiter is ignored (bounded).
  std::size_t pos;
  while ((pos = buf.find(delim)) == std::string::npos) {
    if (buf.size() > kMaxHeaders) bad("no opening boundary");
    if (!more()) bad("no opening boundary");
  }
  buf.erase(0, pos + delim.size());
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise the rest of the line is padding.
    while (buf.size() < 2 && more()) {
    }
    if (buf.compare(0, 2, "--") == 0) return;
    std::size_t eol;
    while ((eol = buf.find("\r\n")) == std::string::npos) {
      if (buf.size() > kMaxHeaders || !more()) bad("truncated after a boundary");
    }
    buf.erase(0, eol + 2);
    MultipartPart part;
    // Headers up to an empty line.
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos &&
           buf.compare(0, 2, "\r\n") != 0) {
      if (buf.size() > kMaxHeaders) bad("part headers too large");
      if (!more()) bad("truncated part headers");
    }
    if (buf.compare(0, 2, "\r\n") == 0) {
      buf.erase(0, 2);
    } else {
      for (const auto& line : split(std::string_view(buf).substr(0, end), '\n')) {
        std::string l = trim(line.back() == '\r' ? line.substr(0, line.size() - 1) : line);
        auto colon = l.find(':');
        if (colon == std::string::npos) continue;
        part.headers[lower(trim(l.substr(0, colon)))] = trim(l.substr(colon + 1));
      }
      buf.erase(0, end + 4);
    }
    // Body up to the next delimiter. Only the bytes that could start a delimiter are kept
    // once a part is too large, so memory stays bounded.
    std::size_t scanned = 0;
    for (;;) {
      std::size_t from = scanned > delim.size() ? scanned - delim.size() : 0;
      std::size_t at = buf.find(delim, from);
      if (at != std::string::npos) {
        part.size += at;
        if (!part.too_large && part.size > max_part_bytes) part.too_large = true;
        if (!part.too_large) part.body.assign(buf, 0, at);
        buf.erase(0, at + delim.size());
        break;
      }
      scanned = buf.size();
      if (part.too_large || buf.size() > max_part_bytes + delim.size()) {
        std::size_t keep = std::min(buf.size(), delim.size());
        part.size += buf.size() - keep;
        part.too_large = true;
        buf.erase(0, buf.size() - keep);
        scanned = buf.size();
      }
      if (!more()) bad("no closing boundary");
    }
    if (part.too_large) part.body.clear();
    on_part(part);
  }
}

}  // namespace portal::detail
