// Batched UDP I/O; see udp_socket.hpp.
#include "gateway/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace icq::gateway {

UdpSocket::UdpSocket(const std::string& bindIp, uint16_t port) {
  auto ip = util::parseIp(bindIp);
  if (!ip)
    throw std::system_error(EINVAL, std::generic_category(),
                            "gateway.udp_bind '" + bindIp + "' is not an IPv4 address");
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // Large kernel buffers absorb bursts while the loop is busy with a batch.
  int bufferBytes = 4 * 1024 * 1024;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
  sockaddr_in sa{};
  util::fillSockaddr(util::Endpoint{*ip, port}, sa);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    ::close(fd_);
    throw std::system_error(err, std::generic_category(), "bind UDP " + bindIp + ":" + std::to_string(port));
  }
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t UdpSocket::localPort() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

size_t UdpSocket::receive(std::span<Slot> slots) {
  size_t n = std::min(slots.size(), kBatch);
  for (size_t i = 0; i < n; ++i) {
    iovecs_[i] = iovec{slots[i].buffer.data(), slots[i].buffer.size()};
    headers_[i] = mmsghdr{};
    headers_[i].msg_hdr.msg_iov = &iovecs_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
    headers_[i].msg_hdr.msg_name = &addrs_[i];
    headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  }
  int got = ::recvmmsg(fd_, headers_.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;
  for (int i = 0; i < got; ++i) {
    slots[i].length = headers_[i].msg_len;
    slots[i].truncated = (headers_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    slots[i].from = util::endpointFrom(addrs_[i]);
  }
  return static_cast<size_t>(got);
}

size_t UdpSocket::send(std::span<const Outgoing> datagrams) {
  size_t next = 0;
  size_t delivered = 0;
  while (next < datagrams.size()) {
    size_t n = std::min(datagrams.size() - next, kBatch);
    for (size_t i = 0; i < n; ++i) {
      const Outgoing& d = datagrams[next + i];
      util::fillSockaddr(d.to, addrs_[i]);
      iovecs_[i] = iovec{const_cast<uint8_t*>(d.bytes.data()), d.bytes.size()};
      headers_[i] = mmsghdr{};
      headers_[i].msg_hdr.msg_iov = &iovecs_[i];
      headers_[i].msg_hdr.msg_iovlen = 1;
      headers_[i].msg_hdr.msg_name = &addrs_[i];
      headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    }
    int got = ::sendmmsg(fd_, headers_.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
    if (got <= 0) {
      // EAGAIN (socket buffer full) or an unroutable first address: skip that datagram so
      // one bad destination cannot block the rest of the batch.
      ++next;
      continue;
    }
    next += static_cast<size_t>(got);
    delivered += static_cast<size_t>(got);
  }
  return delivered;
}

}  // namespace icq::gateway
