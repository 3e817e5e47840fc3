#pragma once

#include <sqlite3.h>

#include <string>

#include "portal/error.hpp"

namespace portal::detail {

template <typename Fn>
auto guard_sql(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const SQLite::Exception& e) {
    int code = e.getErrorCode() & 0xff;
    ErrorCode ec = (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? ErrorCode::kCorrupt
                   : (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN ||
                      code == SQLITE_BUSY || code == SQLITE_READONLY)
                       ? ErrorCode::kIo
                       : ErrorCode::kInternal;
    throw Error(ec, std::string("index: ") + e.what());
  }
}

}  // namespace portal::detail
