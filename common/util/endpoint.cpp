// Endpoint formatting and conversion; see endpoint.hpp.
#include "common/util/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace icq::util {

std::string formatIp(uint32_t ipNetworkOrder) {
  char buf[INET_ADDRSTRLEN] = {};
  in_addr addr{};
  addr.s_addr = ipNetworkOrder;
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

std::string formatEndpoint(const Endpoint& e) { return formatIp(e.ip) + ":" + std::to_string(e.port); }

std::optional<uint32_t> parseIp(std::string_view text) {
  std::string s(text);
  in_addr addr{};
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return std::nullopt;
  return addr.s_addr;
}

Endpoint endpointFrom(const sockaddr_in& sa) { return Endpoint{sa.sin_addr.s_addr, ntohs(sa.sin_port)}; }

void fillSockaddr(const Endpoint& e, sockaddr_in& sa) {
  std::memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = e.ip;
  sa.sin_port = htons(e.port);
}

}  // namespace icq::util
