// shells/http/server.hpp — portald: the HTTP shell over libportal (docs/http.md).
// The route table (server.cpp) is the one list of routes; each route is a function in
// routes_<area>.cpp that parses, makes one Session call and formats (ARCHITECTURE.md rule 2).
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../common/model_json.hpp"
#include "portal/dicomnet.hpp"
#include "portal/portal.hpp"

namespace portal::http {

using shell::Json;
struct App;

/// A file of a multipart upload, streamed to disk before the route runs.
struct UploadedFile {
  std::string field;     ///< form field name
  std::string filename;  ///< as the client named it (only reported back)
  std::string path;      ///< temporary file, removed after the request
  std::uint64_t size = 0;
};

/// What a route sees of one request.
struct Context {
  const httplib::Request& req;
  httplib::Response& res;
  App& app;
  std::optional<Session> session;             ///< the caller, when signed in
  std::vector<std::string> params;            ///< path parameters, in pattern order
  std::string body;                           ///< JSON routes: the request body (capped)
  std::vector<UploadedFile> files;            ///< upload routes
  std::map<std::string, std::string> fields;  ///< upload routes: the other form fields

  /// The caller's session; Error(kUnauthenticated) when anonymous.
  Session& user();
  /// The JSON body as an object (empty body = {}); kInvalidArgument when it is not one.
  Json json() const;
  /// A query-string parameter, or `fallback`.
  std::string query(const std::string& name, const std::string& fallback = {}) const;
  /// An integer query parameter; kInvalidArgument when present but not an integer.
  std::optional<long long> query_int(const std::string& name) const;
  /// The client address, for throttling and audit: the peer's, or behind a TLS proxy
  /// (http.behind_tls_proxy) the last address of X-Forwarded-For, the one that proxy added.
  std::string address() const;
  /// Sends a JSON document (status 200 unless given).
  void send(const Json& value, int status = 200);
  void send_bytes(std::string bytes, const std::string& media_type);
  /// 204 No Content.
  void no_content();
};

using Handler = void (*)(Context&);

/// Route flags.
enum RouteFlags : unsigned {
  kAuth = 1,      ///< a signed-in caller is needed (401 otherwise)
  kUpload = 2,    ///< multipart body streamed to temporary files (needs kAuth)
  kOps = 4,       ///< operations route outside /api (no JSON cache headers)
};

struct Route {
  const char* method;   ///< GET, POST, PUT, PATCH, DELETE
  const char* pattern;  ///< e.g. "/api/studies/{study_uid}"; parameter names fix their syntax
  Handler handler;
  unsigned flags;
  /// Study-scoped routes (the access matrix of shells/http/tests): the first parameter names a
  /// study or an instance of one.
  bool study_scoped;
};

/// Every route of portald, in documentation order. docs/openapi.yaml lists exactly these.
const std::vector<Route>& routes();

/// Per-route counters for /metrics.
struct RouteMetrics {
  static constexpr int kBuckets = 12;
  static const double kBounds[kBuckets];  ///< seconds
  std::atomic<std::uint64_t> by_class[6] = {};  ///< 1xx..5xx, index = status / 100
  std::atomic<std::uint64_t> buckets[kBuckets] = {};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> micros{0};
};

/// The state of a running server.
struct App {
  std::shared_ptr<Portal> portal;
  Options options;
  bool tls = false;             ///< HTTPS served here, or behind a TLS proxy (Secure cookies)
  std::string tmp_dir;          ///< `<data>/http-tmp`: uploads and exports in progress
  std::vector<RouteMetrics> metrics;  ///< one per routes() entry, then one for "unmatched"
  std::atomic<int> uploads_running{0};
  std::atomic<std::uint64_t> ingest_stored{0}, ingest_duplicates{0}, ingest_rejected{0};
  std::atomic<std::uint64_t> mail_sent{0}, mail_failed{0};
  std::FILE* access_log = nullptr;
  const DicomReceiver* dicom = nullptr;  ///< the DICOM receiver, when started
  std::string openapi;  ///< docs/openapi.yaml, loaded at start
};

/// Maps every exception to the one error shape {"error": {"code", "message"}} and status.
/// The only place errors are translated (errors.cpp).
void send_error(httplib::Response& res, const std::exception_ptr& error);
int http_status(ErrorCode code) noexcept;

/// Builds the httplib server on `app` (routes, limits, headers, logs). Does not listen.
void configure(httplib::Server& server, App& app);

/// Session cookie name.
inline constexpr const char* kSessionCookie = "portal_session";
/// Sets / clears the session cookie (HttpOnly, SameSite=Strict, Secure with TLS).
void set_session_cookie(Context& ctx, const std::string& token);
void clear_session_cookie(Context& ctx);

// --- JSON input helpers (json.cpp) -------------------------------------------------------------
/// A string member; kInvalidArgument when present but not a string. Missing = "".
std::string get_string(const Json& object, const char* key);
std::optional<std::string> get_optional_string(const Json& object, const char* key);
bool get_bool(const Json& object, const char* key, bool fallback);
/// "2026-12-01T10:00:00Z" or "2026-12-01" (midnight UTC) -> time point; kInvalidArgument else.
std::chrono::system_clock::time_point parse_time(const std::string& text);
std::string base64(const std::string& bytes);

}  // namespace portal::http
