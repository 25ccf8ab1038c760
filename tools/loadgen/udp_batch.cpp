// loadgen: batched UDP I/O; see udp_batch.hpp.
#include "tools/loadgen/udp_batch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace icq::loadgen {
namespace {

// Generous kernel buffers: a burst of replies to thousands of clients lands on few sockets.
constexpr int kSocketBufferBytes = 4 << 20;

}  // namespace

UdpSocket::UdpSocket(util::Endpoint local, const util::Endpoint* peer) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  sockaddr_in sa{};
  util::fillSockaddr(local, sa);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error("bind " + util::formatEndpoint(local) + ": " + std::strerror(error));
  }
  if (peer) {
    util::fillSockaddr(*peer, sa);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      const int error = errno;
      ::close(fd_);
      throw std::runtime_error("connect " + util::formatEndpoint(*peer) + ": " + std::strerror(error));
    }
  }
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

util::Endpoint UdpSocket::localEndpoint() const {
  sockaddr_in sa{};
  socklen_t length = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &length);
  return util::endpointFrom(sa);
}

DatagramBatch::DatagramBatch() {
  for (size_t i = 0; i < kBatch; ++i) {
    iovecs_[i] = {buffers_[i].data(), kDatagramMax};
    headers_[i].msg_hdr.msg_iov = &iovecs_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
  }
}

size_t DatagramBatch::receive(int fd) {
  for (size_t i = 0; i < kBatch; ++i) {
    iovecs_[i].iov_len = kDatagramMax;
    headers_[i].msg_hdr.msg_name = &addresses_[i];
    headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  }
  const int n = ::recvmmsg(fd, headers_.data(), kBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i) lengths_[i] = headers_[i].msg_len;
  return static_cast<size_t>(n);
}

void DatagramBatch::commit(size_t length, const sockaddr_in* to) {
  iovecs_[count_].iov_len = length;
  if (to) {
    addresses_[count_] = *to;
    headers_[count_].msg_hdr.msg_name = &addresses_[count_];
    headers_[count_].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  } else {
    headers_[count_].msg_hdr.msg_name = nullptr;
    headers_[count_].msg_hdr.msg_namelen = 0;
  }
  count_++;
}

size_t DatagramBatch::send(int fd) {
  size_t sent = 0;
  // A full socket buffer takes part of a batch; one more try covers the common short burst,
  // and what still does not fit is the protocol's to recover (retransmission), as on a real network.
  for (int attempt = 0; attempt < 2 && sent < count_; ++attempt) {
    const int n = ::sendmmsg(fd, headers_.data() + sent, static_cast<unsigned>(count_ - sent), MSG_DONTWAIT);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  count_ = 0;
  return sent;
}

}  // namespace icq::loadgen
