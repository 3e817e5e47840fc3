// portal/portal.hpp — Portal: one data directory (index + file store); sessions come from here.
#pragma once

#include <memory>
#include <string>

#include "portal/options.hpp"
#include "portal/query.hpp"
#include "portal/session.hpp"

namespace portal {

/// An open portal. Create with Portal::open; share it between threads freely (all methods are
/// thread-safe). Sessions keep the portal alive.
class Portal {
 public:
  /// Opens (creating if missing) the data directory `dir`: `<dir>/index.sqlite` (WAL) and the
  /// file store `<dir>/blobs`. Migrates the index schema, and cleans writes a crash interrupted.
  /// Throws Error(kIo) if the directory cannot be used, Error(kCorrupt) if the index is damaged.
  static std::shared_ptr<Portal> open(const std::string& dir, Options options = {});

  ~Portal();
  Portal(const Portal&) = delete;
  Portal& operator=(const Portal&) = delete;

  /// A session acting as the system principal (administrative tools): sees everything.
  Session system_session();

  /// Compares index and file store (PLAT-6): rows without files, files without rows, hash and
  /// size mismatches. With `repair`, removes orphan files and drops rows whose file is gone.
  FsckReport fsck(bool repair = false);

  /// The data directory this portal was opened on.
  const std::string& data_dir() const;
  const Options& options() const;

  explicit Portal(std::shared_ptr<detail::PortalState> state);

 private:
  std::shared_ptr<detail::PortalState> state_;
};

}  // namespace portal
