// shells/http/routes_dicomweb.cpp — DICOMweb (PLAT-1) under /dicom-web: QIDO-RS, WADO-RS,
// STOW-RS, and the desktop-viewer link (LIST-7). Each route parses the request, makes one
// portal::DicomWeb call and formats its answer; access rules, DICOM JSON and multipart framing
// are the core's (include/portal/dicomweb.hpp). Path parameters come in pattern order, so their
// count tells the level (study, series, instance).
#include "portal/dicomweb.hpp"

#include "routes.hpp"

namespace portal::http::handlers {

namespace {

// The public URL of the DICOMweb service: dicomweb.public_url when configured, else the scheme
// this server answers with and the request's Host (checked to be a plain host[:port]).
std::string dicomweb_root(const Context& ctx) {
  const std::string& configured = ctx.app.options.dicomweb_public_url;
  if (!configured.empty()) return configured;
  std::string host = ctx.req.get_header_value("Host");
  bool plain = !host.empty() && host.size() <= 255;
  for (char c : host)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                      c == ']');
  if (!plain) host = ctx.req.local_addr + ":" + std::to_string(ctx.req.local_port);
  return std::string(ctx.app.tls ? "https" : "http") + "://" + host + "/dicom-web";
}

DicomWeb service(Context& ctx) { return DicomWeb(ctx.user(), dicomweb_root(ctx)); }

QueryParams query_params(const Context& ctx) {
  QueryParams out;
  for (const auto& [k, v] : ctx.req.params) out.emplace_back(k, v);
  return out;
}

std::string param(const Context& ctx, std::size_t i) {
  return i < ctx.params.size() ? ctx.params[i] : std::string();
}

void send_body(Context& ctx, DicomWebBody body) {
  ctx.send_bytes(std::move(body.body), body.content_type);
}

void send_dicom_json(Context& ctx, std::string json) {
  ctx.send_bytes(std::move(json), "application/dicom+json");
}

int quality_param(Context& ctx) {
  auto q = ctx.query_int("quality");
  if (!q) return 90;
  if (*q < 1 || *q > 100) throw Error(ErrorCode::kInvalidArgument, "quality must be 1 to 100");
  return static_cast<int>(*q);
}

}  // namespace

// QIDO-RS ----------------------------------------------------------------------------------------

void qido_studies(Context& ctx) { send_dicom_json(ctx, service(ctx).search_studies(query_params(ctx))); }

void qido_series(Context& ctx) {
  send_dicom_json(ctx, service(ctx).search_series(param(ctx, 0), query_params(ctx)));
}

void qido_instances(Context& ctx) {
  send_dicom_json(ctx, service(ctx).search_instances(param(ctx, 0), param(ctx, 1),
                                                     query_params(ctx)));
}

// WADO-RS ----------------------------------------------------------------------------------------

void wado_retrieve(Context& ctx) {
  DicomWebStream stream = service(ctx).retrieve(param(ctx, 0), param(ctx, 1), param(ctx, 2),
                                                ctx.req.get_header_value("Accept"));
  ctx.res.status = 200;
  // Streamed: each instance is read (through the Session) while it is sent. A failure once the
  // headers are out can only cut the connection, which the client sees as a truncated body.
  auto write = std::move(stream.write);
  ctx.res.set_chunked_content_provider(
      stream.content_type, [write](std::size_t, httplib::DataSink& sink) {
        bool open = true;
        try {
          write([&](const char* data, std::size_t n) {
            if (open && !sink.write(data, n)) open = false;
            if (!open) throw std::runtime_error("client gone");
          });
        } catch (const std::exception& e) {
          if (open) std::fprintf(stderr, "portald: WADO-RS retrieve cut: %s\n", e.what());
          return false;
        }
        sink.done();
        return true;
      });
}

void wado_metadata(Context& ctx) {
  send_dicom_json(ctx, service(ctx).metadata(param(ctx, 0), param(ctx, 1), param(ctx, 2)));
}

void wado_bulkdata(Context& ctx) {
  send_body(ctx, service(ctx).bulkdata(param(ctx, 0), param(ctx, 1), param(ctx, 2),
                                       param(ctx, 3)));
}

void wado_frames(Context& ctx) {
  send_body(ctx, service(ctx).frames(param(ctx, 0), param(ctx, 1), param(ctx, 2), param(ctx, 3),
                                     ctx.req.get_header_value("Accept"), quality_param(ctx)));
}

void wado_rendered(Context& ctx) {
  int frame = ctx.params.size() > 3 ? std::stoi(ctx.params[3]) : 0;
  send_body(ctx, service(ctx).rendered(param(ctx, 0), param(ctx, 1), param(ctx, 2), frame,
                                       query_params(ctx), ctx.req.get_header_value("Accept")));
}

void wado_thumbnail(Context& ctx) {
  send_body(ctx, service(ctx).thumbnail(param(ctx, 0), param(ctx, 1), param(ctx, 2),
                                        query_params(ctx)));
}

// STOW-RS: the server has streamed the body to one temporary file before this runs. ------------

void stow(Context& ctx) {
  StowResult r = service(ctx).store_file(ctx.req.get_header_value("Content-Type"),
                                         ctx.files.at(0).path, param(ctx, 0));
  for (const auto& f : r.files) {
    switch (f.status) {
      case IngestStatus::kStored: ctx.app.ingest_stored.fetch_add(1); break;
      case IngestStatus::kDuplicate: ctx.app.ingest_duplicates.fetch_add(1); break;
      case IngestStatus::kRejected: ctx.app.ingest_rejected.fetch_add(1); break;
    }
  }
  ctx.send_bytes(std::move(r.json), "application/dicom+json");
  ctx.res.status = r.http_status;
}

// Desktop viewer (LIST-7) ------------------------------------------------------------------------

void desktop_viewer(Context& ctx) {
  ctx.send(Json{{"url", service(ctx).desktop_viewer_link(ctx.params.at(0))}});
}

}  // namespace portal::http::handlers
