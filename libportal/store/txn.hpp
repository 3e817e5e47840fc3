// Transaction and statement helpers shared by the store/ source files: one write transaction
// on the writer connection, one pooled read, positional binding.
#pragma once

#include <mutex>
#include <string>
#include <type_traits>

#include "libportal/store/connection.hpp"
#include "libportal/store/index_impl.hpp"

namespace portal::detail {

/// Runs `fn(writer)` in one write transaction (writer lock held); commits when `fn` returns,
/// rolls back when it throws. SQLite errors become portal::Error (guard_sql).
template <typename Fn>
auto write_txn(Index& index, Fn&& fn) {
  return guard_sql([&] {
    auto& impl = index.impl();
    std::lock_guard lock(impl.write_mutex);
    SQLite::Transaction txn(impl.writer.db);
    if constexpr (std::is_void_v<decltype(fn(impl.writer))>) {
      fn(impl.writer);
      txn.commit();
    } else {
      auto out = fn(impl.writer);
      txn.commit();
      return out;
    }
  });
}

/// Runs `fn(connection)` on a pooled read connection.
template <typename Fn>
auto read(Index& index, Fn&& fn) {
  return guard_sql([&] {
    auto lease = index.impl().read();
    return fn(*lease);
  });
}

/// Binds `args` to parameters 1, 2, ... of `q`.
template <typename... Args>
void bind_all(SQLite::Statement& q, const Args&... args) {
  int i = 1;
  (q.bind(i++, args), ...);
}

/// Prepares (cached) and runs one statement; returns the number of rows changed.
template <typename... Args>
int exec(Connection& c, const std::string& sql, const Args&... args) {
  auto& q = c.prepare(sql);
  bind_all(q, args...);
  return q.exec();
}

}  // namespace portal::detail
