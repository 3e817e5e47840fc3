// The production BlobStore: files under a root directory.
//
// Layout: <root>/<2 hex>/<id> for published blobs, <root>/tmp/<owner>.<id> while staged,
// <root>/intent/<owner>-<ticket> listing the ids of a publish not yet settled, and
// <root>/owners/<owner>, a file each open store holds an exclusive flock() on. Several processes
// may share one store (PLAT-5): recover() only cleans up after owners whose lock is free, i.e.
// processes that died, never after one that is still writing.
// A publish is a group commit: one syncfs() makes every staged file (and the intent) durable,
// the renames follow, and a second syncfs() makes the names durable — two flushes per group
// instead of two per file, which is what lets ingest run near the disk's speed.
#include <dirent.h>
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <mutex>

#include "libportal/common/fs.hpp"
#include "libportal/common/random.hpp"
#include "portal/backend.hpp"
#include "portal/error.hpp"

namespace portal {
namespace {

using detail::throw_errno;

bool valid_id(const std::string& id) {
  if (id.size() < 8 || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

class FileStagedBlob final : public StagedBlob {
 public:
  FileStagedBlob(std::string id, std::string tmp_path) : id_(std::move(id)), path_(std::move(tmp_path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_errno("cannot create", path_);
  }
  ~FileStagedBlob() override {
    if (fd_ >= 0) ::close(fd_);
    if (!published_) ::unlink(path_.c_str());
  }
  const std::string& id() const override { return id_; }
  void write(const void* data, std::size_t size) override {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("cannot write", path_);
      }
      p += n;
      size -= static_cast<std::size_t>(n);
      size_ += static_cast<std::uint64_t>(n);
    }
  }
  std::uint64_t size() const override { return size_; }

  void close_file() {
    if (fd_ >= 0 && ::close(fd_) != 0) {
      fd_ = -1;
      throw_errno("cannot close", path_);
    }
    fd_ = -1;
  }
  const std::string& tmp_path() const { return path_; }
  void mark_published() { published_ = true; }

 private:
  std::string id_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  bool published_ = false;
};

class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(std::string root, bool durable) : root_(std::move(root)), durable_(durable) {
    detail::make_dirs(root_ + "/tmp");
    detail::make_dirs(root_ + "/intent");
    detail::make_dirs(root_ + "/owners");
    owner_ = detail::random_hex(8);
    std::string lock_path = root_ + "/owners/" + owner_;
    owner_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (owner_fd_ < 0) throw_errno("cannot create", lock_path);
    if (::flock(owner_fd_, LOCK_EX | LOCK_NB) != 0) throw_errno("cannot lock", lock_path);
    root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) throw_errno("cannot open", root_);
  }
  ~FileBlobStore() override {
    ::close(root_fd_);
    ::unlink((root_ + "/owners/" + owner_).c_str());
    ::close(owner_fd_);
  }

  std::unique_ptr<StagedBlob> stage() override {
    std::string id = detail::random_hex(16);
    return std::make_unique<FileStagedBlob>(id, root_ + "/tmp/" + owner_ + "." + id);
  }

  std::uint64_t publish(std::vector<std::unique_ptr<StagedBlob>> blobs) override {
    std::uint64_t ticket = next_ticket_.fetch_add(1);
    if (blobs.empty()) return ticket;
    std::string intent_path = root_ + "/intent/" + intent_name(ticket);
    std::string ids;
    for (auto& b : blobs) {
      auto* fb = dynamic_cast<FileStagedBlob*>(b.get());
      if (!fb) throw Error(ErrorCode::kInternal, "blob staged by another store");
      fb->close_file();
      ids += fb->id() + "\n";
    }
    detail::write_file_atomic(intent_path, ids, /*durable=*/false);
    sync();  // staged data and the intent reach the disk before any name changes
    for (auto& b : blobs) {
      auto* fb = static_cast<FileStagedBlob*>(b.get());
      std::string dir = root_ + "/" + fb->id().substr(0, 2);
      ensure_dir(dir);
      std::string final_path = dir + "/" + fb->id();
      if (::rename(fb->tmp_path().c_str(), final_path.c_str()) != 0)
        throw_errno("cannot rename", fb->tmp_path());
      fb->mark_published();
    }
    sync();  // the new names are durable
    return ticket;
  }

  void settle(std::uint64_t ticket) override {
    ::unlink((root_ + "/intent/" + intent_name(ticket)).c_str());
  }

  std::uint64_t recover(const std::function<bool(const std::string&)>& is_indexed) override {
    std::uint64_t removed = 0;
    // Owners whose lock we can take are dead processes: their leftovers are ours to clean.
    std::vector<std::string> dead;
    std::vector<int> held;
    for (const auto& e : std::filesystem::directory_iterator(root_ + "/owners")) {
      std::string name = e.path().filename().string();
      if (name == owner_) continue;
      int fd = ::open(e.path().c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        dead.push_back(name);
        held.push_back(fd);
      } else {
        ::close(fd);
      }
    }
    auto owned_by_dead = [&](const std::string& file) {
      for (const auto& d : dead)
        if (file.compare(0, d.size(), d) == 0 && file.size() > d.size()) return true;
      return false;
    };
    for (const auto& e : std::filesystem::directory_iterator(root_ + "/tmp")) {
      if (!owned_by_dead(e.path().filename().string())) continue;
      std::filesystem::remove(e.path());
      ++removed;
    }
    for (const auto& e : std::filesystem::directory_iterator(root_ + "/intent")) {
      if (!owned_by_dead(e.path().filename().string())) continue;
      std::string content;
      try {
        content = detail::read_file(e.path().string());
      } catch (const Error&) {
        continue;
      }
      std::size_t start = 0;
      while (start < content.size()) {
        std::size_t nl = content.find('\n', start);
        if (nl == std::string::npos) nl = content.size();
        std::string id = content.substr(start, nl - start);
        start = nl + 1;
        if (valid_id(id) && !is_indexed(id)) {
          if (::unlink(path(id).c_str()) == 0) ++removed;
        }
      }
      std::filesystem::remove(e.path());
    }
    if (durable_) sync();
    for (std::size_t i = 0; i < dead.size(); ++i) {
      ::unlink((root_ + "/owners/" + dead[i]).c_str());
      ::close(held[i]);
    }
    return removed;
  }

  std::optional<std::string> read(const std::string& id) const override {
    if (!valid_id(id)) return std::nullopt;
    try {
      return detail::read_file(path(id));
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kNotFound) return std::nullopt;
      throw;
    }
  }

  bool read_chunks(const std::string& id,
                   const std::function<void(const char*, std::size_t)>& sink) const override {
    if (!valid_id(id)) return false;
    std::string p = path(id);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return false;
      throw_errno("cannot open", p);
    }
    std::unique_ptr<char[]> buf(new char[1 << 20]);
    while (true) {
      ssize_t n = ::read(fd, buf.get(), 1 << 20);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        errno = err;
        throw_errno("cannot read", p);
      }
      if (n == 0) break;
      try {
        sink(buf.get(), static_cast<std::size_t>(n));
      } catch (...) {
        ::close(fd);
        throw;
      }
    }
    ::close(fd);
    return true;
  }

  std::optional<std::uint64_t> size(const std::string& id) const override {
    if (!valid_id(id)) return std::nullopt;
    struct stat st {};
    if (::stat(path(id).c_str(), &st) != 0) return std::nullopt;
    return static_cast<std::uint64_t>(st.st_size);
  }

  void remove(const std::string& id) override {
    if (!valid_id(id)) return;
    if (::unlink(path(id).c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove", path(id));
  }

  void for_each(const std::function<void(const std::string&)>& fn) const override {
    for (const auto& dir : std::filesystem::directory_iterator(root_)) {
      std::string name = dir.path().filename().string();
      if (name.size() != 2 || !dir.is_directory() || !valid_id(name + "000000")) continue;
      for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
        std::string id = f.path().filename().string();
        if (valid_id(id)) fn(id);
      }
    }
  }

 private:
  std::string path(const std::string& id) const { return root_ + "/" + id.substr(0, 2) + "/" + id; }

  std::string intent_name(std::uint64_t ticket) const { return owner_ + "-" + std::to_string(ticket); }

  void ensure_dir(const std::string& dir) {
    // The 256 fan-out directories are created once and made durable before first use.
    std::lock_guard lock(dirs_mutex_);
    unsigned idx = static_cast<unsigned>(std::stoul(dir.substr(dir.size() - 2), nullptr, 16));
    if (dirs_ready_[idx]) return;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("cannot create", dir);
    if (durable_) detail::fsync_dir(root_);
    dirs_ready_[idx] = true;
  }

  void sync() {
    if (!durable_) return;
    if (::syncfs(root_fd_) != 0) throw_errno("cannot flush file system of", root_);
  }

  std::string root_;
  bool durable_;
  int root_fd_ = -1;
  std::string owner_;
  int owner_fd_ = -1;
  std::atomic<std::uint64_t> next_ticket_{1};
  std::mutex dirs_mutex_;
  bool dirs_ready_[256] = {};
};

}  // namespace

std::shared_ptr<BlobStore> file_blob_store(const std::string& root, bool durable) {
  return std::make_shared<FileBlobStore>(root, durable);
}

}  // namespace portal
