// Helpers shared by the tests: temporary folders, test data, small file utilities.
#pragma once

#include <string>
#include <vector>

namespace portal::test {

/// A fresh directory removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// The generated test studies (tests/data/gen_studies.py --preset test --seed 7).
std::string studies_dir();
/// Debian's pydicom sample files.
std::string pydicom_dir();
std::string pydicom_charset_dir();

/// Every regular file under `dir`, sorted.
std::vector<std::string> files_under(const std::string& dir);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);
std::string sha256_file(const std::string& path);

/// Runs tests/data/dicom_variant.py SRC DST ARGS... (pydicom); fails the test on error.
void dicom_variant(const std::string& src, const std::string& dst,
                   const std::vector<std::string>& args);

/// Zips `members` (name in archive -> file on disk) into `zip_path` with Python's zipfile.
void make_zip(const std::string& zip_path,
              const std::vector<std::pair<std::string, std::string>>& members);

/// Runs a shell command; returns its exit status.
int run(const std::string& command);

}  // namespace portal::test
