// scheduler/admin_api.cpp against docs/admin-api.yaml: every route the scheduler serves is
// documented, every documented operation is served, and each documents the answers the API
// gives every request (401) and every request with a body (400, 413).
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "scheduler/admin_api.hpp"

namespace icq::scheduler {
namespace {

using RouteKey = std::pair<std::string, std::string>;  // method, path under /api/v1

YAML::Node loadSpec() { return YAML::LoadFile(std::string(ICQ_SOURCE_DIR) + "/docs/admin-api.yaml"); }

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

}  // namespace

TEST_CASE("admin API routes and docs/admin-api.yaml name the same operations", "[scheduler][admin][docs]") {
  const YAML::Node spec = loadSpec();
  REQUIRE(spec["servers"][0]["url"].as<std::string>().ends_with("/api/v1"));
  std::set<RouteKey> documented;
  for (const auto& path : spec["paths"])
    for (const auto& operation : path.second)
      if (operation.first.as<std::string>() != "parameters")
        documented.insert({upper(operation.first.as<std::string>()), "/api/v1" + path.first.as<std::string>()});
  std::set<RouteKey> served;
  for (const AdminRoute& route : AdminApi::routes()) served.insert({std::string(route.method), std::string(route.path)});
  CHECK(served.size() == AdminApi::routes().size());  // no route twice
  CHECK(documented == served);
}

TEST_CASE("every documented admin operation lists the refusals every request can get", "[scheduler][admin][docs]") {
  const YAML::Node spec = loadSpec();
  for (const auto& path : spec["paths"]) {
    for (const auto& operation : path.second) {
      const std::string method = operation.first.as<std::string>();
      if (method == "parameters") continue;
      INFO(method << " " << path.first.as<std::string>());
      const YAML::Node responses = operation.second["responses"];
      CHECK(responses["401"]);
      CHECK(responses["503"]);
      if (operation.second["requestBody"]) {
        CHECK(responses["400"]);
        CHECK(responses["413"]);
      }
      if (path.first.as<std::string>().find("{uin}") != std::string::npos) CHECK(responses["400"]);
    }
  }
}

}  // namespace icq::scheduler
