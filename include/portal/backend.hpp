// portal/backend.hpp — the plug-in points: where bytes live and what time it is.
// Like LevelDB's Env, each has a production implementation and an in-memory twin for tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace portal {

/// Source of the current time. Injected so expiry and throttling are testable without sleeping.
/// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

/// The real clock.
std::shared_ptr<Clock> system_clock();

/// A clock that only moves when told to (tests).
/// Thread-safe.
class ManualClock : public Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  explicit ManualClock(time_point start) : ticks_(start.time_since_epoch().count()) {}
  time_point now() const override { return time_point(time_point::duration(ticks_.load())); }
  void set(time_point t) { ticks_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::system_clock::duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<time_point::rep> ticks_;
};

/// Bytes being written into a BlobStore, invisible until published.
/// Not thread-safe; one writer per staged blob.
class StagedBlob {
 public:
  virtual ~StagedBlob() = default;
  /// The server-generated id the blob will have once published (random, never client-chosen).
  virtual const std::string& id() const = 0;
  /// Appends bytes. Throws Error(kIo) on failure.
  virtual void write(const void* data, std::size_t size) = 0;
  /// Bytes written so far.
  virtual std::uint64_t size() const = 0;
};

/// Where stored files live: byte-for-byte, named by server-generated ids.
/// All methods are thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  /// Starts a new hidden blob. Dropping the StagedBlob without publishing discards it.
  virtual std::unique_ptr<StagedBlob> stage() = 0;

  /// Makes a group of staged blobs visible atomically per blob and durably (data and names
  /// reach stable storage before this returns), recording an intent so that recover() can
  /// remove them if the caller dies before indexing them. Returns a ticket for settle().
  virtual std::uint64_t publish(std::vector<std::unique_ptr<StagedBlob>> blobs) = 0;

  /// The caller has durably indexed (or deliberately dropped) the blobs of `ticket`.
  virtual void settle(std::uint64_t ticket) = 0;

  /// After a crash: removes hidden leftovers, and published blobs of unsettled tickets for which
  /// `is_indexed(id)` is false. Returns how many blobs were removed.
  virtual std::uint64_t recover(const std::function<bool(const std::string&)>& is_indexed) = 0;

  /// Reads a whole blob. std::nullopt when absent.
  virtual std::optional<std::string> read(const std::string& id) const = 0;
  /// Streams a blob in chunks to `sink`. Returns false when absent.
  virtual bool read_chunks(const std::string& id,
                           const std::function<void(const char*, std::size_t)>& sink) const = 0;
  virtual std::optional<std::uint64_t> size(const std::string& id) const = 0;
  /// Removes a blob; absent is not an error.
  virtual void remove(const std::string& id) = 0;
  /// Calls `fn` with every published blob id (order unspecified).
  virtual void for_each(const std::function<void(const std::string&)>& fn) const = 0;
};

/// A BlobStore on the local file system under `root` (created if missing): files written to a
/// temporary name, flushed, renamed, and the directory flushed. `durable=false` skips the
/// flushes (tests, benchmarks of the CPU path only).
std::shared_ptr<BlobStore> file_blob_store(const std::string& root, bool durable = true);

/// The in-memory twin, for tests.
std::shared_ptr<BlobStore> memory_blob_store();

}  // namespace portal
