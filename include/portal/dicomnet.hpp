// portal/dicomnet.hpp — DICOM networking (PLAT-2): the C-STORE / C-ECHO receiver. Sending a
// study to a node is Session::send_study.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "portal/session.hpp"

namespace portal {

/// What the receiver did since it started.
struct DicomReceiverStats {
  std::uint64_t associations = 0;  ///< accepted associations
  std::uint64_t refused = 0;       ///< refused: unknown called AE, calling AE not allowed, too many
  std::uint64_t echoes = 0;        ///< C-ECHO requests answered
  std::uint64_t stored = 0;        ///< instances stored (new) — durable when acknowledged
  std::uint64_t duplicates = 0;    ///< instances already stored (acknowledged as success)
  std::uint64_t failed = 0;        ///< instances refused (corrupt, identity conflict, ...)
  std::uint64_t commits = 0;       ///< durable group commits (instances arriving together share one)
};

/// Receiver settings; unset fields take the portal's Options (dicom_*).
struct DicomReceiverOptions {
  int port = 0;                           ///< 0 = Options::dicom_port
  std::string aet;                        ///< empty = Options::dicom_aet
  std::string host;                       ///< empty = Options::dicom_host
  std::vector<std::string> allowed_aets;  ///< empty = Options::dicom_allowed_aets
  int max_associations = 0;               ///< 0 = Options::dicom_max_associations
};

/// A C-STORE SCP and C-ECHO SCP (PLAT-2). Each received instance goes through the same ingest
/// as Session::ingest_bytes, on behalf of `session` (which needs the upload right), with the
/// repository "dicom:<calling AE>". Instances arriving together on parallel associations are
/// committed together (one durable group commit); a C-STORE is answered with success only
/// once its instance is durable, and with a failure status (nothing written) for a file that
/// is refused. Thread-safe; start() and stop() may be called from any thread.
class DicomReceiver {
 public:
  /// Throws kPermissionDenied when `session` may not upload, kInvalidArgument for a bad setting.
  explicit DicomReceiver(Session session, DicomReceiverOptions options = {});
  ~DicomReceiver();  ///< stops
  DicomReceiver(const DicomReceiver&) = delete;
  DicomReceiver& operator=(const DicomReceiver&) = delete;

  /// Starts listening. kIo when the port cannot be bound; kConflict when already running.
  void start();
  /// Stops accepting, lets running associations end (idle ones are aborted). Idempotent.
  void stop();
  bool running() const;
  int port() const;
  const std::string& aet() const;
  DicomReceiverStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace portal
