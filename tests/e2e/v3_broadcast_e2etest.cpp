// V3 broadcasts through a cluster (protocol-v3.md §5.16, §9.2): an account the administrator
// allowed to broadcast (admin API PUT /users/{uin}/may-broadcast) reaches every online user
// of both protocols — a V3 user as a type-0x14 message, a V5 user as a type-9 message with
// the fake sender header — and BROADCAST_ALL keeps a copy for those offline; without the
// permission the packet is acknowledged and nobody receives anything.
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/v3_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace icq::test {
namespace {

constexpr const char* kToken = "broadcast-test-token";
constexpr uint32_t kCarol = 100003;  // V3, online
constexpr uint32_t kDave = 100004;   // V3, offline while the broadcasts go out
constexpr const char* kCarolPassword = "carol3";
constexpr const char* kDavePassword = "dave4";
// §9.2: what a V5 user sees before a V3 broadcast's text.
const std::string kV5Header = std::string("ICQ User\xFE\xFE\xFEnone\xFE") + "3";

struct BroadcastCluster {
  BroadcastCluster() : e2e(options()) {
    e2e.cluster.createUser(kCarol, kCarolPassword);
    e2e.cluster.createUser(kDave, kDavePassword);
    waitForApi();
  }
  static ClusterOptions options() {
    ClusterOptions o;
    o.gateways = 2;
    o.workers = 2;
    o.adminToken = kToken;
    return o;
  }

  /// The administrator's answer to setting `uin`'s permission.
  int setMayBroadcast(uint32_t uin, bool may) {
    const HttpReply reply = api("PUT", "/api/v1/users/" + std::to_string(uin) + "/may-broadcast",
                                nlohmann::json{{"may_broadcast", may}}.dump());
    INFO(reply.body);
    return reply.status;
  }
  HttpReply api(const std::string& method, const std::string& target, const std::string& body = "") {
    const std::string headers = std::string("Authorization: Bearer ") + kToken + "\r\nContent-Type: application/json\r\n";
    return httpRequest(e2e.cluster.adminPort("scheduler", 0), method, target, body, headers);
  }
  /// The admin port opens before the API adds its routes: until then every path is a 404.
  void waitForApi() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (api("GET", "/api/v1/status").status != 200 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  E2E e2e;
};

v3::Header sendBroadcast(V3Client& client, uint16_t command, std::string_view text, uint32_t department = 0) {
  std::array<uint8_t, 2100> body{};
  const v3::Broadcast broadcast{department, v3::kMsgText,
                                std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())};
  return client.send(command, std::span(body).first(v3::buildBroadcastBody(broadcast, body)));
}

TEST_CASE("a V3 user allowed to broadcast reaches online V5 and V3 users, and BROADCAST_ALL those offline",
          "[e2e][v3][broadcast]") {
  BroadcastCluster c;
  INFO(c.e2e.cluster.logs());
  REQUIRE(c.setMayBroadcast(kAlice, true) == 200);
  V3Client alice(c.e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.1");
  V5Client bob(c.e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.4.2");
  V3Client carol(c.e2e.cluster.udpPort(1), kCarol, kCarolPassword, "127.0.4.3");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  CHECK(alice.hello().canBroadcast == 1);  // §6.3: the flag is reported at login
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(carol.login() == V3LoginOutcome::accepted);
  CHECK(carol.hello().canBroadcast == 0);

  // BROADCAST_ONLINE: everyone online but the sender, in their own protocol.
  REQUIRE(alice.expectAckOf(sendBroadcast(alice, v3::CMD_BROADCAST_ONLINE, "live only")));
  auto atBob = expectV5Messages(bob, 1);
  REQUIRE(atBob.size() == 1);
  CHECK(atBob[0].from == kAlice);
  CHECK(atBob[0].type == v3::kMsgSystem);
  CHECK(atBob[0].text == kV5Header + "live only");
  auto atCarol = carol.expectMessage();
  REQUIRE(atCarol);
  CHECK(atCarol->from == kAlice);
  CHECK(atCarol->type == v3::kMsgBroadcast);
  CHECK(atCarol->text == "live only");
  CHECK_FALSE(alice.expectMessage(std::chrono::milliseconds(500)));

  // BROADCAST_ALL: the same live, and a copy kept for Dave, who is offline; the type the
  // client names is ignored (always 0x14).
  REQUIRE(alice.expectAckOf(sendBroadcast(alice, v3::CMD_BROADCAST_ALL, "to everybody")));
  atBob = expectV5Messages(bob, 1);
  REQUIRE(atBob.size() == 1);
  CHECK(atBob[0].text == kV5Header + "to everybody");
  atCarol = carol.expectMessage();
  REQUIRE(atCarol);
  CHECK(atCarol->text == "to everybody");
  auto carolOffline = carol.fetchOfflineMessages();  // got it live: no copy kept
  REQUIRE(carolOffline);
  CHECK(carolOffline->empty());

  V3Client dave(c.e2e.cluster.udpPort(0), kDave, kDavePassword, "127.0.4.4");
  REQUIRE(dave.login() == V3LoginOutcome::accepted);
  auto daveOffline = dave.fetchOfflineMessages();
  REQUIRE(daveOffline);
  REQUIRE(daveOffline->size() == 1);  // not the BROADCAST_ONLINE one
  CHECK(daveOffline->front().from == kAlice);
  CHECK(daveOffline->front().type == v3::kMsgBroadcast);
  CHECK(daveOffline->front().text == "to everybody");
  auto aliceOffline = alice.fetchOfflineMessages();  // the sender gets no copy
  REQUIRE(aliceOffline);
  CHECK(aliceOffline->empty());
}

TEST_CASE("a V3 broadcast without the permission is acknowledged and reaches nobody", "[e2e][v3][broadcast]") {
  BroadcastCluster c;
  INFO(c.e2e.cluster.logs());
  // Granted, then withdrawn: what counts is the account's flag when the broadcast comes.
  REQUIRE(c.setMayBroadcast(kAlice, true) == 200);
  REQUIRE(c.setMayBroadcast(kAlice, false) == 200);
  CHECK(c.setMayBroadcast(424242, true) == 404);
  V3Client alice(c.e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.5");
  V5Client bob(c.e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.4.6");
  V3Client carol(c.e2e.cluster.udpPort(0), kCarol, kCarolPassword, "127.0.4.7");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  CHECK(alice.hello().canBroadcast == 0);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(carol.login() == V3LoginOutcome::accepted);

  REQUIRE(alice.expectAckOf(sendBroadcast(alice, v3::CMD_BROADCAST_ONLINE, "not allowed")));
  REQUIRE(alice.expectAckOf(sendBroadcast(alice, v3::CMD_BROADCAST_ALL, "not allowed either")));
  CHECK_FALSE(bob.expect(v5::SRV_SYS_DELIVERED_MESS, std::chrono::milliseconds(1500)));
  CHECK_FALSE(carol.expectMessage(std::chrono::milliseconds(500)));
  V3Client dave(c.e2e.cluster.udpPort(1), kDave, kDavePassword, "127.0.4.8");
  REQUIRE(dave.login() == V3LoginOutcome::accepted);
  auto daveOffline = dave.fetchOfflineMessages();
  REQUIRE(daveOffline);
  CHECK(daveOffline->empty());
}

}  // namespace
}  // namespace icq::test
