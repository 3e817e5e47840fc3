// DICOM networking through DCMTK (PLAT-2): a C-STORE/C-ECHO service class provider and a
// C-STORE service class user. Only dicom/ sees DCMTK; these classes speak std types.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace portal::detail {

/// DIMSE status codes the handler may answer with.
inline constexpr std::uint16_t kStatusSuccess = 0x0000;
inline constexpr std::uint16_t kStatusOutOfResources = 0xA700;
inline constexpr std::uint16_t kStatusCannotUnderstand = 0xC000;
inline constexpr std::uint16_t kStatusProcessingFailure = 0x0110;

struct StoreServerConfig {
  std::string aet = "PORTAL";
  std::string host = "127.0.0.1";  ///< address to listen on ("0.0.0.0" = every interface)
  int port = 4242;
  std::vector<std::string> allowed_aets;  ///< empty = any calling AE
  int max_associations = 8;
  int timeout_seconds = 30;
};

struct StoreServerStats {
  std::uint64_t associations = 0;  ///< accepted
  std::uint64_t refused = 0;       ///< rejected (calling AE, called AE, too many)
  std::uint64_t echoes = 0;
  std::uint64_t stores = 0;        ///< C-STORE requests answered with success
  std::uint64_t store_failures = 0;
};

/// Called from an association thread for each received instance: the calling AE and the
/// instance as a DICOM Part 10 file. Returns the DIMSE status to answer with. Must be
/// thread-safe (associations run in parallel).
using StoreHandler =
    std::function<std::uint16_t(const std::string& calling_aet, const std::string& file)>;

/// A C-STORE and C-ECHO provider: one listening thread, one thread per association.
/// Thread-safe.
class StoreServer {
 public:
  StoreServer(StoreServerConfig config, StoreHandler handler);
  ~StoreServer();  ///< stop()
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

  /// Binds and starts listening. Throws Error(kIo) when the port cannot be bound,
  /// Error(kConflict) when already started.
  void start();
  /// Stops accepting, aborts idle associations and waits for running ones. Idempotent.
  void stop();
  bool running() const;
  StoreServerStats stats() const;
  /// Associations open right now.
  int active_associations() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Where and as whom to send.
struct StoreTarget {
  std::string host;
  int port = 104;
  std::string called_aet;
  std::string calling_aet = "PORTAL";
  int timeout_seconds = 30;
};

/// One instance to send: its identity (to negotiate presentation contexts) and how to read it.
struct OutgoingInstance {
  std::string sop_uid;
  std::string sop_class_uid;
  std::string transfer_syntax_uid;
};

struct StoreOutcome {
  std::string sop_uid;
  bool ok = false;
  std::uint16_t status = 0;
  std::string message;
};

/// Sends the instances over one association (C-STORE SCU), reading each with `read` just
/// before it is sent. Instances are sent as stored when the peer accepts their transfer
/// syntax, otherwise decompressed to explicit VR little endian. Throws Error(kIo) when the
/// association cannot be made; per-instance failures are in the outcomes.
std::vector<StoreOutcome> store_scu(const StoreTarget& target,
                                    const std::vector<OutgoingInstance>& instances,
                                    const std::function<std::string(const std::string&)>& read);

/// C-ECHO to a peer; true when it answered with success.
bool echo_scu(const StoreTarget& target);

}  // namespace portal::detail
