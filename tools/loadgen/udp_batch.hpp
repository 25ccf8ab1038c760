// loadgen: UDP sockets on loopback source addresses and batches of datagrams moved with one
// recvmmsg/sendmmsg each — shared by the load generator and the raw echo baseline, so the
// baseline measures exactly the system calls the load generator makes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/util/endpoint.hpp"

namespace icq::loadgen {

/// A non-blocking UDP socket bound to `local` (port 0: any), optionally connected to `peer`
/// so that sends need no address and only the peer's datagrams arrive. Move-only.
class UdpSocket {
public:
  UdpSocket(util::Endpoint local, const util::Endpoint* peer);
  ~UdpSocket();
  UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&&) = delete;
  UdpSocket(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  util::Endpoint localEndpoint() const;

private:
  int fd_ = -1;
};

// Why 64: a batch amortises the system call over enough datagrams that its fixed cost
// disappears (measured flat beyond ~32), while 64 × 2 KiB keeps the buffers in L2.
inline constexpr size_t kBatch = 64;
// Larger than any V5 datagram we send or expect (the protocol's own bound is 1,024 + header).
inline constexpr size_t kDatagramMax = 2048;

/// kBatch datagram slots with their headers prepared once. Not thread-safe: one per thread.
class DatagramBatch {
public:
  DatagramBatch();
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;

  /// Receives up to kBatch datagrams from `fd` without blocking; returns how many (0 if none).
  size_t receive(int fd);
  std::span<uint8_t> received(size_t i) { return std::span(buffers_[i]).first(lengths_[i]); }
  const sockaddr_in& source(size_t i) const { return addresses_[i]; }

  /// The next free slot to write an outgoing datagram into (kDatagramMax bytes).
  std::span<uint8_t> slot() { return buffers_[count_]; }
  /// Commits `length` bytes in the current slot, addressed to `to` (nullptr: the connected peer).
  void commit(size_t length, const sockaddr_in* to = nullptr);
  size_t pending() const { return count_; }
  bool full() const { return count_ == kBatch; }
  /// Sends what is committed on `fd` with sendmmsg, retrying the part the kernel did not take
  /// once; returns how many went out. Empties the batch either way.
  size_t send(int fd);

private:
  std::array<std::array<uint8_t, kDatagramMax>, kBatch> buffers_;
  std::array<mmsghdr, kBatch> headers_{};
  std::array<iovec, kBatch> iovecs_{};
  std::array<sockaddr_in, kBatch> addresses_{};
  std::array<size_t, kBatch> lengths_{};
  size_t count_ = 0;
};

}  // namespace icq::loadgen
