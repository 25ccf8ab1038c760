// The batch core (worker/core/batch_core.cpp) with a scripted protocol over the in-memory
// session store: what is answered, in which order, what the duplicate window remembers, and
// what is counted, for every session check result and acknowledgement timing — whatever the
// protocol.
#include "worker/core/batch_core.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "common/codec/v5/packet.hpp"
#include "tests/support/fake_session_store.hpp"
#include "tests/support/recording_egress_sink.hpp"

namespace icq::test {
namespace {

using worker::core::AckTiming;
using worker::core::Outcome;
using worker::core::Packet;
using worker::core::PacketResult;
using worker::core::SessionCheck;
using Kind = Packet::Kind;

constexpr uint32_t kUin = 42, kSessionId = 0x5E55;
constexpr uint16_t kCommand = 0x0100;
const util::Endpoint kClient{0x0100007F, 4000};

/// Records every call the core makes, as "ack 0", "not_connected 1", "handle 2", "login 3".
class ScriptedProtocol final : public worker::core::BatchProtocol {
public:
  std::vector<std::string> calls;
  std::function<Outcome(size_t)> onHandle = [](size_t) { return Outcome::done; };
  std::function<void(size_t)> onLogin = [](size_t) {};

  void sendAck(size_t i) override { calls.push_back("ack " + std::to_string(i)); }
  void sendNotConnected(size_t i) override { calls.push_back("not_connected " + std::to_string(i)); }
  Outcome handle(size_t i) override {
    calls.push_back("handle " + std::to_string(i));
    return onHandle(i);
  }
  void login(size_t i) override {
    calls.push_back("login " + std::to_string(i));
    onLogin(i);
  }
};

using Calls = std::vector<std::string>;

struct CoreRig {
  util::ManualClock clock{1'000'000};
  FakeSessionStore sessions{clock};
  RecordingEgressSink sink;
  pipeline::Egress egress{sink};
  codec::v5::CheckcodeRng rng{1};
  pipeline::Outbox outbox{&sessions, nullptr, &egress, rng};
  worker::core::PacketCounters counters;
  std::array<worker::core::PacketRow, 4> rows{};
  worker::core::BatchCore core{sessions, outbox, egress, counters, rows};
  ScriptedProtocol protocol;

  CoreRig() {
    store::Session s;
    s.uin = kUin;
    s.sessionId = kSessionId;
    s.client = kClient;
    s.gateway = "gw";
    s.nextSeq1 = 1;
    sessions.put(s);
  }

  /// A packet of the session above (or of `uin`) with `seq1`, counted in row `slot`.
  static Packet packet(Kind kind, SessionCheck check, AckTiming ack, uint16_t seq1, size_t slot = 0,
                       uint32_t uin = kUin, util::Endpoint from = kClient) {
    Packet p;
    p.kind = kind;
    p.check = check;
    p.ack = ack;
    p.slot = slot;
    p.touch = {uin,
               kSessionId,
               from,
               {},
               seq1,
               0,
               kind == Kind::client_ack ? uint16_t{0x000A} : kCommand,
               worker::core::dedupeFor(kind, ack),
               kind == Kind::client_ack ? std::optional<uint16_t>(seq1) : std::nullopt};
    return p;
  }
  static Packet command(AckTiming ack, uint16_t seq1, size_t slot = 0) {
    return packet(Kind::command, SessionCheck::session, ack, seq1, slot);
  }

  /// Runs one round of `packets` and returns the calls it made.
  Calls run(std::initializer_list<Packet> packets) {
    core.clear();
    for (const Packet& p : packets) core.add(p);
    protocol.calls.clear();
    core.run(protocol, "gw");
    return protocol.calls;
  }
  /// Every handled packet answers with a three-byte reply to the gateway.
  void replyToEachHandled() {
    protocol.onHandle = [this](size_t) {
      static constexpr std::array<uint8_t, 3> kReply{1, 2, 3};
      egress.send("gw", kClient, kReply);
      return Outcome::done;
    };
  }
  uint64_t counted(size_t slot, PacketResult result) const {
    return rows[slot][static_cast<size_t>(result)].value();
  }
  bool remembered(uint16_t seq1) const {
    const auto& window = sessions.entry(kUin)->window;
    return std::find(window.begin(), window.end(),
                     std::optional<FakeSessionStore::Triple>(FakeSessionStore::Triple{seq1, 0, kCommand})) !=
           window.end();
  }
};

}  // namespace

TEST_CASE("batch core acknowledges first before the handler and after_effect after it", "[worker][core]") {
  CoreRig rig;
  CHECK(rig.run({CoreRig::command(AckTiming::first, 1), CoreRig::command(AckTiming::after_effect, 2)}) ==
        Calls{"ack 0", "handle 0", "handle 1", "ack 1"});
  CHECK(rig.counted(0, PacketResult::ok) == 2);
}

TEST_CASE("batch core acknowledges a duplicate without running its handler again", "[worker][core]") {
  CoreRig rig;
  rig.run({CoreRig::command(AckTiming::first, 7, 1)});
  CHECK(rig.run({CoreRig::command(AckTiming::first, 7, 1)}) == Calls{"ack 0"});
  CHECK(rig.counters.duplicates.value() == 1);
  CHECK(rig.counted(1, PacketResult::duplicate) == 1);
}

TEST_CASE("batch core remembers an after_effect command only once its effect is recorded", "[worker][core]") {
  CoreRig rig;
  rig.protocol.onHandle = [](size_t) { return Outcome::retry; };
  CHECK(rig.run({CoreRig::command(AckTiming::after_effect, 9)}) == Calls{"handle 0"});  // no ACK
  CHECK_FALSE(rig.remembered(9));
  CHECK(rig.counted(0, PacketResult::store_error) == 1);

  rig.protocol.onHandle = [](size_t) { return Outcome::done; };
  CHECK(rig.run({CoreRig::command(AckTiming::after_effect, 9)}) == Calls{"handle 0", "ack 0"});  // runs again
  CHECK(rig.remembered(9));
  CHECK(rig.run({CoreRig::command(AckTiming::after_effect, 9)}) == Calls{"ack 0"});  // now a duplicate
}

TEST_CASE("batch core takes a failed acknowledged-first command back out of the duplicate window",
          "[worker][core]") {
  CoreRig rig;
  rig.protocol.onHandle = [](size_t) { return Outcome::retry; };
  CHECK(rig.run({CoreRig::command(AckTiming::first, 11)}) == Calls{"ack 0", "handle 0"});
  CHECK_FALSE(rig.remembered(11));
  // Its retransmission is processed, not taken for a duplicate.
  CHECK(rig.run({CoreRig::command(AckTiming::first, 11)}) == Calls{"ack 0", "handle 0"});
  CHECK(rig.counters.duplicates.value() == 0);

  // When the window cannot be corrected, that is counted.
  rig.sessions.fail.forget = true;
  const uint64_t before = rig.counters.storeFailures.value();
  rig.run({CoreRig::command(AckTiming::first, 12)});
  CHECK(rig.counters.storeFailures.value() == before + 1);
}

TEST_CASE("batch core sends no plain ACK after a handler's own acknowledgement", "[worker][core]") {
  CoreRig rig;
  rig.protocol.onHandle = [](size_t) { return Outcome::acknowledged; };
  CHECK(rig.run({CoreRig::command(AckTiming::after_effect, 3)}) == Calls{"handle 0"});
  CHECK(rig.remembered(3));  // recorded all the same
}

TEST_CASE("batch core leaves the acknowledgement to the handler, or to no one, as the timing says",
          "[worker][core]") {
  CoreRig rig;
  CHECK(rig.run({CoreRig::command(AckTiming::handler, 4), CoreRig::command(AckTiming::never, 5)}) ==
        Calls{"handle 0", "handle 1"});
  CHECK(rig.remembered(4));       // a handler-acknowledged packet is in the window at once
  CHECK_FALSE(rig.remembered(5));  // a never-acknowledged one is not numbered
}

TEST_CASE("batch core answers NOT_CONNECTED by the packet's check and timing", "[worker][core]") {
  struct Row {
    const char* what;
    SessionCheck check;
    AckTiming ack;
    uint32_t uin;
    util::Endpoint from;
    bool answered;
  };
  const util::Endpoint elsewhere{0x0100007F, 4001};
  const std::vector<Row> table = {
      {"offline, session", SessionCheck::session, AckTiming::first, 999, kClient, true},
      {"offline, quiet", SessionCheck::quiet, AckTiming::first, 999, kClient, true},
      {"offline, never acknowledged", SessionCheck::quiet, AckTiming::never, 999, kClient, false},
      {"elsewhere, session", SessionCheck::session, AckTiming::after_effect, kUin, elsewhere, true},
      {"elsewhere, quiet", SessionCheck::quiet, AckTiming::first, kUin, elsewhere, false},
  };
  for (const Row& row : table) {
    INFO(row.what);
    CoreRig rig;
    const Calls calls = rig.run({CoreRig::packet(Kind::command, row.check, row.ack, 1, 2, row.uin, row.from)});
    CHECK(calls == (row.answered ? Calls{"not_connected 0"} : Calls{}));  // and the handler never runs
    CHECK(rig.counted(2, PacketResult::not_connected) == 1);
  }
}

TEST_CASE("batch core never answers a client ACK and counts whether it matched", "[worker][core]") {
  CoreRig rig;
  const std::array<uint8_t, 1> body{1};
  store::ReliablePacket packet{kUin, 0x0104, 0, body};
  store::ReliableRoute route;
  REQUIRE(rig.sessions.queueReliable(std::span(&packet, 1), std::span(&route, 1)));
  REQUIRE(rig.sessions.unconfirmed(kUin).contains(route.seq1));

  CHECK(rig.run({CoreRig::packet(Kind::client_ack, SessionCheck::session, AckTiming::first, route.seq1, 3),
                 CoreRig::packet(Kind::client_ack, SessionCheck::session, AckTiming::first, 500, 3)})
            .empty());
  CHECK(rig.sessions.unconfirmed(kUin).empty());
  CHECK(rig.counters.acksMatched.value() == 1);
  CHECK(rig.counters.acksUnmatched.value() == 1);
  CHECK(rig.counted(3, PacketResult::ok) == 2);
}

TEST_CASE("batch core answers no session-bound packet while the session store is unreachable", "[worker][core]") {
  CoreRig rig;
  rig.sessions.fail.touch = true;
  const Calls calls = rig.run({CoreRig::command(AckTiming::first, 1, 0),
                               CoreRig::packet(Kind::client_ack, SessionCheck::session, AckTiming::first, 1, 1),
                               CoreRig::packet(Kind::command, SessionCheck::none, AckTiming::first, 2, 2)});
  CHECK(calls == Calls{"ack 2", "handle 2"});  // only the packet that needs no session
  CHECK(rig.counters.storeFailures.value() == 2);
  CHECK(rig.counted(0, PacketResult::store_error) == 1);
  CHECK(rig.counted(1, PacketResult::store_error) == 1);
  CHECK(rig.counted(2, PacketResult::ok) == 1);
}

TEST_CASE("batch core runs logins last, after the other packets' replies have left", "[worker][core]") {
  CoreRig rig;
  rig.replyToEachHandled();
  size_t sentBeforeLogin = 0;
  rig.protocol.onLogin = [&](size_t) {
    sentBeforeLogin = rig.sink.sent.size();
    const std::array<uint8_t, 3> reply{4, 5, 6};
    rig.egress.send("gw", kClient, reply);
  };
  const Packet login = CoreRig::packet(Kind::login, SessionCheck::none, AckTiming::first, 1, 1, 7);
  CHECK(rig.run({login, CoreRig::command(AckTiming::first, 2)}) == Calls{"ack 0", "ack 1", "handle 1", "login 0"});
  CHECK(sentBeforeLogin == 1);     // the handler's reply was flushed to the gateway first
  CHECK(rig.sink.sent.size() == 1);  // the login's waits for the worker's turn to end
  rig.egress.flush();
  CHECK(rig.sink.sent.size() == 2);
  CHECK(rig.counted(1, PacketResult::ok) == 1);
}

TEST_CASE("batch core leaves a round without logins to the turn's one egress flush", "[worker][core]") {
  CoreRig rig;
  rig.replyToEachHandled();
  rig.run({CoreRig::command(AckTiming::first, 1), CoreRig::command(AckTiming::first, 2)});
  CHECK(rig.sink.envelopes == 0);  // one envelope per gateway for the whole turn, not per batch
  rig.egress.flush();
  CHECK(rig.sink.envelopes == 1);
  CHECK(rig.sink.sent.size() == 2);
}

TEST_CASE("batch core reads a packet's result from what its handler counted", "[worker][core]") {
  CoreRig rig;
  rig.protocol.onHandle = [&](size_t i) {
    if (i == 0) rig.counters.malformedBodies++;
    if (i == 1) rig.counters.busyReplies++;
    return Outcome::done;
  };
  rig.run({CoreRig::command(AckTiming::first, 1, 0), CoreRig::command(AckTiming::first, 2, 1)});
  CHECK(rig.counted(0, PacketResult::malformed) == 1);
  CHECK(rig.counted(1, PacketResult::throttled) == 1);
}

TEST_CASE("batch core checks a whole round in one touch and records its after_effect packets in one more",
          "[worker][core]") {
  CoreRig rig;
  rig.run({CoreRig::command(AckTiming::first, 1), CoreRig::command(AckTiming::after_effect, 2),
           CoreRig::command(AckTiming::after_effect, 3)});
  CHECK(rig.sessions.touchCalls == 2);
  CHECK(rig.remembered(2));
  CHECK(rig.remembered(3));
}

}  // namespace icq::test
