// The state behind a Portal, shared by its sessions.
#pragma once

#include <memory>
#include <string>

#include "libportal/ingest/ingest.hpp"
#include "libportal/store/index.hpp"
#include "portal/options.hpp"

namespace portal::detail {

struct PortalState {
  std::string data_dir;
  Options options;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<BlobStore> blobs;
  std::unique_ptr<Index> index;
  std::unique_ptr<Ingestor> ingestor;

  SearchContext search_context() const;
};

}  // namespace portal::detail
