// A SQLite connection with a cache of prepared statements. Internal to store/.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <memory>
#include <string>

namespace portal::detail {

struct Connection {
  explicit Connection(const std::string& path);

  /// A prepared statement for `sql`, reset and with bindings cleared, ready to bind.
  SQLite::Statement& prepare(const std::string& sql);

  SQLite::Database db;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> cache;
};

/// Runs `fn`, turning SQLiteCpp exceptions into portal::Error at the store's edge.
template <typename Fn>
auto guard_sql(Fn&& fn) -> decltype(fn());

}  // namespace portal::detail

#include "libportal/store/connection_inl.hpp"
