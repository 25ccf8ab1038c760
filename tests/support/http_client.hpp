// A minimal blocking HTTP/1.1 client over loopback TCP, for tests of the admin port (what
// curl or a Prometheus scrape would do, without a dependency).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace icq::test {

struct HttpReply {
  int status = 0;  // 0: no connection or no parsable reply
  std::string headers;
  std::string body;
};

/// One request to 127.0.0.1:`port`, with a timeout of a few seconds; `extraHeaders` are
/// whole lines ending in "\r\n".
HttpReply httpRequest(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& extraHeaders = "");

inline HttpReply httpGet(uint16_t port, const std::string& target) { return httpRequest(port, "GET", target); }

/// Waits until /readyz on `port` answers 200: readiness may follow liveness by a moment
/// (a worker needs a registry read to find its gateway). False after `timeout`.
bool waitReady(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// A TCP or UDP port on 127.0.0.1 that was free a moment ago, from below the kernel's
/// ephemeral range so that no wildcard bind or outgoing connection takes it meanwhile.
uint16_t freeTcpPort();
uint16_t freeUdpPort();

}  // namespace icq::test
