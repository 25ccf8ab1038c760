// HttpServer over civetweb's CivetServer; see http_server.hpp. One civetweb handler takes
// every URI and every method, and our own table routes it, so a route is a plain value.
#include "common/ops/http_server.hpp"

#include <CivetServer.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace icq::ops {
namespace {

// The admin port serves probes, scrapes and a few operators: two threads are plenty, and
// a stuck client cannot hold one for long.
constexpr const char* kThreads = "2";
constexpr const char* kRequestTimeoutMs = "10000";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool underPrefix(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  // "/metrics" must not take "/metricsfoo"; a prefix ending in '/' already marks a segment.
  return path.size() == prefix.size() || prefix.ends_with('/') || path[prefix.size()] == '/';
}

HttpRequest readRequest(mg_connection* conn, bool& tooLarge) {
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest request;
  request.method = info->request_method ? info->request_method : "";
  request.path = info->local_uri ? info->local_uri : "";
  request.query = info->query_string ? info->query_string : "";
  request.remoteAddress = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i)
    request.headers[lower(info->http_headers[i].name)] = info->http_headers[i].value;
  tooLarge = info->content_length > static_cast<long long>(kMaxHttpBody);
  if (tooLarge) return request;
  char buffer[8192];
  int n;
  while ((n = mg_read(conn, buffer, sizeof buffer)) > 0) {
    request.body.append(buffer, static_cast<size_t>(n));
    if (request.body.size() > kMaxHttpBody) {
      tooLarge = true;
      break;
    }
  }
  return request;
}

void writeResponse(mg_connection* conn, const HttpResponse& response, bool head) {
  std::string head_ = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      mg_get_response_code_text(conn, response.status) + "\r\nContent-Type: " + response.contentType +
                      "\r\nContent-Length: " + std::to_string(response.body.size()) +
                      "\r\nCache-Control: no-store\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) head_ += name + ": " + value + "\r\n";
  head_ += "\r\n";
  mg_write(conn, head_.data(), head_.size());
  if (!head) mg_write(conn, response.body.data(), response.body.size());
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

// ---- values -----------------------------------------------------------------------------

std::string_view HttpRequest::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

bool HttpRequest::queryParam(std::string_view name, std::string& value) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    if (percentDecode(pair.substr(0, eq)) != name) continue;
    value = eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1));
    return true;
  }
  return false;
}

HttpResponse HttpResponse::text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body), {}};
}

// ---- the civetweb side --------------------------------------------------------------------

class HttpServer::Civet : public CivetHandler {
public:
  Civet(const HttpServer& owner, const std::vector<std::string>& options) : owner_(owner), server_(options) {
    server_.addHandler("/", this);
  }
  ~Civet() override { server_.close(); }

  int port() {
    std::vector<int> ports = server_.getListeningPorts();
    return ports.empty() ? 0 : ports.front();
  }

  bool handleGet(CivetServer*, mg_connection* conn) override { return serve(conn, false); }
  bool handleHead(CivetServer*, mg_connection* conn) override { return serve(conn, true); }
  bool handlePost(CivetServer*, mg_connection* conn) override { return serve(conn, false); }
  bool handlePut(CivetServer*, mg_connection* conn) override { return serve(conn, false); }
  bool handleDelete(CivetServer*, mg_connection* conn) override { return serve(conn, false); }
  bool handlePatch(CivetServer*, mg_connection* conn) override { return serve(conn, false); }
  bool handleOptions(CivetServer*, mg_connection* conn) override { return serve(conn, false); }

private:
  bool serve(mg_connection* conn, bool head) {
    bool tooLarge = false;
    HttpRequest request = readRequest(conn, tooLarge);
    HttpResponse response;
    if (tooLarge) {
      response = HttpResponse::text(413, "request body too large\n");
    } else {
      if (head) request.method = "GET";  // HEAD is GET without the body
      try {
        response = owner_.dispatch(request);
      } catch (const std::exception& e) {
        response = HttpResponse::text(500, std::string("internal error: ") + e.what() + "\n");
      }
    }
    writeResponse(conn, response, head);
    return true;
  }

  const HttpServer& owner_;
  CivetServer server_;
};

// ---- HttpServer ---------------------------------------------------------------------------

HttpServer::HttpServer() = default;
HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string prefix, HttpHandler handler) {
  std::lock_guard lock(mutex_);
  routes_.push_back({std::move(method), std::move(prefix), std::move(handler)});
}

HttpResponse HttpServer::dispatch(const HttpRequest& request) const {
  HttpHandler handler;  // copied out, so the lock is not held while it runs
  bool pathKnown = false;
  {
    std::lock_guard lock(mutex_);
    size_t bestLength = 0;
    for (const Route& r : routes_) {
      if (!underPrefix(request.path, r.prefix)) continue;
      pathKnown = true;
      if (r.method == request.method && (!handler || r.prefix.size() > bestLength)) {
        handler = r.handler;
        bestLength = r.prefix.size();
      }
    }
  }
  if (!handler) return HttpResponse::text(pathKnown ? 405 : 404, pathKnown ? "method not allowed\n" : "not found\n");
  return handler(request);
}

void HttpServer::start(const std::string& listen) {
  stop();
  std::vector<std::string> options = {"listening_ports",    listen,           "num_threads", kThreads,
                                      "request_timeout_ms", kRequestTimeoutMs, "enable_keep_alive", "no"};
  try {
    civet_ = std::make_unique<Civet>(*this, options);
  } catch (const CivetException& e) {
    throw std::runtime_error("admin HTTP server cannot listen on " + listen + ": " + e.what());
  }
}

void HttpServer::stop() { civet_.reset(); }

bool HttpServer::running() const { return civet_ != nullptr; }

int HttpServer::port() const { return civet_ ? civet_->port() : 0; }

}  // namespace icq::ops
