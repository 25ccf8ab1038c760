// What the two worker targets share: the in-memory world of tests/support with a batch of
// datagrams being filled from the script (packet_script.hpp), run through the target's
// processor as the worker loop runs an ingress batch, and every datagram that leaves checked
// (egress_check.hpp). A target derives from it with its processor and its senders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tests/fuzz/egress_check.hpp"
#include "tests/support/fake_world.hpp"

namespace icq::fuzz {

/// A processor's settings with registration on and the password hashes it writes at
/// libsodium's minimum cost, so that a registration or password change costs microseconds,
/// not 64 MiB and a quarter of a second per input.
template <class Settings>
Settings fuzzSettings() {
  Settings settings;
  settings.registration = true;
  settings.passwordOpsLimit = 1;
  settings.passwordMemLimitBytes = 8192;
  return settings;
}

template <class Target>
struct WorkerWorld : test::FakeWorld {
  std::vector<Datagram> batch;

  /// The first `length` bytes of `datagram`, from `from`, into the next batch; nothing when
  /// the encoder refused (longer than a datagram: a gateway never hands it out).
  void queue(const util::Endpoint& from, std::span<const uint8_t> datagram, size_t length) {
    if (length == 0) return;
    batch.push_back({from, {datagram.begin(), datagram.begin() + static_cast<std::ptrdiff_t>(length)}});
  }

  void run() {
    for (const auto& sent : runBatch(static_cast<Target&>(*this).processor, batch, test::kGatewayA))
      requireServerDatagram(sent.bytes);
    batch.clear();
  }
};

}  // namespace icq::fuzz
