// Fuzz target: the V3 worker's handling of client packets, end to end in memory — the header
// checks, fragment storage and reassembly (§4), the command table and every handler's body
// layout, and the translation of what V3 users send to a V5 user (§9), over the in-memory
// stores of tests/support. Alice and Carol are online on V3, Bob on V5; the script
// (packet_script.hpp) sends as Alice, as Carol, as Alice from a stranger's address, and as
// Dave, a user with an account and no session. Every datagram that leaves must decode as a
// server packet of its protocol (egress_check.hpp).
#include <array>
#include <string>
#include <vector>

#include "common/codec/v3/packet.hpp"
#include "common/pipeline/outbox.hpp"
#include "tests/fuzz/packet_script.hpp"
#include "tests/fuzz/worker_world.hpp"
#include "worker/v3/v3_processor.hpp"

namespace {

using namespace icq;
namespace v3 = codec::v3;

constexpr uint32_t kAlice = 200001, kBob = 200002, kCarol = 200003, kDave = 200004;

struct Sender {
  uint32_t uin;
  util::Endpoint from;
  uint16_t seq1 = 1, seq2 = 0;
};

struct World : fuzz::WorkerWorld<World> {
  codec::v5::CheckcodeRng rng{5};
  pipeline::Outbox outbox{&sessions, nullptr, &egress, rng};
  worker::v3::V3Processor processor{fuzz::fuzzSettings<worker::v3::V3Settings>(),
                                    {{sessions, presence, users, messages, limits, events}, fragments, departments},
                                    clock,
                                    egress,
                                    outbox};
  std::array<Sender, 4> senders{{
      {kAlice, test::endpoint(1, 4000)},
      {kCarol, test::endpoint(3, 4000)},
      {kAlice, test::endpoint(66, 6666)},  // Alice's UIN from a stranger's address
      {kDave, test::endpoint(4, 4000)},
  }};

  World() {
    for (uint32_t uin : {kAlice, kBob, kCarol, kDave}) users.addUser(uin, "pw-" + std::to_string(uin));
    online(kAlice, 0, senders[0].from, std::string(test::kGatewayA), 3);
    online(kBob, 0x2222, test::endpoint(2, 4000), std::string(test::kGatewayB), 5);
    online(kCarol, 0, senders[1].from, std::string(test::kGatewayA), 3);
  }

  void add(const fuzz::ScriptedPacket& packet) {
    Sender& s = senders[packet.sender];
    const v3::Header header{packet.command, s.seq1++, ++s.seq2, s.uin, 0};
    std::array<uint8_t, v3::kMaxDatagram> buffer{};
    queue(s.from, buffer, v3::encodePacket(header, packet.body, buffer));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World world;
  fuzz::play(world, {data, size});
  return 0;
}
