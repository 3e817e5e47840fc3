// ARCHITECTURE: third-party headers stay in their adapter folder; public headers use std only.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
namespace test = portal::test;

namespace {

struct Rule {
  std::string include_prefix;    // e.g. "dcmtk/"
  std::vector<std::string> allowed_dirs;  // source folders (relative) where it may appear
};

std::string relative(const std::string& path) {
  return fs::relative(path, PORTAL_SOURCE_DIR).string();
}

}  // namespace

TEST_CASE("third-party headers are included only inside their adapter", "[rules]") {
  const std::vector<Rule> rules = {
      {"dcmtk/", {"libportal/dicom/"}},
      {"gdcm", {"libportal/dicom/"}},
      {"openjpeg", {"libportal/dicom/"}},
      {"turbojpeg.h", {"libportal/render/"}},
      {"png.h", {"libportal/render/"}},
      {"jpeglib.h", {"libportal/render/"}},
      {"SQLiteCpp/", {"libportal/store/"}},
      {"sqlite3.h", {"libportal/store/"}},
      {"httplib.h", {"shells/http/"}},
      {"CLI/", {"shells/cli/"}},
      {"pybind11/", {"bindings/python/"}},
      {"archive", {"libportal/ingest/", "libportal/export/"}},
      {"openssl/", {"libportal/common/", "shells/http/"}},
      {"sodium", {"libportal/common/", "libportal/auth/"}},
      {"unicode/", {"libportal/common/"}},
      {"curl/", {"libportal/mail/"}},
      {"toml++/", {"libportal/config/"}},
      {"cairo", {"libportal/auth/", "libportal/render/"}},
      {"crack.h", {"libportal/auth/"}},
  };
  std::regex include_re(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  int checked = 0;
  for (const char* top : {"include", "libportal", "shells", "bindings", "examples", "benchmarks"}) {
    std::string root = std::string(PORTAL_SOURCE_DIR) + "/" + top;
    if (!fs::exists(root)) continue;
    for (const auto& file : test::files_under(root)) {
      std::string ext = fs::path(file).extension().string();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".cc") continue;
      if (file.find("/node_modules/") != std::string::npos) continue;
      std::string rel = relative(file);
      std::ifstream in(file);
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        std::string inc = m[1];
        ++checked;
        if (rel.rfind("include/", 0) == 0) {
          INFO(rel << " includes " << inc);
          // Public headers: the standard library and each other only.
          CHECK((inc.rfind("portal/", 0) == 0 || inc.find('.') == std::string::npos));
          continue;
        }
        for (const auto& rule : rules) {
          if (inc.rfind(rule.include_prefix, 0) != 0) continue;
          bool ok = false;
          for (const auto& dir : rule.allowed_dirs) ok = ok || rel.rfind(dir, 0) == 0;
          INFO(rel << " includes " << inc);
          CHECK(ok);
        }
      }
    }
  }
  CHECK(checked > 50);
}
