// Small DICOM files made by tests/render/make_imaging_samples.py, once per test run.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "support/test_support.hpp"

namespace portal::test {

/// The folder holding palette8.dcm, voi_lut.dcm, huge_dims.dcm, ... (see the script).
inline const std::string& imaging_samples() {
  static TempDir dir;
  static bool made = false;
  if (!made) {
    std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                      "/tests/render/make_imaging_samples.py " + dir.path();
    REQUIRE(run(cmd) == 0);
    made = true;
  }
  return dir.path();
}

inline std::string sample(const std::string& name) { return imaging_samples() + "/" + name; }

}  // namespace portal::test
