#include "libportal/export/zip_writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <vector>

#include "portal/error.hpp"

namespace portal::detail {

struct ZipWriter::State {
  std::function<void(const char*, std::size_t)> sink;
  archive* a = nullptr;
  bool closed = false;
};

namespace {

la_ssize_t write_cb(archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<std::function<void(const char*, std::size_t)>*>(client);
  try {
    (*sink)(static_cast<const char*>(buf), n);
  } catch (...) {
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

void check(archive* a, int rc, const char* what) {
  if (rc < ARCHIVE_WARN)
    throw Error(ErrorCode::kIo, std::string(what) + ": " +
                                    (archive_error_string(a) ? archive_error_string(a) : "failed"));
}

}  // namespace

ZipWriter::ZipWriter(std::function<void(const char*, std::size_t)> sink)
    : state_(std::make_unique<State>()) {
  state_->sink = std::move(sink);
  state_->a = archive_write_new();
  check(state_->a, archive_write_set_format_zip(state_->a), "zip");
  archive_write_set_bytes_in_last_block(state_->a, 1);  // no padding after the archive
  check(state_->a,
        archive_write_open(state_->a, &state_->sink, nullptr, write_cb, nullptr), "zip open");
}

ZipWriter::~ZipWriter() {
  if (state_->a) {
    if (!state_->closed) archive_write_close(state_->a);
    archive_write_free(state_->a);
  }
}

void ZipWriter::add(const std::string& name, const std::string& bytes) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
  int rc = archive_write_header(state_->a, e);
  archive_entry_free(e);
  check(state_->a, rc, "zip entry");
  if (!bytes.empty() &&
      archive_write_data(state_->a, bytes.data(), bytes.size()) < 0)
    check(state_->a, ARCHIVE_FATAL, "zip data");
}

void ZipWriter::add_file(const std::string& name, const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorCode::kIo, "cannot read " + path);
  auto size = static_cast<la_int64_t>(in.tellg());
  in.seekg(0);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, size);
  int rc = archive_write_header(state_->a, e);
  archive_entry_free(e);
  check(state_->a, rc, "zip entry");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    if (archive_write_data(state_->a, buf.data(), static_cast<size_t>(n)) < 0)
      check(state_->a, ARCHIVE_FATAL, "zip data");
  }
}

void ZipWriter::close() {
  state_->closed = true;
  check(state_->a, archive_write_close(state_->a), "zip close");
}

}  // namespace portal::detail
