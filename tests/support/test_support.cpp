#include "support/test_support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "libportal/common/sha256.hpp"

namespace portal::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "portal-test-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string studies_dir() {
  std::string dir = std::string(PORTAL_TESTDATA_DIR) + "/studies";
  if (!fs::exists(dir + "/manifest.json")) {
    // Running the binary outside CTest: make the data the fixture would have made.
    std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                      "/tests/data/gen_studies.py " + dir + " --preset test --seed 7 > /dev/null";
    REQUIRE(run(cmd) == 0);
  }
  return dir;
}

std::string pydicom_dir() { return "/usr/lib/python3/dist-packages/pydicom/data/test_files"; }
std::string pydicom_charset_dir() {
  return "/usr/lib/python3/dist-packages/pydicom/data/charset_files";
}

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

std::string sha256_file(const std::string& path) {
  std::string bytes = read_file(path);
  return detail::sha256_hex(bytes.data(), bytes.size());
}

int run(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

namespace {
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

void dicom_variant(const std::string& src, const std::string& dst,
                   const std::vector<std::string>& args) {
  std::string cmd = std::string(PORTAL_PYTHON) + " " + PORTAL_SOURCE_DIR +
                    "/tests/data/dicom_variant.py " + shell_quote(src) + " " + shell_quote(dst);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  REQUIRE(run(cmd) == 0);
}

void make_zip(const std::string& zip_path,
              const std::vector<std::pair<std::string, std::string>>& members) {
  std::string script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n"
                       "args = sys.argv[2:]\nfor name, path in zip(args[::2], args[1::2]):\n"
                       "    z.write(path, name)\nz.close()\n";
  std::string cmd = std::string(PORTAL_PYTHON) + " -c " + shell_quote(script) + " " + shell_quote(zip_path);
  for (const auto& [name, path] : members) cmd += " " + shell_quote(name) + " " + shell_quote(path);
  REQUIRE(run(cmd) == 0);
}

}  // namespace portal::test
