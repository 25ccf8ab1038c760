// Readiness: draining (a stop request) flips it at once; each check names what is missing.
// Liveness: a loop that stops beating fails it. Served over the real routes and port.
#include <catch2/catch.hpp>

#include <thread>

#include "common/ops/health.hpp"
#include "common/ops/http_server.hpp"
#include "common/ops/ops_routes.hpp"
#include "tests/support/http_client.hpp"

using namespace icq::ops;
using icq::test::httpGet;

TEST_CASE("/readyz, /healthz and /metrics follow checks, heartbeats and the stop request") {
  HttpServer server;
  addOpsRoutes(server);
  server.start("127.0.0.1:0");
  auto port = static_cast<uint16_t>(server.port());
  static icq::util::StopToken stop;  // the registry keeps a pointer to it
  watchStopForReadiness(stop);

  bool redisUp = true;
  ReadinessCheck redis("redis", [&] { return redisUp ? std::string() : std::string("unreachable"); });
  Heartbeat loop("worker", std::chrono::milliseconds(200));
  loop.beat();

  auto ready = httpGet(port, "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body.find("\"redis\":\"ok\"") != std::string::npos);
  CHECK(httpGet(port, "/healthz").status == 200);
  CHECK(httpGet(port, "/metrics").body.find("\nicq_ready 1\n") != std::string::npos);

  redisUp = false;
  ready = httpGet(port, "/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("\"redis\":\"unreachable\"") != std::string::npos);
  CHECK(httpGet(port, "/metrics").body.find("\nicq_ready 0\n") != std::string::npos);
  redisUp = true;
  CHECK(httpGet(port, "/readyz").status == 200);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto live = httpGet(port, "/healthz");
  CHECK(live.status == 503);
  CHECK(live.body.find("\"worker\":\"stalled\"") != std::string::npos);
  loop.beat();
  CHECK(httpGet(port, "/healthz").status == 200);

  stop.requestStop();
  ready = httpGet(port, "/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("\"draining\":\"draining\"") != std::string::npos);
  CHECK(httpGet(port, "/healthz").status == 200);  // draining is alive
}
