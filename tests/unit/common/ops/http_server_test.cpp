// HttpServer over a real loopback socket: routing by method and longest prefix, 404/405,
// request parts reaching the handler, HEAD, oversized bodies, bad listen addresses.
#include <catch2/catch.hpp>

#include "common/ops/http_server.hpp"
#include "tests/support/http_client.hpp"

using icq::ops::HttpRequest;
using icq::ops::HttpResponse;
using icq::ops::HttpServer;
using icq::test::httpGet;
using icq::test::httpRequest;

namespace {

uint16_t startOnFreePort(HttpServer& server) {
  server.start("127.0.0.1:0");
  REQUIRE(server.running());
  REQUIRE(server.port() > 0);
  return static_cast<uint16_t>(server.port());
}

}  // namespace

TEST_CASE("routes are chosen by method and by the longest matching path prefix") {
  HttpServer server;
  server.route("GET", "/api/", [](const HttpRequest&) { return HttpResponse::text(200, "api\n"); });
  server.route("GET", "/api/v1/users", [](const HttpRequest& r) { return HttpResponse::text(200, "users " + r.path); });
  server.route("DELETE", "/api/v1/users", [](const HttpRequest&) { return HttpResponse::text(204, ""); });
  server.route("GET", "/metrics", [](const HttpRequest&) { return HttpResponse::text(200, "m\n"); });
  uint16_t port = startOnFreePort(server);

  CHECK(httpGet(port, "/api/v1/users/100000").body == "users /api/v1/users/100000");
  CHECK(httpGet(port, "/api/other").body == "api\n");
  CHECK(httpRequest(port, "DELETE", "/api/v1/users/5").status == 204);
  CHECK(httpGet(port, "/metrics").body == "m\n");
  CHECK(httpGet(port, "/metricsfoo").status == 404);  // a prefix ends at a path segment
  CHECK(httpGet(port, "/nothing").status == 404);
  CHECK(httpRequest(port, "POST", "/metrics").status == 405);
}

TEST_CASE("a handler sees the method, path, query, lower-cased headers and body") {
  HttpServer server;
  HttpRequest seen;
  server.route("POST", "/echo", [&](const HttpRequest& r) {
    seen = r;
    return HttpResponse::json(201, "{\"ok\":true}");
  });
  uint16_t port = startOnFreePort(server);

  auto reply = httpRequest(port, "POST", "/echo/x?name=a%20b&flag&n=3", "payload\n",
                           "Authorization: Bearer sekrit\r\nX-Mixed-Case: 1\r\n");
  CHECK(reply.status == 201);
  CHECK(reply.body == "{\"ok\":true}");
  CHECK(reply.headers.find("Content-Type: application/json") != std::string::npos);
  CHECK(seen.method == "POST");
  CHECK(seen.path == "/echo/x");
  CHECK(seen.body == "payload\n");
  CHECK(seen.header("authorization") == "Bearer sekrit");
  CHECK(seen.header("x-mixed-case") == "1");
  std::string value;
  CHECK(seen.queryParam("name", value));
  CHECK(value == "a b");
  CHECK(seen.queryParam("flag", value));
  CHECK(value.empty());
  CHECK_FALSE(seen.queryParam("missing", value));
}

TEST_CASE("HEAD answers like GET without a body, and a handler that throws is a 500, not a crash") {
  HttpServer server;
  server.route("GET", "/x", [](const HttpRequest&) { return HttpResponse::text(200, "body\n"); });
  server.route("GET", "/boom", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); });
  uint16_t port = startOnFreePort(server);

  auto head = httpRequest(port, "HEAD", "/x");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers.find("Content-Length: 5") != std::string::npos);
  auto boom = httpGet(port, "/boom");
  CHECK(boom.status == 500);
  CHECK(boom.body.find("kaput") != std::string::npos);
  CHECK(httpGet(port, "/x").status == 200);  // still serving
}

TEST_CASE("a body over the limit is refused with 413") {
  HttpServer server;
  server.route("POST", "/in", [](const HttpRequest&) { return HttpResponse::text(200, "took it\n"); });
  uint16_t port = startOnFreePort(server);
  CHECK(httpRequest(port, "POST", "/in", std::string(icq::ops::kMaxHttpBody + 1, 'x')).status == 413);
  CHECK(httpRequest(port, "POST", "/in", "small").status == 200);
}

TEST_CASE("stop closes the port, and a port in use or a bad address is an error naming it") {
  HttpServer server;
  server.route("GET", "/x", [](const HttpRequest&) { return HttpResponse::text(200, "x"); });
  uint16_t port = startOnFreePort(server);

  HttpServer second;
  try {
    second.start("127.0.0.1:" + std::to_string(port));
    FAIL("bound a port that is in use");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  }
  CHECK_THROWS_AS(second.start("not an address"), std::runtime_error);
  CHECK_FALSE(second.running());

  server.stop();
  CHECK_FALSE(server.running());
  CHECK(httpGet(port, "/x").status == 0);
}
