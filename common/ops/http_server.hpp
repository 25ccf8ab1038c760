// HttpServer: the admin port's HTTP plumbing (civetweb underneath). Routes are a method
// and a path prefix, the longest matching prefix wins; handlers see a small request value
// and return a response value, so they are plain functions that tests call directly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace icq::ops {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query string: "/api/v1/users/100000"
  std::string query;   // the raw query string, without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remoteAddress;  // the peer's IP address, as text

  /// A header's value, or "" when absent; `name` in lower case.
  std::string_view header(std::string_view name) const;
  /// One query parameter, percent-decoded, into `value`; false when absent.
  bool queryParam(std::string_view name, std::string& value) const;
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static HttpResponse text(int status, std::string body);
  static HttpResponse json(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// An HTTP/1.1 server on one listen address. Handlers run on the server's own threads
/// (never a role's loop), so what they read must be safe to read from there.
class HttpServer {
public:
  HttpServer();
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Serves `method` requests whose path is `prefix` or lies under it ("/api/v1/" takes
  /// "/api/v1/users"; "/metrics" takes only "/metrics" and "/metrics/..."). Routes may be
  /// added before or after start(); a path that matches no route is 404, a path whose
  /// routes take other methods is 405.
  void route(std::string method, std::string prefix, HttpHandler handler);

  /// Listens on `listen` ("host:port"; port 0 picks a free one). Throws std::runtime_error
  /// naming the address when it cannot bind.
  void start(const std::string& listen);
  /// Stops listening and waits for handlers in progress; idempotent.
  void stop();
  bool running() const;
  /// The bound port (the real one after port 0); 0 when not running.
  int port() const;

  /// Routes `request` as a connection would: for tests and for handlers that forward.
  HttpResponse dispatch(const HttpRequest& request) const;

private:
  struct Route {
    std::string method;
    std::string prefix;
    HttpHandler handler;
  };
  class Civet;

  mutable std::mutex mutex_;  // guards routes_ (route() may run while serving)
  std::vector<Route> routes_;
  std::unique_ptr<Civet> civet_;
};

/// Requests larger than this are refused with 413 before their body is read.
inline constexpr size_t kMaxHttpBody = 1 << 20;

}  // namespace icq::ops
