// Rendering (modality LUT, VOI, presets, invert, frames, fit, PNG/JPEG), thumbnails and frame
// transfer for the viewer. Grey levels are checked against numpy (tests/render/render_check.py).
#include <catch2/catch.hpp>
#include <cstring>
#include <thread>
#include <vector>

#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "render/samples.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

std::string pydicom_path(const std::string& name) { return test::pydicom_dir() + "/" + name; }

std::uint32_t be32(const std::string& s, std::size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + at;
  return (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// Width and height from a PNG's IHDR.
std::pair<int, int> png_size(const std::string& png) {
  REQUIRE(png.size() > 24);
  REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  return {int(be32(png, 16)), int(be32(png, 20))};
}

// Width and height from a JPEG's SOF marker.
std::pair<int, int> jpeg_size(const std::string& jpeg) {
  REQUIRE(jpeg.compare(0, 2, "\xFF\xD8") == 0);
  std::size_t pos = 2;
  while (pos + 9 < jpeg.size()) {
    auto m = static_cast<unsigned char>(jpeg[pos + 1]);
    std::size_t len = (static_cast<unsigned char>(jpeg[pos + 2]) << 8) |
                      static_cast<unsigned char>(jpeg[pos + 3]);
    if (m >= 0xC0 && m <= 0xC3) {
      const auto* p = reinterpret_cast<const unsigned char*>(jpeg.data()) + pos + 5;
      return {(p[2] << 8) | p[3], (p[0] << 8) | p[1]};
    }
    pos += 2 + len;
  }
  FAIL("no SOF marker");
  return {0, 0};
}

// Renders `dcm` to PNG with `o` and has numpy check every grey level.
bool matches_numpy(const std::string& dcm, RenderOptions o, const std::string& args) {
  test::TempDir dir;
  o.format = ImageFormat::kPng;
  test::write_file(dir / "out.png", render(test::read_file(dcm), o));
  std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                    "/tests/render/render_check.py " + dcm + " " + (dir / "out.png") + " " + args +
                    " > " + (dir / "log") + " 2>&1";
  int rc = test::run(cmd);
  INFO(test::read_file(dir / "log"));
  CHECK(rc == 0);
  return rc == 0;
}

}  // namespace

TEST_CASE("a CT slice renders with an explicit window like numpy renders it", "[render]") {
  RenderOptions o;
  o.window_center = 40;
  o.window_width = 400;
  CHECK(matches_numpy(pydicom_path("CT_small.dcm"), o, "--window 40 400"));
  o.invert = true;
  CHECK(matches_numpy(pydicom_path("CT_small.dcm"), o, "--window 40 400 --invert"));
}

TEST_CASE("without a window the file's window, else its VOI LUT, else min-max is used",
          "[render]") {
  CHECK(matches_numpy(pydicom_path("MR_small.dcm"), {}, ""));          // WindowCenter 600/1600
  CHECK(matches_numpy(pydicom_path("CT_small.dcm"), {}, ""));          // no window: min..max
  CHECK(matches_numpy(test::sample("voi_lut.dcm"), {}, "--voi-lut"));  // VOI LUT Sequence
}

TEST_CASE("MONOCHROME1 is shown with white for low values", "[render]") {
  CHECK(matches_numpy(test::sample("monochrome1.dcm"), {}, ""));
  RenderOptions o;
  o.invert = true;
  CHECK(matches_numpy(test::sample("monochrome1.dcm"), o, "--invert"));
}

TEST_CASE("a window preset applies its center and width", "[render]") {
  RenderOptions o;
  o.preset = parse_window_preset("lung");
  CHECK(matches_numpy(pydicom_path("CT_small.dcm"), o, "--window -600 1500"));
  CHECK(window_preset(WindowPreset::kCtBone).width == 1800);
  CHECK_THROWS_AS(parse_window_preset("liver"), Error);
  // An explicit window wins over the preset.
  o.window_center = 0;
  o.window_width = 100;
  CHECK(matches_numpy(pydicom_path("CT_small.dcm"), o, "--window 0 100"));
}

TEST_CASE("each frame of a multi-frame instance can be rendered", "[render]") {
  std::string bytes = test::read_file(pydicom_path("rtdose.dcm"));
  RenderOptions o;
  o.format = ImageFormat::kPng;
  std::string first = render(bytes, o);
  o.frame = 14;
  std::string last = render(bytes, o);
  CHECK(first != last);
  o.frame = 15;
  CHECK_THROWS_AS(render(bytes, o), Error);
  RenderOptions f;
  f.frame = 7;
  CHECK(matches_numpy(pydicom_path("rtdose.dcm"), f, "--frame 7"));
}

TEST_CASE("the output fits into the asked size keeping the aspect ratio", "[render]") {
  std::string bytes = test::read_file(pydicom_path("JPEG2000.dcm"));  // 1024 rows x 256 columns
  RenderOptions o;
  o.format = ImageFormat::kPng;
  CHECK(png_size(render(bytes, o)) == std::pair(256, 1024));
  o.width = 100;
  o.height = 100;
  CHECK(png_size(render(bytes, o)) == std::pair(25, 100));
  o.height = 0;
  CHECK(png_size(render(bytes, o)) == std::pair(100, 400));
  o.width = 4000;  // never enlarged
  CHECK(png_size(render(bytes, o)) == std::pair(256, 1024));
  o.format = ImageFormat::kJpeg;
  o.width = 64;
  CHECK(jpeg_size(render(bytes, o)) == std::pair(64, 256));
}

TEST_CASE("JPEG quality trades size for fidelity and is validated", "[render]") {
  std::string bytes = test::read_file(pydicom_path("CT_small.dcm"));
  RenderOptions o;
  o.quality = 95;
  std::string high = render(bytes, o);
  o.quality = 20;
  std::string low = render(bytes, o);
  CHECK(low.size() < high.size());
  o.quality = 0;
  CHECK_THROWS_AS(render(bytes, o), Error);
  RenderOptions w;
  w.window_center = 10;  // a center without a width
  CHECK_THROWS_AS(render(bytes, w), Error);
  w.window_width = -5;
  CHECK_THROWS_AS(render(bytes, w), Error);
}

TEST_CASE("colour images render to RGB PNG and JPEG", "[render]") {
  for (const char* name :
       {"SC_rgb_rle_16bit.dcm", "SC_rgb_jpeg_dcmtk.dcm", "GDCMJ2K_TextGBR.dcm"}) {
    INFO(name);
    std::string bytes = test::read_file(pydicom_path(name));
    RenderOptions o;
    o.format = ImageFormat::kPng;
    std::string png = render(bytes, o);
    CHECK(png[25] == 2);  // IHDR colour type: RGB
    CHECK(render(bytes).compare(0, 2, "\xFF\xD8") == 0);
  }
}

TEST_CASE("a thumbnail is a small JPEG", "[render]") {
  std::string bytes = test::read_file(pydicom_path("CT_small.dcm"));
  std::string t = thumbnail(bytes, 64);
  CHECK(jpeg_size(t) == std::pair(64, 64));
  CHECK(t.size() < 8000);
  CHECK(jpeg_size(thumbnail(test::read_file(pydicom_path("JPEG2000.dcm")), 256)) ==
        std::pair(64, 256));
  CHECK_THROWS_AS(thumbnail(bytes, 0), Error);
}

TEST_CASE("a frame is delivered as stored without decoding", "[render][transfer]") {
  // Encapsulated: the frame's fragments, and the file's syntax.
  std::string jpeg = test::read_file(pydicom_path("SC_rgb_jpeg_dcmtk.dcm"));
  FramePayload p = transcode_frame(jpeg, 0, FrameTransfer::kAsStored);
  CHECK(p.media_type == "image/jpeg");
  CHECK(p.transfer_syntax_uid == "1.2.840.10008.1.2.4.50");
  CHECK(p.bytes.compare(0, 2, "\xFF\xD8") == 0);
  CHECK(jpeg.find(p.bytes) != std::string::npos);
  FramePayload j2k = transcode_frame(test::read_file(pydicom_path("JPEG2000.dcm")), 0,
                                     parse_frame_transfer("as_stored"));
  CHECK(j2k.media_type == "image/jp2");
  // RLE, 2 frames: one fragment each.
  std::string rle = test::read_file(pydicom_path("SC_rgb_rle_2frame.dcm"));
  FramePayload f0 = transcode_frame(rle, 0, FrameTransfer::kAsStored);
  FramePayload f1 = transcode_frame(rle, 1, FrameTransfer::kAsStored);
  CHECK(f0.media_type == "image/x-dicom-rle");
  CHECK(f0.bytes != f1.bytes);
  CHECK_THROWS_AS(transcode_frame(rle, 2, FrameTransfer::kAsStored), Error);
  // Native: the frame's bytes, little endian even when the file is big endian.
  FramePayload le =
      transcode_frame(test::read_file(pydicom_path("MR_small.dcm")), 0, FrameTransfer::kAsStored);
  FramePayload be = transcode_frame(test::read_file(pydicom_path("MR_small_bigendian.dcm")), 0,
                                    FrameTransfer::kAsStored);
  CHECK(le.bytes.size() == 64 * 64 * 2);
  CHECK(le.bytes == be.bytes);
  CHECK(be.transfer_syntax_uid == "1.2.840.10008.1.2.1");
  CHECK(be.bits_allocated == 16);
}

TEST_CASE("a frame is delivered uncompressed with the values a lossless decoder gives",
          "[render][transfer]") {
  // The JPEG-LS, RLE, J2K-lossless and native copies of MR_small carry the same pixels.
  std::string reference = transcode_frame(test::read_file(pydicom_path("MR_small.dcm")), 0,
                                          parse_frame_transfer("uncompressed"))
                              .bytes;
  for (const char* name : {"MR_small_jpeg_ls_lossless.dcm", "MR_small_RLE.dcm",
                           "MR_small_jp2klossless.dcm", "MR_small_bigendian.dcm"}) {
    INFO(name);
    FramePayload p =
        transcode_frame(test::read_file(pydicom_path(name)), 0, FrameTransfer::kUncompressed);
    CHECK(p.media_type == "application/octet-stream");
    CHECK(p.transfer_syntax_uid == "1.2.840.10008.1.2.1");
    CHECK(p.rows == 64);
    CHECK(p.bits_allocated == 16);
    CHECK(p.bytes == reference);
  }
}

TEST_CASE("a frame is delivered as a lossy JPEG of the chosen quality", "[render][transfer]") {
  std::string bytes = test::read_file(pydicom_path("MR_small_jpeg_ls_lossless.dcm"));
  FramePayload hi = transcode_frame(bytes, 0, parse_frame_transfer("jpeg"), 95);
  FramePayload lo = transcode_frame(bytes, 0, FrameTransfer::kJpeg, 10);
  CHECK(hi.media_type == "image/jpeg");
  CHECK(jpeg_size(hi.bytes) == std::pair(64, 64));
  CHECK(lo.bytes.size() < hi.bytes.size());
  CHECK_THROWS_AS(transcode_frame(bytes, 0, FrameTransfer::kJpeg, 101), Error);
  CHECK_THROWS_AS(parse_frame_transfer("zip"), Error);
}

TEST_CASE("rendering from several threads at once gives the same images", "[render]") {
  std::vector<std::string> inputs;
  for (const char* name : {"CT_small.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm",
                           "MR_small_jpeg_ls_lossless.dcm", "MR_small_RLE.dcm"})
    inputs.push_back(test::read_file(pydicom_path(name)));
  std::vector<std::string> expected;
  for (const auto& b : inputs) expected.push_back(render(b));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round)
        for (std::size_t i = 0; i < inputs.size(); ++i)
          if (render(inputs[(i + t) % inputs.size()]) != expected[(i + t) % inputs.size()])
            ++mismatches[t];
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}
