// icq-udp-echo: the raw baseline's server — echoes every datagram back to its sender with the
// same recvmmsg/sendmmsg batches the load generator uses and no other work, so that
// `icq-loadgen --scenario raw` against it measures the most request/response pairs this machine
// moves over loopback. Prints its port, then runs until --seconds pass or SIGTERM.
#include <poll.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstring>
#include <iostream>

#include "tools/loadgen/load_thread.hpp"
#include "tools/loadgen/udp_batch.hpp"

namespace {

volatile std::sig_atomic_t stopping = 0;

}  // namespace

int main(int argc, char** argv) {
  using namespace icq::loadgen;
  CLI::App app{"icq-udp-echo — batched UDP echo server for the raw baseline"};
  std::string bind = "127.0.0.1";
  uint16_t port = 0;
  double seconds = 600;
  app.add_option("--bind", bind, "Address to bind");
  app.add_option("--port", port, "Port (0: any, printed)");
  app.add_option("--seconds", seconds, "Exit after this long");
  CLI11_PARSE(app, argc, argv);
  const auto ip = icq::util::parseIp(bind);
  if (!ip) return 2;
  std::signal(SIGTERM, [](int) { stopping = 1; });
  std::signal(SIGINT, [](int) { stopping = 1; });

  UdpSocket socket(icq::util::Endpoint{*ip, port}, nullptr);
  std::cout << socket.localEndpoint().port << std::endl;
  DatagramBatch rx, tx;
  const int64_t end = monotonicNs() + static_cast<int64_t>(seconds * 1e9);
  pollfd p{socket.fd(), POLLIN, 0};
  while (!stopping && monotonicNs() < end) {
    if (::poll(&p, 1, 100) <= 0) continue;
    size_t n;
    while ((n = rx.receive(socket.fd())) > 0) {
      for (size_t i = 0; i < n; ++i) {
        const auto in = rx.received(i);
        std::memcpy(tx.slot().data(), in.data(), in.size());
        tx.commit(in.size(), &rx.source(i));
      }
      tx.send(socket.fd());
    }
  }
  return 0;
}
