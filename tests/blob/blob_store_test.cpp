#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <set>

#include "portal/backend.hpp"
#include "support/test_support.hpp"

using namespace portal;

namespace {

void exercise(BlobStore& store) {
  auto a = store.stage();
  a->write("hello ", 6);
  a->write("world", 5);
  CHECK(a->size() == 11);
  std::string id = a->id();
  CHECK(id.size() == 32);
  CHECK_FALSE(store.read(id));  // invisible until published
  std::vector<std::unique_ptr<StagedBlob>> group;
  group.push_back(std::move(a));
  auto ticket = store.publish(std::move(group));
  store.settle(ticket);
  REQUIRE(store.read(id));
  CHECK(*store.read(id) == "hello world");
  CHECK(store.size(id) == 11u);
  std::string chunks;
  CHECK(store.read_chunks(id, [&](const char* d, std::size_t n) { chunks.append(d, n); }));
  CHECK(chunks == "hello world");
  std::set<std::string> ids;
  store.for_each([&](const std::string& x) { ids.insert(x); });
  CHECK(ids == std::set<std::string>{id});
  store.remove(id);
  CHECK_FALSE(store.read(id));
  store.remove(id);  // absent is fine
  CHECK_FALSE(store.read("../../etc/passwd"));
}

}  // namespace

TEST_CASE("file and memory blob stores keep bytes and hide unpublished ones", "[blob]") {
  test::TempDir dir;
  auto file = file_blob_store(dir / "blobs");
  exercise(*file);
  auto mem = memory_blob_store();
  exercise(*mem);
}

TEST_CASE("a staged blob dropped without publishing leaves nothing behind", "[blob]") {
  test::TempDir dir;
  auto store = file_blob_store(dir / "blobs");
  { auto b = store->stage(); b->write("x", 1); }
  CHECK(test::files_under(dir / "blobs/tmp").empty());
  int count = 0;
  store->for_each([&](const std::string&) { ++count; });
  CHECK(count == 0);
}

TEST_CASE("recovery removes published blobs a dead process never indexed", "[blob]") {
  test::TempDir dir;
  test::write_file(dir / "ids", "");
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The "process that dies": publishes two blobs, stages a third, and exits abruptly.
    auto store = file_blob_store(dir / "blobs");
    auto a = store->stage();
    a->write("a", 1);
    auto b = store->stage();
    b->write("b", 1);
    std::string ids = a->id() + " " + b->id();
    std::vector<std::unique_ptr<StagedBlob>> group;
    group.push_back(std::move(a));
    group.push_back(std::move(b));
    store->publish(std::move(group));
    auto c = store->stage();
    c->write("c", 1);
    FILE* f = fopen((dir / "ids").c_str(), "w");
    fputs(ids.c_str(), f);
    fclose(f);
    _exit(0);  // no destructors: exactly like kill -9 after the publish
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  std::string ids = test::read_file(dir / "ids");
  std::string kept = ids.substr(0, ids.find(' ')), lost = ids.substr(ids.find(' ') + 1);
  REQUIRE(test::files_under(dir / "blobs/tmp").size() == 1);
  auto reopened = file_blob_store(dir / "blobs");
  auto removed = reopened->recover([&](const std::string& id) { return id == kept; });
  CHECK(removed == 2);  // the unindexed blob and the half-written temp file
  CHECK(reopened->read(kept));
  CHECK_FALSE(reopened->read(lost));
  CHECK(test::files_under(dir / "blobs/intent").empty());
  CHECK(test::files_under(dir / "blobs/tmp").empty());
}

TEST_CASE("recovery leaves a live process's unsettled work alone", "[blob]") {
  test::TempDir dir;
  auto writer = file_blob_store(dir / "blobs");
  auto a = writer->stage();
  a->write("a", 1);
  std::string id = a->id();
  std::vector<std::unique_ptr<StagedBlob>> group;
  group.push_back(std::move(a));
  auto ticket = writer->publish(std::move(group));
  auto other = file_blob_store(dir / "blobs");  // a second process opening the same store
  CHECK(other->recover([](const std::string&) { return false; }) == 0);
  CHECK(other->read(id));
  writer->settle(ticket);
}
