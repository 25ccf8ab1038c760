// /metrics, /healthz and /readyz; see ops_routes.hpp.
#include "common/ops/ops_routes.hpp"

#include "common/ops/health.hpp"
#include "common/ops/metrics.hpp"

namespace icq::ops {
namespace {

HttpResponse healthResponse(const HealthReport& report) { return HttpResponse::json(report.ok ? 200 : 503, report.json); }

}  // namespace

void addOpsRoutes(HttpServer& server) {
  server.route("GET", "/metrics", [](const HttpRequest&) {
    static prometheus::Gauge& ready =
        gaugeFamily("icq_ready", "1 when /readyz answers 200 (dependencies reachable, registered, not draining).")
            .Add({});
    ready.Set(readiness().ok ? 1 : 0);
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", renderMetrics(), {}};
  });
  server.route("GET", "/healthz", [](const HttpRequest&) { return healthResponse(liveness()); });
  server.route("GET", "/readyz", [](const HttpRequest&) { return healthResponse(readiness()); });
}

}  // namespace icq::ops
