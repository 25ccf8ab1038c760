// RedisSessionStore against a real Redis: the session check, duplicate window, re-homing,
// login replacement, CMD_ACK, logoff and keep-alive expiry (protocol-v5.md §4.3–§4.6, §5.1).
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/session_store_impl.hpp"
#include "common/util/clock.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using store::TouchRequest;
using store::TouchResult;

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr size_t kWindow = 4;
constexpr uint32_t kUin = 123456;
constexpr uint32_t kSessionId = 0x0BADCAFE;
const util::Endpoint kClient{0x0100007F, 40000};  // 127.0.0.1:40000

store::Session makeSession(uint32_t uin, uint32_t sessionId = kSessionId, util::Endpoint client = kClient) {
  store::Session session;
  session.uin = uin;
  session.sessionId = sessionId;
  session.client = client;
  session.gateway = "gw-0";
  session.serial = 0xFEDCBA9876543210ULL;
  session.status = 0x00020001;
  session.loginSeq1 = 0x29F7;
  session.loginSeq2 = 1;
  session.loginMs = kStartMs;
  session.tcpPort = 3456;
  session.internalIp = 0x0A00000A;
  session.dcType = 4;
  session.tcpVersion = 6;
  session.webPort = 80;
  session.features = 3;
  return session;
}

TouchRequest makeTouch(uint16_t seq1, uint16_t seq2 = 2, uint16_t command = 0x042E) {
  TouchRequest request;
  request.uin = kUin;
  request.sessionId = kSessionId;
  request.client = kClient;
  request.gateway = "gw-0";
  request.seq1 = seq1;
  request.seq2 = seq2;
  request.command = command;
  return request;
}

struct Fixture {
  test::RedisServer server;
  redis::RedisConnection redis{server.options()};
  util::ManualClock clock{kStartMs};
  redis::RedisSessionStore sessions{redis, clock, kWindow};

  void login(const store::Session& session, std::string_view reply = "login-reply") {
    std::optional<store::Session> replaced;
    const auto* bytes = reinterpret_cast<const uint8_t*>(reply.data());
    store::ReliablePacket loginReply{
        session.uin, codec::v5::SRV_LOGIN_REPLY, session.loginSeq2, {bytes, reply.size()}, 0};
    REQUIRE(sessions.replace(session, loginReply, replaced));
  }
  TouchResult touch(const TouchRequest& request) {
    std::array<TouchResult, 1> result{};
    REQUIRE(sessions.touch({&request, 1}, result));
    return result[0];
  }
  std::optional<store::Session> find(uint32_t uin) {
    std::optional<store::Session> out;
    REQUIRE(sessions.find(uin, out));
    return out;
  }
  redis::Reply command(std::initializer_list<std::string_view> argv) {
    redis::Reply reply;
    REQUIRE(redis.command(argv, reply));
    return reply;
  }
  int64_t online() {
    int64_t count = -1;
    REQUIRE(sessions.countOnline(count));
    return count;
  }
};

}  // namespace

TEST_CASE("session store: a logged-in session is found with every field", "[redis][session]") {
  Fixture f;
  CHECK_FALSE(f.find(kUin).has_value());
  const store::Session session = makeSession(kUin);
  f.login(session);
  const auto found = f.find(kUin);
  REQUIRE(found.has_value());
  CHECK(found->uin == kUin);
  CHECK(found->sessionId == session.sessionId);
  CHECK(found->client == session.client);
  CHECK(found->gateway == session.gateway);
  CHECK(found->serial == session.serial);
  CHECK(found->status == session.status);
  CHECK(found->nextSeq1 == 1);  // the login reply took SEQ1 0
  CHECK(found->loginSeq1 == session.loginSeq1);
  CHECK(found->loginSeq2 == session.loginSeq2);
  CHECK(found->loginMs == session.loginMs);
  CHECK(found->lastSeenMs == kStartMs);
  CHECK(found->tcpPort == session.tcpPort);
  CHECK(found->internalIp == session.internalIp);
  CHECK(found->dcType == session.dcType);
  CHECK(found->tcpVersion == session.tcpVersion);
  CHECK(found->webPort == session.webPort);
  CHECK(found->features == session.features);
  CHECK(found->protocol == 5);
}

TEST_CASE("session store: touch is ok for the session's own packets and refreshes last-seen", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.clock.advanceMs(5000);
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  CHECK(f.find(kUin)->lastSeenMs == kStartMs + 5000);
}

TEST_CASE("session store: touch of an unknown UIN is no_session", "[redis][session]") {
  Fixture f;
  CHECK(f.touch(makeTouch(100)) == TouchResult::no_session);
}

TEST_CASE("session store: touch from another session id, IP or port is a mismatch", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  TouchRequest request = makeTouch(100);
  SECTION("wrong session id") { request.sessionId = kSessionId + 1; }
  SECTION("wrong IP") { request.client.ip = 0x0200007F; }
  SECTION("wrong port") { request.client.port = kClient.port + 1; }
  f.clock.advanceMs(1000);
  CHECK(f.touch(request) == TouchResult::mismatch);
  CHECK(f.find(kUin)->lastSeenMs == kStartMs);  // a spoofed packet refreshes nothing
}

TEST_CASE("session store: the same triple twice is a duplicate that still refreshes last-seen", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  f.clock.advanceMs(10'000);
  CHECK(f.touch(makeTouch(100)) == TouchResult::duplicate);
  CHECK(f.find(kUin)->lastSeenMs == kStartMs + 10'000);
  // Same SEQ1 with another SEQ2 or command is another packet.
  CHECK(f.touch(makeTouch(100, 3)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(100, 2, 0x0438)) == TouchResult::ok);
}

TEST_CASE("session store: a retransmitted CMD_LOGIN is a duplicate of the login", "[redis][session]") {
  Fixture f;
  const store::Session session = makeSession(kUin);
  f.login(session);
  CHECK(f.touch(makeTouch(session.loginSeq1, session.loginSeq2, 0x03E8)) == TouchResult::duplicate);
}

TEST_CASE("session store: a triple falls out of the window after N others", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  // The window (4) holds the login triple and then 100, 101, 102.
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(101)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(102)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(103)) == TouchResult::ok);  // overwrites the login triple
  CHECK(f.touch(makeTouch(100)) == TouchResult::duplicate);
  CHECK(f.touch(makeTouch(104)) == TouchResult::ok);  // overwrites 100
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(104)) == TouchResult::duplicate);
}

TEST_CASE("session store: triples only match at their own position in the window", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  // Bytes 00 64 00 02 04 2E then 01 00 ...: a triple straddling two entries must not match.
  CHECK(f.touch(makeTouch(0x0064, 0x0002, 0x042E)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(0x0002, 0x042E, 0x0065)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(0x042E, 0x0002, 0x042E)) == TouchResult::ok);
}

TEST_CASE("session store: with dedupe off a packet is never a duplicate nor remembered", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  TouchRequest ack = makeTouch(7, 0, 0x000A);
  ack.dedupe = TouchRequest::Dedupe::off;
  CHECK(f.touch(ack) == TouchResult::ok);
  CHECK(f.touch(ack) == TouchResult::ok);
  ack.dedupe = TouchRequest::Dedupe::check_and_record;
  CHECK(f.touch(ack) == TouchResult::ok);
  CHECK(f.touch(ack) == TouchResult::duplicate);
}

TEST_CASE("session store: a check-only packet is remembered only when recorded afterwards", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  TouchRequest message = makeTouch(9, 3, 0x010E);
  message.dedupe = TouchRequest::Dedupe::check_only;
  CHECK(f.touch(message) == TouchResult::ok);
  CHECK(f.touch(message) == TouchResult::ok);  // its effect was never recorded: process it again
  TouchRequest record = message;
  record.dedupe = TouchRequest::Dedupe::record_only;
  CHECK(f.touch(record) == TouchResult::ok);
  CHECK(f.touch(message) == TouchResult::duplicate);
}

TEST_CASE("session store: a packet through another gateway re-homes the session", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  TouchRequest request = makeTouch(100);
  request.gateway = "gw-7";
  CHECK(f.touch(request) == TouchResult::ok);
  CHECK(f.find(kUin)->gateway == "gw-7");
  request.gateway = "gw-8";
  CHECK(f.touch(request) == TouchResult::duplicate);
  CHECK(f.find(kUin)->gateway == "gw-8");
}

namespace {

/// Calls of `command` since the last CONFIG RESETSTAT, from INFO commandstats.
int64_t callsOf(Fixture& f, std::string_view command) {
  const std::string info(f.command({"INFO", "commandstats"}).str());
  const std::string prefix = "cmdstat_" + std::string(command) + ":calls=";
  const size_t at = info.find(prefix);
  return at == std::string::npos ? 0 : std::stoll(info.substr(at + prefix.size()));
}

}  // namespace

TEST_CASE("session store: a keep-alive through the session's own gateway writes the session hash once",
          "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.clock.advanceMs(1000);
  f.command({"CONFIG", "RESETSTAT"});
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  CHECK(callsOf(f, "hset") == 1);  // seen and dpos together; gw unchanged, not rewritten
  CHECK(callsOf(f, "setrange") == 1);
  CHECK(callsOf(f, "hmget") == 1);
  CHECK(f.touch(makeTouch(100)) == TouchResult::duplicate);
  CHECK(callsOf(f, "hset") == 2);
  CHECK(callsOf(f, "setrange") == 1);
  const auto found = f.find(kUin);
  CHECK(found->lastSeenMs == kStartMs + 1000);
  CHECK(found->gateway == "gw-0");
  // The window position moved: the next triple does not overwrite the first.
  CHECK(f.touch(makeTouch(101)) == TouchResult::ok);
  CHECK(f.touch(makeTouch(100)) == TouchResult::duplicate);
}

TEST_CASE("session store: a batch of touches answers each request in order", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  std::vector<TouchRequest> requests;
  for (uint16_t i = 0; i < 300; ++i) requests.push_back(makeTouch(static_cast<uint16_t>(1000 + i % 2)));
  TouchRequest stranger = makeTouch(5);
  stranger.uin = kUin + 1;
  requests.push_back(stranger);
  TouchRequest spoof = makeTouch(6);
  spoof.client.port = 1;
  requests.push_back(spoof);
  std::vector<TouchResult> results(requests.size());
  REQUIRE(f.sessions.touch(requests, results));
  CHECK(results[0] == TouchResult::ok);
  CHECK(results[1] == TouchResult::ok);
  for (size_t i = 2; i < 300; ++i) CHECK(results[i] == TouchResult::duplicate);
  CHECK(results[300] == TouchResult::no_session);
  CHECK(results[301] == TouchResult::mismatch);
}

TEST_CASE("session store: touch does not write the online index", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.clock.advanceMs(30'000);
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  CHECK(f.command({"ZSCORE", redis::keys::kOnline, std::to_string(kUin)}).str() == std::to_string(kStartMs));
}

TEST_CASE("session store: replace returns the old session with its next SEQ1 and clears its packets",
          "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin), "first-reply");
  const std::string rtx(redis::keys::retransmit(kUin).view());
  const std::string sess(redis::keys::session(kUin).view());
  // What the senders of reliable packets do: take SEQ1 values and queue the packets.
  f.command({"HSET", sess, "seq", "7"});
  f.command({"HSET", rtx, "5", "pending"});
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);

  f.clock.advanceMs(1000);
  store::Session fresh = makeSession(kUin, kSessionId + 1, {0x0100007F, 40001});
  fresh.loginSeq1 = 0x1111;
  const std::string loginBody("\x00\x05\x00\x5A\x00", 5);  // binary, with NULs
  store::ReliablePacket loginReply{kUin,
                                   codec::v5::SRV_LOGIN_REPLY,
                                   0x0102,
                                   {reinterpret_cast<const uint8_t*>(loginBody.data()), loginBody.size()},
                                   0};
  std::optional<store::Session> replaced;
  REQUIRE(f.sessions.replace(fresh, loginReply, replaced));
  REQUIRE(replaced.has_value());
  CHECK(replaced->sessionId == kSessionId);
  CHECK(replaced->nextSeq1 == 7);
  CHECK(replaced->client == kClient);

  CHECK(f.command({"HLEN", rtx}).integer() == 1);
  // Stored without a header: u16 command, u16 SEQ2, then the body.
  CHECK(f.command({"HGET", rtx, "0"}).str() == std::string("\x5A\x00\x02\x01", 4) + loginBody);
  const auto now = f.find(kUin);
  CHECK(now->sessionId == kSessionId + 1);
  CHECK(now->nextSeq1 == 1);
  // The old window went with the old session.
  TouchRequest request = makeTouch(100);
  request.sessionId = kSessionId + 1;
  request.client = fresh.client;
  CHECK(f.touch(request) == TouchResult::ok);
  CHECK(f.command({"ZSCORE", redis::keys::kOnline, std::to_string(kUin)}).str() == std::to_string(kStartMs + 1000));
}

TEST_CASE("session store: a CMD_ACK touch forgets a packet only for the session's own id", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  const std::string rtx(redis::keys::retransmit(kUin).view());
  f.command({"HSET", rtx, "1", "packet-1"});
  auto ack = [&](uint32_t uin, uint32_t sessionId, uint16_t seq1) {
    store::TouchRequest request{
        uin, sessionId, kClient, "gw-1", seq1, 0, codec::v5::CMD_ACK, store::TouchRequest::Dedupe::off, seq1};
    store::TouchResult result{};
    REQUIRE(f.sessions.touch(std::span(&request, 1), std::span(&result, 1)));
    return result;
  };
  CHECK(ack(kUin, kSessionId + 1, 1) == store::TouchResult::mismatch);
  CHECK(f.command({"HEXISTS", rtx, "1"}).integer() == 1);
  CHECK(ack(kUin, kSessionId, 0) == store::TouchResult::acknowledged);
  CHECK(ack(kUin, kSessionId, 0) == store::TouchResult::ok);  // already forgotten: nothing matched
  CHECK(ack(kUin, kSessionId, 1) == store::TouchResult::acknowledged);
  CHECK(f.command({"EXISTS", rtx}).integer() == 0);
  CHECK(ack(kUin + 1, kSessionId, 1) == store::TouchResult::no_session);
}

TEST_CASE("session store: end removes the session only for its own id and address", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.login(makeSession(kUin + 1));
  REQUIRE(f.online() == 2);
  std::optional<store::Session> ended;
  REQUIRE(f.sessions.end(kUin, kSessionId + 1, kClient, ended));
  CHECK_FALSE(ended.has_value());
  REQUIRE(f.sessions.end(kUin, kSessionId, {0x0200007F, kClient.port}, ended));
  CHECK_FALSE(ended.has_value());
  REQUIRE(f.sessions.end(kUin, kSessionId, {kClient.ip, 1}, ended));
  CHECK_FALSE(ended.has_value());
  CHECK(f.find(kUin).has_value());

  REQUIRE(f.sessions.end(kUin, kSessionId, kClient, ended));
  REQUIRE(ended.has_value());
  CHECK(ended->uin == kUin);
  CHECK(ended->sessionId == kSessionId);
  CHECK_FALSE(f.find(kUin).has_value());
  CHECK(f.command({"EXISTS", std::string(redis::keys::retransmit(kUin).view()),
                   std::string(redis::keys::duplicates(kUin).view())})
            .integer() == 0);
  CHECK(f.online() == 1);
  CHECK(f.touch(makeTouch(100)) == TouchResult::no_session);
}

TEST_CASE("session store: expiry takes silent sessions and keeps touched ones", "[redis][session]") {
  Fixture f;
  constexpr int64_t kTtlMs = 240'000;
  f.login(makeSession(kUin));
  f.login(makeSession(kUin + 1));
  f.clock.advanceMs(200'000);
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);  // kUin is alive, kUin + 1 silent
  f.clock.advanceMs(100'000);

  std::vector<store::Session> expired;
  REQUIRE(f.sessions.expireStale(f.clock.nowMs() - kTtlMs, f.clock.nowMs() - kTtlMs, 100, expired));
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].uin == kUin + 1);
  CHECK(expired[0].sessionId == kSessionId);
  CHECK_FALSE(f.find(kUin + 1).has_value());
  CHECK(f.find(kUin).has_value());
  // The live session's index entry moved up to its last packet.
  CHECK(f.command({"ZSCORE", redis::keys::kOnline, std::to_string(kUin)}).str() == std::to_string(kStartMs + 200'000));
  CHECK(f.online() == 1);

  REQUIRE(f.sessions.expireStale(f.clock.nowMs() - kTtlMs, f.clock.nowMs() - kTtlMs, 100, expired));
  CHECK(expired.empty());
  f.clock.advanceMs(kTtlMs);
  REQUIRE(f.sessions.expireStale(f.clock.nowMs() - kTtlMs, f.clock.nowMs() - kTtlMs, 100, expired));
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].uin == kUin);
  CHECK(f.online() == 0);
}

TEST_CASE("session store: expiry works in slices of at most limit sessions", "[redis][session]") {
  Fixture f;
  for (uint32_t i = 0; i < 25; ++i) f.login(makeSession(kUin + i));
  f.clock.advanceMs(1000);
  std::vector<store::Session> expired;
  size_t total = 0;
  for (int slice = 0; slice < 3; ++slice) {
    REQUIRE(f.sessions.expireStale(f.clock.nowMs() - 500, f.clock.nowMs() - 500, 10, expired));
    CHECK(expired.size() <= 10);
    total += expired.size();
  }
  CHECK(total == 25);
  REQUIRE(f.sessions.expireStale(f.clock.nowMs() - 500, f.clock.nowMs() - 500, 0, expired));
  CHECK(expired.empty());
}

TEST_CASE("session store: expiry cleans index entries whose session is gone", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.command({"DEL", std::string(redis::keys::session(kUin).view())});  // e.g. lost to a failover
  CHECK(f.online() == 1);
  f.clock.advanceMs(1000);
  std::vector<store::Session> expired;
  REQUIRE(f.sessions.expireStale(f.clock.nowMs(), f.clock.nowMs(), 10, expired));
  CHECK(expired.empty());
  CHECK(f.online() == 0);
}

TEST_CASE("session store: concurrent expiry returns each session exactly once", "[redis][session]") {
  Fixture f;
  constexpr uint32_t kSessions = 600;
  for (uint32_t i = 0; i < kSessions; ++i) f.login(makeSession(kUin + i));
  f.clock.advanceMs(10'000);
  const int64_t cutoff = f.clock.nowMs() - 1000;

  auto sweep = [&](std::vector<uint32_t>& taken, std::atomic<bool>& failed) {
    redis::RedisConnection redis(f.server.options());
    redis::RedisSessionStore sessions(redis, f.clock, kWindow);
    std::vector<store::Session> expired;
    while (true) {
      if (!sessions.expireStale(cutoff, cutoff, 37, expired)) {
        failed = true;
        return;
      }
      if (expired.empty()) return;
      for (const auto& session : expired) taken.push_back(session.uin);
    }
  };
  std::vector<uint32_t> first, second;
  std::atomic<bool> failed{false};
  std::thread a([&] { sweep(first, failed); });
  std::thread b([&] { sweep(second, failed); });
  a.join();
  b.join();
  REQUIRE_FALSE(failed);

  std::set<uint32_t> all(first.begin(), first.end());
  for (uint32_t uin : second) CHECK(all.insert(uin).second);  // nobody got a session twice
  CHECK(first.size() + second.size() == kSessions);
  CHECK(all.size() == kSessions);
  CHECK(f.online() == 0);
}

TEST_CASE("session store: scripts survive SCRIPT FLUSH", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  REQUIRE(f.command({"SCRIPT", "FLUSH"}).str() == "OK");
  CHECK(f.touch(makeTouch(100)) == TouchResult::ok);
  REQUIRE(f.command({"SCRIPT", "FLUSH"}).str() == "OK");
  f.login(makeSession(kUin + 1));
  CHECK(f.online() == 2);
}

TEST_CASE("session store: reports failure while Redis is down and recovers after a restart", "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.server.kill();

  const auto started = std::chrono::steady_clock::now();
  std::array<TouchResult, 1> result{};
  const TouchRequest request = makeTouch(100);
  CHECK_FALSE(f.sessions.touch({&request, 1}, result));
  int64_t count = 0;
  CHECK_FALSE(f.sessions.countOnline(count));
  std::optional<store::Session> found;
  CHECK_FALSE(f.sessions.find(kUin, found));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));

  f.server.restart();  // empty: Redis is a cache, the client will log in again
  bool recovered = false;
  for (int attempt = 0; attempt < 3 && !recovered; ++attempt) recovered = f.sessions.countOnline(count);
  REQUIRE(recovered);
  CHECK(count == 0);
  CHECK(f.touch(request) == TouchResult::no_session);
  f.login(makeSession(kUin));
  CHECK(f.touch(request) == TouchResult::ok);
}

TEST_CASE("session store: reliable packets take consecutive SEQ1s per session and record their route",
          "[redis][session]") {
  Fixture f;
  f.login(makeSession(kUin));
  const uint8_t body[] = {1, 2, 3};
  std::array<store::ReliablePacket, 4> packets{{
      {kUin, codec::v5::SRV_USER_ONLINE, 0, body, 0},
      {kUin, codec::v5::SRV_META_USER, 9, body, kSessionId},      // a reply for this session
      {kUin, codec::v5::SRV_META_USER, 9, body, kSessionId + 1},  // a reply for a session that is gone
      {kUin + 1, codec::v5::SRV_USER_ONLINE, 0, body, 0},         // offline recipient
  }};
  std::array<store::ReliableRoute, 4> routes;
  REQUIRE(f.sessions.queueReliable(packets, routes));
  CHECK(routes[0].queued);
  CHECK(routes[0].seq1 == 1);  // SEQ1 0 was the login reply
  CHECK(routes[1].queued);
  CHECK(routes[1].seq1 == 2);
  CHECK_FALSE(routes[2].queued);
  CHECK_FALSE(routes[3].queued);
  CHECK(routes[0].sessionId == kSessionId);
  CHECK(routes[0].client == kClient);
  CHECK(routes[0].gateway == makeSession(kUin).gateway);
  const std::string rtx(redis::keys::retransmit(kUin).view());
  CHECK(f.command({"HGET", rtx, "2"}).str() == std::string("\xDE\x03\x09\x00\x01\x02\x03", 7));
  CHECK(f.find(kUin)->nextSeq1 == 3);

  // Past SEQ1 0xFFFF nothing more is queued: licq cannot follow the wrap (§4.2).
  f.command({"HSET", std::string(redis::keys::session(kUin).view()), "seq", "65536"});
  REQUIRE(f.sessions.queueReliable(std::span(packets).first(1), routes));
  CHECK_FALSE(routes[0].queued);
}

TEST_CASE("session store: the offline delivery is claimed once per session", "[redis][session][offline]") {
  Fixture f;
  bool first = true;
  REQUIRE(f.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK_FALSE(first);  // no session yet: nothing to deliver to

  f.login(makeSession(kUin));
  REQUIRE(f.sessions.claimOfflineDelivery(kUin, kSessionId + 1, first));
  CHECK_FALSE(first);  // another session id claims nothing
  REQUIRE(f.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK(first);
  REQUIRE(f.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK_FALSE(first);
  REQUIRE(f.find(kUin).has_value());  // the session itself is untouched

  f.login(makeSession(kUin, kSessionId + 7));  // a new login delivers again
  REQUIRE(f.sessions.claimOfflineDelivery(kUin, kSessionId + 7, first));
  CHECK(first);
}

TEST_CASE("session store: concurrent claims give the offline delivery to exactly one caller",
          "[redis][session][offline]") {
  Fixture f;
  f.login(makeSession(kUin));
  constexpr int kClaimers = 8;
  std::atomic<int> firsts{0}, failures{0};
  std::vector<std::thread> claimers;
  for (int i = 0; i < kClaimers; ++i)
    claimers.emplace_back([&] {
      redis::RedisConnection redis(f.server.options());
      redis::RedisSessionStore sessions(redis, f.clock, kWindow);
      bool first = false;
      if (!sessions.claimOfflineDelivery(kUin, kSessionId, first)) failures++;
      if (first) firsts++;
    });
  for (auto& claimer : claimers) claimer.join();
  CHECK(failures == 0);
  CHECK(firsts == 1);
}

TEST_CASE("session store: the offline batch is remembered for its own session only", "[redis][session][offline]") {
  Fixture f;
  int64_t upTo = -1;
  REQUIRE(f.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 0);  // no session
  REQUIRE(f.sessions.setOfflineBatch(kUin, kSessionId, 5));
  CHECK_FALSE(f.find(kUin).has_value());  // and none was created

  f.login(makeSession(kUin));
  REQUIRE(f.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 0);  // nothing sent yet
  REQUIRE(f.sessions.setOfflineBatch(kUin, kSessionId, 9'000'000'000));
  REQUIRE(f.sessions.setOfflineBatch(kUin, kSessionId + 1, 3));  // a session that is gone
  REQUIRE(f.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 9'000'000'000);
  REQUIRE(f.sessions.offlineBatch(kUin, kSessionId + 1, upTo));
  CHECK(upTo == 0);

  f.login(makeSession(kUin, kSessionId + 7));  // the next session acknowledges only its own batch
  REQUIRE(f.sessions.offlineBatch(kUin, kSessionId + 7, upTo));
  CHECK(upTo == 0);
}

TEST_CASE("session store: offline marks report failure while Redis is down", "[redis][session][offline]") {
  Fixture f;
  f.login(makeSession(kUin));
  f.server.kill();
  bool first = true;
  int64_t upTo = -1;
  CHECK_FALSE(f.sessions.claimOfflineDelivery(kUin, kSessionId, first));
  CHECK_FALSE(first);
  CHECK_FALSE(f.sessions.setOfflineBatch(kUin, kSessionId, 1));
  CHECK_FALSE(f.sessions.offlineBatch(kUin, kSessionId, upTo));
  CHECK(upTo == 0);
}

TEST_CASE("session store: a pre-login request is claimed once and its result remembered", "[redis][session]") {
  Fixture f;
  TouchRequest registration = makeTouch(0x1234, 1, codec::v5::CMD_REG_NEW_USER);
  bool first = false;
  uint32_t result = 7;
  REQUIRE(f.sessions.claimPreLogin(registration, first, result));
  CHECK(first);
  REQUIRE(f.sessions.claimPreLogin(registration, first, result));
  CHECK_FALSE(first);
  CHECK(result == 0);  // still being processed
  REQUIRE(f.sessions.finishPreLogin(registration, 4242));
  REQUIRE(f.sessions.claimPreLogin(registration, first, result));
  CHECK_FALSE(first);
  CHECK(result == 4242);
  // Another address, or other sequence numbers: another request.
  TouchRequest other = registration;
  other.client.port++;
  REQUIRE(f.sessions.claimPreLogin(other, first, result));
  CHECK(first);
  // Nothing created: the claim is forgotten and a retransmission is processed again.
  REQUIRE(f.sessions.finishPreLogin(other, 0));
  REQUIRE(f.sessions.claimPreLogin(other, first, result));
  CHECK(first);
}

}  // namespace icq
