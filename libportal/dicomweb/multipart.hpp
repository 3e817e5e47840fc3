// multipart/related bodies (RFC 2387) for DICOMweb: writing parts and reading a body as a stream
// with bounded memory (one part at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace portal::detail {

/// A parameter of a media type, e.g. media_param("multipart/related; boundary=\"x\"",
/// "boundary") == "x". Names are case-insensitive; "" when absent.
std::string media_param(const std::string& content_type, const std::string& name);
/// The bare media type, lower case: "multipart/related".
std::string media_type(const std::string& content_type);

/// The opening of one part: "--boundary\r\nContent-Type: ...\r\n\r\n" (preceded by CRLF except
/// for the first part).
std::string part_head(const std::string& boundary, const std::string& content_type, bool first);
/// The closing delimiter: "\r\n--boundary--\r\n".
std::string multipart_end(const std::string& boundary);

/// One part as the reader hands it over. `too_large` parts carry no body (it was dropped).
struct MultipartPart {
  std::map<std::string, std::string> headers;  ///< names lower case
  std::string body;
  bool too_large = false;
  std::uint64_t size = 0;
};

/// Reads a multipart body from `read` (returns bytes read, 0 at the end), calling `on_part` for
/// each part in order. A part larger than `max_part_bytes` is reported with too_large and no
/// body. Throws Error(kInvalidArgument) for a body that does not follow the multipart framing
/// (no opening delimiter, headers over 16 KiB, missing closing delimiter).
void read_multipart(const std::string& boundary,
                    const std::function<std::size_t(char*, std::size_t)>& read,
                    std::uint64_t max_part_bytes,
                    const std::function<void(MultipartPart&)>& on_part);

}  // namespace portal::detail
