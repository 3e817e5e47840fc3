// Every pydicom sample renders or is refused clearly; decoded pixels match pydicom + numpy
// (tests/render/pixels_crosscheck.py states the tolerances).
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "render/samples.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A NumPy .npy (version 1.0) file: shape (frames, rows, columns, samples).
void write_npy(const std::string& path, const PixelArray& px) {
  char kind = px.is_signed ? 'i' : 'u';
  std::string descr = std::string("<") + kind + std::to_string(px.bytes_per_sample);
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(px.frames) + ", " + std::to_string(px.rows) + ", " +
                       std::to_string(px.columns) + ", " + std::to_string(px.samples) + "), }";
  std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(px.data.data()), px.data.size());
  test::write_file(path, out);
}

// Files that hold an image and must decode (the others have no pixels or are damaged).
const std::set<std::string> kMustDecode = {"693_J2KI.dcm",
                                           "CT_small.dcm",
                                           "ExplVR_BigEnd.dcm",
                                           "GDCMJ2K_TextGBR.dcm",
                                           "J2K_pixelrep_mismatch.dcm",
                                           "JPEG-lossy.dcm",
                                           "JPEG2000.dcm",
                                           "JPGExtended.dcm",
                                           "MR_small.dcm",
                                           "MR_small_RLE.dcm",
                                           "MR_small_bigendian.dcm",
                                           "MR_small_expb.dcm",
                                           "MR_small_implicit.dcm",
                                           "MR_small_jp2klossless.dcm",
                                           "MR_small_jpeg_ls_lossless.dcm",
                                           "MR_small_padded.dcm",
                                           "SC_jpeg_no_color_transform.dcm",
                                           "SC_jpeg_no_color_transform_2.dcm",
                                           "SC_rgb_dcmtk_+eb+cr.dcm",
                                           "SC_rgb_dcmtk_+eb+cy+n1.dcm",
                                           "SC_rgb_dcmtk_+eb+cy+n2.dcm",
                                           "SC_rgb_dcmtk_+eb+cy+np.dcm",
                                           "SC_rgb_dcmtk_+eb+cy+s2.dcm",
                                           "SC_rgb_dcmtk_+eb+cy+s4.dcm",
                                           "SC_rgb_gdcm_KY.dcm",
                                           "SC_rgb_jpeg_app14_dcmd.dcm",
                                           "SC_rgb_jpeg_dcmd.dcm",
                                           "SC_rgb_jpeg_dcmtk.dcm",
                                           "SC_rgb_jpeg_gdcm.dcm",
                                           "SC_rgb_jpeg_lossy_gdcm.dcm",
                                           "SC_rgb_rle.dcm",
                                           "SC_rgb_rle_16bit.dcm",
                                           "SC_rgb_rle_16bit_2frame.dcm",
                                           "SC_rgb_rle_2frame.dcm",
                                           "SC_rgb_rle_32bit.dcm",
                                           "SC_rgb_rle_32bit_2frame.dcm",
                                           "SC_rgb_small_odd.dcm",
                                           "SC_rgb_small_odd_jpeg.dcm",
                                           "SC_ybr_full_422_uncompressed.dcm",
                                           "image_dfl.dcm",
                                           "liver_1frame.dcm",
                                           "liver_expb_1frame.dcm",
                                           "rtdose.dcm",
                                           "rtdose_1frame.dcm",
                                           "rtdose_expb.dcm",
                                           "rtdose_expb_1frame.dcm",
                                           "rtdose_rle.dcm",
                                           "rtdose_rle_1frame.dcm"};

}  // namespace

TEST_CASE("every pydicom test file either renders or is refused clearly", "[render]") {
  std::set<std::string> rendered;
  std::map<std::string, std::string> refused;
  for (const auto& f : test::files_under(test::pydicom_dir())) {
    std::string bytes = test::read_file(f);
    std::string name = base_name(f);
    INFO(f);
    try {
      RenderOptions o;
      o.format = ImageFormat::kPng;
      std::string png = render(bytes, o);
      CHECK(png.compare(0, 4, "\x89PNG") == 0);
      std::string jpeg = thumbnail(bytes, 64);
      CHECK(jpeg.compare(0, 2, "\xFF\xD8") == 0);
      rendered.insert(name);
    } catch (const Error& e) {
      CHECK(std::string(e.what()).size() > 10);
      CHECK((e.code() == ErrorCode::kUnsupported || e.code() == ErrorCode::kCorrupt ||
             e.code() == ErrorCode::kTooLarge));
      refused[name] = e.what();
    }
  }
  for (const auto& name : kMustDecode) {
    INFO(name << ": " << refused[name]);
    CHECK(rendered.count(name) == 1);
  }
  // Damaged or pixel-less files are refused with a reason, not rendered as garbage.
  CHECK(refused.count("MR_truncated.dcm") == 1);
  CHECK(refused.count("rtplan.dcm") == 1);
  CHECK(refused.count("README.txt") == 1);
  // A J2K codestream whose SIZ header contradicts Rows/Columns (pydicom's Pillow path refuses it
  // too), and a file whose meta header claims explicit VR over an implicit VR data set.
  CHECK(refused.count("JPEG2000-embedded-sequence-delimiter.dcm") == 1);
  CHECK(refused.count("SC_rgb_jpeg.dcm") == 1);
}

TEST_CASE("decoded pixels match pydicom and numpy for every file pydicom can decode", "[render]") {
  test::TempDir dir;
  nlohmann::json manifest = nlohmann::json::array();
  int n = 0;
  for (const auto& f : test::files_under(test::pydicom_dir())) {
    if (!kMustDecode.count(base_name(f))) continue;
    std::string bytes = test::read_file(f);
    PixelArray px = decode_pixels(bytes, -1);
    CHECK(px.frames == px.number_of_frames);
    CHECK(px.data.size() == px.frame_values() * px.frames * px.bytes_per_sample);
    std::string npy = dir / (std::to_string(n++) + ".npy");
    write_npy(npy, px);
    manifest.push_back({{"file", f}, {"npy", npy}, {"transfer_syntax", px.transfer_syntax_uid}});
  }
  // Generated files for what the sample set lacks (PALETTE COLOR, VOI LUT, MONOCHROME1).
  for (const char* name : {"palette8.dcm", "voi_lut.dcm", "monochrome1.dcm"}) {
    PixelArray px = decode_pixels(test::read_file(test::sample(name)), -1);
    std::string npy = dir / (std::to_string(n++) + ".npy");
    write_npy(npy, px);
    manifest.push_back(
        {{"file", test::sample(name)}, {"npy", npy}, {"transfer_syntax", px.transfer_syntax_uid}});
  }
  test::write_file(dir / "manifest.json", manifest.dump());
  std::string out = dir / "out.txt";
  int rc = test::run(std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                     "/tests/render/pixels_crosscheck.py " + (dir / "manifest.json") + " > " + out +
                     " 2>&1");
  std::string report = test::read_file(out);
  INFO(report);
  CHECK(rc == 0);
  // Debian's numpy and RLE handlers alone decode these many; Pillow and GDCM add the rest.
  auto pos = report.rfind('\n', report.size() - 2);
  std::string summary = report.substr(pos == std::string::npos ? 0 : pos + 1);
  int passed = std::atoi(summary.c_str());
  CHECK(passed >= 20);
  CHECK(report.find("MATCH palette8.dcm") != std::string::npos);
}
