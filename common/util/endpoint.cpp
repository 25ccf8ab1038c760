// Endpoint formatting and conversion; see endpoint.hpp.
#include "common/util/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "common/util/integer.hpp"

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

namespace {

uint32_t maskOf(int bits) { return htonl(bits == 0 ? 0 : ~uint32_t{0} << (32 - bits)); }

}  // namespace

bool Network::contains(uint32_t ipNetworkOrder) const { return (ipNetworkOrder & maskOf(bits)) == ip; }

std::optional<Network> parseNetwork(std::string_view text) {
  const size_t slash = text.find('/');
  const auto ip = parseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int bits = 32;
  if (slash != std::string_view::npos && (!parseInteger(text.substr(slash + 1), bits) || bits < 0 || bits > 32))
    return std::nullopt;
  return Network{*ip & maskOf(bits), bits};
}

Endpoint endpointFrom(const sockaddr_in& sa) { return Endpoint{sa.sin_addr.s_addr, ntohs(sa.sin_port)}; }

void fillSockaddr(const Endpoint& e, sockaddr_in& sa) {
  std::memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = e.ip;
  sa.sin_port = htons(e.port);
}

}  // namespace icq::util
