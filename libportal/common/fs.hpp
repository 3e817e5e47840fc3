// File-system helpers that turn errno into portal::Error.
#pragma once

#include <string>

namespace portal::detail {

/// Throws Error(kIo) with `what`, the path and strerror(errno).
[[noreturn]] void throw_errno(const std::string& what, const std::string& path);

/// Creates a directory and its parents; no error if it exists.
void make_dirs(const std::string& path);

/// Flushes a directory's entries to stable storage.
void fsync_dir(const std::string& path);

/// Writes `data` to `path` atomically (temp file, fsync, rename, fsync dir).
void write_file_atomic(const std::string& path, const std::string& data, bool durable = true);

/// Reads a whole file. Throws Error(kIo) or Error(kNotFound) when missing.
std::string read_file(const std::string& path);

}  // namespace portal::detail
