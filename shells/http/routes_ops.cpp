// shells/http/routes_ops.cpp — operations (PLAT-6): health, Prometheus metrics, the OpenAPI
// document of this API.
#include <sstream>

#include "routes.hpp"

namespace portal::http::handlers {

void healthz(Context& ctx) {
  // Reads the index: a server whose database is gone is not healthy.
  StudyQuery one;
  one.limit = 1;
  ctx.app.portal->system_session().find_studies(one);
  ctx.res.set_header("Cache-Control", "no-store");
  ctx.send({{"status", "ok"}});
}

void metrics(Context& ctx) {
  std::ostringstream out;
  out << "# HELP portal_http_requests_total HTTP requests by route and status class.\n"
         "# TYPE portal_http_requests_total counter\n";
  const auto& table = routes();
  auto label = [&](std::size_t i) {
    return i < table.size() ? std::string(table[i].method) + " " + table[i].pattern
                            : std::string("unmatched");
  };
  for (std::size_t i = 0; i < ctx.app.metrics.size(); ++i)
    for (int c = 1; c <= 5; ++c) {
      auto n = ctx.app.metrics[i].by_class[c].load();
      if (n)
        out << "portal_http_requests_total{route=\"" << label(i) << "\",status=\"" << c
            << "xx\"} " << n << "\n";
    }
  out << "# HELP portal_http_request_duration_seconds Time to answer, by route.\n"
         "# TYPE portal_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < ctx.app.metrics.size(); ++i) {
    const auto& m = ctx.app.metrics[i];
    auto count = m.count.load();
    if (!count) continue;
    std::uint64_t cumulative = 0;
    for (int b = 0; b < RouteMetrics::kBuckets; ++b) {
      cumulative += m.buckets[b].load();
      out << "portal_http_request_duration_seconds_bucket{route=\"" << label(i) << "\",le=\""
          << RouteMetrics::kBounds[b] << "\"} " << cumulative << "\n";
    }
    out << "portal_http_request_duration_seconds_bucket{route=\"" << label(i)
        << "\",le=\"+Inf\"} " << count << "\n";
    out << "portal_http_request_duration_seconds_sum{route=\"" << label(i) << "\"} "
        << static_cast<double>(m.micros.load()) / 1e6 << "\n";
    out << "portal_http_request_duration_seconds_count{route=\"" << label(i) << "\"} " << count
        << "\n";
  }
  out << "# HELP portal_ingest_files_total Files received, by source (http, dicom) and outcome.\n"
         "# TYPE portal_ingest_files_total counter\n"
      << "portal_ingest_files_total{source=\"http\",status=\"stored\"} "
      << ctx.app.ingest_stored.load() << "\n"
      << "portal_ingest_files_total{source=\"http\",status=\"duplicate\"} "
      << ctx.app.ingest_duplicates.load() << "\n"
      << "portal_ingest_files_total{source=\"http\",status=\"rejected\"} "
      << ctx.app.ingest_rejected.load() << "\n";
  if (ctx.app.dicom) {
    DicomReceiverStats d = ctx.app.dicom->stats();
    out << "portal_ingest_files_total{source=\"dicom\",status=\"stored\"} " << d.stored << "\n"
        << "portal_ingest_files_total{source=\"dicom\",status=\"duplicate\"} " << d.duplicates
        << "\n"
        << "portal_ingest_files_total{source=\"dicom\",status=\"rejected\"} " << d.failed << "\n"
        << "# HELP portal_dicom_associations_total DICOM associations, accepted or refused.\n"
           "# TYPE portal_dicom_associations_total counter\n"
        << "portal_dicom_associations_total{outcome=\"accepted\"} " << d.associations << "\n"
        << "portal_dicom_associations_total{outcome=\"refused\"} " << d.refused << "\n"
        << "# HELP portal_dicom_echoes_total C-ECHO requests answered.\n"
           "# TYPE portal_dicom_echoes_total counter\n"
        << "portal_dicom_echoes_total " << d.echoes << "\n";
  }
  auto session = ctx.app.portal->system_session();
  out << "# HELP portal_mail_outbox Messages in the outbox, by status.\n"
         "# TYPE portal_mail_outbox gauge\n"
      << "portal_mail_outbox{status=\"pending\"} " << session.mail(MailStatus::kPending).size()
      << "\n"
      << "portal_mail_outbox{status=\"failed\"} " << session.mail(MailStatus::kFailed).size()
      << "\n";
  out << "# HELP portal_mail_delivered_total Messages delivered or failed by this server.\n"
         "# TYPE portal_mail_delivered_total counter\n"
      << "portal_mail_delivered_total{outcome=\"sent\"} " << ctx.app.mail_sent.load() << "\n"
      << "portal_mail_delivered_total{outcome=\"failed\"} " << ctx.app.mail_failed.load() << "\n";
  out << "# HELP portal_http_uploads_running Uploads being received now.\n"
         "# TYPE portal_http_uploads_running gauge\n"
      << "portal_http_uploads_running " << ctx.app.uploads_running.load() << "\n";
  ctx.res.set_header("Cache-Control", "no-store");
  ctx.send_bytes(out.str(), "text/plain; version=0.0.4");
}

void openapi(Context& ctx) { ctx.send_bytes(ctx.app.openapi, "application/yaml"); }

}  // namespace portal::http::handlers
