// shells/http/static_files.hpp — the browser app (shells/http/web, built by `make`) served at `/`.
#pragma once

#include "server.hpp"

namespace portal::http {

/// Serves the built browser app from Options::http_web_root (default: the build's output folder):
/// every file is read once at start and served from memory with its media type; hashed files
/// under assets/ are cached for a year, index.html is revalidated; any other path outside
/// /api/ that names no file (a page of the app such as /confirm) gets index.html. Paths are
/// looked up in the loaded table only, so no request can reach a file outside the folder.
/// Registered after the API routes; /api/, /healthz and /metrics never reach it.
void serve_web(httplib::Server& server, App& app);

}  // namespace portal::http
