// Fuzz target: the V5 worker's handling of client packets, end to end in memory — decryption,
// the duplicate window, the command table and every handler's body layout, over the in-memory
// stores of tests/support. Two users are online; the script (packet_script.hpp) sends as
// either of them, as the first with a forged session id, and as the first from a stranger's
// address. Every datagram that leaves must decode as a V5 server packet with a valid
// checkcode: a handler that builds a malformed reply fails here as surely as one that reads
// past a body.
#include <array>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/packet.hpp"
#include "tests/fuzz/packet_script.hpp"
#include "tests/fuzz/worker_world.hpp"
#include "worker/v5/v5_processor.hpp"

namespace {

using namespace icq;
namespace v5 = codec::v5;

constexpr uint32_t kAlice = 100001, kBob = 100002;

struct Sender {
  uint32_t uin, sessionId;
  util::Endpoint from;
  uint16_t seq1 = 1, seq2 = 0;
};

struct World : fuzz::WorkerWorld<World> {
  worker::v5::V5Processor processor{fuzz::fuzzSettings<worker::v5::V5Settings>(),
                                    {sessions, presence, users, messages, limits, events},
                                    clock,
                                    egress,
                                    nullptr,
                                    7};
  v5::CheckcodeRng rng{99};
  std::array<Sender, 4> senders{{
      {kAlice, 0x1111, test::endpoint(1, 4000)},
      {kBob, 0x2222, test::endpoint(2, 4000)},
      {kAlice, 0x5EED, test::endpoint(1, 4000)},   // Alice's UIN, a forged session id
      {kAlice, 0x1111, test::endpoint(66, 6666)},  // Alice's session, a stranger's address
  }};

  World() {
    users.addUser(kAlice, "alice-pw", "alice");
    users.addUser(kBob, "bob-pw", "bob");
    online(kAlice, 0x1111, senders[0].from, std::string(test::kGatewayA));
    online(kBob, 0x2222, senders[1].from, std::string(test::kGatewayB));
  }

  void add(const fuzz::ScriptedPacket& packet) {
    Sender& s = senders[packet.sender];
    const bool request = packet.command != v5::CMD_ACK;
    const v5::ClientHeader header{s.uin, s.sessionId, packet.command, s.seq1++,
                                  static_cast<uint16_t>(request ? ++s.seq2 : 0)};
    std::array<uint8_t, v5::kMaxDatagram> buffer{};
    const size_t length = 0x18 + packet.body.size();
    queue(s.from, buffer, v5::encodeClientPacket(header, packet.body, buffer, rng.clientR1(length), rng.r2()));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World world;
  fuzz::play(world, {data, size});
  return 0;
}
