// Streaming SHA-256 (OpenSSL, which uses the CPU's SHA extensions where present).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace portal::detail {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  /// Lower-case hex digest; the object is then reset for reuse.
  std::string hex_digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_hex(const void* data, std::size_t size);

}  // namespace portal::detail
