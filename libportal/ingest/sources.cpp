// Reading inputs: plain files and zip archive members, each turned into a Prepared.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <vector>

#include "libportal/common/random.hpp"
#include "libportal/common/sha256.hpp"
#include "libportal/ingest/prepared.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

// Files up to this size are read once into memory and parsed from there; larger ones are parsed
// from disk and streamed into the store, so memory stays bounded whatever the file size.
constexpr std::uint64_t kInMemoryLimit = 16ull << 20;
constexpr std::size_t kChunk = 1 << 20;

void reject(Prepared& p, ErrorCode code, const std::string& message) {
  p.result.status = IngestStatus::kRejected;
  p.result.error = code;
  p.result.message = message;
  p.blob.reset();
  p.meta.reset();
}

void fill_ids(Prepared& p) {
  p.result.study_uid = p.meta->study_uid;
  p.result.series_uid = p.meta->series_uid;
  p.result.sop_uid = p.meta->sop_uid;
}

// Runs `fn`; any failure becomes the file's rejection rather than an exception.
void guarded(Prepared& p, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    reject(p, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    reject(p, ErrorCode::kTooLarge, "not enough memory to read this file");
  } catch (const std::exception& e) {
    reject(p, ErrorCode::kInternal, e.what());
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::size_t read_full(int fd, char* buf, std::size_t n, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace

Prepared prepare_bytes(const std::string& source, const std::string& bytes, BlobStore& blobs) {
  Prepared p;
  p.result.source = source;
  p.result.size_bytes = static_cast<std::int64_t>(bytes.size());
  guarded(p, [&] {
    p.meta = parse_dicom(bytes.data(), bytes.size());
    fill_ids(p);
    p.sha256 = sha256_hex(bytes.data(), bytes.size());
    p.blob = blobs.stage();
    p.blob->write(bytes.data(), bytes.size());
  });
  return p;
}

Prepared prepare_file(const std::string& path, BlobStore& blobs, const SourceLimits& limits) {
  Prepared p;
  p.result.source = path;
  guarded(p, [&] {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
      throw Error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
      throw Error(ErrorCode::kInvalidArgument, "not a regular file");
    auto size = static_cast<std::uint64_t>(st.st_size);
    p.result.size_bytes = static_cast<std::int64_t>(size);
    if (size > limits.max_file_bytes)
      throw Error(ErrorCode::kTooLarge, "file of " + std::to_string(size) +
                                            " bytes exceeds the limit of " +
                                            std::to_string(limits.max_file_bytes));
    if (size <= kInMemoryLimit) {
      // One buffer per worker, reused: a fresh allocation per file costs page faults that
      // showed up as most of the ingest's CPU time.
      thread_local std::vector<char> buffer;
      if (buffer.size() < size + 1) buffer.resize(std::max<std::size_t>(size + 1, 1 << 20));
      std::size_t got = read_full(fd.get(), buffer.data(), size, path);
      p.meta = parse_dicom(buffer.data(), got);
      fill_ids(p);
      p.sha256 = sha256_hex(buffer.data(), got);
      p.blob = blobs.stage();
      p.blob->write(buffer.data(), got);
      p.result.size_bytes = static_cast<std::int64_t>(got);
      return;
    }
    p.meta = parse_dicom_file(path);
    fill_ids(p);
    p.blob = blobs.stage();
    Sha256 hash;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    std::uint64_t total = 0;
    while (true) {
      std::size_t got = read_full(fd.get(), buf.get(), kChunk, path);
      if (got == 0) break;
      hash.update(buf.get(), got);
      p.blob->write(buf.get(), got);
      total += got;
    }
    p.sha256 = hash.hex_digest();
    p.result.size_bytes = static_cast<std::int64_t>(total);
  });
  return p;
}

bool is_zip(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  char magic[4] = {};
  return ::read(fd.get(), magic, 4) == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

namespace {

// Refuses names that would land outside an extraction root: absolute paths, drive letters,
// ".." components (with either slash), and NUL bytes hidden in the name.
bool safe_member_name(const std::string& name) {
  if (name.empty() || name[0] == '/' || name[0] == '\\') return false;
  if (name.size() > 1 && name[1] == ':') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find_first_of("/\\", start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

void prepare_zip(const std::string& path, BlobStore& blobs, const SourceLimits& limits,
                 const std::function<void(Prepared)>& emit) {
  auto whole_archive_failed = [&](ErrorCode code, const std::string& msg) {
    Prepared p;
    p.result.source = path;
    reject(p, code, msg);
    emit(std::move(p));
  };
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    whole_archive_failed(ErrorCode::kCorrupt, std::string("cannot open zip archive: ") +
                                                  archive_error_string(a.get()));
    return;
  }
  std::uint64_t entries = 0, total = 0;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  while (true) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      whole_archive_failed(ErrorCode::kCorrupt, std::string("damaged zip archive: ") +
                                                    archive_error_string(a.get()));
      return;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;  // folders, links: nothing to store
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    if (++entries > limits.zip_max_entries) {
      whole_archive_failed(ErrorCode::kTooLarge,
                           "zip archive has more than " + std::to_string(limits.zip_max_entries) +
                               " entries; the rest was not read");
      return;
    }
    Prepared p;
    p.result.source = path + "!" + name;
    if (!safe_member_name(name)) {
      reject(p, ErrorCode::kInvalidArgument, "archive member name escapes the archive root");
      emit(std::move(p));
      continue;
    }
    if (archive_entry_size_is_set(entry) &&
        static_cast<std::uint64_t>(archive_entry_size(entry)) > limits.zip_max_entry_bytes) {
      reject(p, ErrorCode::kTooLarge, "archive member exceeds the size limit");
      emit(std::move(p));
      continue;
    }
    // Read the member, checking size caps and the compression ratio as bytes arrive.
    std::string bytes;
    std::string scratch_path;
    int scratch_fd = -1;
    std::uint64_t size = 0;
    std::int64_t raw_start = archive_filter_bytes(a.get(), -1);
    bool failed = false;
    std::string why;
    ErrorCode code = ErrorCode::kCorrupt;
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buf.get(), kChunk);
      if (n < 0) {
        failed = true;
        why = std::string("cannot read archive member: ") + archive_error_string(a.get());
        break;
      }
      if (n == 0) break;
      size += static_cast<std::uint64_t>(n);
      total += static_cast<std::uint64_t>(n);
      std::int64_t raw = archive_filter_bytes(a.get(), -1) - raw_start;
      if (size > limits.zip_max_entry_bytes) {
        failed = true, code = ErrorCode::kTooLarge, why = "archive member exceeds the size limit";
        break;
      }
      if (total > limits.zip_max_total_bytes) {
        if (scratch_fd >= 0) ::close(scratch_fd), ::unlink(scratch_path.c_str());
        whole_archive_failed(ErrorCode::kTooLarge,
                             "zip archive expands beyond the total size limit; the rest was not read");
        return;
      }
      if (size > (1u << 20) && size / static_cast<std::uint64_t>(std::max<std::int64_t>(raw, 1)) >
                                   limits.zip_max_ratio) {
        failed = true, code = ErrorCode::kTooLarge,
        why = "archive member has an implausible compression ratio (zip bomb?)";
        break;
      }
      if (scratch_fd < 0 && bytes.size() + static_cast<std::size_t>(n) > kInMemoryLimit) {
        // Too big to hold: continue into a scratch file and ingest it as a plain file.
        scratch_path = limits.scratch_dir + "/zip-" + random_hex(12);
        scratch_fd = ::open(scratch_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (scratch_fd < 0) {
          failed = true, code = ErrorCode::kIo, why = "cannot create scratch file";
          break;
        }
        if (::write(scratch_fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
          failed = true, code = ErrorCode::kIo, why = "cannot write scratch file";
          break;
        }
        std::string().swap(bytes);
      }
      if (scratch_fd >= 0) {
        if (::write(scratch_fd, buf.get(), static_cast<std::size_t>(n)) != n) {
          failed = true, code = ErrorCode::kIo, why = "cannot write scratch file";
          break;
        }
      } else {
        bytes.append(buf.get(), static_cast<std::size_t>(n));
      }
    }
    if (scratch_fd >= 0) ::close(scratch_fd);
    if (failed) {
      if (!scratch_path.empty()) ::unlink(scratch_path.c_str());
      reject(p, code, why);
      p.result.size_bytes = static_cast<std::int64_t>(size);
      emit(std::move(p));
      if (code == ErrorCode::kCorrupt) return;  // the stream is unusable after a read error
      continue;
    }
    Prepared done;
    if (!scratch_path.empty()) {
      done = prepare_file(scratch_path, blobs, limits);
      ::unlink(scratch_path.c_str());
    } else {
      done = prepare_bytes(p.result.source, bytes, blobs);
    }
    done.result.source = p.result.source;
    emit(std::move(done));
  }
}

}  // namespace portal::detail
