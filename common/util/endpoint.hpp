// A client's UDP address as it travels through the cluster: IPv4 in network byte order
// (the representation of sin_addr.s_addr and of IPs inside V5 packets, protocol-v5.md §1.3)
// and the port in host order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr_in;

namespace icq::util {

struct Endpoint {
  uint32_t ip = 0;    // network byte order
  uint16_t port = 0;  // host byte order

  bool operator==(const Endpoint&) const = default;
};

/// "a.b.c.d:port"
std::string formatEndpoint(const Endpoint&);
std::string formatIp(uint32_t ipNetworkOrder);
/// Parses a dotted IPv4 address; nullopt if it is not one.
std::optional<uint32_t> parseIp(std::string_view);

/// An IPv4 block, "a.b.c.d/n" (a bare address is its own /32).
struct Network {
  uint32_t ip = 0;  // network byte order, host bits cleared
  int bits = 32;
  bool contains(uint32_t ipNetworkOrder) const;
};
/// nullopt if `text` is neither an address nor a block with 0 <= n <= 32.
std::optional<Network> parseNetwork(std::string_view text);

Endpoint endpointFrom(const sockaddr_in&);
void fillSockaddr(const Endpoint&, sockaddr_in&);

}  // namespace icq::util
