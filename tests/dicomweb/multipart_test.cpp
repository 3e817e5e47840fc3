// PLAT-1: the streaming multipart/related reader behind STOW-RS (framing, bounded memory).
#include <catch2/catch.hpp>

#include "libportal/dicomweb/multipart.hpp"
#include "portal/error.hpp"

using namespace portal;

namespace {

struct Collected {
  std::vector<detail::MultipartPart> parts;
};

// Feeds `body` `step` bytes at a time.
Collected read_all(const std::string& boundary, const std::string& body, std::size_t step,
                   std::uint64_t max_part = 1 << 20) {
  Collected c;
  std::size_t pos = 0;
  detail::read_multipart(
      boundary,
      [&](char* buf, std::size_t n) {
        std::size_t k = std::min({n, step, body.size() - pos});
        std::copy(body.data() + pos, body.data() + pos + k, buf);
        pos += k;
        return k;
      },
      max_part, [&](detail::MultipartPart& p) { c.parts.push_back(p); });
  return c;
}

}  // namespace

TEST_CASE("multipart bodies are split into parts whatever the read size", "[dicomweb][multipart]") {
  std::string body =
      "ignored preamble\r\n--b0undary\r\nContent-Type: application/dicom\r\nX-Other:  v \r\n\r\n"
      "first\r\n--b0undar not a delimiter\r\n--b0undary  \r\n\r\nsecond\r\n--b0undary--\r\nepilogue";
  for (std::size_t step : {1u, 2u, 7u, 64u, 100000u}) {
    INFO("step " << step);
    auto c = read_all("b0undary", body, step);
    REQUIRE(c.parts.size() == 2);
    CHECK(c.parts[0].headers.at("content-type") == "application/dicom");
    CHECK(c.parts[0].headers.at("x-other") == "v");
    CHECK(c.parts[0].body == "first\r\n--b0undar not a delimiter");
    CHECK(c.parts[1].headers.empty());
    CHECK(c.parts[1].body == "second");
  }
}

TEST_CASE("an oversize part is reported without its body and the next part survives",
          "[dicomweb][multipart]") {
  std::string big(5000, 'x');
  std::string body = "--B\r\n\r\n" + big + "\r\n--B\r\n\r\nsmall\r\n--B--\r\n";
  auto c = read_all("B", body, 333, 1000);
  REQUIRE(c.parts.size() == 2);
  CHECK(c.parts[0].too_large);
  CHECK(c.parts[0].body.empty());
  CHECK(c.parts[0].size == 5000);
  CHECK_FALSE(c.parts[1].too_large);
  CHECK(c.parts[1].body == "small");
}

TEST_CASE("broken multipart framing is refused", "[dicomweb][multipart]") {
  auto code = [](const std::string& boundary, const std::string& body) {
    try {
      read_all(boundary, body, 10);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  CHECK(code("B", "no delimiter at all") == ErrorCode::kInvalidArgument);
  CHECK(code("B", "--B\r\n\r\nbody without end") == ErrorCode::kInvalidArgument);
  CHECK(code("B", "--B\r\nContent-Type: x") == ErrorCode::kInvalidArgument);
  CHECK(code("", "--\r\n\r\nx\r\n----\r\n") == ErrorCode::kInvalidArgument);
  CHECK(code("B", "--B--\r\n") == ErrorCode::kInternal);  // an empty body is well formed
}

TEST_CASE("media type parameters are read quoted or not", "[dicomweb][multipart]") {
  std::string ct = "Multipart/Related; type=\"application/dicom\"; boundary=\"a;b=c\"; start=x";
  CHECK(detail::media_type(ct) == "multipart/related");
  CHECK(detail::media_param(ct, "type") == "application/dicom");
  CHECK(detail::media_param(ct, "boundary") == "a;b=c");
  CHECK(detail::media_param(ct, "start") == "x");
  CHECK(detail::media_param(ct, "missing").empty());
  CHECK(detail::media_param("multipart/related;boundary=zz", "boundary") == "zz");
}
