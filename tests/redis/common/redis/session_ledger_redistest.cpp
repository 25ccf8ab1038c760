// RedisSessionLedger against a real Redis: what an owner writes about its sessions and what a
// successor loads back (common/redis/session_ledger.hpp) — the login's atomic create, the
// epoch-tagged unconfirmed packets and next SEQ1, the end of a session, what one flush costs
// (counted by INFO commandstats), a flush that fails and is sent again, the index walk and
// the compare-and-delete of an index entry.
#include "common/redis/session_ledger.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/session_fields.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

namespace v5 = codec::v5;
using Bytes = std::vector<uint8_t>;

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr uint32_t kUin = 123456;
constexpr uint64_t kEpoch = 7;

store::Session makeSession(uint32_t uin, uint8_t protocol = 5) {
  store::Session session;
  session.uin = uin;
  session.sessionId = protocol == 3 ? 0 : 0x0BADCAFE;
  session.client = {0x0100007F, static_cast<uint16_t>(40000 + uin % 1000)};
  session.gateway = "gw-0";
  session.serial = 0xFEDCBA9876543210ULL;
  session.status = 0x00020001;
  session.loginSeq1 = 0x29F7;
  session.loginSeq2 = 1;
  session.loginMs = kStartMs - 5;
  session.lastSeenMs = kStartMs;
  session.tcpPort = 3456;
  session.internalIp = 0x0A00000A;
  session.dcType = 4;
  session.tcpVersion = 6;
  session.webPort = 80;
  session.features = 3;
  session.protocol = protocol;
  return session;
}

/// An rtx entry as the ledger stores it: u16 command, u16 SEQ2 (little-endian), then the body.
std::string entryOf(uint16_t command, uint16_t seq2, const Bytes& body) {
  std::string entry = {static_cast<char>(command & 0xFF), static_cast<char>(command >> 8),
                       static_cast<char>(seq2 & 0xFF), static_cast<char>(seq2 >> 8)};
  entry.append(body.begin(), body.end());
  return entry;
}

std::string loginTriple(const store::Session& session) {
  return std::string(std::string_view(redis::Triple(session.loginSeq1, session.loginSeq2, v5::CMD_LOGIN)));
}

// A login reply with NULs and high bytes in it: the entry is binary.
const Bytes kReplyBody = {0x00, 0x05, 0x00, 0x5A, 0xFF, 0x00};

struct Fixture {
  test::RedisServer server;
  redis::RedisConnection redis{server.options()};
  redis::RedisSessionLedger ledger{redis};

  void create(const store::Session& session, uint64_t epoch = kEpoch, int64_t dueMs = kStartMs + 70'000) {
    REQUIRE(ledger.create(session, epoch, loginTriple(session), v5::SRV_LOGIN_REPLY, session.loginSeq2, kReplyBody,
                          dueMs));
  }
  std::optional<redis::LedgerSession> load(uint32_t uin) {
    std::vector<std::optional<redis::LedgerSession>> out;
    const uint32_t uins[] = {uin};
    REQUIRE(ledger.load(uins, out));
    REQUIRE(out.size() == 1);
    return std::move(out[0]);
  }
  redis::Reply command(std::initializer_list<std::string_view> argv) {
    redis::Reply reply;
    REQUIRE(redis.command(argv, reply));
    return reply;
  }
  std::string rtx(uint32_t uin = kUin) { return std::string(redis::keys::retransmit(uin).view()); }
  std::string sess(uint32_t uin = kUin) { return std::string(redis::keys::session(uin).view()); }
  std::string dup(uint32_t uin = kUin) { return std::string(redis::keys::duplicates(uin).view()); }
  /// The field's value, or nullopt when it is absent.
  std::optional<std::string> field(const std::string& key, std::string_view name) {
    redis::Reply reply = command({"HGET", key, name});
    if (reply.isNil()) return std::nullopt;
    return std::string(reply.str());
  }
  /// The UIN's score in a sorted set, or nullopt.
  std::optional<std::string> score(std::string_view key, uint32_t uin) {
    redis::Reply reply = command({"ZSCORE", key, std::to_string(uin)});
    if (reply.isNil()) return std::nullopt;
    return std::string(reply.str());
  }
  std::set<std::string> fieldNames(const std::string& key) {
    std::set<std::string> names;
    redis::Reply reply = command({"HKEYS", key});
    for (size_t i = 0; i < reply.size(); ++i) names.emplace(reply[i].str());
    return names;
  }

  std::map<std::string, int64_t> commandCalls() { return test::commandCalls(server); }
  void resetStats() { test::resetCommandStats(server); }
};

void checkSameSession(const store::Session& got, const store::Session& want) {
  CHECK(got.uin == want.uin);
  CHECK(got.sessionId == want.sessionId);
  CHECK(got.client == want.client);
  CHECK(got.gateway == want.gateway);
  CHECK(got.serial == want.serial);
  CHECK(got.status == want.status);
  CHECK(got.loginSeq1 == want.loginSeq1);
  CHECK(got.loginSeq2 == want.loginSeq2);
  CHECK(got.loginMs == want.loginMs);
  CHECK(got.lastSeenMs == want.lastSeenMs);
  CHECK(got.tcpPort == want.tcpPort);
  CHECK(got.internalIp == want.internalIp);
  CHECK(got.dcType == want.dcType);
  CHECK(got.tcpVersion == want.tcpVersion);
  CHECK(got.webPort == want.webPort);
  CHECK(got.features == want.features);
  CHECK(got.protocol == want.protocol);
}

}  // namespace

// ---- create and load ---------------------------------------------------------------------------

TEST_CASE("ledger: a created session loads back with its fields, login triple, login reply and next SEQ1 1",
          "[redis][ledger]") {
  const uint8_t protocol = GENERATE(uint8_t{5}, uint8_t{3});
  Fixture f;
  const store::Session session = makeSession(kUin, protocol);
  f.create(session, kEpoch, kStartMs + 70'000);

  const auto loaded = f.load(kUin);
  REQUIRE(loaded);
  checkSameSession(loaded->session, session);
  CHECK(loaded->session.nextSeq1 == 1);  // the login reply took SEQ1 0
  CHECK(loaded->window == loginTriple(session));
  CHECK(loaded->windowPos == 1);
  CHECK_FALSE(loaded->offlineClaimed);
  CHECK(loaded->offlineBatch == 0);
  CHECK(loaded->staleFields.empty());
  REQUIRE(loaded->unconfirmed.size() == 1);
  const auto& reply = loaded->unconfirmed[0];
  CHECK(reply.seq1 == 0);
  CHECK(reply.epoch == kEpoch);
  CHECK(reply.command == v5::SRV_LOGIN_REPLY);
  CHECK(reply.seq2 == session.loginSeq2);
  CHECK(reply.body == kReplyBody);

  // In Redis: the reply under "0.<epoch>", the next SEQ1 under "n.<epoch>", and both indexes.
  CHECK(f.fieldNames(f.rtx()) == std::set<std::string>{"0.7", "n.7"});
  CHECK(f.field(f.rtx(), "0.7") == entryOf(v5::SRV_LOGIN_REPLY, session.loginSeq2, kReplyBody));
  CHECK(f.field(f.rtx(), "n.7") == "1");
  CHECK(f.score(redis::keys::kOnline, kUin) == std::to_string(kStartMs));
  CHECK(f.score(redis::keys::kRetransmitDue, kUin) == std::to_string(kStartMs + 70'000));
}

TEST_CASE("ledger: load answers each UIN of a batch, empty for those without a session", "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  f.create(makeSession(kUin + 2));
  std::vector<std::optional<redis::LedgerSession>> out;
  const std::vector<uint32_t> uins = {kUin + 1, kUin, kUin + 2, kUin + 3};
  REQUIRE(f.ledger.load(uins, out));
  REQUIRE(out.size() == 4);
  CHECK_FALSE(out[0]);
  REQUIRE(out[1]);
  CHECK(out[1]->session.uin == kUin);
  REQUIRE(out[2]);
  CHECK(out[2]->session.uin == kUin + 2);
  CHECK(out[2]->session.client == makeSession(kUin + 2).client);
  CHECK_FALSE(out[3]);
  REQUIRE(f.ledger.load({}, out));
  CHECK(out.empty());
}

TEST_CASE("ledger: create replaces everything Redis held for the UIN", "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin), 3);
  const Bytes body = {1, 2, 3};
  f.ledger.saveUnconfirmed(kUin, 3, 1, v5::SRV_SYS_DELIVERED_MESS, 0, body, 2);
  f.ledger.saveOfflineClaim(kUin);
  REQUIRE(f.ledger.flush());
  f.command({"HSET", f.sess(), "rg", "5"});  // a field the new login does not write

  store::Session fresh = makeSession(kUin);
  fresh.sessionId = 0x12345678;
  fresh.loginSeq1 = 0x1111;
  f.create(fresh, 4);
  CHECK(f.fieldNames(f.rtx()) == std::set<std::string>{"0.4", "n.4"});
  CHECK_FALSE(f.field(f.sess(), "rg"));
  CHECK_FALSE(f.field(f.sess(), "ofd"));
  const auto loaded = f.load(kUin);
  REQUIRE(loaded);
  CHECK(loaded->session.sessionId == 0x12345678);
  CHECK(loaded->window == loginTriple(fresh));
  CHECK_FALSE(loaded->offlineClaimed);
  REQUIRE(loaded->unconfirmed.size() == 1);
  CHECK(loaded->unconfirmed[0].epoch == 4);
}

TEST_CASE("ledger: create sends what was queued before it, so an old write cannot land after the login",
          "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin), 3);
  const Bytes body = {9};
  f.ledger.saveUnconfirmed(kUin, 3, 5, v5::SRV_SYS_DELIVERED_MESS, 0, body, 6);
  f.create(makeSession(kUin), 4);
  CHECK_FALSE(f.ledger.pending());
  REQUIRE(f.ledger.flush());
  CHECK(f.fieldNames(f.rtx()) == std::set<std::string>{"0.4", "n.4"});
}

// ---- queued writes ----------------------------------------------------------------------------------

TEST_CASE("ledger: unconfirmed packets, their acknowledgement and the next SEQ1 reach Redis at flush",
          "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  const Bytes body = {0x00, 0x41, 0x00};
  f.ledger.saveUnconfirmed(kUin, kEpoch, 1, v5::SRV_SYS_DELIVERED_MESS, 0x0203, body, 2);
  CHECK(f.ledger.pending());
  CHECK_FALSE(f.field(f.rtx(), "1.7"));  // queued, not sent
  REQUIRE(f.ledger.flush());
  CHECK_FALSE(f.ledger.pending());
  CHECK(f.field(f.rtx(), "1.7") == entryOf(v5::SRV_SYS_DELIVERED_MESS, 0x0203, body));
  CHECK(f.field(f.rtx(), "n.7") == "2");

  f.ledger.dropUnconfirmed(kUin, 0, kEpoch);  // the login reply acknowledged
  f.ledger.dropUnconfirmed(kUin, 1, kEpoch);
  REQUIRE(f.ledger.flush());
  CHECK(f.fieldNames(f.rtx()) == std::set<std::string>{"n.7"});
  CHECK(f.load(kUin)->session.nextSeq1 == 2);  // acknowledged packets leave their numbers used

  // Epoch 0 names a field written before owners tagged theirs: plain "<seq1>".
  f.command({"HSET", f.rtx(), "9", entryOf(1, 2, body)});
  f.ledger.dropUnconfirmed(kUin, 9, 0);
  REQUIRE(f.ledger.flush());
  CHECK_FALSE(f.field(f.rtx(), "9"));

  // A new owner's epoch takes over the next SEQ1; the old one's "n" goes with dropFields.
  f.ledger.saveNext(kUin, 12, 2);
  f.ledger.dropFields(kUin, std::vector<std::string>{"n.7"});
  REQUIRE(f.ledger.flush());
  CHECK(f.fieldNames(f.rtx()) == std::set<std::string>{"n.12"});
  CHECK(f.field(f.rtx(), "n.12") == "2");
}

TEST_CASE("ledger: load takes the highest epoch's next SEQ1 and lists the packets of every epoch",
          "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin), 9);
  const Bytes a = {'a'}, b = {'b'}, c = {'c'}, d = {'d'};
  // A former owner (epoch 9) numbered up to 3; its successor (epoch 10) went on at 3; and the
  // former one, not yet fenced, wrote SEQ1 3 as well and a larger "n".
  f.ledger.saveUnconfirmed(kUin, 9, 1, v5::SRV_SYS_DELIVERED_MESS, 0, a, 2);
  f.ledger.saveUnconfirmed(kUin, 9, 2, v5::SRV_USER_ONLINE, 0, b, 3);
  f.ledger.saveNext(kUin, 10, 3);
  f.ledger.saveUnconfirmed(kUin, 10, 3, v5::SRV_SYS_DELIVERED_MESS, 0, c, 4);
  f.ledger.saveUnconfirmed(kUin, 9, 3, v5::SRV_SYS_DELIVERED_MESS, 0, d, 40);
  REQUIRE(f.ledger.flush());

  const auto loaded = f.load(kUin);
  REQUIRE(loaded);
  CHECK(loaded->session.nextSeq1 == 4);  // epoch 10 beats 9 as a number ("10" < "9" as text)
  CHECK(loaded->staleFields == std::vector<std::string>{"n.9"});
  REQUIRE(loaded->unconfirmed.size() == 5);
  const std::vector<std::pair<uint16_t, uint64_t>> order = {{0, 9}, {1, 9}, {2, 9}, {3, 9}, {3, 10}};
  for (size_t i = 0; i < order.size(); ++i) {
    INFO("packet " << i);
    CHECK(loaded->unconfirmed[i].seq1 == order[i].first);
    CHECK(loaded->unconfirmed[i].epoch == order[i].second);
  }
  CHECK(loaded->unconfirmed[3].body == d);
  CHECK(loaded->unconfirmed[4].body == c);
  CHECK(loaded->unconfirmed[2].command == v5::SRV_USER_ONLINE);
}

TEST_CASE("ledger: a session without any next-SEQ1 field continues after its highest packet",
          "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  f.command({"HDEL", f.rtx(), "n.7", "0.7"});
  SECTION("no packet at all: 1") { CHECK(f.load(kUin)->session.nextSeq1 == 1); }
  SECTION("legacy packets") {
    f.command({"HSET", f.rtx(), "4", entryOf(1, 0, {}), "2.3", entryOf(1, 0, {})});
    CHECK(f.load(kUin)->session.nextSeq1 == 5);
  }
}

TEST_CASE("ledger: seen, home gateway, duplicate window and offline marks load back as saved", "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  std::string window(4 * 6, '\0');
  window.replace(6, 6, loginTriple(makeSession(kUin)));
  f.ledger.saveWindow(kUin, kStartMs + 500, "gw-9", window, 2);
  f.ledger.saveOfflineClaim(kUin);
  f.ledger.saveOfflineBatch(kUin, 9'000'000'000);
  REQUIRE(f.ledger.flush());
  auto loaded = f.load(kUin);
  REQUIRE(loaded);
  CHECK(loaded->session.lastSeenMs == kStartMs + 500);
  CHECK(loaded->session.gateway == "gw-9");
  CHECK(loaded->window == window);
  CHECK(loaded->windowPos == 2);
  CHECK(loaded->offlineClaimed);
  CHECK(loaded->offlineBatch == 9'000'000'000);

  f.ledger.saveSeen(kUin, kStartMs + 900, "gw-3");
  REQUIRE(f.ledger.flush());
  loaded = f.load(kUin);
  CHECK(loaded->session.lastSeenMs == kStartMs + 900);
  CHECK(loaded->session.gateway == "gw-3");
  CHECK(loaded->windowPos == 2);
}

TEST_CASE("ledger: discard forgets what was queued", "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  const Bytes body = {1};
  f.ledger.saveUnconfirmed(kUin, kEpoch, 1, v5::SRV_SYS_DELIVERED_MESS, 0, body, 2);
  f.ledger.schedule(kUin, 1);
  f.ledger.unschedule(kUin + 1);
  f.ledger.reindex(kUin, kStartMs + 1);
  f.ledger.discard();
  CHECK_FALSE(f.ledger.pending());
  f.resetStats();
  REQUIRE(f.ledger.flush());
  CHECK(f.commandCalls().empty());
  CHECK_FALSE(f.field(f.rtx(), "1.7"));
}

// ---- what a flush costs ----------------------------------------------------------------------------------

TEST_CASE("ledger: a flush of N sessions' packets and schedule entries is N HSETs and one ZADD", "[redis][ledger]") {
  Fixture f;
  constexpr uint32_t kSessions = 50;
  for (uint32_t i = 0; i < kSessions; ++i) f.create(makeSession(kUin + i), kEpoch, kStartMs + 1'000'000);
  const Bytes body = {'h', 'i'};
  f.resetStats();
  for (uint32_t i = 0; i < kSessions; ++i) {
    f.ledger.saveUnconfirmed(kUin + i, kEpoch, 1, v5::SRV_SYS_DELIVERED_MESS, 0, body, 2);
    f.ledger.schedule(kUin + i, kStartMs + 1000 + i);
  }
  REQUIRE(f.ledger.flush());
  CHECK(f.commandCalls() == std::map<std::string, int64_t>{{"hset", kSessions}, {"zadd", 1}});
  for (uint32_t i = 0; i < kSessions; ++i) {
    if (f.field(f.rtx(kUin + i), "1.7") != entryOf(v5::SRV_SYS_DELIVERED_MESS, 0, body)) FAIL("no packet for " << i);
    // ZADD LT: the earlier due time replaced the login's later one.
    if (f.score(redis::keys::kRetransmitDue, kUin + i) != std::to_string(kStartMs + 1000 + i))
      FAIL("schedule of " << i);
  }
}

TEST_CASE("ledger: the schedule and expiry index changes of a flush are one command each", "[redis][ledger]") {
  Fixture f;
  constexpr uint32_t kSessions = 20;
  for (uint32_t i = 0; i < kSessions; ++i) f.create(makeSession(kUin + i), kEpoch, kStartMs + 5000);
  f.resetStats();
  for (uint32_t i = 0; i < kSessions; ++i) {
    if (i % 2 == 0)
      f.ledger.unschedule(kUin + i);
    else
      f.ledger.schedule(kUin + i, i < 10 ? kStartMs + 9000 : kStartMs + 10);  // later: kept; earlier: taken
    f.ledger.reindex(kUin + i, i < 10 ? kStartMs + 60'000 : kStartMs - 60'000);  // higher: taken; lower: kept
  }
  f.ledger.reindex(kUin + 999, kStartMs);  // no entry: none is made
  REQUIRE(f.ledger.flush());
  CHECK(f.commandCalls() == std::map<std::string, int64_t>{{"zadd", 2}, {"zrem", 1}});
  for (uint32_t i = 0; i < kSessions; ++i) {
    INFO("session " << i);
    if (i % 2 == 0)
      CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin + i));
    else
      CHECK(f.score(redis::keys::kRetransmitDue, kUin + i) == std::to_string(i < 10 ? kStartMs + 5000 : kStartMs + 10));
    CHECK(f.score(redis::keys::kOnline, kUin + i) == std::to_string(i < 10 ? kStartMs + 60'000 : kStartMs));
  }
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin + 999));
}

TEST_CASE("ledger: a flush that fails keeps its writes, and the next flush sends them", "[redis][ledger]") {
  Fixture f;
  const Bytes body = {'x', 0, 'y'};
  for (uint32_t i = 0; i < 3; ++i) {
    f.ledger.saveUnconfirmed(kUin + i, kEpoch, 4, v5::SRV_SYS_DELIVERED_MESS, 1, body, 5);
    f.ledger.schedule(kUin + i, kStartMs + i);
  }
  f.ledger.saveSeen(kUin, kStartMs + 7, "gw-2");
  f.server.kill();
  CHECK_FALSE(f.ledger.flush());
  CHECK(f.ledger.pending());
  CHECK_FALSE(f.ledger.flush());  // still down: still kept
  CHECK(f.ledger.pending());

  f.server.restart();
  bool flushed = false;
  for (int attempt = 0; attempt < 3 && !flushed; ++attempt) flushed = f.ledger.flush();
  REQUIRE(flushed);
  CHECK_FALSE(f.ledger.pending());
  for (uint32_t i = 0; i < 3; ++i) {
    INFO("session " << i);
    CHECK(f.field(f.rtx(kUin + i), "4.7") == entryOf(v5::SRV_SYS_DELIVERED_MESS, 1, body));
    CHECK(f.field(f.rtx(kUin + i), "n.7") == "5");
    CHECK(f.score(redis::keys::kRetransmitDue, kUin + i) == std::to_string(kStartMs + i));
  }
  CHECK(f.field(f.sess(), "seen") == std::to_string(kStartMs + 7));
  CHECK(f.field(f.sess(), "gw") == "gw-2");
}

TEST_CASE("ledger: its scripts survive SCRIPT FLUSH", "[redis][ledger]") {
  Fixture f;
  REQUIRE(f.command({"SCRIPT", "FLUSH"}).str() == "OK");
  f.create(makeSession(kUin));
  REQUIRE(f.command({"SCRIPT", "FLUSH"}).str() == "OK");
  bool existed = false;
  uint32_t status = 0;
  REQUIRE(f.ledger.remove(kUin, existed, status));
  CHECK(existed);
  REQUIRE(f.command({"SCRIPT", "FLUSH"}).str() == "OK");
  f.command({"ZADD", redis::keys::kOnline, "5", std::to_string(kUin)});
  REQUIRE(f.ledger.unindex(kUin, 5));
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
}

// ---- the end of a session ------------------------------------------------------------------------------

TEST_CASE("ledger: remove deletes the session's keys and index entries and returns its status", "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  f.create(makeSession(kUin + 1));
  f.command({"HSET", f.sess(), "st", "65537"});  // as the presence store left it
  bool existed = false;
  uint32_t status = 0;
  REQUIRE(f.ledger.remove(kUin, existed, status));
  CHECK(existed);
  CHECK(status == 65537);
  CHECK(f.command({"EXISTS", f.sess(), f.rtx(), f.dup()}).integer() == 0);
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin));
  // The other session is untouched.
  CHECK(f.load(kUin + 1));
  CHECK(f.score(redis::keys::kOnline, kUin + 1));
  CHECK(f.score(redis::keys::kRetransmitDue, kUin + 1));

  REQUIRE(f.ledger.remove(kUin, existed, status));
  CHECK_FALSE(existed);
  CHECK(status == 0);
}

TEST_CASE("ledger: remove sends what was queued first, so no queued write brings the keys back",
          "[redis][ledger]") {
  Fixture f;
  f.create(makeSession(kUin));
  const Bytes body = {1};
  f.ledger.saveSeen(kUin, kStartMs + 1, "gw-1");
  f.ledger.saveUnconfirmed(kUin, kEpoch, 1, v5::SRV_SYS_DELIVERED_MESS, 0, body, 2);
  f.ledger.schedule(kUin, kStartMs);
  bool existed = false;
  uint32_t status = 0;
  REQUIRE(f.ledger.remove(kUin, existed, status));
  CHECK(existed);
  REQUIRE(f.ledger.flush());
  CHECK(f.command({"EXISTS", f.sess(), f.rtx(), f.dup()}).integer() == 0);
  CHECK_FALSE(f.score(redis::keys::kRetransmitDue, kUin));
}

// ---- the expiry index ------------------------------------------------------------------------------------

TEST_CASE("ledger: scanOnline visits every indexed UIN in bounded steps", "[redis][ledger]") {
  Fixture f;
  constexpr uint32_t kSessions = 300;  // more than a compact sorted set holds: ZSCAN pages
  std::set<uint32_t> all;
  for (uint32_t i = 0; i < kSessions; ++i) {
    f.command({"ZADD", redis::keys::kOnline, std::to_string(kStartMs + i), std::to_string(kUin + i * 7)});
    all.insert(kUin + i * 7);
  }
  std::set<uint32_t> seen;
  std::vector<uint32_t> step;
  uint64_t cursor = 0;
  size_t steps = 0;
  do {
    REQUIRE(f.ledger.scanOnline(cursor, 50, step));
    REQUIRE(++steps < 1000);
    CHECK(step.size() <= 100);
    seen.insert(step.begin(), step.end());
  } while (cursor != 0);
  CHECK(seen == all);
  CHECK(steps > 1);
}

TEST_CASE("ledger: unindex removes an index entry only while it has the score given", "[redis][ledger]") {
  Fixture f;
  f.command({"ZADD", redis::keys::kOnline, "1000", std::to_string(kUin)});
  REQUIRE(f.ledger.unindex(kUin, 999));  // a login rewrote it since: kept
  CHECK(f.score(redis::keys::kOnline, kUin) == "1000");
  REQUIRE(f.ledger.unindex(kUin, 1000));
  CHECK_FALSE(f.score(redis::keys::kOnline, kUin));
  REQUIRE(f.ledger.unindex(kUin, 1000));  // nothing left: nothing to do
}

}  // namespace icq
