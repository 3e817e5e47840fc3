// portal/error.hpp — the one exception type the library throws, with a machine-readable code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace portal {

/// What went wrong, independent of the message text. Shells map each code in exactly one place
/// (HTTP status, CLI exit code, Python exception class).
enum class ErrorCode {
  kInvalidArgument,    ///< the caller's input is malformed or out of range
  kNotFound,           ///< no such object, or one the principal may not see (never leaks existence)
  kAlreadyExists,      ///< a unique name or id is taken
  kPermissionDenied,   ///< the principal may see the object but not perform this action
  kUnauthenticated,    ///< no valid credentials
  kConflict,           ///< the request contradicts stored state (e.g. patient identity mismatch)
  kCorrupt,            ///< input data or stored data is damaged or not what it claims to be
  kTooLarge,           ///< a size exceeds a configured cap
  kUnsupported,        ///< well-formed input the library cannot handle
  kIo,                 ///< the file system or another resource failed
  kInternal,           ///< a bug or an unexpected failure of a dependency
};

/// Stable lower-case name of a code ("not_found", ...), used in JSON and by the Python module.
std::string_view error_code_name(ErrorCode code) noexcept;

/// Every failure the library reports. Thread-safe to copy; the message never holds secrets.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace portal
