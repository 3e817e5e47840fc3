// The in-memory twin of the file store, for tests: same contract, no disk.
#include <map>
#include <mutex>
#include <set>

#include "libportal/common/random.hpp"
#include "portal/backend.hpp"
#include "portal/error.hpp"

namespace portal {
namespace {

class MemoryStagedBlob final : public StagedBlob {
 public:
  explicit MemoryStagedBlob(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  void write(const void* data, std::size_t size) override {
    bytes_.append(static_cast<const char*>(data), size);
  }
  std::uint64_t size() const override { return bytes_.size(); }
  std::string take() { return std::move(bytes_); }

 private:
  std::string id_;
  std::string bytes_;
};

class MemoryBlobStore final : public BlobStore {
 public:
  std::unique_ptr<StagedBlob> stage() override {
    return std::make_unique<MemoryStagedBlob>(detail::random_hex(16));
  }

  std::uint64_t publish(std::vector<std::unique_ptr<StagedBlob>> blobs) override {
    std::lock_guard lock(mutex_);
    std::uint64_t ticket = next_ticket_++;
    auto& intent = intents_[ticket];
    for (auto& b : blobs) {
      auto* mb = dynamic_cast<MemoryStagedBlob*>(b.get());
      if (!mb) throw Error(ErrorCode::kInternal, "blob staged by another store");
      intent.insert(mb->id());
      blobs_[mb->id()] = mb->take();
    }
    return ticket;
  }

  void settle(std::uint64_t ticket) override {
    std::lock_guard lock(mutex_);
    intents_.erase(ticket);
  }

  std::uint64_t recover(const std::function<bool(const std::string&)>& is_indexed) override {
    std::lock_guard lock(mutex_);
    std::uint64_t removed = 0;
    for (auto& [ticket, ids] : intents_)
      for (const auto& id : ids)
        if (!is_indexed(id)) removed += blobs_.erase(id);
    intents_.clear();
    return removed;
  }

  std::optional<std::string> read(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = blobs_.find(id);
    if (it == blobs_.end()) return std::nullopt;
    return it->second;
  }

  bool read_chunks(const std::string& id,
                   const std::function<void(const char*, std::size_t)>& sink) const override {
    auto bytes = read(id);
    if (!bytes) return false;
    sink(bytes->data(), bytes->size());
    return true;
  }

  std::optional<std::uint64_t> size(const std::string& id) const override {
    std::lock_guard lock(mutex_);
    auto it = blobs_.find(id);
    if (it == blobs_.end()) return std::nullopt;
    return it->second.size();
  }

  void remove(const std::string& id) override {
    std::lock_guard lock(mutex_);
    blobs_.erase(id);
  }

  void for_each(const std::function<void(const std::string&)>& fn) const override {
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, bytes] : blobs_) ids.push_back(id);
    }
    for (const auto& id : ids) fn(id);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> blobs_;
  std::map<std::uint64_t, std::set<std::string>> intents_;
  std::uint64_t next_ticket_ = 1;
};

}  // namespace

std::shared_ptr<BlobStore> memory_blob_store() { return std::make_shared<MemoryBlobStore>(); }

}  // namespace portal
