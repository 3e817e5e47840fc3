// Streaming zip writing (libarchive): entries go to a sink as they are written.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace portal::detail {

/// Writes a zip archive to `sink` chunk by chunk; memory stays bounded whatever the size.
/// Not thread-safe. Throws Error(kInternal/kIo) on failure.
class ZipWriter {
 public:
  explicit ZipWriter(std::function<void(const char*, std::size_t)> sink);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  /// One entry holding `bytes`.
  void add(const std::string& name, const std::string& bytes);
  /// One entry copied from the file at `path`.
  void add_file(const std::string& name, const std::string& path);
  /// Finishes the archive (central directory). Must be called once, last.
  void close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portal::detail
