// shells/http/server.cpp — the route table, and what every request goes through: limits,
// authentication (bearer token or session cookie), CSRF, body reading, security headers,
// access log and metrics.
#include "server.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "routes.hpp"
#include "static_files.hpp"
#include "portal/error.hpp"

namespace portal::http {

namespace r = handlers;

// The one route table. Order: hot read routes first (httplib tries patterns in order).
const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      // Studies (LIST-1..7, DIF-1)
      {"GET", "/api/studies/{study_uid}", r::get_study, kAuth, true},
      {"GET", "/api/studies", r::find_studies, kAuth, false},
      {"GET", "/api/studies/{study_uid}/series", r::get_series, kAuth, true},
      {"GET", "/api/studies/{study_uid}/instances", r::get_instances, kAuth, true},
      {"GET", "/api/studies/{study_uid}/history", r::get_history, kAuth, true},
      {"POST", "/api/studies/{study_uid}/seen", r::mark_seen, kAuth, true},
      {"PUT", "/api/studies/{study_uid}/disabled", r::set_disabled, kAuth, true},
      {"POST", "/api/studies/{study_uid}/access-code", r::new_access_code, kAuth, true},
      {"GET", "/api/studies/{study_uid}/export", r::export_study, kAuth, true},
      {"POST", "/api/studies/{study_uid}/send", r::send_study, kAuth, true},
      // Uploads (ING-1..4, ING-6)
      {"POST", "/api/uploads", r::upload, kAuth | kUpload, false},
      {"POST", "/api/studies/{study_uid}/files", r::add_files, kAuth | kUpload, true},
      {"POST", "/api/studies", r::create_study, kAuth | kUpload, false},
      // Sharing (DIF-5, DIF-6, LIST-7)
      {"GET", "/api/studies/{study_uid}/shares", r::study_shares, kAuth, true},
      {"POST", "/api/studies/{study_uid}/shares", r::share, kAuth, true},
      {"POST", "/api/studies/{study_uid}/shares/user", r::share_with_user, kAuth, true},
      {"GET", "/api/shares", r::all_shares, kAuth, false},
      {"DELETE", "/api/shares/{id}", r::revoke_share, kAuth, false},
      {"GET", "/api/studies/{study_uid}/grants", r::study_grants, kAuth, true},
      {"PUT", "/api/studies/{study_uid}/grants/{login}", r::grant_study, kAuth, true},
      {"DELETE", "/api/studies/{study_uid}/grants/{login}", r::revoke_grant, kAuth, true},
      // Imaging (VIEW-7 server side)
      {"GET", "/api/instances/{sop_uid}/file", r::instance_file, kAuth, true},
      {"GET", "/api/instances/{sop_uid}/render", r::render, kAuth, true},
      {"GET", "/api/instances/{sop_uid}/thumbnail", r::thumbnail, kAuth, true},
      {"GET", "/api/instances/{sop_uid}/frames/{frame}", r::frame, kAuth, true},
      // Sign-in and accounts (ACC-1..6)
      {"POST", "/api/session", r::sign_in, 0, false},
      {"POST", "/api/session/patient", r::patient_sign_in, 0, false},
      {"GET", "/api/session", r::get_session, kAuth, false},
      {"DELETE", "/api/session", r::sign_out, kAuth, false},
      {"POST", "/api/captcha", r::captcha, 0, false},
      {"POST", "/api/register", r::register_user, 0, false},
      {"POST", "/api/register/confirm", r::confirm_registration, 0, false},
      {"POST", "/api/password/lost", r::lost_password, 0, false},
      {"POST", "/api/password/reset", r::reset_password, 0, false},
      {"POST", "/api/invitations", r::invite, kAuth, false},
      {"POST", "/api/invitations/accept", r::accept_invitation, 0, false},
      {"GET", "/api/me", r::get_me, kAuth, false},
      {"PATCH", "/api/me", r::update_me, kAuth, false},
      {"PUT", "/api/me/preferences", r::set_preferences, kAuth, false},
      {"POST", "/api/me/password", r::change_password, kAuth, false},
      {"GET", "/api/me/tokens", r::list_tokens, kAuth, false},
      {"POST", "/api/me/tokens", r::create_token, kAuth, false},
      {"DELETE", "/api/me/tokens/{id}", r::revoke_token, kAuth, false},
      // Administration (ACC-7, PLAT-3, DIF-8)
      {"GET", "/api/admin/users", r::list_users, kAuth, false},
      {"POST", "/api/admin/users", r::add_user, kAuth, false},
      {"GET", "/api/admin/users/{login}", r::get_user, kAuth, false},
      {"POST", "/api/admin/users/{login}/activate", r::activate_user, kAuth, false},
      {"POST", "/api/admin/users/{login}/disable", r::disable_user, kAuth, false},
      {"PUT", "/api/admin/users/{login}/profile", r::set_user_profile, kAuth, false},
      {"PUT", "/api/admin/users/{login}/password", r::set_user_password, kAuth, false},
      {"PUT", "/api/admin/users/{login}/physician", r::link_physician, kAuth, false},
      {"GET", "/api/admin/profiles", r::list_profiles, kAuth, false},
      {"PUT", "/api/admin/profiles/{profile}/rights/{right}", r::grant_right, kAuth, false},
      {"DELETE", "/api/admin/profiles/{profile}/rights/{right}", r::revoke_right, kAuth, false},
      {"GET", "/api/admin/audit", r::audit, kAuth, false},
      {"GET", "/api/admin/mail", r::list_mail, kAuth, false},
      {"POST", "/api/admin/mail/{id}/retry", r::retry_mail, kAuth, false},
      // DICOMweb (PLAT-1) under /dicom-web, and the desktop-viewer link (LIST-7)
      {"GET", "/dicom-web/studies", r::qido_studies, kAuth | kDicomWeb, false},
      {"GET", "/dicom-web/series", r::qido_series, kAuth | kDicomWeb, false},
      {"GET", "/dicom-web/instances", r::qido_instances, kAuth | kDicomWeb, false},
      {"GET", "/dicom-web/studies/{study_uid}/series", r::qido_series, kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/instances", r::qido_instances, kAuth | kDicomWeb,
       true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/instances", r::qido_instances,
       kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}", r::wado_retrieve, kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}", r::wado_retrieve,
       kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}",
       r::wado_retrieve, kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/metadata", r::wado_metadata, kAuth | kDicomWeb,
       true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/metadata", r::wado_metadata,
       kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/metadata",
       r::wado_metadata, kAuth | kDicomWeb, true},
      {"GET",
       "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/bulkdata/{tag}",
       r::wado_bulkdata, kAuth | kDicomWeb, true},
      {"GET",
       "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/frames/"
       "{frame_list}",
       r::wado_frames, kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/rendered",
       r::wado_rendered, kAuth | kDicomWeb, true},
      {"GET",
       "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/frames/{frame}/"
       "rendered",
       r::wado_rendered, kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/thumbnail", r::wado_thumbnail, kAuth | kDicomWeb,
       true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/thumbnail", r::wado_thumbnail,
       kAuth | kDicomWeb, true},
      {"GET", "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/thumbnail",
       r::wado_thumbnail, kAuth | kDicomWeb, true},
      {"POST", "/dicom-web/studies", r::stow, kAuth | kRawUpload | kDicomWeb, false},
      {"POST", "/dicom-web/studies/{study_uid}", r::stow, kAuth | kRawUpload | kDicomWeb, true},
      {"GET", "/api/studies/{study_uid}/desktop-viewer", r::desktop_viewer, kAuth, true},
      // Operations (PLAT-6)
      {"GET", "/healthz", r::healthz, kOps, false},
      {"GET", "/metrics", r::metrics, kOps, false},
      {"GET", "/api/openapi.yaml", r::openapi, 0, false},
  };
  return table;
}

const double RouteMetrics::kBounds[RouteMetrics::kBuckets] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

namespace {

// What the access log and the metrics need to know of the request being served. httplib serves
// one connection on one thread from pre-routing to the logger, so a thread_local is exact.
struct RequestState {
  std::chrono::steady_clock::time_point start;
  int route = -1;
  const char* auth = "none";
};
thread_local RequestState t_request;

// A failure of the HTTP layer itself (not of the core): its status and code are its own.
struct HttpError : std::runtime_error {
  HttpError(int status_, std::string code_, const std::string& message)
      : std::runtime_error(message), status(status_), code(std::move(code_)) {}
  int status;
  std::string code;
};

// Path parameter syntax, by name. Anything else (a '/', "..", '%', letters in a UID) never
// reaches a route: the path does not match and the answer is 404.
std::string param_regex(const std::string& name) {
  if (name == "study_uid" || name == "series_uid" || name == "sop_uid")
    return "([0-9][0-9.]{0,63})";
  if (name == "id") return "([0-9]{1,18})";
  if (name == "frame") return "([0-9]{1,6})";
  if (name == "tag") return "([0-9A-Fa-f]{8})";
  // 1 to 100 frame numbers (1-based), comma-separated.
  if (name == "frame_list") return "([1-9][0-9]{0,5}(?:,[1-9][0-9]{0,5}){0,99})";
  if (name == "login") return "([A-Za-z0-9][A-Za-z0-9._@+-]{0,253})";
  if (name == "profile") return "([a-z_]{1,40})";
  if (name == "right") return "([a-z_]{1,40}(?::[a-z_0-9]{1,40})?)";
  throw std::logic_error("unknown path parameter {" + name + "}");
}

std::string to_regex(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      auto end = pattern.find('}', i);
      out += param_regex(pattern.substr(i + 1, end - i - 1));
      i = end;
    } else if (pattern[i] == '.') {
      out += "\\.";
    } else {
      out += pattern[i];
    }
  }
  return out;
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  const std::string cookies = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < cookies.size()) {
    auto end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(pos, end - pos);
    auto start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

bool is_json(const httplib::Request& req) {
  auto type = req.get_header_value("Content-Type");
  return type.rfind("application/json", 0) == 0;
}

// Who is calling: a bearer token (API clients) or the session cookie (browsers). Only cookie
// sessions need the CSRF header: a browser never adds an Authorization header by itself.
void authenticate(Context& ctx, const Route& route) {
  const auto& req = ctx.req;
  auto& portal = *ctx.app.portal;
  const std::string authorization = req.get_header_value("Authorization");
  const bool state_changing = req.method != "GET" && req.method != "HEAD";
  if (!authorization.empty()) {
    if (authorization.rfind("Bearer ", 0) != 0)
      throw Error(ErrorCode::kUnauthenticated, "the Authorization header must be 'Bearer TOKEN'");
    const std::string token = authorization.substr(7);
    try {
      ctx.session = portal.resume(token, ctx.address());
      t_request.auth = "bearer";
    } catch (const Error& e) {
      // A desktop-viewer token (LIST-7: one study, read-only) is a bearer token too, for
      // DICOMweb routes only. Personal access tokens ("pat_...") are never viewer tokens.
      if (e.code() != ErrorCode::kUnauthenticated || !(route.flags & kDicomWeb) ||
          token.rfind("pat_", 0) == 0)
        throw;
      ctx.session = portal.viewer_session(token, ctx.address());
      t_request.auth = "viewer";
    }
  } else if (auto token = cookie_value(req, kSessionCookie); !token.empty()) {
    try {
      ctx.session = portal.resume(token, ctx.address());
      t_request.auth = "cookie";
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnauthenticated) throw;
      clear_session_cookie(ctx);
      if (route.flags & kAuth) throw;
    }
    if (ctx.session && state_changing) {
      const std::string sent = req.get_header_value("X-CSRF-Token");
      if (sent.empty() || !equal_constant_time(sent, ctx.session->csrf_token()))
        throw HttpError(403, "csrf", "missing or wrong X-CSRF-Token header");
    }
  }
  if ((route.flags & kAuth) && !ctx.session)
    throw Error(ErrorCode::kUnauthenticated, "sign in first");
  // An anonymous state-changing request must be JSON: a cross-site form cannot send that
  // without a CORS preflight this server never grants (login CSRF).
  if (!ctx.session && state_changing && !is_json(req))
    throw HttpError(415, "unsupported", "send Content-Type: application/json");
}

// A JSON body, at most Options::http_max_json_bytes.
void read_json_body(Context& ctx, const httplib::ContentReader& reader) {
  const std::uint64_t cap = ctx.app.options.http_max_json_bytes;
  bool too_large = false;
  reader([&](const char* data, size_t n) {
    if (ctx.body.size() + n > cap) {
      too_large = true;
      return false;
    }
    ctx.body.append(data, n);
    return true;
  });
  if (too_large)
    throw Error(ErrorCode::kTooLarge, "the JSON body exceeds " + std::to_string(cap) + " bytes");
  if (!ctx.body.empty() && !is_json(ctx.req))
    throw HttpError(415, "unsupported", "send Content-Type: application/json");
}

// One upload slot of Options::http_max_concurrent_uploads, released on scope exit.
struct UploadSlot {
  explicit UploadSlot(App& app) : app_(app) {
    if (app_.uploads_running.fetch_add(1) >= app_.options.http_max_concurrent_uploads) {
      app_.uploads_running.fetch_sub(1);
      throw HttpError(503, "busy", "too many uploads at once: try again shortly");
    }
  }
  ~UploadSlot() { app_.uploads_running.fetch_sub(1); }
  App& app_;
};

// A whole request body (STOW-RS multipart/related) streamed to one temporary file, files[0].
void read_raw_body(Context& ctx, const httplib::ContentReader& reader, const std::string& dir) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(ctx.app.options.http_request_timeout_seconds);
  const std::uint64_t cap = ctx.app.options.http_max_body_bytes;
  std::filesystem::create_directories(dir);
  UploadedFile f;
  f.field = "body";
  f.path = dir + "/body";
  std::ofstream out(f.path, std::ios::binary | std::ios::trunc);
  bool timed_out = false, too_large = false, write_failed = !out;
  ctx.files.push_back(f);
  auto& file = ctx.files.back();
  reader([&](const char* data, size_t n) {
    if (std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      return false;
    }
    if (file.size + n > cap) {
      too_large = true;
      return false;
    }
    out.write(data, static_cast<std::streamsize>(n));
    file.size += n;
    if (!out) write_failed = true;
    return !write_failed;
  });
  out.close();
  if (timed_out) throw HttpError(408, "timeout", "the upload took too long");
  if (too_large)
    throw Error(ErrorCode::kTooLarge, "the body exceeds " + std::to_string(cap) + " bytes");
  if (write_failed || !out) throw Error(ErrorCode::kIo, "cannot store the upload");
}

// A multipart body, each file streamed to its own temporary file (never held in memory).
void read_multipart(Context& ctx, const httplib::ContentReader& reader, const std::string& dir) {
  if (ctx.req.get_header_value("Content-Type").rfind("multipart/form-data", 0) != 0)
    throw HttpError(415, "unsupported", "send the files as multipart/form-data");
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(ctx.app.options.http_request_timeout_seconds);
  constexpr std::size_t kMaxFieldBytes = 64 << 10;
  std::size_t field_bytes = 0;
  std::ofstream out;
  std::string field_name;
  bool timed_out = false, fields_too_large = false, write_failed = false;
  std::filesystem::create_directories(dir);
  bool ok = reader(
      [&](const httplib::MultipartFormData& part) {
        if (out.is_open()) out.close();
        if (!part.filename.empty()) {
          UploadedFile f;
          f.field = part.name;
          f.filename = part.filename;
          f.path = dir + "/part-" + std::to_string(ctx.files.size());
          out.open(f.path, std::ios::binary | std::ios::trunc);
          if (!out) write_failed = true;
          ctx.files.push_back(std::move(f));
          field_name.clear();
        } else {
          field_name = part.name;
          ctx.fields[field_name];
        }
        return !write_failed;
      },
      [&](const char* data, size_t n) {
        if (std::chrono::steady_clock::now() > deadline) {
          timed_out = true;
          return false;
        }
        if (out.is_open()) {
          out.write(data, static_cast<std::streamsize>(n));
          ctx.files.back().size += n;
          if (!out) write_failed = true;
          return !write_failed;
        }
        field_bytes += n;
        if (field_bytes > kMaxFieldBytes) {
          fields_too_large = true;
          return false;
        }
        ctx.fields[field_name].append(data, n);
        return true;
      });
  if (out.is_open()) out.close();
  if (timed_out) throw HttpError(408, "timeout", "the upload took too long");
  if (fields_too_large) throw Error(ErrorCode::kTooLarge, "the form fields are too large");
  if (write_failed) throw Error(ErrorCode::kIo, "cannot store the upload");
  if (!ok) throw Error(ErrorCode::kInvalidArgument, "the multipart body is malformed or cut");
}

// Ends the connection after this answer. cpp-httplib 0.11 keeps a connection alive whatever
// the response's headers say, but closes it when a content provider fails: the body is handed
// to one that writes it whole, then reports failure (see finish_close below).
constexpr const char* kCloseMarker = "X-Portal-Close";

void close_connection(httplib::Response& res) {
  res.set_header("Connection", "close");
  res.set_header(kCloseMarker, "1");
}

// Post-routing: turns a response marked by close_connection() into a provider-written body.
void finish_close(httplib::Response& res) {
  if (!res.has_header(kCloseMarker)) return;
  res.headers.erase(kCloseMarker);
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  const std::string type = res.get_header_value("Content-Type");
  res.set_content_provider(body->size(), type,
                           [body](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset < body->size())
                               sink.write(body->data() + offset, body->size() - offset);
                             return false;  // close the connection
                           });
}

void security_headers(const App& app, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
                 "blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                 "form-action 'self'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Cross-Origin-Resource-Policy", "same-origin");
  if (app.tls) res.set_header("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  if (req.path.rfind("/api/", 0) == 0 && !res.has_header("Cache-Control"))
    res.set_header("Cache-Control", "no-store");
}

std::string json_escape(const std::string& s) { return shell::dump(Json(s)); }

void access_log(App& app, const httplib::Request& req, const httplib::Response& res) {
  const auto elapsed = std::chrono::steady_clock::now() - t_request.start;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  const std::size_t index =
      t_request.route >= 0 ? static_cast<std::size_t>(t_request.route) : routes().size();
  auto& m = app.metrics[index];
  m.count.fetch_add(1, std::memory_order_relaxed);
  m.micros.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
  int cls = res.status / 100;
  if (cls >= 1 && cls <= 5) m.by_class[cls].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(micros) / 1e6;
  for (int i = 0; i < RouteMetrics::kBuckets; ++i)
    if (seconds <= RouteMetrics::kBounds[i]) {
      m.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  if (!app.access_log) return;
  // One JSON object per line. The query string is left out: it may carry search terms (PHI).
  char time[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = std::string("{\"time\":\"") + time + "\",\"remote\":" +
                     json_escape(req.remote_addr) + ",\"method\":" + json_escape(req.method) +
                     ",\"path\":" + json_escape(req.path) + ",\"route\":" +
                     json_escape(t_request.route >= 0
                                     ? std::string(routes()[index].method) + " " +
                                           routes()[index].pattern
                                     : std::string("unmatched")) +
                     ",\"status\":" + std::to_string(res.status) +
                     ",\"bytes\":" + std::to_string(res.body.size()) +
                     ",\"duration_ms\":" + std::to_string(static_cast<double>(micros) / 1000.0) +
                     ",\"auth\":\"" + t_request.auth + "\"}\n";
  std::fwrite(line.data(), 1, line.size(), app.access_log);
  std::fflush(app.access_log);
}

}  // namespace

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kCorrupt: return 422;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnsupported: return 415;
    case ErrorCode::kIo: return 500;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

void send_error(httplib::Response& res, const std::exception_ptr& error) {
  int status = 500;
  std::string code = "internal", message = "internal error";
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    status = http_status(e.code());
    code = std::string(error_code_name(e.code()));
    message = e.what();
  } catch (const HttpError& e) {
    status = e.status;
    code = e.code;
    message = e.what();
  } catch (const Json::exception&) {
    status = 400;
    code = "invalid_argument";
    message = "the body is not valid JSON";
  } catch (const std::bad_alloc&) {
    message = "out of memory";
  } catch (const std::exception& e) {
    // Unexpected failures are not described to the client; the log has the route and status.
    std::fprintf(stderr, "portald: internal error: %s\n", e.what());
  }
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(shell::dump(Json{{"error", {{"code", code}, {"message", message}}}}),
                  "application/json; charset=utf-8");
}

void set_session_cookie(Context& ctx, const std::string& token) {
  ctx.res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                       "; Path=/; HttpOnly; SameSite=Strict" +
                                       (ctx.app.tls ? "; Secure" : ""));
}

void clear_session_cookie(Context& ctx) {
  ctx.res.set_header("Set-Cookie", std::string(kSessionCookie) +
                                       "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                       (ctx.app.tls ? "; Secure" : ""));
}

void configure(httplib::Server& server, App& app) {
  const Options& o = app.options;
  app.metrics = std::vector<RouteMetrics>(routes().size() + 1);
  int threads = o.http_threads > 0
                    ? o.http_threads
                    : std::max(16, 8 * static_cast<int>(std::thread::hardware_concurrency()));
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(o.http_max_body_bytes);
  server.set_read_timeout(o.http_io_timeout_seconds, 0);
  server.set_write_timeout(o.http_io_timeout_seconds, 0);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(10);
  server.set_tcp_nodelay(true);

  std::vector<std::regex> upload_paths;
  for (const auto& route : routes())
    if (route.flags & (kUpload | kRawUpload)) upload_paths.emplace_back(to_regex(route.pattern));

  server.set_pre_routing_handler([&app, upload_paths](const httplib::Request& req,
                                                      httplib::Response& res) {
    t_request = RequestState{std::chrono::steady_clock::now(), -1, "none"};
    std::uint64_t header_bytes = req.method.size() + req.target.size() + 12;
    for (const auto& [k, v] : req.headers) header_bytes += k.size() + v.size() + 4;
    auto refuse = [&](int status, const char* code, const std::string& message) {
      send_error(res, std::make_exception_ptr(HttpError(status, code, message)));
      close_connection(res);  // the unread body must not be taken for the next request
      return httplib::Server::HandlerResponse::Handled;
    };
    if (header_bytes > app.options.http_max_header_bytes)
      return refuse(431, "too_large", "the request headers are too large");
    // A body bigger than its route accepts is refused from its Content-Length, before any of it
    // is read or any memory is reserved for it.
    if (req.has_header("Content-Length")) {
      const std::string text = req.get_header_value("Content-Length");
      errno = 0;
      char* end = nullptr;
      unsigned long long length = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno == ERANGE)
        return refuse(400, "invalid_argument", "malformed Content-Length");
      if (length > app.options.http_max_json_bytes) {
        bool upload = false;
        for (const auto& re : upload_paths) upload = upload || std::regex_match(req.path, re);
        std::uint64_t cap = upload ? app.options.http_max_body_bytes
                                   : app.options.http_max_json_bytes;
        if (length > cap)
          return refuse(413, "too_large",
                        "the body exceeds " + std::to_string(cap) + " bytes for this route");
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  for (std::size_t i = 0; i < routes().size(); ++i) {
    const Route& route = routes()[i];
    const std::string method = route.method;
    auto run = [&app, i](const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader* reader) {
      const Route& rt = routes()[i];
      t_request.route = static_cast<int>(i);
      Context ctx{req, res, app, std::nullopt, {}, {}, {}, {}};
      for (std::size_t m = 1; m < req.matches.size(); ++m) ctx.params.push_back(req.matches[m]);
      std::string dir;
      bool body_read = reader == nullptr;
      try {
        authenticate(ctx, rt);
        if (reader) {
          if (rt.flags & (kUpload | kRawUpload)) {
            UploadSlot slot(app);
            dir = app.tmp_dir + "/upload-" + std::to_string(reinterpret_cast<std::uintptr_t>(&ctx)) +
                  "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
            if (rt.flags & kRawUpload) read_raw_body(ctx, *reader, dir);
            else read_multipart(ctx, *reader, dir);
            body_read = true;
            rt.handler(ctx);
          } else {
            read_json_body(ctx, *reader);
            body_read = true;
            rt.handler(ctx);
          }
        } else {
          rt.handler(ctx);
        }
      } catch (...) {
        send_error(res, std::current_exception());
        // What is left of the body must never be read as the next request (smuggling).
        if (!body_read) close_connection(res);
        // DICOMweb: a representation the Accept header does not allow is 406 on a GET (the
        // core's kUnsupported); on STOW-RS it stays 415 (the body's media type).
        if ((rt.flags & kDicomWeb) && res.status == 415 && req.method == "GET") res.status = 406;
      }
      if (!dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    };
    const std::string re = to_regex(route.pattern);
    if (method == "GET") {
      server.Get(re, [run](const httplib::Request& q, httplib::Response& s) { run(q, s, nullptr); });
    } else {
      auto with_reader = [run](const httplib::Request& q, httplib::Response& s,
                               const httplib::ContentReader& reader) { run(q, s, &reader); };
      if (method == "POST") server.Post(re, with_reader);
      else if (method == "PUT") server.Put(re, with_reader);
      else if (method == "PATCH") server.Patch(re, with_reader);
      else if (method == "DELETE") server.Delete(re, with_reader);
    }
  }

  serve_web(server, app);  // the browser app at / (static_files.cpp)

  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const char* code = res.status == 404 ? "not_found"
                       : res.status == 413 ? "too_large"
                       : res.status == 405 ? "method_not_allowed"
                                           : "invalid_argument";
    std::string message = res.status == 404 ? "no such route or resource: " + req.path
                          : res.status == 413 ? std::string("the body is too large")
                                              : std::string("the request was refused");
    send_error(res, std::make_exception_ptr(HttpError(res.status, code, message)));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        send_error(res, ep);
      });
  server.set_post_routing_handler([&app](const httplib::Request& req, httplib::Response& res) {
    security_headers(app, req, res);
    finish_close(res);
  });
  server.set_logger([&app](const httplib::Request& req, const httplib::Response& res) {
    access_log(app, req, res);
  });
}

// --- Context -------------------------------------------------------------------------------------

std::string Context::address() const {
  if (app.options.http_behind_tls_proxy) {
    std::string forwarded = req.get_header_value("X-Forwarded-For");
    auto comma = forwarded.rfind(',');
    std::string last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
    auto start = last.find_first_not_of(' ');
    auto end = last.find_last_not_of(' ');
    if (start != std::string::npos && end - start < 64) return last.substr(start, end - start + 1);
  }
  return req.remote_addr;
}

Session& Context::user() {
  if (!session) throw Error(ErrorCode::kUnauthenticated, "sign in first");
  return *session;
}

Json Context::json() const {
  if (body.empty()) return Json::object();
  Json j = Json::parse(body);
  if (!j.is_object()) throw Error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  return j;
}

std::string Context::query(const std::string& name, const std::string& fallback) const {
  return req.has_param(name) ? req.get_param_value(name) : fallback;
}

std::optional<long long> Context::query_int(const std::string& name) const {
  if (!req.has_param(name)) return std::nullopt;
  const std::string text = req.get_param_value(name);
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw Error(ErrorCode::kInvalidArgument, "query parameter " + name + " must be an integer");
  return v;
}

void Context::send(const Json& value, int status) {
  res.status = status;
  // With a charset, cpp-httplib leaves the body uncompressed: its brotli runs at the highest
  // quality and costs more than the bytes it saves (150 rows: 0.2 s of CPU, docs/web.md).
  res.set_content(shell::dump(value), "application/json; charset=utf-8");
}

void Context::send_bytes(std::string bytes, const std::string& media_type) {
  res.status = 200;
  // JSON written by hand gets the charset too, so httplib leaves it uncompressed (see send()).
  res.set_content(std::move(bytes),
                  media_type == "application/json" ? "application/json; charset=utf-8" : media_type);
}

void Context::no_content() { res.status = 204; }

}  // namespace portal::http
