// icqctl's HTTP client for the admin API (docs/admin-api.yaml): one blocking request per
// call over civetweb's client functions (already a dependency of the admin port), plain
// HTTP — the admin port is cluster-internal; reach it through a port-forward or a TLS proxy.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace icq::icqctl {

struct ApiReply {
  int status = 0;       // the HTTP status; 0 when no answer came
  nlohmann::json body;  // the parsed JSON body (null when there was none or it was not JSON)
  std::string failure;  // why no answer came (status 0)
};

class ApiClient {
public:
  /// `url`: "http://host:port" (a trailing "/" is allowed); throws std::invalid_argument
  /// naming what is wrong with it.
  ApiClient(const std::string& url, std::string token);

  /// `path` below /api/v1/ ("users/100000"); `query` pairs are percent-encoded.
  ApiReply call(const std::string& method, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& query = {},
                const nlohmann::json& body = nullptr) const;

private:
  std::string host_;
  int port_ = 0;
  std::string token_;
};

/// `text` percent-encoded for a query string (RFC 3986 unreserved characters stay).
std::string percentEncode(const std::string& text);

}  // namespace icq::icqctl
