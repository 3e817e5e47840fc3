// Pixel decoding: formats, frames, and hostile headers refused without large allocations.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>
#include <random>
#include <vector>

#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "render/samples.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

std::string pydicom_file(const std::string& name) {
  return test::read_file(test::pydicom_dir() + "/" + name);
}

ErrorCode error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).size() > 10);
    return e.code();
  }
  FAIL("no error was thrown");
  return ErrorCode::kInternal;
}

// Runs `fn` in a child process whose address space may grow by at most `extra` bytes, so that a
// decoder that trusts a declared size fails with bad_alloc instead of the test passing by luck.
// Returns 0 when fn threw portal::Error, 1 when it returned, 2 on bad_alloc, 3 on another
// exception, 128+signal on a crash (128+14 when it ran for more than a minute).
int outcome_within(std::size_t extra, const std::function<void()>& fn) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = std::size_t(pages) * sysconf(_SC_PAGESIZE) + extra;
    setrlimit(RLIMIT_AS, &lim);
    alarm(60);  // a decoder stuck in a loop fails the test instead of hanging it
    int code = 1;
    try {
      fn();
    } catch (const Error&) {
      code = 0;
    } catch (const std::bad_alloc&) {
      code = 2;
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

constexpr std::size_t k64MiB = 64u << 20;

// Sets the 4-byte length of the first item after the one at `nth` fragment position.
std::string with_fragment_length(std::string bytes, int nth, std::uint32_t length) {
  std::size_t pixel = bytes.rfind(std::string("\xE0\x7F\x10\x00", 4));
  REQUIRE(pixel != std::string::npos);
  std::size_t pos = pixel + 12;  // explicit VR OB, undefined length
  for (int i = 0; i <= nth; ++i) {
    REQUIRE(bytes.compare(pos, 4, std::string("\xFE\xFF\x00\xE0", 4)) == 0);
    std::uint32_t len;
    std::memcpy(&len, bytes.data() + pos + 4, 4);
    if (i == nth) {
      std::memcpy(bytes.data() + pos + 4, &length, 4);
      break;
    }
    pos += 8 + len;
  }
  return bytes;
}

}  // namespace

TEST_CASE("a CT slice decodes to its stored values with its rescale", "[dicom]") {
  auto px = decode_pixels(pydicom_file("CT_small.dcm"));
  CHECK(px.rows == 128);
  CHECK(px.columns == 128);
  CHECK(px.samples == 1);
  CHECK(px.frames == 1);
  CHECK(px.bytes_per_sample == 2);
  CHECK(px.is_signed);
  CHECK(px.photometric == "MONOCHROME2");
  CHECK(px.rescale_intercept == -1024);
  CHECK(px.rescale_slope == 1);
  CHECK(px.data.size() == 128 * 128 * 2);
  CHECK(px.modality_value(1024) == 0);
  CHECK_FALSE(px.lossy);
}

TEST_CASE("one frame or every frame of a multi-frame instance is decoded", "[dicom]") {
  std::string bytes = pydicom_file("SC_rgb_rle_2frame.dcm");
  auto all = decode_pixels(bytes, -1);
  CHECK(all.frames == 2);
  CHECK(all.number_of_frames == 2);
  auto second = decode_pixels(bytes, 1);
  CHECK(second.frames == 1);
  CHECK(second.first_frame == 1);
  REQUIRE(second.data.size() * 2 == all.data.size());
  CHECK(std::equal(second.data.begin(), second.data.end(), all.data.begin() + all.data.size() / 2));
  CHECK(error_of([&] { decode_pixels(bytes, 2); }) == ErrorCode::kInvalidArgument);
  // rtdose: 15 frames of 32-bit values, implicit VR.
  auto dose = decode_pixels(pydicom_file("rtdose.dcm"), -1);
  CHECK(dose.frames == 15);
  CHECK(dose.bytes_per_sample == 4);
}

TEST_CASE("colour images arrive as RGB whatever their encoding", "[dicom]") {
  for (const char* name :
       {"SC_rgb_rle.dcm", "SC_ybr_full_422_uncompressed.dcm", "SC_rgb_dcmtk_+eb+cy+np.dcm",
        "SC_rgb_gdcm_KY.dcm", "GDCMJ2K_TextGBR.dcm"}) {
    INFO(name);
    auto px = decode_pixels(pydicom_file(name));
    CHECK(px.samples == 3);
    CHECK(px.photometric == "RGB");
    CHECK(px.data.size() == px.frame_values() * px.bytes_per_sample);
  }
  CHECK(decode_pixels(pydicom_file("SC_ybr_full_422_uncompressed.dcm")).source_photometric ==
        "YBR_FULL_422");
}

TEST_CASE("a PALETTE COLOR image is expanded through its lookup tables", "[dicom]") {
  auto px = decode_pixels(test::read_file(test::sample("palette8.dcm")));
  CHECK(px.samples == 3);
  CHECK(px.photometric == "RGB");
  CHECK(px.source_photometric == "PALETTE COLOR");
  CHECK(px.bytes_per_sample == 2);
  // Index 5 -> red 5*257, green 250*257, blue 15*257 (the script's tables).
  CHECK(px.value(5 * 3 + 0) == 5 * 257);
  CHECK(px.value(5 * 3 + 1) == 250 * 257);
  CHECK(px.value(5 * 3 + 2) == 15 * 257);
}

TEST_CASE("lossy syntaxes are flagged lossy", "[dicom]") {
  CHECK(decode_pixels(pydicom_file("JPEG-lossy.dcm")).lossy);
  CHECK(decode_pixels(pydicom_file("693_J2KI.dcm")).lossy);
  CHECK_FALSE(decode_pixels(pydicom_file("MR_small_jpeg_ls_lossless.dcm")).lossy);
}

TEST_CASE("an instance without pixels or with an unknown encoding is refused clearly", "[dicom]") {
  CHECK(error_of([] { decode_pixels(pydicom_file("rtplan.dcm")); }) == ErrorCode::kUnsupported);
  CHECK(error_of([] { decode_pixels("not DICOM at all, only words and more words"); }) ==
        ErrorCode::kCorrupt);
  CHECK(error_of([] { decode_pixels(""); }) == ErrorCode::kCorrupt);
  CHECK(error_of([] { decode_pixels(pydicom_file("MR_truncated.dcm")); }) == ErrorCode::kCorrupt);
}

TEST_CASE("the memory-capped child process catches a large allocation", "[dicom][hostile]") {
  CHECK(outcome_within(k64MiB, [] { std::vector<char> v(1ull << 30, 1); }) == 2);
  CHECK(outcome_within(k64MiB, [] { std::vector<char> v(1u << 20, 1); }) == 1);
}

TEST_CASE("huge declared dimensions are refused without allocating them", "[dicom][hostile]") {
  std::string dims = test::read_file(test::sample("huge_dims.dcm"));
  std::string frames = test::read_file(test::sample("huge_frames.dcm"));
  // The cap speaks first...
  CHECK(error_of([&] { decode_pixels(dims); }) == ErrorCode::kTooLarge);
  CHECK(error_of([&] { decode_pixels(frames, -1); }) == ErrorCode::kTooLarge);
  // ... and with the caps lifted, the data present does: 65535 x 65535 x 2 bytes are not there.
  ImagingLimits open;
  open.max_decoded_bytes = 1ull << 40;
  open.max_output_dimension = 65535;
  CHECK(error_of([&] { decode_pixels(dims, 0, open); }) == ErrorCode::kCorrupt);
  CHECK(error_of([&] { decode_pixels(frames, -1, open); }) == ErrorCode::kCorrupt);
  CHECK(outcome_within(k64MiB, [&] { decode_pixels(dims, 0, open); }) == 0);
  CHECK(outcome_within(k64MiB, [&] { decode_pixels(frames, -1, open); }) == 0);
  CHECK(outcome_within(k64MiB, [&] { render(dims, {}, open); }) == 0);
  CHECK(outcome_within(k64MiB, [&] {
          transcode_frame(frames, 99999, FrameTransfer::kAsStored, 90, open);
        }) == 0);
}

TEST_CASE("an element length past the end of the file is refused without allocating it",
          "[dicom][hostile]") {
  std::string bytes = pydicom_file("CT_small.dcm");
  std::size_t pixel = bytes.rfind(std::string("\xE0\x7F\x10\x00OW", 6));
  REQUIRE(pixel != std::string::npos);
  std::string evil = bytes;
  std::uint32_t huge = 0xF0000000u;
  std::memcpy(evil.data() + pixel + 8, &huge, 4);
  CHECK(error_of([&] { decode_pixels(evil); }) == ErrorCode::kCorrupt);
  CHECK(outcome_within(k64MiB, [&] { decode_pixels(evil); }) == 0);
  CHECK(outcome_within(k64MiB, [&] { render(evil); }) == 0);
}

TEST_CASE("fragment lengths past the end are refused without allocating them", "[dicom][hostile]") {
  for (const char* name : {"MR_small_RLE.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm",
                           "MR_small_jpeg_ls_lossless.dcm"}) {
    INFO(name);
    std::string bytes = pydicom_file(name);
    std::string evil = with_fragment_length(bytes, 1, 0x7FFFFFF0u);
    CHECK(error_of([&] { decode_pixels(evil); }) == ErrorCode::kCorrupt);
    CHECK(outcome_within(k64MiB, [&] { decode_pixels(evil); }) == 0);
    CHECK(outcome_within(k64MiB, [&] { transcode_frame(evil, 0, FrameTransfer::kAsStored); }) == 0);
    // An offset table that claims more than the file holds.
    std::string bot = with_fragment_length(bytes, 0, 0xFFFFFF00u);
    CHECK(outcome_within(k64MiB, [&] { decode_pixels(bot); }) == 0);
  }
}

TEST_CASE("LUT descriptors longer than their data are refused", "[dicom][hostile]") {
  CHECK(error_of([] { decode_pixels(test::read_file(test::sample("voi_lut_short.dcm"))); }) ==
        ErrorCode::kCorrupt);
  CHECK(error_of([] { decode_pixels(test::read_file(test::sample("palette_lut_short.dcm"))); }) ==
        ErrorCode::kCorrupt);
  CHECK(outcome_within(k64MiB,
                       [] { render(test::read_file(test::sample("voi_lut_short.dcm"))); }) == 0);
}

TEST_CASE("a deflated data set is inflated only up to the cap", "[dicom][hostile]") {
  std::string bomb = test::read_file(test::sample("deflate_bomb.dcm"));  // 100 KB -> 80 MB
  ImagingLimits small;
  small.max_decoded_bytes = 1 << 20;  // inflation cap: 1 MiB + 64 MiB
  CHECK(error_of([&] { decode_pixels(bomb, 0, small); }) == ErrorCode::kTooLarge);
  // Within the default cap it is a valid image.
  CHECK(decode_pixels(bomb).rows == 128);
  CHECK(decode_pixels(pydicom_file("image_dfl.dcm")).rows == 512);
}

TEST_CASE("High Bit or Bits Stored outside Bits Allocated is refused", "[dicom][hostile]") {
  CHECK(error_of([] { decode_pixels(test::read_file(test::sample("high_bit.dcm"))); }) ==
        ErrorCode::kCorrupt);
  CHECK(error_of([] { decode_pixels(test::read_file(test::sample("bits_stored.dcm"))); }) ==
        ErrorCode::kCorrupt);
}

TEST_CASE("every truncation of an encapsulated file is refused or decoded, never a crash",
          "[dicom][hostile]") {
  for (const char* name : {"MR_small_RLE.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm",
                           "MR_small_jpeg_ls_lossless.dcm", "JPGExtended.dcm"}) {
    std::string bytes = pydicom_file(name);
    int refused = 0;
    for (std::size_t cut = bytes.size() / 2; cut < bytes.size(); cut += bytes.size() / 23) {
      INFO(name << " cut at " << cut);
      try {
        decode_pixels(bytes.substr(0, cut));
      } catch (const Error& e) {
        ++refused;
      }
    }
    CHECK(refused > 0);
  }
}

TEST_CASE("a JPEG marker that would hang DCMTK's decoder is refused", "[dicom][hostile]") {
  // DCMTK 3.6.7 loops forever on a TEM marker (FF01) before the frame header.
  std::string bytes = pydicom_file("SC_rgb_jpeg_dcmtk.dcm");
  std::size_t soi = bytes.find(std::string("\xFF\xD8\xFF", 3));
  REQUIRE(soi != std::string::npos);
  std::string evil = bytes;
  evil[soi + 2] = '\xFF';
  evil[soi + 3] = '\x01';
  CHECK(outcome_within(k64MiB, [&] { decode_pixels(evil); }) == 0);
  CHECK(error_of([&] { decode_pixels(evil); }) == ErrorCode::kCorrupt);
}

TEST_CASE("RLE segment offsets outside the frame are refused", "[dicom][hostile]") {
  std::string bytes = pydicom_file("SC_rgb_rle.dcm");  // three segments
  std::size_t pixel = bytes.rfind(std::string("\xE0\x7F\x10\x00", 4));
  REQUIRE(pixel != std::string::npos);
  std::size_t bot = pixel + 12;
  std::uint32_t bot_len;
  std::memcpy(&bot_len, bytes.data() + bot + 4, 4);
  std::size_t header = bot + 8 + bot_len + 8;  // the first fragment's RLE header
  std::string evil = bytes;
  std::uint32_t far = 0xFFFFFF00u;
  std::memcpy(evil.data() + header + 8, &far, 4);  // second segment offset
  CHECK(error_of([&] { decode_pixels(evil); }) == ErrorCode::kCorrupt);
  std::string count = bytes;
  std::uint32_t fifteen = 15;
  std::memcpy(count.data() + header, &fifteen, 4);
  CHECK(error_of([&] { decode_pixels(count); }) == ErrorCode::kCorrupt);
}

TEST_CASE("randomly damaged copies of every encoding are refused or decoded, never a crash",
          "[dicom][hostile]") {
  const char* names[] = {"MR_small_RLE.dcm",
                         "SC_rgb_rle_16bit_2frame.dcm",
                         "SC_rgb_jpeg_gdcm.dcm",
                         "JPGExtended.dcm",
                         "SC_rgb_dcmtk_+eb+cy+np.dcm",
                         "MR_small_jpeg_ls_lossless.dcm",
                         "693_J2KI.dcm",
                         "GDCMJ2K_TextGBR.dcm",
                         "image_dfl.dcm",
                         "MR_small_bigendian.dcm",
                         "liver_1frame.dcm",
                         "SC_ybr_full_422_uncompressed.dcm"};
  for (const char* name : names) {
    std::string bytes = pydicom_file(name);
    int status = outcome_within(256u << 20, [&] {
      std::mt19937 rng(7);
      for (int i = 0; i < 150; ++i) {
        std::string b = bytes;
        int flips = 1 + int(rng() % 8);
        for (int k = 0; k < flips; ++k) b[rng() % b.size()] = char(rng());
        if (rng() % 4 == 0) b.resize(rng() % b.size());
        try {
          render(b);
          transcode_frame(b, 0, FrameTransfer::kAsStored);
        } catch (const Error&) {
        }
      }
      throw Error(ErrorCode::kInternal, "done");  // reported as 0: every copy was handled
    });
    INFO(name);
    CHECK(status == 0);
  }
}
