// Loopback HTTP client for tests; see http_client.hpp.
#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

namespace icq::test {
namespace {

class Fd {
public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

private:
  int fd_;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

HttpReply httpRequest(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                      const std::string& extraHeaders) {
  HttpReply reply;
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval timeout{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return reply;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                        extraHeaders + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return reply;
  std::string raw;
  char buffer[16384];
  ssize_t n;
  while ((n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0) raw.append(buffer, static_cast<size_t>(n));
  size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  reply.headers = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  return reply;
}

namespace {

/// The lowest port of the kernel's ephemeral range (net.ipv4.ip_local_port_range).
int ephemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

/// A port of `type` (SOCK_STREAM, SOCK_DGRAM) on 127.0.0.1 below the ephemeral range, free
/// when tried. Not the kernel's own pick (port 0): that comes from the ephemeral range, where
/// the kernel may hand the same port to the next wildcard bind or outgoing connection before
/// the test's process binds it — a gateway's "tcp://127.0.0.1:*" pipeline once took a worker's
/// admin port so. Below the range only another test's pick can take it, and picks are random.
uint16_t freePort(int type) {
  static const int top = std::max(ephemeralLow() - 1, 2048);
  static std::mutex mutex;
  static std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint16_t port = 0;
    {
      std::lock_guard lock(mutex);
      port = static_cast<uint16_t>(std::uniform_int_distribution<int>(1024, top)(random));
    }
    Fd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopback(port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return port;
  }
  return 0;
}

}  // namespace

uint16_t freeTcpPort() { return freePort(SOCK_STREAM); }

uint16_t freeUdpPort() { return freePort(SOCK_DGRAM); }

bool waitReady(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (httpGet(port, "/readyz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace icq::test
