// Internals of Index shared by the store/ source files.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "libportal/store/connection.hpp"
#include "libportal/store/index.hpp"

namespace portal::detail {

extern const char* const kStudyColumns;
Study study_from_row(SQLite::Statement& q);

/// The SQL condition (on studies aliased `s`) that `filter` means, appending its parameters;
/// empty when the filter lets everything through.
std::string study_filter_sql(const StudyFilter& filter, std::vector<std::string>& params);

struct Index::Impl {
  explicit Impl(const std::string& path);

  /// A pooled read-only use of a connection; returned to the pool when destroyed.
  class ReadLease {
   public:
    ReadLease(Impl* impl, std::unique_ptr<Connection> conn) : impl_(impl), conn_(std::move(conn)) {}
    ~ReadLease();
    ReadLease(ReadLease&&) = default;
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Impl* impl_;
    std::unique_ptr<Connection> conn_;
  };
  ReadLease read();

  /// Recomputes studies.modalities from study_modalities. Writer lock held.
  void refresh_modalities(std::int64_t study_ref);
  /// Adds the folded words of `text` as search terms of `kind`. Writer lock held.
  void add_terms(std::int64_t study_ref, const char* kind, const std::string& folded);

  std::string path;
  Connection writer;
  std::mutex write_mutex;
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<Connection>> pool;
  int version = 0;
};

}  // namespace portal::detail
