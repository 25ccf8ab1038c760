// V3 messages through the cluster (protocol-v3.md §4.2, §5.11–§5.14, §6.13–§6.15): live
// delivery between V3 users, a text longer than the MTU sent as server FRAGMENT pieces that
// share one seq2, offline messages fetched on request and deleted up to the confirmed time
// (a message stored later survives), type conversion, and over-long texts refused.
#include <thread>

#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

TEST_CASE("a V3 message to an online V3 user arrives as SYSMSG_ONLINE with the sender's seq2",
          "[e2e][v3][message]") {
  E2E e2e({.gateways = 2, .workers = 2});
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.1");
  V3Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.6.2");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == V3LoginOutcome::accepted);
  const v3::Header sent = alice.sendMessage(kBob, v3::kMsgUrl, "a page\xFEhttp://example.org");
  REQUIRE(alice.expectAckOf(sent));
  auto packet = bob.expect(v3::SRV_SYSMSG_ONLINE);
  REQUIRE(packet);
  CHECK(packet->header.seq2 == sent.seq2);
  CHECK(packet->fromPort == e2e.cluster.udpPort(1));
  v3::DeliveredMessage message;
  REQUIRE(v3::parseOnlineMessage(packet->body, message) == v3::ParseError::none);
  CHECK(message.from == kAlice);
  CHECK(message.type == v3::kMsgUrl);
  CHECK(std::string(message.text.begin(), message.text.end()) == "a page\xFEhttp://example.org");
}

TEST_CASE("a V3 message longer than the MTU reaches a V3 user as FRAGMENT pieces of one seq2",
          "[e2e][v3][message][fragment]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.3");
  V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.6.4");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == V3LoginOutcome::accepted);
  const std::string text = numberedText(2025);  // v3.max_msgsize: five fragments (§6.13)
  alice.sendLongMessage(kBob, v3::kMsgText, text);

  std::vector<V3ServerPacket> fragments;
  for (int i = 0; i < 5; ++i) {
    auto raw = bob.receive(std::chrono::milliseconds(3000));
    REQUIRE(raw);
    REQUIRE(raw->header.command == v3::SRV_FRAGMENT);
    CHECK(raw->raw.size() <= 500);
    fragments.push_back(*raw);
    bob.acknowledge(raw->header);
  }
  for (const V3ServerPacket& f : fragments) CHECK(f.header.seq2 == fragments[0].header.seq2);
  for (size_t i = 1; i < fragments.size(); ++i)
    CHECK(fragments[i].header.seq1 == static_cast<uint16_t>(fragments[i - 1].header.seq1 + 1));
  // The test client puts them together as Miranda does.
  std::vector<v3::FragmentPiece> pieces;
  for (const V3ServerPacket& f : fragments) {
    v3::FragmentPiece piece;
    REQUIRE(v3::parseFragment(f.body, piece) == v3::ParseError::none);
    pieces.push_back(piece);
  }
  std::vector<uint8_t> inner(v3::kMaxReassembled);
  const v3::Assembly assembly = v3::assembleFragments(pieces, kBob, inner);
  REQUIRE(assembly.status == v3::AssemblyStatus::complete);
  CHECK(assembly.order == v3::FragmentOrder::index_count);
  v3::Packet packet;
  REQUIRE(v3::decodePacket(std::span(inner).first(assembly.length), packet) == v3::DecodeError::none);
  CHECK(packet.header.command == v3::SRV_SYSMSG_ONLINE);
  v3::DeliveredMessage message;
  REQUIRE(v3::parseOnlineMessage(packet.body, message) == v3::ParseError::none);
  CHECK(std::string(message.text.begin(), message.text.end()) == text);
}

TEST_CASE("V3 offline messages come on request and go only up to the confirmed time", "[e2e][v3][message][offline]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.5");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgText, "first")));
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgText, numberedText(1500))));

  V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.6.6");
  REQUIRE(bob.login() == V3LoginOutcome::accepted);
  CHECK(bob.silentFor(std::chrono::milliseconds(500)));  // not pushed (§5.2)
  auto offline = bob.fetchOfflineMessages();
  REQUIRE(offline);
  REQUIRE(offline->size() == 2);
  CHECK(offline->at(0).text == "first");
  CHECK(offline->at(1).text == numberedText(1500));
  CHECK(offline->at(1).reassembled);  // longer than the MTU: fragments
  CHECK(offline->at(0).from == kAlice);
  const int64_t now = std::time(nullptr);
  CHECK(std::abs(int64_t{offline->at(0).sentAt} - now) < 30);  // true UTC seconds (§7.4)

  // Confirmed (fetchOfflineMessages sent SYSMSG_DONE_ACK): nothing left.
  auto again = bob.fetchOfflineMessages();
  REQUIRE(again);
  CHECK(again->empty());
}

TEST_CASE("a V3 message over v3.max_msgsize is refused with NOT_CONNECTED and not delivered",
          "[e2e][v3][message]") {
  E2E e2e({.settings = {"v3.max_msgsize=100"}});
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.7");
  V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.6.8");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == V3LoginOutcome::accepted);
  alice.sendMessage(kBob, v3::kMsgText, std::string(101, 'x'));
  CHECK(alice.expect(v3::SRV_NOT_CONNECTED));
  CHECK_FALSE(bob.expectMessage(std::chrono::milliseconds(500)));
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgText, std::string(100, 'y'))));
  CHECK(bob.expectMessage());
}

}  // namespace
}  // namespace icq::test

namespace icq::test {

TEST_CASE("V3 AUTHORIZE is delivered as an ordinary message - BROADCAST_REQ is answered with BROADCAST_DONE",
          "[e2e][v3][message]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.9");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.6.10");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  // Miranda's "grant authorization": type 8, empty text (§5.12).
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgAuthGranted, "", v3::CMD_AUTHORIZE)));
  auto granted = expectV5Messages(bob, 1);
  REQUIRE(granted.size() == 1);
  CHECK(granted[0].from == kAlice);
  CHECK(granted[0].type == v3::kMsgAuthGranted);
  CHECK(granted[0].text.empty());

  std::array<uint8_t, 8> body{};
  const v3::Header request = alice.send(v3::CMD_BROADCAST_REQ, std::span(body).first(v3::buildBroadcastReqBody(0, body)));
  REQUIRE(alice.expectAckOf(request));
  auto done = alice.expect(v3::SRV_BROADCAST_DONE);
  REQUIRE(done);
  CHECK(done->header.seq2 == request.seq2);
  CHECK(done->body.empty());
}

}  // namespace icq::test
