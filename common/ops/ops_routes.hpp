// The admin port's standard routes: GET /metrics (text exposition format 0.0.4), GET
// /healthz (liveness) and GET /readyz (readiness, 503 with a JSON body naming what is not
// ready). Every process serves these; the scheduler adds its admin API beside them.
#pragma once

#include "common/ops/http_server.hpp"

namespace icq::ops {

void addOpsRoutes(HttpServer& server);

}  // namespace icq::ops
