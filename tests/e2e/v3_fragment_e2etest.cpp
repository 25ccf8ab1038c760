// V3 fragments through the cluster (protocol-v3.md §4): a client's long message cut into
// FRAGMENT 0x05D2 pieces arrives out of order, through different gateways and workers, in
// either byte order, and is executed once as the packet it carries; the recipient gets it as
// server fragments (0x0366, one seq2) it reassembles; a set abandoned half-way is removed by the
// scheduler's fragment_cleanup job (§4.5, §4.6).
#include <thread>

#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

using namespace std::chrono_literals;

// A cluster with Alice and Bob logged in over V3, from 127.0.4.`host` and the next address;
// Bob (on gateway `bobGateway`) is the recipient of everything Alice sends.
struct TwoUsers {
  explicit TwoUsers(uint8_t host, ClusterOptions options = {}, size_t bobGateway = 0)
      : e2e(std::move(options)),
        alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4." + std::to_string(host)),
        bob(e2e.cluster.udpPort(bobGateway), kBob, kBobPassword, "127.0.4." + std::to_string(host + 1)) {
    INFO(e2e.cluster.logs());
    REQUIRE(alice.login() == V3LoginOutcome::accepted);
    REQUIRE(bob.login() == V3LoginOutcome::accepted);
  }

  // Alice's THRU_SERVER to Bob carrying `text` (§5.11), cut into fragments (not sent).
  V3Client::Fragments fragmentsOf(const std::string& text, size_t mtu = v3::kDefaultMtu,
                                  v3::FragmentOrder order = v3::FragmentOrder::index_count, bool oneBased = false) {
    std::vector<uint8_t> body(16 + text.size());
    const v3::ThruServer message{kBob, v3::kMsgText, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}};
    body.resize(v3::buildThruServerBody(message, body));
    return alice.fragmentDatagrams(v3::CMD_THRU_SERVER, body, mtu, order, oneBased);
  }

  E2E e2e;
  V3Client alice, bob;
};

// Sends fragment `i` of `fragments` and checks that its own ACK comes back (§4.6: each fragment
// is acknowledged on arrival).
void sendFragment(V3Client& client, const V3Client::Fragments& fragments, size_t i) {
  client.sendRaw(fragments.datagrams[i]);
  INFO("fragment " << i);
  REQUIRE(client.expectAckOf(fragments.headers[i], 3000ms));
}

}  // namespace

TEST_CASE("a long V3 message in client fragments out of order reaches a V3 user in server fragments",
          "[e2e][v3][fragment]") {
  TwoUsers users(1);
  auto& [e2e, alice, bob] = users;
  INFO(e2e.cluster.logs());

  const std::string text = numberedText(v3::kMaxMessageLength);
  const auto fragments = users.fragmentsOf(text);
  REQUIRE(fragments.datagrams.size() == 5);
  for (size_t i : {4, 2, 0, 3, 1}) sendFragment(alice, fragments, i);
  // The assembled packet is acknowledged like any other, with its own seq1/seq2 (§4.3).
  CHECK(alice.expectAckOf(fragments.inner, 3000ms));

  auto message = bob.expectMessage(3000ms);
  REQUIRE(message);
  CHECK(message->from == kAlice);
  CHECK(message->type == v3::kMsgText);
  CHECK(message->text == text);
  CHECK(message->reassembled);  // 2050 bytes > the 500-byte MTU: sent as server fragments
  CHECK(bob.silentFor(500ms));  // once
}

TEST_CASE("client fragments through two gateways and three workers assemble in either byte order",
          "[e2e][v3][fragment]") {
  TwoUsers users(3, {.gateways = 2, .workers = 3}, 1);
  auto& [e2e, alice, bob] = users;
  INFO(e2e.cluster.logs());

  struct Variant {
    v3::FragmentOrder order;
    bool oneBased;
  };
  const Variant variants[] = {{v3::FragmentOrder::index_count, false},
                              {v3::FragmentOrder::count_index, false},
                              {v3::FragmentOrder::index_count, true},
                              {v3::FragmentOrder::count_index, true}};
  for (const Variant& variant : variants) {
    INFO("count first " << (variant.order == v3::FragmentOrder::count_index) << ", one-based " << variant.oneBased);
    const std::string text = numberedText(1500) + std::to_string(static_cast<int>(variant.order)) +
                             std::to_string(variant.oneBased);
    const auto fragments =
        users.fragmentsOf(text, 400, variant.order, variant.oneBased);
    REQUIRE(fragments.datagrams.size() == 4);
    // Alternate the gateways (the same socket: the session's endpoint does not change), last first.
    for (size_t k = fragments.datagrams.size(); k-- > 0;) {
      alice.setServerPort(e2e.cluster.udpPort(k % 2));
      sendFragment(alice, fragments, k);
    }
    alice.setServerPort(e2e.cluster.udpPort(0));
    auto message = bob.expectMessage(3000ms);
    REQUIRE(message);
    CHECK(message->text == text);
  }
  CHECK(bob.silentFor(500ms));
}

TEST_CASE("a retransmitted fragment is acknowledged again and the message delivered once", "[e2e][v3][fragment]") {
  TwoUsers users(5);
  auto& [e2e, alice, bob] = users;
  INFO(e2e.cluster.logs());

  const std::string text = numberedText(900);
  const auto fragments = users.fragmentsOf(text);
  REQUIRE(fragments.datagrams.size() == 2);
  sendFragment(alice, fragments, 0);
  sendFragment(alice, fragments, 0);  // its ACK was "lost": the client sends it again
  sendFragment(alice, fragments, 1);
  auto message = bob.expectMessage(3000ms);
  REQUIRE(message);
  CHECK(message->text == text);
  sendFragment(alice, fragments, 1);  // a late copy after the packet was assembled
  CHECK_FALSE(bob.expectMessage(1000ms));
}

TEST_CASE("a fragment set abandoned half-way is removed by fragment_cleanup", "[e2e][v3][fragment][slow]") {
  TwoUsers users(7, {.settings = {"v3.fragment_max_age_s=10", "scheduler.fragment_cleanup_interval_s=1"}});
  auto& [e2e, alice, bob] = users;
  INFO(e2e.cluster.logs());

  const std::string text = numberedText(900);
  const auto fragments = users.fragmentsOf(text);
  REQUIRE(fragments.datagrams.size() == 2);
  sendFragment(alice, fragments, 0);
  // Past the age limit plus a sweep, with the session kept alive meanwhile.
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(2s);
    REQUIRE(alice.ping());
    REQUIRE(bob.ping());
  }
  // The second half alone is not a packet: the first half is gone.
  sendFragment(alice, fragments, 1);
  CHECK_FALSE(bob.expectMessage(1500ms));
  // A fresh copy of the first half (a new seq1: not a duplicate) completes the set again.
  auto resent = fragments;
  resent.headers[0].seq1 = static_cast<uint16_t>(fragments.headers.back().seq1 + 100);
  codec::v3::stampSeq1(resent.datagrams[0], resent.headers[0].seq1);
  sendFragment(alice, resent, 0);
  auto message = bob.expectMessage(3000ms);
  REQUIRE(message);
  CHECK(message->text == text);
}

TEST_CASE("a fragment set left over from a session does not complete in the next one", "[e2e][v3][fragment]") {
  TwoUsers users(9);
  auto& [e2e, alice, bob] = users;
  INFO(e2e.cluster.logs());

  const std::string text = numberedText(900);
  const auto fragments = users.fragmentsOf(text);
  sendFragment(alice, fragments, 0);
  // The session ends and a new one begins, as Miranda does it: LOGOFF, then LOGON (a LOGON
  // alone with seq1 1 from the same endpoint would be a retransmission of the live session's,
  // §3.7). Both ends of a session delete the user's fragments (§4.5). The new session's numbers
  // restart, so the second half goes out with the old group key and a seq1 far from the old ones.
  alice.logoff();
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  auto secondHalf = fragments.datagrams[1];
  const v3::Header next = alice.send(v3::CMD_PING, {}, 0);  // take a fresh seq1
  REQUIRE(alice.expectAckOf(next));
  v3::Header header = fragments.headers[1];
  header.seq1 = static_cast<uint16_t>(next.seq1 + 1000);  // far from every seq1 of the old session
  codec::v3::stampSeq1(secondHalf, header.seq1);
  alice.sendRaw(secondHalf);
  REQUIRE(alice.expectAckOf(header, 3000ms));
  CHECK_FALSE(bob.expectMessage(1500ms));
  // The second half was stored: a fresh copy of the first completes the set.
  auto firstHalf = fragments.datagrams[0];
  header = fragments.headers[0];
  header.seq1 = static_cast<uint16_t>(next.seq1 + 2000);
  codec::v3::stampSeq1(firstHalf, header.seq1);
  alice.sendRaw(firstHalf);
  REQUIRE(alice.expectAckOf(header, 3000ms));
  auto message = bob.expectMessage(3000ms);
  REQUIRE(message);
  CHECK(message->text == text);
}

}  // namespace icq::test
