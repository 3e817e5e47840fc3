#include <catch2/catch.hpp>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"
#include "support/test_support.hpp"

using namespace portal;
using detail::parse_dicom;
using detail::parse_dicom_file;

TEST_CASE("a CT header yields every indexed attribute", "[dicom]") {
  std::string path = test::pydicom_dir() + "/CT_small.dcm";
  auto m = parse_dicom_file(path);
  CHECK(m.patient_name == "CompressedSamples^CT1");
  CHECK(m.study_uid == "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322");
  CHECK(m.sop_uid == "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322");
  CHECK(m.modality == "CT");
  CHECK(m.rows == 128);
  CHECK(m.frames == 1);
  CHECK(m.study_date == "20040119");
  CHECK(m.transfer_syntax_uid == "1.2.840.10008.1.2.1");
  // Parsing from memory gives the same answer as parsing the file.
  std::string bytes = test::read_file(path);
  auto mem = parse_dicom(bytes.data(), bytes.size());
  CHECK(mem.sop_uid == m.sop_uid);
  CHECK(mem.patient_name == m.patient_name);
}

TEST_CASE("names in other character sets arrive as UTF-8", "[dicom]") {
  CHECK(parse_dicom_file(test::pydicom_charset_dir() + "/chrFren.dcm").patient_name ==
        "Buc^Jérôme");
  CHECK(parse_dicom_file(test::pydicom_charset_dir() + "/chrGerm.dcm").patient_name ==
        "Äneas^Rüdiger");
  CHECK(parse_dicom_file(test::pydicom_charset_dir() + "/chrRuss.dcm").patient_name ==
        "Люкceмбypг");
}

TEST_CASE("files without preamble or meta header are read", "[dicom]") {
  auto m = parse_dicom_file(test::pydicom_dir() + "/ExplVR_LitEndNoMeta.dcm");
  CHECK_FALSE(m.sop_uid.empty());
  auto be = parse_dicom_file(test::pydicom_dir() + "/MR_small_bigendian.dcm");
  CHECK(be.transfer_syntax_uid == "1.2.840.10008.1.2.2");
}

TEST_CASE("non-DICOM and damaged input is refused with a reason", "[dicom]") {
  std::string text = "this is not a DICOM file at all, just some words";
  try {
    parse_dicom(text.data(), text.size());
    FAIL("accepted text");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kCorrupt);
    CHECK(std::string(e.what()).find("not a DICOM file") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_dicom("", 0), Error);
  std::string bytes = test::read_file(test::pydicom_dir() + "/CT_small.dcm");
  std::string truncated = bytes.substr(0, 700);
  CHECK_THROWS_AS(parse_dicom(truncated.data(), truncated.size()), Error);
  // A header claiming a 4 GB value in a tiny file.
  std::string evil = bytes.substr(0, 132) + std::string("\x02\x00\x01\x00OB\x00\x00", 8) +
                     std::string("\xf0\xff\xff\xff", 4) + "tiny";
  CHECK_THROWS_AS(parse_dicom(evil.data(), evil.size()), Error);
}

TEST_CASE("a file whose pixel data runs past its end is refused, not stored", "[dicom]") {
  std::string path = test::pydicom_dir() + "/MR_truncated.dcm";
  std::string bytes = test::read_file(path);
  try {
    parse_dicom(bytes.data(), bytes.size());
    FAIL("accepted truncated pixel data");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kCorrupt);
    CHECK_THAT(e.what(), Catch::Contains("truncated"));
  }
  CHECK_THROWS_AS(parse_dicom_file(path), Error);
}

TEST_CASE("encapsulated pixel data cut short is refused", "[dicom]") {
  std::string bytes = test::read_file(test::pydicom_dir() + "/JPEG2000.dcm");
  REQUIRE_NOTHROW(parse_dicom(bytes.data(), bytes.size()));
  for (std::size_t cut : {bytes.size() - 1, bytes.size() - 8, bytes.size() - 200}) {
    std::string part = bytes.substr(0, cut);
    INFO("cut at " << cut);
    try {
      parse_dicom(part.data(), part.size());
      FAIL("accepted a truncated encapsulated file");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kCorrupt);
    }
  }
}

TEST_CASE("a DICOMDIR is refused as not an instance", "[dicom]") {
  try {
    parse_dicom_file(test::pydicom_dir() + "/dicomdirtests/DICOMDIR");
    FAIL("accepted a DICOMDIR");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnsupported);
  }
}

TEST_CASE("every pydicom sample is parsed or refused, never a crash", "[dicom]") {
  int parsed = 0, refused = 0;
  for (const auto& f : test::files_under(test::pydicom_dir())) {
    std::string bytes = test::read_file(f);
    try {
      auto m = parse_dicom(bytes.data(), bytes.size());
      CHECK_FALSE(m.sop_uid.empty());
      ++parsed;
    } catch (const Error& e) {
      CHECK(std::string(e.what()).size() > 5);
      ++refused;
    }
  }
  CHECK(parsed >= 100);
  CHECK(refused >= 10);
}
