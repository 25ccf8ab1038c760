// Everything a worker's pipelines talk to, faked in memory for unit tests (tests/unit/worker):
// a manual clock, every store interface (fake_*_store.hpp), and an Egress whose batches land in
// a RecordingEgressSink instead of a gateway link. Also what every test of a processor does:
// put a session online as a login would have, run datagrams through the processor in an
// ingress envelope as a gateway hands them out, and pick a packet out of what left.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/events/event_log.hpp"
#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress.hpp"
#include "common/util/clock.hpp"
#include "tests/support/fake_fragment_store.hpp"
#include "tests/support/fake_message_store.hpp"
#include "tests/support/fake_presence_store.hpp"
#include "tests/support/fake_rate_limiter.hpp"
#include "tests/support/fake_session_store.hpp"
#include "tests/support/fake_user_store.hpp"
#include "tests/support/recording_egress_sink.hpp"

namespace icq::test {

inline constexpr std::string_view kGatewayA = "gw-a", kGatewayB = "gw-b";

/// 127.0.0.`host`:`port` (the address in network order, as util::Endpoint keeps it).
inline util::Endpoint endpoint(uint8_t host, uint16_t port) { return {uint32_t{127} | uint32_t{host} << 24, port}; }

/// Text bytes as a string, for comparing message texts.
inline std::string textOf(std::span<const uint8_t> text) { return {text.begin(), text.end()}; }

/// The only packet in `replies` (any type with a command()) with `command`; fails the test
/// unless there is exactly one.
template <class Reply>
const Reply& only(const std::vector<Reply>& replies, uint16_t command) {
  const Reply* found = nullptr;
  size_t count = 0;
  for (const Reply& r : replies)
    if (r.command() == command) {
      found = &r;
      ++count;
    }
  INFO("replies with command " << command);
  REQUIRE(count == 1);
  return *found;
}

struct FakeWorld {
  util::ManualClock clock{1'700'000'000'000};
  FakeSessionStore sessions{clock};
  FakePresenceStore presence{sessions};
  FakeUserStore users;
  FakeMessageStore messages{users};
  FakeRateLimiter limits;
  events::EventBuffer events{100'000};  // what the handlers recorded, for tests to read
  FakeFragmentStore fragments;
  FakeDepartmentStore departments;
  RecordingEgressSink sink;
  pipeline::Egress egress{sink};

  /// Puts `uin` online from `client` through `gateway` (V5: `sessionId` non-zero; V3: 0 and
  /// protocol 3), its next server SEQ1 `nextSeq1`, as if it had logged in just now.
  store::Session& online(uint32_t uin, uint32_t sessionId, const util::Endpoint& client, std::string gateway,
                         uint8_t protocol = 5, uint16_t nextSeq1 = 1, uint32_t status = 0) {
    store::Session s;
    s.uin = uin;
    s.sessionId = sessionId;
    s.client = client;
    s.gateway = std::move(gateway);
    s.status = status;
    s.nextSeq1 = nextSeq1;
    s.loginMs = s.lastSeenMs = clock.nowMs();
    s.protocol = protocol;
    sessions.put(s);
    return sessions.entry(uin)->session;
  }

  /// One datagram as a gateway hands it out.
  struct Datagram {
    util::Endpoint from;
    std::vector<uint8_t> bytes;
  };
  /// The ingress envelope of `datagrams`, in order.
  static std::vector<uint8_t> ingress(std::span<const Datagram> datagrams) {
    envelope::BatchWriter batch(envelope::Kind::Ingress);
    for (const Datagram& d : datagrams) batch.add(d.from, 0, d.bytes);
    const std::span<const uint8_t> message = batch.message();
    return {message.begin(), message.end()};
  }

  /// Runs `datagrams` through `processor` as one ingress batch from `gateway`, as the worker
  /// loop does (processBatch, then the egress flush), and returns what it sent, in order.
  /// False if the envelope does not open (never, for one built by ingress()).
  template <class Processor>
  std::vector<RecordingEgressSink::Sent> runBatch(Processor& processor, std::span<const Datagram> datagrams,
                                                  std::string_view gateway) {
    const size_t before = sink.sent.size();
    const std::vector<uint8_t> message = ingress(datagrams);
    if (auto reader = envelope::BatchReader::open(message)) processor.processBatch(gateway, *reader);
    egress.flush();
    return {sink.sent.begin() + static_cast<std::ptrdiff_t>(before), sink.sent.end()};
  }
};

}  // namespace icq::test
