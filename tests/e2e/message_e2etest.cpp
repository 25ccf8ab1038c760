// Messages through the cluster: online delivery and splitting, offline storage, delivery once
// per session and deletion of the delivered batch, retransmissions, drops, restarts
// (protocol-v5.md §5.2, §6.8–§6.10, §8.11, §8.12, D21, D22, D33, D40, D45).
#include <algorithm>
#include <ctime>
#include <memory>

#include "common/codec/v5/message.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/message_store_impl.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kNobody = 999999;
constexpr uint16_t kNeverSent = 0xFFFF;  // receiveUntil(kNeverSent, t): whatever arrives within t
const std::array<uint8_t, 4> kRandom{0x11, 0x22, 0x33, 0x44};

struct Message {
  uint32_t from = 0;
  uint16_t type = 0;
  std::string text;
  v5::MessageTime time{};
  uint16_t seq1 = 0, seq2 = 0;
};

Message parsed(const ServerPacket& p) {
  v5::ReceivedMessage m;
  const bool offline = p.header.command == v5::SRV_RECV_MESSAGE;
  INFO("command " << p.header.command);
  REQUIRE((offline ? v5::parseOfflineMessageBody(p.data, m) : v5::parseOnlineMessageBody(p.data, m)));
  return {m.from, m.type, std::string(m.text.begin(), m.text.end()), m.time, p.header.seq1, p.header.seq2};
}

std::vector<Message> messagesIn(const std::vector<ServerPacket>& packets, uint16_t command) {
  std::vector<Message> out;
  for (const ServerPacket& p : packets)
    if (p.header.command == command) out.push_back(parsed(p));
  return out;
}

size_t countOf(const std::vector<ServerPacket>& packets, uint16_t command) {
  return static_cast<size_t>(std::count_if(packets.begin(), packets.end(),
                                           [&](const ServerPacket& p) { return p.header.command == command; }));
}

std::vector<uint8_t> messageBody(uint32_t to, uint16_t type, std::string_view text) {
  std::vector<uint8_t> body(8 + text.size() + 1);
  body.resize(v5::buildSendMessageData(to, type, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, body));
  return body;
}

/// Sends a message and waits for its SRV_ACK, which comes once it is queued or stored.
void sendAcknowledged(V5Client& client, uint32_t to, std::string_view text, uint16_t type = v5::kMsgText) {
  const auto sent = client.sendMessage(to, type, text);
  REQUIRE(client.expectAckOf(sent));
}

/// CMD_LOGIN_1, then everything up to SRV_END_OFFLINE_MESSAGES (§5.2, §6.9).
std::vector<ServerPacket> loginOne(V5Client& client) {
  client.send(v5::CMD_LOGIN_1, kRandom);
  auto packets = client.receiveUntil(v5::SRV_END_OFFLINE_MESSAGES);
  REQUIRE(!packets.empty());
  REQUIRE(packets.back().header.command == v5::SRV_END_OFFLINE_MESSAGES);
  CHECK(packets.back().data.empty());
  return packets;
}

/// CMD_ACK_MESSAGES; its SRV_ACK comes once the batch is deleted (§6.8).
void ackMessages(V5Client& client) {
  const auto sent = client.send(v5::CMD_ACK_MESSAGES, kRandom);
  REQUIRE(client.expectAckOf(sent));
}

void sendContactList(V5Client& client, std::vector<uint32_t> uins) {
  std::array<uint8_t, 1100> body{};
  client.send(v5::CMD_CONTACT_LIST, std::span(body).first(v5::buildUinListData(uins, body)));
}

int64_t unixTimeOf(const v5::MessageTime& t) {
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.minute;
  return ::timegm(&tm);
}

int64_t storedMessages(PgDatabase& database) {
  pqxx::connection connection(database.url());
  pqxx::nontransaction tx(connection);
  return tx.exec1("SELECT count(*) FROM offline_messages")[0].as<int64_t>();
}

}  // namespace

TEST_CASE("a message to an online user arrives as SRV_SYS_DELIVERED_MESS", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  const std::string text =
      "Hi Bob!\r\nfields\xFE"
      "and \xE4\xF6\xFC bytes";
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, text);
  auto ack = alice.expectAckOf(sent);
  INFO(e2e.cluster.logs());
  REQUIRE(ack);
  CHECK(ack->header.uin == kAlice);
  CHECK(ack->header.sessionId == alice.sessionId());

  auto delivered = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(delivered);
  CHECK(delivered->checkcodeValid);
  CHECK(delivered->header.uin == kBob);
  CHECK(delivered->header.sessionId == bob.sessionId());
  const Message m = parsed(*delivered);
  CHECK(m.from == kAlice);
  CHECK(m.type == v5::kMsgText);
  CHECK(m.text == text);
  CHECK(m.seq2 == 0);  // a notification (§4.2)

  // Types pass through unchanged, flags and unknown types included (§9.1).
  sendAcknowledged(alice, kBob, "to many", v5::kMsgUrl | v5::kMsgMultipleRecipients);
  auto flagged = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(flagged);
  CHECK(parsed(*flagged).type == (v5::kMsgUrl | v5::kMsgMultipleRecipients));
  sendAcknowledged(alice, kBob, "odd", 0x0077);
  auto unknown = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(unknown);
  CHECK(parsed(*unknown).type == 0x0077);
}

TEST_CASE("an offline message is delivered at the next login, once, and deleted when acknowledged",
          "[e2e][message][offline]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  const std::string text =
      "call me\xFE"
      "back";
  sendAcknowledged(alice, kBob, text, v5::kMsgUrl);
  CHECK(storedMessages(e2e.database) == 1);

  REQUIRE(bob.login() == LoginOutcome::accepted);
  const auto batch = loginOne(bob);
  INFO(e2e.cluster.logs());
  REQUIRE(batch.size() == 2);
  REQUIRE(batch[0].header.command == v5::SRV_RECV_MESSAGE);
  CHECK(batch[0].header.sessionId == bob.sessionId());
  const Message m = parsed(batch[0]);
  CHECK(m.from == kAlice);
  CHECK(m.type == v5::kMsgUrl);
  CHECK(m.text == text);
  CHECK(m.seq2 == 0);
  // UTC, to the minute (§8.12).
  const int64_t now = ::time(nullptr);
  CHECK(unixTimeOf(m.time) <= now);
  CHECK(unixTimeOf(m.time) > now - 90);

  ackMessages(bob);
  CHECK(storedMessages(e2e.database) == 0);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  // SRV_END_OFFLINE_MESSAGES alone (besides the SRV_GO_AWAY to the replaced session, §4.7).
  CHECK(messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE).empty());
}

TEST_CASE("a message stored after the batch was read survives CMD_ACK_MESSAGES", "[e2e][message][offline]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  sendAcknowledged(alice, kBob, "before");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  auto batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].text == "before");

  // As stored by a worker that found Bob offline a moment before his login.
  pg::PgConnection connection(e2e.database.url());
  pg::PgMessageStore messages(connection);
  const std::string late = "meanwhile";
  bool stored = false;
  REQUIRE(messages.storeOffline(kAlice, kBob, v5::kMsgText,
                                {reinterpret_cast<const uint8_t*>(late.data()), late.size()}, ::time(nullptr) * 1000,
                                stored));
  REQUIRE(stored);

  ackMessages(bob);
  CHECK(storedMessages(e2e.database) == 1);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].text == "meanwhile");
}

TEST_CASE("offline messages come once per session, whether CMD_LOGIN_1 or a contact list asks",
          "[e2e][message][offline]") {
  E2E e2e({.workers = 2});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  sendAcknowledged(alice, kBob, "only once");
  REQUIRE(alice.logoff() == v5::SRV_ACK);

  SECTION("CMD_LOGIN_1 and two contact-list packets") {
    REQUIRE(bob.login() == LoginOutcome::accepted);
    bob.send(v5::CMD_LOGIN_1, kRandom);
    sendContactList(bob, {kAlice});
    sendContactList(bob, {kNobody});
  }
  SECTION("a contact list without CMD_LOGIN_1, then a late CMD_LOGIN_1") {
    REQUIRE(bob.login() == LoginOutcome::accepted);
    sendContactList(bob, {kAlice});
    sendContactList(bob, {kNobody});
    bob.send(v5::CMD_LOGIN_1, kRandom);
  }
  std::vector<ServerPacket> packets;
  auto collect = [&](uint16_t command) {
    auto more = bob.receiveUntil(command, std::chrono::milliseconds(3000));
    packets.insert(packets.end(), more.begin(), more.end());
    return !more.empty();
  };
  collect(v5::SRV_END_OFFLINE_MESSAGES);
  while (countOf(packets, v5::SRV_USER_LIST_DONE) < 2 && collect(v5::SRV_USER_LIST_DONE)) {
  }
  collect(kNeverSent);  // a second batch would arrive within this window
  INFO(e2e.cluster.logs());
  CHECK(countOf(packets, v5::SRV_USER_LIST_DONE) == 2);
  CHECK(countOf(packets, v5::SRV_END_OFFLINE_MESSAGES) == 1);
  const auto batch = messagesIn(packets, v5::SRV_RECV_MESSAGE);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].text == "only once");
}

TEST_CASE("offline messages come oldest first, split like online ones, at most v5.max_offline_batch per login",
          "[e2e][message][offline]") {
  E2E e2e({.settings = {"v5.max_offline_batch=2"}});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  std::string longText;
  for (int i = 0; i < 500; ++i) longText += static_cast<char>('a' + i % 26);
  sendAcknowledged(alice, kBob, "first");
  sendAcknowledged(alice, kBob, longText);
  sendAcknowledged(alice, kBob, "third");

  REQUIRE(bob.login() == LoginOutcome::accepted);
  auto batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  INFO(e2e.cluster.logs());
  REQUIRE(batch.size() == 3);
  CHECK(batch[0].text == "first");
  CHECK(batch[1].text == longText.substr(450));  // backward: the last piece first (D45)
  CHECK(batch[2].text == longText.substr(0, 450));
  CHECK(unixTimeOf(batch[1].time) == unixTimeOf(batch[2].time));
  CHECK(batch[0].seq1 < batch[1].seq1);
  CHECK(batch[1].seq1 < batch[2].seq1);

  ackMessages(bob);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].text == "third");
}

TEST_CASE("a retransmitted CMD_SEND_MESSAGE is acknowledged again and delivered once", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  auto body = messageBody(kBob, v5::kMsgText, "online once");
  auto sent = alice.send(v5::CMD_SEND_MESSAGE, body);
  REQUIRE(alice.expectAckOf(sent));
  alice.resend(sent, body);  // the ACK was "lost": same header, fresh checkcode (§4.1)
  REQUIRE(alice.expectAckOf(sent));
  auto received = bob.receiveUntil(kNeverSent, std::chrono::milliseconds(1000));
  INFO(e2e.cluster.logs());
  REQUIRE(countOf(received, v5::SRV_SYS_DELIVERED_MESS) == 1);
  CHECK(messagesIn(received, v5::SRV_SYS_DELIVERED_MESS)[0].text == "online once");

  REQUIRE(bob.logoff() == v5::SRV_ACK);
  body = messageBody(kBob, v5::kMsgText, "stored once");
  sent = alice.send(v5::CMD_SEND_MESSAGE, body);
  REQUIRE(alice.expectAckOf(sent));
  alice.resend(sent, body);
  REQUIRE(alice.expectAckOf(sent));
  CHECK(storedMessages(e2e.database) == 1);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  const auto batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].text == "stored once");
}

TEST_CASE("a message to a UIN that does not exist is acknowledged and dropped", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  sendAcknowledged(alice, kNobody, "hello?");
  const auto sent = alice.sendMessage(kNobody, v5::kMsgText, "anyone?", v5::CMD_MSG_TO_NEW_USER);
  REQUIRE(alice.expectAckOf(sent));
  CHECK(storedMessages(e2e.database) == 0);  // D40
  CHECK(alice.keepAlive());
}

TEST_CASE("a long message reaches an online user in pieces of at most 450 bytes, last piece first", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  std::string text;
  for (int i = 0; i < 509; ++i) text += static_cast<char>('A' + i % 26);  // LEN 510: the most accepted
  sendAcknowledged(alice, kBob, text);
  auto first = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  auto second = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  INFO(e2e.cluster.logs());
  REQUIRE(first);
  REQUIRE(second);
  std::vector<Message> pieces{parsed(*first), parsed(*second)};
  std::sort(pieces.begin(), pieces.end(), [](const Message& a, const Message& b) { return a.seq1 < b.seq1; });
  CHECK(pieces[0].text == text.substr(450));  // 59 bytes, sent first
  CHECK(pieces[1].text == text.substr(0, 450));
  CHECK(pieces[0].from == kAlice);
  CHECK(pieces[1].from == kAlice);

  // A client that ignores the limit: acknowledged, dropped (D33).
  sendAcknowledged(alice, kBob, std::string(1000, 'x'));
  CHECK(countOf(bob.receiveUntil(kNeverSent, std::chrono::milliseconds(500)), v5::SRV_SYS_DELIVERED_MESS) == 0);
  CHECK(storedMessages(e2e.database) == 0);
}

TEST_CASE("split order and chunk size follow v5.split_order and v5.max_msg_chunk", "[e2e][message]") {
  E2E e2e({.settings = {"v5.split_order=forward", "v5.max_msg_chunk=100"}});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::string text;
  for (int i = 0; i < 250; ++i) text += static_cast<char>('a' + i % 26);
  sendAcknowledged(alice, kBob, text);
  std::vector<Message> pieces;
  for (int i = 0; i < 3; ++i) {
    auto piece = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
    REQUIRE(piece);
    pieces.push_back(parsed(*piece));
  }
  std::sort(pieces.begin(), pieces.end(), [](const Message& a, const Message& b) { return a.seq1 < b.seq1; });
  CHECK(pieces[0].text == text.substr(0, 100));
  CHECK(pieces[1].text == text.substr(100, 100));
  CHECK(pieces[2].text == text.substr(200));
}

TEST_CASE("users on different gateways message each other", "[e2e][message]") {
  E2E e2e({.gateways = 2, .workers = 2});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  sendAcknowledged(alice, kBob, "over there");
  auto atBob = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  INFO(e2e.cluster.logs());
  REQUIRE(atBob);
  CHECK(atBob->fromPort == e2e.cluster.udpPort(1));  // through Bob's own gateway
  CHECK(parsed(*atBob).text == "over there");

  sendAcknowledged(bob, kAlice, "right back");
  auto atAlice = alice.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(atAlice);
  CHECK(atAlice->fromPort == e2e.cluster.udpPort(0));
  CHECK(parsed(*atAlice).from == kBob);
  CHECK(parsed(*atAlice).text == "right back");
}

TEST_CASE("offline messages survive a restart of every process, Redis included", "[e2e][message][offline]") {
  RedisServer redis;
  PgDatabase database;
  createTestUser(database, kAlice, kAlicePassword);
  createTestUser(database, kBob, kBobPassword);
  auto cluster = std::make_unique<Cluster>(redis, database, ClusterOptions{});
  REQUIRE(cluster->waitUntilServing());
  {
    V5Client alice(cluster->udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
    REQUIRE(alice.login() == LoginOutcome::accepted);
    sendAcknowledged(alice, kBob, "still here?");
  }
  cluster.reset();  // every gateway, worker and scheduler stopped
  redis.restart();  // and the live state gone: only PostgreSQL remembers
  cluster = std::make_unique<Cluster>(redis, database, ClusterOptions{});
  REQUIRE(cluster->waitUntilServing());

  V5Client bob(cluster->udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  const auto batch = messagesIn(loginOne(bob), v5::SRV_RECV_MESSAGE);
  INFO(cluster->logs());
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].from == kAlice);
  CHECK(batch[0].text == "still here?");
}

TEST_CASE("malformed message bodies are acknowledged and dropped", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  const auto whole = messageBody(kBob, v5::kMsgText, "0123456789");
  std::vector<std::vector<uint8_t>> bodies = {
      {},                                                        // nothing at all
      {0x02, 0x87, 0x01},                                        // part of the UIN
      std::vector<uint8_t>(whole.begin(), whole.begin() + 7),    // LEN cut in half
      std::vector<uint8_t>(whole.begin(), whole.end() - 4),      // LEN past the data
      {0x02, 0x87, 0x01, 0x00, 0x01, 0x00, 0xFF, 0xFF, 'x', 0},  // LEN 65535
  };
  for (uint16_t command : {v5::CMD_SEND_MESSAGE, v5::CMD_MSG_TO_NEW_USER}) {
    for (const auto& body : bodies) {
      const auto sent = alice.send(command, body);
      INFO("command " << command << ", " << body.size() << " bytes");
      REQUIRE(alice.expectAckOf(sent));
    }
  }
  CHECK(countOf(bob.receiveUntil(kNeverSent, std::chrono::milliseconds(500)), v5::SRV_SYS_DELIVERED_MESS) == 0);
  CHECK(storedMessages(e2e.database) == 0);

  INFO(e2e.cluster.logs());
  CHECK(e2e.cluster.worker(0).alive());
  CHECK(e2e.cluster.gateway(0).alive());
  sendAcknowledged(alice, kBob, "still fine");
  auto delivered = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(delivered);
  CHECK(parsed(*delivered).text == "still fine");
}

TEST_CASE("an empty \"you were added\" message is filled in with the sender's details", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  const auto sent = alice.sendMessage(kBob, v5::kMsgAdded, "", v5::CMD_MSG_TO_NEW_USER);
  REQUIRE(alice.expectAckOf(sent));
  auto added = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  INFO(e2e.cluster.logs());
  REQUIRE(added);
  const Message m = parsed(*added);
  CHECK(m.type == v5::kMsgAdded);
  // nick FE first FE last FE email FE 1 (§6.10 step 7); the test account has only a nick.
  CHECK(m.text ==
        "user100001\xFE\xFE\xFE\xFE"
        "1");

  sendAcknowledged(alice, kBob,
                   "nick\xFE"
                   "first",
                   v5::kMsgAdded);  // not empty: relayed as sent
  auto relayed = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(relayed);
  CHECK(parsed(*relayed).text ==
        "nick\xFE"
        "first");
}

TEST_CASE("an invisible user's messages are delivered normally", "[e2e][message]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> status{};
  v5::buildStatusData(v5::kStatusInvisible, status);
  const auto sent = alice.send(v5::CMD_STATUS_CHANGE, status);
  REQUIRE(alice.expectAckOf(sent));

  sendAcknowledged(alice, kBob, "boo");  // §10.9
  auto delivered = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(delivered);
  CHECK(parsed(*delivered).from == kAlice);
  CHECK(parsed(*delivered).text == "boo");
}

}  // namespace icq::test
