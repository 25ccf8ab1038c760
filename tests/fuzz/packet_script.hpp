// The input of the worker fuzz targets: a script of client packets, each a command and a body
// sent by one of a few fixed senders, in batches. The targets build real datagrams from it
// (encrypted with a valid checkcode for V5), so the fuzzer spends its time in the handlers
// rather than guessing checkcodes, while the senders cover the hostile cases: the session's
// owner, another user, the owner's UIN with a forged session id, and a stranger's address.
//
//   repeat { u8 selector | u16 command (LE) | u16 length (LE) | length bytes body }
//
// selector bits 0–1: the sender; bit 2: the packet ends its batch; bits 3–4: how far the
// worker's clock moves before the batch (0, 1 s, 30 s, 3 min). A short last body takes what
// is left. make_seeds.py writes the seeds in this format from the protocol's test vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace icq::fuzz {

struct ScriptedPacket {
  uint8_t sender = 0;  // 0..3
  bool endsBatch = false;
  int64_t clockStepMs = 0;
  uint16_t command = 0;
  std::span<const uint8_t> body;
};

class PacketScript {
public:
  explicit PacketScript(std::span<const uint8_t> input) : rest_(input) {}

  bool next(ScriptedPacket& out) {
    if (rest_.size() < 5) return false;
    const uint8_t selector = rest_[0];
    out.sender = selector & 3;
    out.endsBatch = (selector & 4) != 0;
    static constexpr int64_t kSteps[] = {0, 1'000, 30'000, 180'000};
    out.clockStepMs = kSteps[(selector >> 3) & 3];
    out.command = static_cast<uint16_t>(rest_[1] | rest_[2] << 8);
    const size_t length = static_cast<size_t>(rest_[3] | rest_[4] << 8);
    rest_ = rest_.subspan(5);
    const size_t taken = length < rest_.size() ? length : rest_.size();
    out.body = rest_.first(taken);
    rest_ = rest_.subspan(taken);
    return true;
  }

private:
  std::span<const uint8_t> rest_;
};

/// Plays `input` into `world` (clock, add(packet), run()): the body of both worker targets.
template <class World>
void play(World& world, std::span<const uint8_t> input) {
  PacketScript script(input);
  ScriptedPacket packet;
  while (script.next(packet)) {
    world.clock.advanceMs(packet.clockStepMs);
    world.add(packet);
    if (packet.endsBatch) world.run();
  }
  world.run();
}

}  // namespace icq::fuzz
