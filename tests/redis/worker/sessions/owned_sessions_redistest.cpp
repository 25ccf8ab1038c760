// OwnedSessions (worker/sessions/owned_sessions.hpp) over a real Redis and an in-memory message
// store: the session check, the duplicate window and CMD_ACK answered from memory, what reaches
// Redis and when (counted by INFO commandstats), reliable packets and their resend timers, the
// end of a session keeping its messages, and sessions handed from one owner to another under
// membership views — release, takeover, and a former owner that writes after losing a session.
#include "worker/sessions/owned_sessions.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/session_directory_impl.hpp"
#include "common/redis/session_fields.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/util/clock.hpp"
#include "tests/support/fake_message_store.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::worker {
namespace {

namespace v5 = codec::v5;
namespace v3 = codec::v3;
using store::TouchRequest;
using store::TouchResult;
using Bytes = std::vector<uint8_t>;

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr uint32_t kUin = 123456;
constexpr uint32_t kSessionId = 0x0BADCAFE;
const util::Endpoint kClient{0x0100007F, 40000};

OwnedSettings testSettings() {
  OwnedSettings settings;
  settings.window = 4;
  settings.retransmitTimeout = std::chrono::milliseconds(10'000);
  settings.retries = 2;
  settings.refreshV5 = std::chrono::milliseconds(60'000);
  settings.refreshV3 = std::chrono::milliseconds(10'000);
  return settings;
}

store::MembershipView viewOf(uint64_t epoch, uint64_t settled, std::initializer_list<std::string> owners) {
  store::MembershipView view;
  view.epoch = epoch;
  view.settled = settled;
  for (const std::string& id : owners) view.owners.push_back({id, "inproc://" + id, "1"});
  return view;
}

/// The first UIN from `from` on that `owner` owns under `view`.
uint32_t uinOwnedBy(const store::MembershipView& view, const std::string& owner, uint32_t from = kUin) {
  const store::OwnerTable table(view);
  for (uint32_t uin = from;; ++uin)
    if (table.owns(owner, uin)) return uin;
}

store::Session makeSession(uint32_t uin, uint8_t protocol = 5, uint32_t sessionId = kSessionId) {
  store::Session session;
  session.uin = uin;
  session.sessionId = protocol == 3 ? 0 : sessionId;
  session.client = kClient;
  session.gateway = "gw-0";
  session.serial = 0x1234;
  session.status = 0x00020001;
  session.loginSeq1 = 0x29F7;
  session.loginSeq2 = protocol == 3 ? 0 : 1;
  session.loginMs = kStartMs;
  session.protocol = protocol;
  return session;
}

TouchRequest makeTouch(const store::Session& session, uint16_t seq1, uint16_t seq2 = 2,
                       uint16_t command = v5::CMD_KEEP_ALIVE) {
  TouchRequest request;
  request.uin = session.uin;
  request.sessionId = session.sessionId;
  request.client = session.client;
  request.gateway = session.gateway;
  request.seq1 = seq1;
  request.seq2 = seq2;
  request.command = command;
  return request;
}

TouchRequest makeAck(const store::Session& session, uint16_t seq1) {
  TouchRequest ack = makeTouch(session, seq1, 0, v5::CMD_ACK);
  ack.dedupe = TouchRequest::Dedupe::off;
  ack.acknowledges = seq1;
  return ack;
}

Bytes textOf(std::string_view text) { return {text.begin(), text.end()}; }

/// SRV_SYS_DELIVERED_MESS's body (V5) or SYSMSG_ONLINE's (V3): a live message from `from`.
Bytes onlineMessage(uint32_t from, std::string_view text, uint8_t protocol = 5) {
  Bytes out(1024);
  const Bytes bytes = textOf(text);
  const size_t n = protocol == 3 ? v3::buildOnlineMessageBody({from, 0, 1, bytes}, out)
                                 : v5::buildOnlineMessageBody(from, 1, bytes, out);
  REQUIRE(n > 0);
  out.resize(n);
  return out;
}

const Bytes kLoginReply = {0x00, 0x01, 0x02, 0x03};

/// One worker: its connection, ledger, directory and owned sessions.
struct Owner {
  Owner(const test::RedisServer& server, std::string ownerId, store::MessageStore& messages, const util::Clock& clock,
        const OwnedSettings& settings = testSettings())
      : id(std::move(ownerId)),
        redis(server.options()),
        ledger(redis),
        directory(redis),
        sessions(settings, ledger, directory, messages, clock) {}

  /// Adopts `view`; once settled, walks the index to the end (the takeover).
  void adopt(const store::MembershipView& view) {
    sessions.adoptView(view, id);
    if (!view.isSettled()) return;
    for (int step = 0; step < 1000 && !sessions.takeoverStep(50); ++step) {
    }
    REQUIRE(sessions.authoritative());
  }

  std::optional<store::Session> login(const store::Session& session, const Bytes& reply = kLoginReply) {
    std::optional<store::Session> replaced;
    const store::ReliablePacket loginReply{session.uin, v5::SRV_LOGIN_REPLY, session.loginSeq2, reply};
    REQUIRE(sessions.replace(session, loginReply, replaced));
    return replaced;
  }
  TouchResult touch(const TouchRequest& request) {
    TouchResult result{};
    REQUIRE(sessions.touch({&request, 1}, {&result, 1}));
    return result;
  }
  /// Queues one reliable packet; its route.
  store::ReliableRoute queue(const store::ReliablePacket& packet) {
    store::ReliableRoute route;
    REQUIRE(sessions.queueReliable({&packet, 1}, {&route, 1}));
    return route;
  }
  store::ReliableRoute queueMessage(uint32_t uin, uint32_t from, std::string_view text, uint8_t protocol = 5) {
    body.push_back(onlineMessage(from, text, protocol));
    return queue({uin, v5::SRV_SYS_DELIVERED_MESS, 0, body.back()});
  }
  std::optional<store::Session> find(uint32_t uin) {
    std::optional<store::Session> out;
    REQUIRE(sessions.find(uin, out));
    return out;
  }
  void flush() { REQUIRE(sessions.flush()); }

  struct Resent {
    uint32_t uin = 0;
    std::vector<uint16_t> seq1s;
    std::vector<uint32_t> attempts;
    std::vector<Bytes> bodies;
  };
  /// runDue: what it resent, per session in the order resent, and the UINs it gave up on.
  std::vector<Resent> runDue(int64_t nowMs, std::vector<uint32_t>& giveUps, size_t limit = 100) {
    std::vector<Resent> resent;
    sessions.runDue(
        nowMs, limit,
        [&](const store::Session& session, std::span<const HeldPacket> packets) {
          if (resent.empty() || resent.back().uin != session.uin) resent.push_back({session.uin, {}, {}, {}});
          Resent& r = resent.back();
          for (const HeldPacket& packet : packets) {
            r.seq1s.push_back(packet.seq1);
            r.attempts.push_back(packet.attempts);
            r.bodies.push_back(packet.body);
          }
        },
        giveUps);
    return resent;
  }

  std::string id;
  redis::RedisConnection redis;
  redis::RedisSessionLedger ledger;
  redis::RedisSessionDirectory directory;
  OwnedSessions sessions;
  std::vector<Bytes> body;  // keeps queued bodies alive while the test looks at them
};

struct Fixture {
  Fixture() {
    users.addUser(kUin, "password");  // a message is kept offline only for an account that exists
    a.adopt(viewOf(1, 1, {"w-a"}));
  }

  std::unique_ptr<Owner> owner(const std::string& id) {
    return std::make_unique<Owner>(server, id, messages, clock);
  }

  redis::Reply command(std::initializer_list<std::string_view> argv) {
    redis::Reply reply;
    REQUIRE(admin.command(argv, reply));
    return reply;
  }
  std::set<std::string> rtxFields(uint32_t uin) {
    std::set<std::string> names;
    redis::Reply reply = command({"HKEYS", redis::keys::retransmit(uin)});
    for (size_t i = 0; i < reply.size(); ++i) names.emplace(reply[i].str());
    return names;
  }
  std::optional<std::string> field(std::string_view key, std::string_view name) {
    redis::Reply reply = command({"HGET", key, name});
    if (reply.isNil()) return std::nullopt;
    return std::string(reply.str());
  }
  std::optional<std::string> score(std::string_view key, uint32_t uin) {
    redis::Reply reply = command({"ZSCORE", key, std::to_string(uin)});
    if (reply.isNil()) return std::nullopt;
    return std::string(reply.str());
  }
  std::map<std::string, int64_t> commandCalls() { return test::commandCalls(server); }
  void resetStats() { test::resetCommandStats(server); }

  test::RedisServer server;
  redis::RedisConnection admin{server.options()};
  util::ManualClock clock{kStartMs};
  test::FakeUserStore users;
  test::FakeMessageStore messages{users};
  Owner a{server, "w-a", messages, clock};
};

using Calls = std::map<std::string, int64_t>;

}  // namespace

// ---- the packet path from memory ------------------------------------------------------------------

TEST_CASE("owned sessions: a keep-alive costs no Redis command inside the refresh interval, one HSET after it",
          "[redis][owned]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.flush();
  f.resetStats();

  f.clock.advanceMs(1000);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::duplicate);
  CHECK(f.a.touch(makeTouch(session, 101)) == TouchResult::ok);
  CHECK_FALSE(f.a.sessions.pendingWrites());
  f.a.flush();
  CHECK(f.commandCalls().empty());
  // In memory, last-seen moved with every packet; Redis still has the login's.
  CHECK(f.a.find(kUin)->lastSeenMs == kStartMs + 1000);
  CHECK(f.field(redis::keys::session(kUin), "seen") == std::to_string(kStartMs));

  f.clock.advanceMs(60'000);
  f.resetStats();
  CHECK(f.a.touch(makeTouch(session, 102)) == TouchResult::ok);
  f.a.flush();
  CHECK(f.commandCalls() == Calls{{"hset", 1}});
  CHECK(f.field(redis::keys::session(kUin), "seen") == std::to_string(kStartMs + 61'000));
  f.resetStats();
  CHECK(f.a.touch(makeTouch(session, 103)) == TouchResult::ok);  // the interval starts again
  f.a.flush();
  CHECK(f.commandCalls().empty());
}

TEST_CASE("owned sessions: a packet through another gateway re-homes the session in Redis at once",
          "[redis][owned]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.resetStats();
  f.clock.advanceMs(10);
  TouchRequest request = makeTouch(session, 100);
  request.gateway = "gw-7";
  CHECK(f.a.touch(request) == TouchResult::ok);
  f.a.flush();
  CHECK(f.commandCalls() == Calls{{"hset", 1}});
  CHECK(f.field(redis::keys::session(kUin), "gw") == "gw-7");
  CHECK(f.a.find(kUin)->gateway == "gw-7");
  f.clock.advanceMs(10);
  f.resetStats();
  CHECK(f.a.touch(request) == TouchResult::duplicate);  // the same gateway again: nothing to write
  f.a.flush();
  CHECK(f.commandCalls().empty());
}

TEST_CASE("owned sessions: a V3 session's last-seen reaches Redis on V3's shorter interval", "[redis][owned]") {
  Fixture f;
  const store::Session session = makeSession(kUin, 3);
  f.a.login(session);
  f.resetStats();
  f.clock.advanceMs(9'999);
  CHECK(f.a.touch(makeTouch(session, 5, 0, 0x0424)) == TouchResult::ok);
  f.a.flush();
  CHECK(f.commandCalls().empty());
  f.clock.advanceMs(1);
  CHECK(f.a.touch(makeTouch(session, 6, 0, 0x0424)) == TouchResult::ok);
  f.a.flush();
  CHECK(f.commandCalls() == Calls{{"hset", 1}});
}

TEST_CASE("owned sessions: the session check answers no_session and mismatch without refreshing anything",
          "[redis][owned]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.resetStats();
  f.clock.advanceMs(1000);
  TouchRequest request = makeTouch(session, 100);
  SECTION("unknown UIN") {
    request.uin = kUin + 1;
    CHECK(f.a.touch(request) == TouchResult::no_session);
  }
  SECTION("another session id") {
    request.sessionId++;
    CHECK(f.a.touch(request) == TouchResult::mismatch);
  }
  SECTION("another address") {
    request.client.port++;
    CHECK(f.a.touch(request) == TouchResult::mismatch);
  }
  f.a.flush();
  CHECK(f.commandCalls().empty());  // authoritative: an unknown UIN costs no lookup either
  CHECK(f.a.find(kUin)->lastSeenMs == kStartMs);
  // The rejected packet was not remembered.
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
}

TEST_CASE("owned sessions: the duplicate window by dedupe mode", "[redis][owned][dedupe]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);

  SECTION("check_and_record: a duplicate from the second time on") {
    CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::duplicate);
    // Same SEQ1 with another SEQ2 or command is another packet.
    CHECK(f.a.touch(makeTouch(session, 100, 3)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 100, 2, v5::CMD_SEND_MESSAGE)) == TouchResult::ok);
  }
  SECTION("off: never a duplicate, never remembered") {
    TouchRequest ack = makeTouch(session, 7, 0, v5::CMD_ACK);
    ack.dedupe = TouchRequest::Dedupe::off;
    CHECK(f.a.touch(ack) == TouchResult::ok);
    CHECK(f.a.touch(ack) == TouchResult::ok);
    ack.dedupe = TouchRequest::Dedupe::check_and_record;
    CHECK(f.a.touch(ack) == TouchResult::ok);
    CHECK(f.a.touch(ack) == TouchResult::duplicate);
  }
  SECTION("check_only: remembered only once record_only says its effect is recorded") {
    TouchRequest message = makeTouch(session, 9, 3, v5::CMD_SEND_MESSAGE);
    message.dedupe = TouchRequest::Dedupe::check_only;
    CHECK(f.a.touch(message) == TouchResult::ok);
    CHECK(f.a.touch(message) == TouchResult::ok);
    TouchRequest record = message;
    record.dedupe = TouchRequest::Dedupe::record_only;
    CHECK(f.a.touch(record) == TouchResult::ok);
    CHECK(f.a.touch(message) == TouchResult::duplicate);
  }
  SECTION("forgetDuplicate takes a packet back out of the window") {
    const TouchRequest message = makeTouch(session, 9, 3, v5::CMD_SEND_MESSAGE);
    CHECK(f.a.touch(message) == TouchResult::ok);
    TouchRequest other = message;
    other.sessionId++;
    REQUIRE(f.a.sessions.forgetDuplicate(other));  // another session's: nothing happens
    CHECK(f.a.touch(message) == TouchResult::duplicate);
    REQUIRE(f.a.sessions.forgetDuplicate(message));
    CHECK(f.a.touch(message) == TouchResult::ok);
    CHECK(f.a.touch(message) == TouchResult::duplicate);
  }
  SECTION("a retransmitted CMD_LOGIN is a duplicate of the login") {
    CHECK(f.a.touch(makeTouch(session, session.loginSeq1, session.loginSeq2, v5::CMD_LOGIN)) ==
          TouchResult::duplicate);
  }
  SECTION("a triple falls out of the window after N others") {
    // The window (4) holds the login triple and then 100, 101, 102.
    CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 101)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 102)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 103)) == TouchResult::ok);  // overwrites the login triple
    CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::duplicate);
    CHECK(f.a.touch(makeTouch(session, 104)) == TouchResult::ok);  // overwrites 100
    CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 104)) == TouchResult::duplicate);
  }
  SECTION("triples only match at their own position in the window") {
    // Bytes 00 64 00 02 04 2E then 00 02 04 2E 00 65: no triple straddling two slots matches.
    CHECK(f.a.touch(makeTouch(session, 0x0064, 0x0002, 0x042E)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 0x0002, 0x042E, 0x0065)) == TouchResult::ok);
    CHECK(f.a.touch(makeTouch(session, 0x042E, 0x0002, 0x042E)) == TouchResult::ok);
  }
}

TEST_CASE("owned sessions: a batch of touches answers each request in order", "[redis][owned]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  std::vector<TouchRequest> requests;
  for (uint16_t i = 0; i < 50; ++i) requests.push_back(makeTouch(session, static_cast<uint16_t>(1000 + i % 2)));
  TouchRequest stranger = makeTouch(session, 5);
  stranger.uin = kUin + 1;
  requests.push_back(stranger);
  TouchRequest spoof = makeTouch(session, 6);
  spoof.client.port = 1;
  requests.push_back(spoof);
  std::vector<TouchResult> results(requests.size());
  REQUIRE(f.a.sessions.touch(requests, results));
  CHECK(results[0] == TouchResult::ok);
  CHECK(results[1] == TouchResult::ok);
  for (size_t i = 2; i < 50; ++i) CHECK(results[i] == TouchResult::duplicate);
  CHECK(results[50] == TouchResult::no_session);
  CHECK(results[51] == TouchResult::mismatch);
}

// ---- reliable packets and their acknowledgement ---------------------------------------------------

TEST_CASE("owned sessions: an ACK drops exactly its packet, and the schedule entry goes with the last one",
          "[redis][owned][ack]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  const Bytes body = {1, 2, 3};
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, body}).seq1 == 1);
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, body}).seq1 == 2);
  f.a.flush();
  REQUIRE(f.rtxFields(kUin) == std::set<std::string>{"0.1", "1.1", "2.1", "n.1"});
  REQUIRE(f.score(redis::keys::kRetransmitDue, kUin));
  f.resetStats();

  CHECK(f.a.touch(makeAck(session, 1)) == TouchResult::acknowledged);
  f.a.flush();
  CHECK(f.commandCalls() == Calls{{"hdel", 1}});
  CHECK(f.rtxFields(kUin) == std::set<std::string>{"0.1", "2.1", "n.1"});
  f.resetStats();
  CHECK(f.a.touch(makeAck(session, 1)) == TouchResult::ok);  // already forgotten
  TouchRequest foreign = makeAck(session, 2);
  foreign.sessionId++;
  CHECK(f.a.touch(foreign) == TouchResult::mismatch);  // another session's ACK drops nothing
  f.a.flush();
  CHECK(f.commandCalls().empty());
  CHECK(f.score(redis::keys::kRetransmitDue, kUin));  // still something unconfirmed

  f.resetStats();
  CHECK(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
  CHECK(f.a.touch(makeAck(session, 2)) == TouchResult::acknowledged);
  f.a.flush();
  CHECK(f.commandCalls() == Calls{{"hdel", 2}, {"zrem", 1}});
  CHECK(f.rtxFields(kUin) == std::set<std::string>{"n.1"});
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin));

  // The next packet puts it back in the schedule.
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, body}).seq1 == 3);
  f.a.flush();
  CHECK(f.score(redis::keys::kRetransmitDue, kUin));
}

TEST_CASE("owned sessions: login and logoff over and over reuse the bodies they free instead of keeping more",
          "[redis][owned]") {
  // Each login's reply used to be a new body, which its acknowledgement then kept as a spare:
  // a worker under login churn grew by a body per login (the soak in docs/RELIABILITY.md).
  Fixture f;
  for (int cycle = 0; cycle < 200; ++cycle) {
    const store::Session session = makeSession(kUin);
    f.a.login(session);
    REQUIRE(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
    REQUIRE(f.a.queueMessage(kUin, 42, "hi").queued);
    REQUIRE(f.a.touch(makeAck(session, 1)) == TouchResult::acknowledged);
    std::optional<store::Session> ended;
    REQUIRE(f.a.sessions.end(kUin, session.sessionId, session.client, ended));
    REQUIRE(ended.has_value());
  }
  CHECK(f.a.sessions.spareBodies() <= 1);
}

TEST_CASE("owned sessions: reliable packets take consecutive SEQ1s and say where they go", "[redis][owned][reliable]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  const Bytes body = {1, 2, 3};
  std::vector<store::ReliablePacket> packets = {
      {kUin, v5::SRV_USER_ONLINE, 0, body},
      {kUin, v5::SRV_META_USER, 9, body, kSessionId},         // a reply for this session
      {kUin, v5::SRV_META_USER, 9, body, kSessionId + 1},     // a reply for a session that is gone
      {kUin, v5::SRV_USER_ONLINE, 0, body, 0, 3},             // built for V3 only
      {kUin + 1, v5::SRV_USER_ONLINE, 0, body},               // an offline recipient
      {kUin, v5::SRV_USER_ONLINE, 0, body, 0, 5},             // built for V5
  };
  std::vector<store::ReliableRoute> routes(packets.size());
  REQUIRE(f.a.sessions.queueReliable(packets, routes));
  CHECK(routes[0].queued);
  CHECK(routes[0].seq1 == 1);  // SEQ1 0 was the login reply
  CHECK(routes[1].queued);
  CHECK(routes[1].seq1 == 2);
  CHECK_FALSE(routes[2].queued);
  CHECK_FALSE(routes[3].queued);
  CHECK_FALSE(routes[4].queued);
  CHECK_FALSE(routes[4].retry);
  CHECK(routes[5].queued);
  CHECK(routes[5].seq1 == 3);
  CHECK(routes[0].sessionId == kSessionId);
  CHECK(routes[0].client == kClient);
  CHECK(routes[0].gateway == "gw-0");
  CHECK(routes[0].protocol == 5);
  f.a.flush();
  CHECK(f.field(redis::keys::retransmit(kUin), "2.1") == std::string("\xDE\x03\x09\x00\x01\x02\x03", 7));
  CHECK(f.field(redis::keys::retransmit(kUin), "n.1") == "4");
  CHECK(f.a.find(kUin)->nextSeq1 == 4);
}

TEST_CASE("owned sessions: a UIN another worker owns is answered retry, not offline", "[redis][owned][reliable]") {
  Fixture f;
  const store::MembershipView view = viewOf(2, 2, {"w-a", "w-b"});
  f.a.adopt(view);
  const uint32_t theirs = uinOwnedBy(view, "w-b");
  const Bytes body = {1};
  const store::ReliableRoute route = f.a.queue({theirs, v5::SRV_USER_ONLINE, 0, body});
  CHECK_FALSE(route.queued);
  CHECK(route.retry);
  CHECK(f.a.sessions.reach(theirs) == Reach::foreign);
  CHECK(f.a.sessions.reach(uinOwnedBy(view, "w-a")) == Reach::here);
}

TEST_CASE("owned sessions: a V3 session gets a packet's V3 form and wraps its SEQ1 - a V5 session stops at 0xFFFF",
          "[redis][owned][reliable]") {
  Fixture f;
  const Bytes v5Body = {5, 5}, v3Body = {3, 3, 3};
  const store::ReliablePacket::V3Form v3Form{0x0099, v3Body};
  // Sessions a former owner numbered up to 0xFFFF, loaded from Redis by this one.
  redis::RedisSessionLedger& ledger = f.a.ledger;
  for (uint8_t protocol : {uint8_t{5}, uint8_t{3}}) {
    const store::Session session = makeSession(protocol == 3 ? kUin + 3 : kUin, protocol);
    REQUIRE(ledger.create(session, 1, std::string(6, '\0'), v5::SRV_LOGIN_REPLY, 0, kLoginReply, kStartMs));
    ledger.saveNext(session.uin, 1, 0xFFFF);
  }
  REQUIRE(ledger.flush());
  f.a.adopt(viewOf(2, 2, {"w-a"}));
  REQUIRE(f.a.sessions.size() == 2);

  store::ReliablePacket packet{kUin, v5::SRV_USER_ONLINE, 0, v5Body, 0, 0, v3Form};
  store::ReliableRoute route = f.a.queue(packet);
  REQUIRE(route.queued);
  CHECK(route.seq1 == 0xFFFF);
  CHECK(route.protocol == 5);
  CHECK_FALSE(f.a.queue(packet).queued);  // licq cannot follow the wrap (§4.2)

  packet.uin = kUin + 3;
  route = f.a.queue(packet);
  REQUIRE(route.queued);
  CHECK(route.seq1 == 0xFFFF);
  CHECK(route.protocol == 3);
  route = f.a.queue(packet);
  REQUIRE(route.queued);
  CHECK(route.seq1 == 0);  // V3 wraps (protocol-v3.md §3.2)
  f.a.flush();
  // The V3 session's entry is the V3 form; the V5 session's the V5 one.
  CHECK(f.field(redis::keys::retransmit(kUin + 3), "65535.2") == std::string("\x99\x00\x00\x00\x03\x03\x03", 7));
  CHECK(f.field(redis::keys::retransmit(kUin), "65535.2") == std::string("\x6E\x00\x00\x00\x05\x05", 6));
  // Without a V3 form a V3 session gets the packet as it is.
  packet.v3Form.reset();
  route = f.a.queue(packet);
  REQUIRE(route.queued);
  f.a.flush();
  CHECK(f.field(redis::keys::retransmit(kUin + 3), "1.2") == std::string("\x6E\x00\x00\x00\x05\x05", 6));
}

// ---- the end of a session ----------------------------------------------------------------------------

TEST_CASE("owned sessions: replace keeps the old session's unconfirmed messages offline and returns it",
          "[redis][owned][replace]") {
  Fixture f;
  const store::Session first = makeSession(kUin);
  f.a.login(first);
  REQUIRE(f.a.queueMessage(kUin, 777, "hello").seq1 == 1);
  const Bytes notice = {1, 2};
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, notice}).seq1 == 2);  // a notice: dies with the session
  REQUIRE(f.a.queueMessage(kUin, 778, "world").seq1 == 3);
  CHECK(f.a.touch(makeAck(first, 3)) == TouchResult::acknowledged);  // confirmed: not kept again
  CHECK(f.a.touch(makeTouch(first, 100)) == TouchResult::ok);
  f.a.flush();

  f.clock.advanceMs(1000);
  store::Session fresh = makeSession(kUin, 5, kSessionId + 1);
  fresh.client.port++;
  fresh.loginSeq1 = 0x1111;
  const std::optional<store::Session> replaced = f.a.login(fresh);
  REQUIRE(replaced);
  CHECK(replaced->sessionId == kSessionId);
  CHECK(replaced->client == kClient);
  CHECK(replaced->nextSeq1 == 4);

  const auto kept = f.messages.storedFor(kUin);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].from == 777);
  CHECK(kept[0].type == 1);
  CHECK(kept[0].text == "hello");
  CHECK(kept[0].storedAtMs == kStartMs + 1000);

  CHECK(f.rtxFields(kUin) == std::set<std::string>{"0.1", "n.1"});
  const auto now = f.a.find(kUin);
  REQUIRE(now);
  CHECK(now->sessionId == kSessionId + 1);
  CHECK(now->nextSeq1 == 1);
  // The old window went with the old session; the new login is in the new one.
  TouchRequest request = makeTouch(fresh, 100);
  CHECK(f.a.touch(request) == TouchResult::ok);
  CHECK(f.a.touch(makeTouch(fresh, fresh.loginSeq1, fresh.loginSeq2, v5::CMD_LOGIN)) == TouchResult::duplicate);
  CHECK(f.score(redis::keys::kOnline, kUin) == std::to_string(kStartMs + 1000));
}

TEST_CASE("owned sessions: replace of a V3 session keeps its SYSMSG_ONLINE messages", "[redis][owned][replace]") {
  Fixture f;
  const store::Session first = makeSession(kUin, 3);
  f.a.login(first);
  REQUIRE(f.a.queueMessage(kUin, 555, "v3 text", 3).queued);
  f.a.login(makeSession(kUin, 3));
  const auto kept = f.messages.storedFor(kUin);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].from == 555);
  CHECK(kept[0].text == "v3 text");
}

TEST_CASE("owned sessions: replace fails and keeps the old session when its messages cannot be kept",
          "[redis][owned][replace]") {
  Fixture f;
  const store::Session first = makeSession(kUin);
  f.a.login(first);
  REQUIRE(f.a.queueMessage(kUin, 777, "hello").queued);
  f.a.flush();
  f.messages.unreachable = true;
  std::optional<store::Session> replaced;
  const store::ReliablePacket reply{kUin, v5::SRV_LOGIN_REPLY, 1, kLoginReply};
  CHECK_FALSE(f.a.sessions.replace(makeSession(kUin, 5, kSessionId + 1), reply, replaced));
  CHECK_FALSE(replaced);
  CHECK(f.a.find(kUin)->sessionId == kSessionId);
  CHECK(f.rtxFields(kUin) == std::set<std::string>{"0.1", "1.1", "n.1"});
}

TEST_CASE("owned sessions: end removes the session only for its own id and address, keeping its messages",
          "[redis][owned][end]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.login(makeSession(kUin + 1));
  REQUIRE(f.a.queueMessage(kUin, 777, "bye").queued);
  f.a.flush();
  f.command({"HSET", redis::keys::session(kUin), "st", "65537"});  // as the presence store left it

  std::optional<store::Session> ended;
  REQUIRE(f.a.sessions.end(kUin, kSessionId + 1, kClient, ended));
  CHECK_FALSE(ended);
  REQUIRE(f.a.sessions.end(kUin, kSessionId, {0x0200007F, kClient.port}, ended));
  CHECK_FALSE(ended);
  REQUIRE(f.a.sessions.end(kUin, kSessionId, {kClient.ip, 1}, ended));
  CHECK_FALSE(ended);
  CHECK(f.a.find(kUin));
  CHECK(f.messages.messages.empty());

  REQUIRE(f.a.sessions.end(kUin, kSessionId, kClient, ended));
  REQUIRE(ended);
  CHECK(ended->uin == kUin);
  CHECK(ended->status == 65537);
  CHECK_FALSE(f.a.find(kUin));
  REQUIRE(f.messages.storedFor(kUin).size() == 1);
  CHECK(f.messages.storedFor(kUin)[0].text == "bye");
  CHECK(f.command({"EXISTS", redis::keys::session(kUin), redis::keys::retransmit(kUin), redis::keys::duplicates(kUin)})
            .integer() == 0);
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin));
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::no_session);
  CHECK(f.a.find(kUin + 1));
  int64_t online = 0;
  REQUIRE(f.a.sessions.countOnline(online));
  CHECK(online == 1);
}

TEST_CASE("owned sessions: terminate ends a session whoever asks and counts the messages it kept",
          "[redis][owned][end]") {
  Fixture f;
  f.a.login(makeSession(kUin));
  REQUIRE(f.a.queueMessage(kUin, 1, "one").queued);
  REQUIRE(f.a.queueMessage(kUin, 2, "two").queued);
  std::optional<store::Session> ended;
  size_t rescued = 0;
  SECTION("the message store fails: nothing ends") {
    f.messages.unreachable = true;
    CHECK_FALSE(f.a.sessions.terminate(kUin, nullptr, 0, ended, rescued));
    CHECK_FALSE(ended);
    CHECK(f.a.find(kUin));
  }
  SECTION("it ends") {
    REQUIRE(f.a.sessions.terminate(kUin, nullptr, 0, ended, rescued));
    REQUIRE(ended);
    CHECK(rescued == 2);
    CHECK(f.messages.storedFor(kUin).size() == 2);
    CHECK_FALSE(f.a.find(kUin));
    REQUIRE(f.a.sessions.terminate(kUin, nullptr, 0, ended, rescued));  // nothing left
    CHECK_FALSE(ended);
    CHECK(rescued == 0);
  }
}

// ---- resend timers ---------------------------------------------------------------------------------------

TEST_CASE("owned sessions: runDue resends in SEQ1 order, counts attempts and gives up after the retries",
          "[redis][owned][resend]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);  // SEQ1 0, due in 10 s
  const Bytes b1 = {1}, b2 = {2}, b3 = {3};
  f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, b1});
  f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, b2});
  f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, b3});
  CHECK(f.a.touch(makeAck(session, 2)) == TouchResult::acknowledged);
  std::vector<uint32_t> giveUps;

  f.clock.advanceMs(9'999);
  CHECK(f.a.runDue(f.clock.nowMs(), giveUps).empty());
  f.clock.advanceMs(1);
  auto resent = f.a.runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].uin == kUin);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0, 1, 3});
  CHECK(resent[0].attempts == std::vector<uint32_t>{1, 1, 1});
  CHECK(resent[0].bodies[0] == kLoginReply);
  CHECK(resent[0].bodies[2] == b3);
  CHECK(giveUps.empty());
  CHECK(f.a.runDue(f.clock.nowMs(), giveUps).empty());  // re-armed a timeout later

  f.clock.advanceMs(10'000);
  resent = f.a.runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].attempts == std::vector<uint32_t>{2, 2, 2});
  CHECK(giveUps.empty());

  f.clock.advanceMs(10'000);
  resent = f.a.runDue(f.clock.nowMs(), giveUps);  // two retries done: give up
  CHECK(resent.empty());
  CHECK(giveUps == std::vector<uint32_t>{kUin});
  // Giving up is the caller's to act on (terminate); the session is still held.
  CHECK(f.a.find(kUin));
}

TEST_CASE("owned sessions: runDue resends only what has been unconfirmed for a whole timeout",
          "[redis][owned][resend]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);  // the session's timer: due in 10 s
  CHECK(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
  f.clock.advanceMs(6'000);
  const Bytes b1 = {1};
  f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, b1});  // SEQ1 1, behind the login's timer
  std::vector<uint32_t> giveUps;

  f.clock.advanceMs(4'000);  // the timer fires with SEQ1 1 four seconds old: not yet
  CHECK(f.a.runDue(f.clock.nowMs(), giveUps).empty());
  f.clock.advanceMs(5'999);
  CHECK(f.a.runDue(f.clock.nowMs(), giveUps).empty());
  f.clock.advanceMs(1);  // ten seconds after it went out
  const auto resent = f.a.runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{1});
  CHECK(resent[0].attempts == std::vector<uint32_t>{1});
  CHECK(giveUps.empty());
}

TEST_CASE("owned sessions: runDue takes at most its limit of sessions, the rest at the next call",
          "[redis][owned][resend]") {
  Fixture f;
  for (uint32_t i = 0; i < 3; ++i) f.a.login(makeSession(kUin + i));
  f.clock.advanceMs(10'000);
  std::vector<uint32_t> giveUps;
  std::set<uint32_t> seen;
  for (const auto& r : f.a.runDue(f.clock.nowMs(), giveUps, 2)) seen.insert(r.uin);
  CHECK(seen.size() == 2);
  const auto rest = f.a.runDue(f.clock.nowMs(), giveUps, 2);
  REQUIRE(rest.size() == 1);
  seen.insert(rest[0].uin);
  CHECK(seen == std::set<uint32_t>{kUin, kUin + 1, kUin + 2});
}

TEST_CASE("owned sessions: a session with everything acknowledged is not resent", "[redis][owned][resend]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  CHECK(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
  f.clock.advanceMs(60'000);
  std::vector<uint32_t> giveUps;
  CHECK(f.a.runDue(f.clock.nowMs(), giveUps).empty());
  CHECK(giveUps.empty());
}

// ---- the scheduler's nudges --------------------------------------------------------------------------------

TEST_CASE("owned sessions: checkExpiry ends a silent session keeping its messages and re-scores an active one",
          "[redis][owned][expiry]") {
  Fixture f;
  constexpr int64_t kV5TtlMs = 120'000, kV3TtlMs = 60'000;
  const store::Session silent = makeSession(kUin), active = makeSession(kUin + 1);
  f.a.login(silent);
  f.a.login(active);
  REQUIRE(f.a.queueMessage(kUin, 42, "lost?").queued);
  f.a.flush();
  f.clock.advanceMs(100'000);
  CHECK(f.a.touch(makeTouch(active, 100)) == TouchResult::ok);
  f.clock.advanceMs(30'000);  // silent: 130 s, active: 30 s

  const int64_t now = f.clock.nowMs(), v5Cutoff = now - kV5TtlMs, v3Cutoff = now - kV3TtlMs;
  std::optional<store::Session> expired;
  REQUIRE(f.a.sessions.checkExpiry(kUin, v5Cutoff, v3Cutoff, kStartMs, expired));
  REQUIRE(expired);
  CHECK(expired->uin == kUin);
  CHECK_FALSE(f.a.find(kUin));
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
  REQUIRE(f.messages.storedFor(kUin).size() == 1);
  CHECK(f.messages.storedFor(kUin)[0].text == "lost?");

  REQUIRE(f.a.sessions.checkExpiry(kUin + 1, v5Cutoff, v3Cutoff, kStartMs, expired));
  CHECK_FALSE(expired);
  f.a.flush();
  // Looked at again when it could be due on the sweep's later (V3) cutoff: its last packet
  // shifted by how much longer V5's TTL is.
  CHECK(f.score(redis::keys::kOnline, kUin + 1) == std::to_string(kStartMs + 100'000 + (kV5TtlMs - kV3TtlMs)));
  CHECK(f.a.find(kUin + 1));
}

TEST_CASE("owned sessions: checkExpiry of an owned UIN without a session removes its entry only at that score",
          "[redis][owned][expiry]") {
  Fixture f;
  f.command({"ZADD", redis::keys::kOnline, "1000", std::to_string(kUin)});
  std::optional<store::Session> expired;
  REQUIRE(f.a.sessions.checkExpiry(kUin, kStartMs, kStartMs, 999, expired));
  CHECK(f.score(redis::keys::kOnline, kUin) == "1000");  // rewritten since the sweep read it
  REQUIRE(f.a.sessions.checkExpiry(kUin, kStartMs, kStartMs, 1000, expired));
  CHECK_FALSE(expired);
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
}

TEST_CASE("owned sessions: checkOverdue re-schedules a session with packets and drops a stale entry",
          "[redis][owned][resend]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.command({"ZADD", redis::keys::kRetransmitDue, "5", std::to_string(kUin)});
  f.command({"ZADD", redis::keys::kRetransmitDue, "5", std::to_string(kUin + 1)});
  REQUIRE(f.a.sessions.checkOverdue(kUin + 1));
  REQUIRE(f.a.sessions.checkOverdue(kUin));
  f.a.flush();
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin + 1));
  CHECK(f.score(redis::keys::kRetransmitDue, kUin) == "5");  // ZADD LT: an earlier entry stays
  CHECK(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
  f.a.flush();
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin));
}

// ---- offline-message marks ------------------------------------------------------------------------------------

TEST_CASE("owned sessions: the offline delivery is claimed once per session and the batch is its own",
          "[redis][owned][offline]") {
  Fixture f;
  bool first = true;
  REQUIRE(f.a.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK_FALSE(first);  // no session
  f.a.login(makeSession(kUin));
  REQUIRE(f.a.sessions.claimOfflineDelivery(kUin, kSessionId + 1, first));
  CHECK_FALSE(first);
  REQUIRE(f.a.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK(first);
  REQUIRE(f.a.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK_FALSE(first);

  int64_t upTo = -1;
  REQUIRE(f.a.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 0);
  REQUIRE(f.a.sessions.setOfflineBatch(kUin, kSessionId, 9'000'000'000));
  REQUIRE(f.a.sessions.setOfflineBatch(kUin, kSessionId + 1, 3));  // a session that is gone
  REQUIRE(f.a.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 9'000'000'000);
  f.a.flush();
  CHECK(f.field(redis::keys::session(kUin), "ofd") == "1");
  CHECK(f.field(redis::keys::session(kUin), "ofb") == "9000000000");

  f.a.login(makeSession(kUin, 5, kSessionId + 7));  // the next login delivers again
  REQUIRE(f.a.sessions.claimOfflineDelivery(kUin, kSessionId + 7, first));
  CHECK(first);
  REQUIRE(f.a.sessions.offlineBatch(kUin, kSessionId + 7, upTo));
  CHECK(upTo == 0);
}

// ---- handing sessions over -----------------------------------------------------------------------------------

TEST_CASE("owned sessions: a released session is taken over exactly, once the view is settled",
          "[redis][owned][takeover]") {
  Fixture f;
  const store::MembershipView two = viewOf(2, 1, {"w-a", "w-b"}), twoSettled = viewOf(2, 2, {"w-a", "w-b"});
  const uint32_t uin = uinOwnedBy(two, "w-b"), stays = uinOwnedBy(two, "w-a");
  const store::Session session = makeSession(uin), other = makeSession(stays);
  f.a.login(session);
  f.a.login(other);
  f.clock.advanceMs(1000);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
  CHECK(f.a.touch(makeTouch(session, 101)) == TouchResult::ok);
  REQUIRE(f.a.queueMessage(uin, 777, "in flight").seq1 == 1);
  REQUIRE(f.a.queue({uin, v5::SRV_USER_ONLINE, 0, Bytes{9}}).seq1 == 2);
  bool claimed = false;
  REQUIRE(f.a.sessions.claimOfflineDelivery(uin, kSessionId, claimed));
  REQUIRE(claimed);
  f.a.flush();
  f.clock.advanceMs(1000);
  CHECK(f.a.touch(makeTouch(session, 102)) == TouchResult::ok);  // last-seen only in A's memory
  const int64_t lastSeen = f.clock.nowMs();

  // View 2 gives the UIN to B. A writes the session out exactly and forgets it.
  f.a.adopt(two);
  REQUIRE(f.a.sessions.releaseForeign());
  CHECK(f.a.sessions.size() == 1);
  CHECK(f.a.sessions.reach(uin) == Reach::foreign);
  CHECK(f.field(redis::keys::session(uin), "seen") == std::to_string(lastSeen));

  // B may not load it while the view is not settled: A might still have been writing.
  auto b = f.owner("w-b");
  b->adopt(two);
  CHECK(b->sessions.reach(uin) == Reach::later);
  CHECK_FALSE(b->sessions.takeoverStep(100));
  const TouchRequest early = makeTouch(session, 103);
  TouchResult result{};
  CHECK_FALSE(b->sessions.touch({&early, 1}, {&result, 1}));
  std::optional<store::Session> found;
  CHECK_FALSE(b->sessions.find(uin, found));
  CHECK(b->sessions.size() == 0);

  b->adopt(twoSettled);
  CHECK(b->sessions.size() == 1);
  CHECK(b->sessions.reach(uin) == Reach::here);
  const auto loaded = b->find(uin);
  REQUIRE(loaded);
  CHECK(loaded->sessionId == kSessionId);
  CHECK(loaded->lastSeenMs == lastSeen);
  CHECK(loaded->nextSeq1 == 3);
  // The duplicate window came along: A's packets are duplicates at B, and the window goes on
  // where A left it (102 went into the last slot; 103 overwrites the login triple).
  CHECK(b->touch(makeTouch(session, 101)) == TouchResult::duplicate);
  CHECK(b->touch(makeTouch(session, 102)) == TouchResult::duplicate);
  CHECK(b->touch(makeTouch(session, 103)) == TouchResult::ok);
  CHECK(b->touch(makeTouch(session, 100)) == TouchResult::duplicate);
  CHECK(b->touch(makeTouch(session, session.loginSeq1, session.loginSeq2, v5::CMD_LOGIN)) == TouchResult::ok);
  // The offline delivery was claimed under A.
  bool first = true;
  REQUIRE(b->sessions.claimOfflineDelivery(uin, kSessionId, first));
  CHECK_FALSE(first);

  // A's unconfirmed packets are B's to resend, at once.
  std::vector<uint32_t> giveUps;
  const auto resent = b->runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].uin == uin);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0, 1, 2});
  CHECK(resent[0].bodies[1] == onlineMessage(777, "in flight"));

  // B wrote A's packets again under its own epoch and numbers on from A; an ACK drops the
  // packet's field.
  REQUIRE(b->queue({uin, v5::SRV_USER_ONLINE, 0, Bytes{8}}).seq1 == 3);
  CHECK(b->touch(makeAck(session, 1)) == TouchResult::acknowledged);
  b->flush();
  const std::set<std::string> fields = f.rtxFields(uin);
  CHECK(fields.count("1.1") == 0);
  CHECK(fields.count("1.2") == 0);
  CHECK(fields.count("0.1") == 0);
  CHECK(fields.count("0.2") == 1);
  CHECK(fields.count("2.1") == 0);
  CHECK(fields.count("2.2") == 1);
  CHECK(fields.count("n.1") == 0);
  CHECK(f.field(redis::keys::retransmit(uin), "3.2") == std::string("\x6E\x00\x00\x00\x08", 5));
  CHECK(f.field(redis::keys::retransmit(uin), "n.2") == "4");
  // The session A kept is still A's alone.
  CHECK(f.a.find(stays));
  CHECK(f.a.touch(makeTouch(other, 100)) == TouchResult::ok);
}

TEST_CASE("owned sessions: a former owner's writes never overwrite its successor's, and a later owner keeps its "
          "messages offline",
          "[redis][owned][takeover]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  REQUIRE(f.a.queueMessage(kUin, 700, "before").seq1 == 1);
  f.a.flush();

  // A's lease lapsed without A noticing; the membership gave everything to B.
  auto b = f.owner("w-b");
  b->adopt(viewOf(2, 2, {"w-b"}));
  REQUIRE(b->sessions.size() == 1);
  REQUIRE(b->queueMessage(kUin, 702, "from B").seq1 == 2);
  b->flush();
  // The zombie A goes on numbering where it was, under its old epoch.
  REQUIRE(f.a.queueMessage(kUin, 701, "from zombie A").seq1 == 2);
  f.a.flush();
  CHECK(f.field(redis::keys::retransmit(kUin), "2.2") ==
        std::string("\x04\x01\x00\x00", 4) + std::string(b->body.back().begin(), b->body.back().end()));
  CHECK(f.field(redis::keys::retransmit(kUin), "n.2") == "3");

  // A third owner loads the session: B's packet stays, A's message is kept offline.
  auto c = f.owner("w-c");
  c->adopt(viewOf(3, 3, {"w-c"}));
  REQUIRE(c->sessions.size() == 1);
  CHECK(c->find(kUin)->nextSeq1 == 3);
  std::vector<uint32_t> giveUps;
  const auto resent = c->runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0, 1, 2});
  CHECK(resent[0].bodies[2] == onlineMessage(702, "from B"));
  const auto kept = f.messages.storedFor(kUin);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].from == 701);
  CHECK(kept[0].text == "from zombie A");
  c->flush();
  const std::set<std::string> fields = f.rtxFields(kUin);
  CHECK(fields.count("2.1") == 0);  // A's field went with its message
  CHECK(fields == std::set<std::string>{"0.3", "1.3", "2.3", "n.3"});  // the rest is C's now
  CHECK(f.field(redis::keys::retransmit(kUin), "n.3") == "3");
}

TEST_CASE("owned sessions: a former owner's packet under a SEQ1 its successor already had confirmed is kept offline",
          "[redis][owned][takeover]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.flush();
  auto b = f.owner("w-b");
  b->adopt(viewOf(2, 2, {"w-b"}));
  REQUIRE(b->queueMessage(kUin, 702, "from B").seq1 == 1);
  CHECK(b->touch(makeAck(session, 1)) == TouchResult::acknowledged);  // the client has SEQ1 1
  b->flush();
  // The zombie A numbers SEQ1 1 again, under its old epoch, after B's packet was confirmed.
  REQUIRE(f.a.queueMessage(kUin, 701, "from zombie A").seq1 == 1);
  f.a.flush();

  // C must not resend it as SEQ1 1 (the client drops a SEQ1 it has): its message goes offline.
  auto c = f.owner("w-c");
  c->adopt(viewOf(3, 3, {"w-c"}));
  CHECK(c->find(kUin)->nextSeq1 == 2);
  const auto kept = f.messages.storedFor(kUin);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].text == "from zombie A");
  std::vector<uint32_t> giveUps;
  const auto resent = c->runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0});
  c->flush();
  CHECK(f.rtxFields(kUin) == std::set<std::string>{"0.3", "n.3"});
}

TEST_CASE("owned sessions: a former owner's packet numbered past its successor's next SEQ1 is kept offline",
          "[redis][owned][takeover]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.flush();
  auto b = f.owner("w-b");
  b->adopt(viewOf(2, 2, {"w-b"}));  // B takes over at next SEQ1 1 and queues nothing
  b->flush();
  REQUIRE(f.a.queueMessage(kUin, 701, "from zombie A").seq1 == 1);  // after B took over
  f.a.flush();

  // C would give SEQ1 1 to its own next packet: the client would take that one for a
  // retransmission of A's and drop it. A's message goes offline instead.
  auto c = f.owner("w-c");
  c->adopt(viewOf(3, 3, {"w-c"}));
  CHECK(c->find(kUin)->nextSeq1 == 1);
  const auto kept = f.messages.storedFor(kUin);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].from == 701);
  CHECK(kept[0].text == "from zombie A");
  REQUIRE(c->queueMessage(kUin, 703, "from C").seq1 == 1);
  std::vector<uint32_t> giveUps;
  auto resent = c->runDue(f.clock.nowMs(), giveUps);  // the login reply C took over; its own is new
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0});
  f.clock.advanceMs(10'000);
  resent = c->runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0, 1});
  CHECK(resent[0].bodies[1] == onlineMessage(703, "from C"));
  c->flush();
  CHECK(f.rtxFields(kUin).count("1.1") == 0);
  CHECK(f.rtxFields(kUin).count("1.3") == 1);
}

// Issue 14: a packet numbered, refused by Redis and sent anyway was never resent once its owner
// died, while the next one, recorded, was: the client had 0 and 2, never 1.
TEST_CASE("owned sessions: a write Redis refuses is not flushed and its packet still reaches the successor",
          "[redis][owned][takeover]") {
  Fixture f;
  f.a.login(makeSession(kUin));
  f.a.flush();
  f.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  f.command({"CONFIG", "SET", "maxmemory", "1"});  // every HSET answered OOM
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_OFFLINE, 0, f.a.body.emplace_back(Bytes{1})}).seq1 == 1);
  CHECK_FALSE(f.a.sessions.flush());  // the egress gate must not let SEQ1 1 out
  CHECK(f.a.sessions.pendingWrites());
  f.command({"CONFIG", "SET", "maxmemory", "0"});
  REQUIRE(f.a.queue({kUin, v5::SRV_USER_ONLINE, 0, f.a.body.emplace_back(Bytes{2})}).seq1 == 2);
  f.a.flush();

  // A dies; B resends every SEQ1 the client may have had, none missing, and numbers on.
  auto b = f.owner("w-b");
  b->adopt(viewOf(2, 2, {"w-b"}));
  std::vector<uint32_t> giveUps;
  const auto resent = b->runDue(f.clock.nowMs(), giveUps);
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].seq1s == std::vector<uint16_t>{0, 1, 2});
  CHECK(b->find(kUin)->nextSeq1 == 3);
}

// Between its rejoin and its next view, a fenced worker still has the last view it adopted,
// which may give it UINs a successor holds: it must neither load them nor number for them,
// or the client gets one SEQ1 from two owners.
TEST_CASE("owned sessions: a fenced owner takes no session until it has adopted a new view",
          "[redis][owned][fence]") {
  Fixture f;
  f.a.login(makeSession(kUin));
  f.a.flush();
  auto b = f.owner("w-b");
  b->adopt(viewOf(2, 2, {"w-b"}));  // A's lease lapsed: B holds the session

  f.a.sessions.fence();
  f.a.sessions.awaitView();
  CHECK(f.a.sessions.reach(kUin) == Reach::later);
  CHECK_FALSE(f.a.sessions.takeoverStep(50));
  const Bytes body{2};
  const store::ReliablePacket packet{kUin, v5::SRV_USER_ONLINE, 0, body};
  store::ReliableRoute route;
  CHECK_FALSE(f.a.sessions.queueReliable({&packet, 1}, {&route, 1}));
  CHECK_FALSE(route.queued);
  CHECK(f.a.sessions.size() == 0);
  REQUIRE(b->queue({kUin, v5::SRV_USER_ONLINE, 0, b->body.emplace_back(Bytes{1})}).seq1 == 1);
  b->flush();

  // The view that names the new instance: once B has released the session, A numbers on from B.
  b->adopt(viewOf(3, 3, {"w-a"}));
  REQUIRE(b->sessions.releaseForeign());
  f.a.adopt(viewOf(3, 3, {"w-a"}));
  CHECK(f.a.queue(packet).seq1 == 2);
}

TEST_CASE("owned sessions: fence forgets every session and writes nothing", "[redis][owned][fence]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.flush();
  f.clock.advanceMs(120'000);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);  // a refresh is queued
  REQUIRE(f.a.queueMessage(kUin, 1, "queued").queued);
  REQUIRE(f.a.sessions.pendingWrites());
  f.resetStats();

  f.a.sessions.fence();
  CHECK(f.a.sessions.size() == 0);
  CHECK_FALSE(f.a.sessions.pendingWrites());
  CHECK_FALSE(f.a.sessions.authoritative());
  f.a.flush();
  std::vector<uint32_t> giveUps;
  CHECK(f.a.runDue(f.clock.nowMs() + 3'600'000, giveUps).empty());  // no timers left
  CHECK(giveUps.empty());
  CHECK(f.commandCalls().empty());
  CHECK(f.rtxFields(kUin) == std::set<std::string>{"0.1", "n.1"});
  CHECK(f.field(redis::keys::session(kUin), "seen") == std::to_string(kStartMs));
  CHECK(f.messages.messages.empty());
}

TEST_CASE("owned sessions: packets are answered from memory while Redis is down, and the writes wait for it",
          "[redis][owned][failure]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.a.login(session);
  f.a.flush();
  f.server.kill();

  // The session check, the duplicate window and an ACK need no Redis...
  f.clock.advanceMs(61'000);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::ok);
  CHECK(f.a.touch(makeTouch(session, 100)) == TouchResult::duplicate);
  CHECK(f.a.touch(makeAck(session, 0)) == TouchResult::acknowledged);
  CHECK(f.a.find(kUin)->lastSeenMs == kStartMs + 61'000);
  // ...but what they changed cannot be written, and stays queued.
  CHECK_FALSE(f.a.sessions.flush());
  CHECK(f.a.sessions.pendingWrites());
  // A login and a logoff need Redis at once: they fail and change nothing.
  std::optional<store::Session> replaced;
  const store::ReliablePacket reply{kUin, v5::SRV_LOGIN_REPLY, 1, kLoginReply};
  CHECK_FALSE(f.a.sessions.replace(makeSession(kUin, 5, kSessionId + 1), reply, replaced));
  std::optional<store::Session> ended;
  CHECK_FALSE(f.a.sessions.end(kUin, kSessionId, kClient, ended));
  CHECK_FALSE(ended);
  CHECK(f.a.find(kUin)->sessionId == kSessionId);

  // Redis comes back (empty, as after a crash): the queued writes go out.
  f.server.restart();
  bool flushed = false;
  for (int attempt = 0; attempt < 3 && !flushed; ++attempt) flushed = f.a.sessions.flush();
  REQUIRE(flushed);
  CHECK_FALSE(f.a.sessions.pendingWrites());
  REQUIRE(f.admin.reconnect());
  CHECK(f.field(redis::keys::session(kUin), "seen") == std::to_string(kStartMs + 61'000));
}

TEST_CASE("owned sessions: a pre-login request is claimed once and its result remembered", "[redis][owned]") {
  Fixture f;
  TouchRequest registration = makeTouch(makeSession(0), 0x1234, 1, v5::CMD_REG_NEW_USER);
  bool first = false;
  uint32_t result = 7;
  REQUIRE(f.a.sessions.claimPreLogin(registration, first, result));
  CHECK(first);
  REQUIRE(f.a.sessions.claimPreLogin(registration, first, result));
  CHECK_FALSE(first);
  CHECK(result == 0);  // still being processed
  REQUIRE(f.a.sessions.finishPreLogin(registration, 4242));
  // Another worker sees the same claim: it lives in Redis, not in an owner's memory.
  auto b = f.owner("w-b");
  REQUIRE(b->sessions.claimPreLogin(registration, first, result));
  CHECK_FALSE(first);
  CHECK(result == 4242);
  // Another address is another request; a claim that created nothing is forgotten.
  TouchRequest other = registration;
  other.client.port++;
  REQUIRE(f.a.sessions.claimPreLogin(other, first, result));
  CHECK(first);
  REQUIRE(f.a.sessions.finishPreLogin(other, 0));
  REQUIRE(f.a.sessions.claimPreLogin(other, first, result));
  CHECK(first);
}

TEST_CASE("owned sessions: find reads a session another worker owns from the directory", "[redis][owned]") {
  Fixture f;
  const store::MembershipView view = viewOf(2, 2, {"w-a", "w-b"});
  const uint32_t theirs = uinOwnedBy(view, "w-b");
  auto b = f.owner("w-b");
  f.a.adopt(view);
  b->adopt(view);
  b->login(makeSession(theirs));
  const auto found = f.a.find(theirs);
  REQUIRE(found);
  CHECK(found->sessionId == kSessionId);
  CHECK(f.a.sessions.size() == 0);  // read, not taken
}

}  // namespace icq::worker
