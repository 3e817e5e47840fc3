// shells/http/static_files.cpp — see static_files.hpp. The app has no inline script or style, so
// the Content-Security-Policy every answer carries (server.cpp) holds for its pages too.
#include "static_files.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>

#include <zlib.h>

#ifndef PORTAL_WEB_ROOT_DEFAULT
#define PORTAL_WEB_ROOT_DEFAULT ""
#endif

namespace portal::http {

namespace {

struct WebFile {
  std::string bytes;
  std::string gzip;        // the same bytes gzip-compressed, for scripts (see media_type)
  std::string media_type;
  bool immutable = false;  // content-hashed name under assets/
};

// gzip (level 9, once at start) of `in`; "" when zlib fails.
std::string gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

std::string media_type(const std::string& ext) {
  static const std::unordered_map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      // cpp-httplib compresses text/* answers itself with brotli at its slowest quality on every
      // request; scripts, the bulk of the app, are served gzip-compressed once at start instead,
      // under the equally valid JavaScript type that httplib leaves alone.
      {".js", "application/javascript; charset=utf-8"},
      {".mjs", "application/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

using Table = std::unordered_map<std::string, WebFile>;

Table load(const std::filesystem::path& root) {
  Table table;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return table;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const auto rel = std::filesystem::relative(it->path(), root).generic_string();
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    WebFile f;
    f.bytes = bytes.str();
    f.media_type = media_type(it->path().extension().string());
    f.immutable = rel.rfind("assets/", 0) == 0;
    if (f.media_type.rfind("application/javascript", 0) == 0) f.gzip = gzip(f.bytes);
    table.emplace("/" + rel, std::move(f));
  }
  return table;
}

void send(const httplib::Request& req, httplib::Response& res, const WebFile& f) {
  res.status = 200;
  res.set_header("Cache-Control",
                 f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!f.gzip.empty()) {
    res.set_header("Vary", "Accept-Encoding");
    if (req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(f.gzip, f.media_type);
      return;
    }
  }
  res.set_content(f.bytes, f.media_type);
}

}  // namespace

void serve_web(httplib::Server& server, App& app) {
  std::string root = app.options.http_web_root;
  if (root.empty()) root = PORTAL_WEB_ROOT_DEFAULT;
  auto table = std::make_shared<const Table>(load(root));
  if (table->find("/index.html") == table->end())
    std::fprintf(stderr, "portald: no browser app in '%s' (run make, or set http.web_root)\n",
                 root.c_str());
  // What the app must know of the server's settings before anyone signs in; no secret here.
  const std::string config = shell::dump(Json{
      {"captcha_enabled", app.options.captcha_enabled},
      {"patient_access_code", app.options.patient_access_code},
      {"search_max_limit", app.options.search_max_limit},
      {"password_min_length", app.options.password_min_length},
      {"languages", {"en", "fr"}},
  });
  server.Get("/app-config.json", [config](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(config, "application/json; charset=utf-8");
  });
  server.Get(R"(/(?!api/|api$|dicom-web/|dicom-web$|healthz$|metrics$).*)",
             [table, root](const httplib::Request& req, httplib::Response& res) {
    auto found = table->find(req.path == "/" ? "/index.html" : req.path);
    if (found == table->end()) {
      // A page of the app (/confirm, /studies...) has no dot in its last segment; a missing
      // file (favicon.png, an old asset) is a plain 404.
      const auto slash = req.path.rfind('/');
      const bool page = req.path.find('.', slash) == std::string::npos;
      found = page ? table->find("/index.html") : table->end();
    }
    if (found == table->end()) {
      res.status = 404;
      res.set_content(table->empty() ? "the browser app is not built (make) in " + root + "\n"
                                     : std::string("no such file\n"),
                      "text/plain; charset=utf-8");
      return;
    }
    send(req, res, found->second);
  });
}

}  // namespace portal::http
