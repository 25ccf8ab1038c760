// The admin API over HTTP; see api_client.hpp.
#include "tools/icqctl/api_client.hpp"

#include <civetweb.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace icq::icqctl {
namespace {

// An admin call waits on Redis and PostgreSQL at worst for their own timeouts.
constexpr int kResponseTimeoutMs = 30000;

}  // namespace

std::string percentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ApiClient::ApiClient(const std::string& url, std::string token) : token_(std::move(token)) {
  constexpr std::string_view kScheme = "http://";
  std::string_view rest = url;
  if (!rest.starts_with(kScheme)) throw std::invalid_argument("--api: '" + url + "' must start with http://");
  rest.remove_prefix(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || rest.find('/') != std::string_view::npos)
    throw std::invalid_argument("--api: '" + url + "' must be http://host:port");
  host_ = std::string(rest.substr(0, colon));
  const std::string_view port = rest.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), port_);
  if (error != std::errc() || end != port.data() + port.size() || port_ < 1 || port_ > 65535)
    throw std::invalid_argument("--api: '" + url + "' has no valid port");
  mg_init_library(0);
}

ApiReply ApiClient::call(const std::string& method, const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& query,
                         const nlohmann::json& body) const {
  std::string target = "/api/v1/" + path;
  for (size_t i = 0; i < query.size(); ++i)
    target += (i == 0 ? "?" : "&") + query[i].first + "=" + percentEncode(query[i].second);
  const std::string payload = body.is_null() ? "" : body.dump();

  ApiReply reply;
  char error[256] = "";
  std::unique_ptr<mg_connection, void (*)(mg_connection*)> connection(
      mg_connect_client(host_.c_str(), port_, 0, error, sizeof error), mg_close_connection);
  if (!connection) {
    reply.failure = "cannot reach the admin API at " + host_ + ":" + std::to_string(port_) + ": " + error;
    return reply;
  }
  mg_printf(connection.get(),
            "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\n"
            "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            method.c_str(), target.c_str(), host_.c_str(), port_, token_.c_str(), payload.size());
  if (!payload.empty()) mg_write(connection.get(), payload.data(), payload.size());
  if (mg_get_response(connection.get(), error, sizeof error, kResponseTimeoutMs) < 0) {
    reply.failure = std::string("no answer from the admin API: ") + error;
    return reply;
  }
  reply.status = mg_get_response_info(connection.get())->status_code;
  std::string text;
  char buffer[4096];
  for (int n; (n = mg_read(connection.get(), buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  reply.body = nlohmann::json::parse(text, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

}  // namespace icq::icqctl
