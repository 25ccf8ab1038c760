// The gateway's UDP socket with batched system calls: one recvmmsg fills up to a batch
// of caller-provided buffers, one sendmmsg sends a batch of datagrams (Envoy's
// readPacketsFromSocket and DragonflyDB's batching, applied to ICQ's tiny datagrams).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/util/endpoint.hpp"

namespace icq::gateway {

/// Datagrams moved per system call. 64 amortises the syscall well below the per-packet
/// work while keeping one batch's latency far under a millisecond.
inline constexpr size_t kBatch = 64;

class UdpSocket {
public:
  /// Binds a non-blocking socket with SO_REUSEPORT (several gateways may share a port on
  /// one host). Throws std::system_error naming the address on failure (startup only).
  UdpSocket(const std::string& bindIp, uint16_t port);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t localPort() const;

  struct Slot {
    std::span<uint8_t> buffer;  // in: where to put the datagram
    size_t length = 0;          // out: its size (a datagram larger than buffer is truncated: flagged)
    bool truncated = false;     // out
    util::Endpoint from;        // out
  };
  /// Receives up to slots.size() (≤ kBatch) datagrams without blocking; returns how many.
  size_t receive(std::span<Slot> slots);

  struct Outgoing {
    util::Endpoint to;
    std::span<const uint8_t> bytes;
  };
  /// Sends the datagrams in as few calls as the kernel allows; returns how many the kernel took.
  size_t send(std::span<const Outgoing> datagrams);

private:
  int fd_ = -1;
  std::array<mmsghdr, kBatch> headers_{};
  std::array<iovec, kBatch> iovecs_{};
  std::array<sockaddr_in, kBatch> addrs_{};
};

}  // namespace icq::gateway
