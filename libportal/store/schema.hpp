// Versioned schema migrations of the index.
#pragma once

namespace SQLite {
class Database;
}

namespace portal::detail {

/// Brings the database to the newest schema version, one migration per transaction.
/// Returns the version reached. Throws Error(kCorrupt) for a database newer than this code.
int migrate(SQLite::Database& db);

}  // namespace portal::detail
