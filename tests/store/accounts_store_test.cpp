// The SQL of [accounts]: the audit trail is append-only, tokens are consumed once, throttling
// counts within its window.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>

#include "libportal/store/accounts.hpp"
#include "libportal/store/index.hpp"
#include "support/test_support.hpp"

using namespace portal;
using namespace portal::detail;

TEST_CASE("the audit table refuses updates and deletes", "[store][audit]") {
  test::TempDir dir;
  std::string path = dir / "index.sqlite";
  {
    Index index(path);
    AccountStore store(index);
    AuditRow row;
    row.at = 1;
    row.login = "someone";
    row.action = "sign_in";
    row.outcome = "failure";
    store.append_audit(row);
    CHECK(store.audit({}).size() == 1);
  }
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  CHECK_THROWS(db.exec("UPDATE audit SET outcome = 'success'"));
  CHECK_THROWS(db.exec("DELETE FROM audit"));
  SQLite::Statement q(db, "SELECT COUNT(*) FROM audit WHERE outcome = 'failure'");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt() == 1);
}

TEST_CASE("a one-time token is consumed once and not after it expires", "[store][auth]") {
  test::TempDir dir;
  Index index(dir / "index.sqlite");
  AccountStore store(index);
  store.insert_token({"h1", "reset", 7, "", "", 1000});
  CHECK_FALSE(store.consume_token("h1", "confirm", 10));  // wrong purpose
  auto t = store.consume_token("h1", "reset", 10);
  REQUIRE(t);
  CHECK(t->user_ref == 7);
  CHECK_FALSE(store.consume_token("h1", "reset", 11));
  store.insert_token({"h2", "reset", 7, "", "", 1000});
  CHECK_FALSE(store.consume_token("h2", "reset", 1000));
}

TEST_CASE("throttling locks at the threshold within the window only", "[store][auth]") {
  test::TempDir dir;
  Index index(dir / "index.sqlite");
  AccountStore store(index);
  const std::int64_t window = 15 * 60000, lock = 15 * 60000;
  for (int i = 0; i < 4; ++i) CHECK(store.record_failure("k", 1000 + i, window, 5, lock) == 0);
  CHECK(store.record_failure("k", 2000, window, 5, lock) == 2000 + lock);
  CHECK(store.locked_until("k", 2000 + lock - 1) == 2000 + lock);
  CHECK(store.locked_until("k", 2000 + lock) == 0);
  // After the lock, counting starts again.
  CHECK(store.record_failure("k", 2000 + lock, window, 5, lock) == 0);
  store.clear_failures("k");
  CHECK(store.locked_until("k", 0) == 0);
}
