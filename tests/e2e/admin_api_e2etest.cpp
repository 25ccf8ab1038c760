// The admin API and icqctl against a running cluster: every operation from both front ends,
// what a logged-in V5 client sees of it (SRV_GO_AWAY, the broadcast, the pager message,
// watchers told), and every kind of bad input and refused authentication
// (docs/admin-api.yaml, tools/README.md).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/codec/v5/message.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/event_stream.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/event_checks.hpp"
#include "tests/support/http_client.hpp"
#include "tools/v3client/v3_client.hpp"

namespace icq::test {
namespace {

using nlohmann::json;
constexpr const char* kToken = "s3cret-admin-token";
constexpr uint32_t kCarol = 100003;  // an account that stays offline
constexpr uint32_t kNobody = 424242;
const std::array<uint8_t, 4> kRandom{0x11, 0x22, 0x33, 0x44};

ClusterOptions withToken(std::vector<std::string> settings = {}) {
  ClusterOptions options;
  options.adminToken = kToken;
  options.settings = std::move(settings);
  return options;
}

struct Api {
  uint16_t port;
  std::string token = kToken;

  HttpReply call(const std::string& method, const std::string& path, const json& body = nullptr) const {
    std::string headers = token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
    headers += "Content-Type: application/json\r\n";
    return httpRequest(port, method, "/api/v1/" + path, body.is_null() ? "" : body.dump(), headers);
  }
  /// The JSON body of a call expected to answer `status`.
  json expect(int status, const std::string& method, const std::string& path, const json& body = nullptr) const {
    HttpReply reply = call(method, path, body);
    INFO(method << " " << path << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == status);
    json parsed = json::parse(reply.body, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
  }
};

/// The scheduler's API once it is up: the admin port opens before the API adds its routes,
/// so a request in between gets the port's plain 404.
Api apiOf(E2E& e2e) {
  Api api{e2e.cluster.adminPort("scheduler", 0)};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    const int status = api.call("GET", "status").status;
    if (status != 0 && status != 404) return api;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the admin API did not come up\n" << e2e.cluster.logs());
  return api;
}

struct Run {
  int exitCode;
  std::string output;  // stdout and stderr together
  json result() const {
    // --json prints one document on stdout; stderr lines (failures) come after it or alone.
    json parsed = json::parse(output.substr(0, output.find('\n')), nullptr, false);
    INFO(output);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
  }
};

/// icqctl with --api pointing at the scheduler's admin port; the token through the environment.
Run icqctl(E2E& e2e, std::vector<std::string> args, const std::string& token = kToken) {
  std::string log = "/tmp/icqctl-admin-e2e-" + std::to_string(::getpid()) + ".log";
  ::unlink(log.c_str());
  std::vector<std::string> all;
  if (std::find(args.begin(), args.end(), "--api") == args.end())
    all = {"--api", "http://127.0.0.1:" + std::to_string(e2e.cluster.adminPort("scheduler", 0))};
  all.insert(all.end(), args.begin(), args.end());
  if (token.empty())
    ::unsetenv("ICQ_ADMIN_API_TOKEN");
  else
    ::setenv("ICQ_ADMIN_API_TOKEN", token.c_str(), 1);
  ChildProcess process(ICQCTL_BIN, all, log);
  int code = process.wait(std::chrono::seconds(30));
  ::unsetenv("ICQ_ADMIN_API_TOKEN");
  return {code, process.logTail()};
}

std::string uinText(uint32_t uin) { return std::to_string(uin); }

void sendContactList(V5Client& client, std::vector<uint32_t> uins) {
  std::array<uint8_t, 1100> body{};
  client.send(v5::CMD_CONTACT_LIST, std::span(body).first(v5::buildUinListData(uins, body)));
  REQUIRE(client.expect(v5::SRV_USER_LIST_DONE));
}

/// A received message with its text copied out of the packet.
struct Message {
  uint32_t from = 0;
  uint16_t type = 0;
  std::string text;
};

Message parsed(const ServerPacket& p) {
  v5::ReceivedMessage m;
  const bool offline = p.header.command == v5::SRV_RECV_MESSAGE;
  REQUIRE((offline ? v5::parseOfflineMessageBody(p.data, m) : v5::parseOnlineMessageBody(p.data, m)));
  return {m.from, m.type, std::string(m.text.begin(), m.text.end())};
}

std::string textOf(const Message& m) { return m.text; }

/// CMD_LOGIN_1, then the offline messages up to SRV_END_OFFLINE_MESSAGES.
std::vector<Message> offlineMessages(V5Client& client) {
  client.send(v5::CMD_LOGIN_1, kRandom);
  std::vector<Message> out;
  for (const ServerPacket& p : client.receiveUntil(v5::SRV_END_OFFLINE_MESSAGES))
    if (p.header.command == v5::SRV_RECV_MESSAGE) out.push_back(parsed(p));
  return out;
}

uint32_t aboutUin(const ServerPacket& p) {
  return p.data.size() < 4 ? 0 : uint32_t{p.data[0]} | uint32_t{p.data[1]} << 8 | uint32_t{p.data[2]} << 16 | uint32_t{p.data[3]} << 24;
}

/// The admin events in the event stream so far, read through a consumer group of the test's
/// own (the journal writers' group reads them too, at its own pace).
std::vector<events::Event> adminEvents(E2E& e2e) {
  redis::RedisConnection connection(e2e.redis.options());
  redis::RedisEventStream stream(connection, {4, 1'000'000});  // events.shards and .max_length defaults
  REQUIRE(stream.createGroup("admin-e2e"));
  std::vector<redis::StreamEntry> entries;
  REQUIRE(stream.read("admin-e2e", "reader", 1000, false, entries));
  std::vector<events::Event> admin;
  for (const redis::StreamEntry& entry : entries)
    if (entry.valid && entry.event.kind == events::EventKind::admin) admin.push_back(entry.event);
  return admin;
}

/// The only event of `admin` for an HTTP `method`; fails the test unless there is one.
const events::Event& byMethod(const std::vector<events::Event>& admin, std::string_view method) {
  const auto matches = [&](const events::Event& e) { return valueOf(e, "method") == method; };
  REQUIRE(std::count_if(admin.begin(), admin.end(), matches) == 1);
  return *std::find_if(admin.begin(), admin.end(), matches);
}

}  // namespace

TEST_CASE("a state-changing admin request is an admin event in the stream and a read is not", "[e2e][admin][events]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  api.expect(200, "GET", "users/" + uinText(kBob));
  api.expect(200, "PUT", "users/" + uinText(kBob) + "/password", {{"password", "pw9"}});
  api.expect(404, "DELETE", "sessions/" + uinText(kAlice));  // refused requests are on record too
  api.expect(201, "POST", "users", {{"password", "pw1"}});

  const std::vector<events::Event> admin = adminEvents(e2e);
  CHECK(admin.size() == 3);  // not the GET
  const events::Event& put = byMethod(admin, "PUT");
  CHECK(put.uin == kBob);
  CHECK(valueOf(put, "path") == "/api/v1/users/" + uinText(kBob) + "/password");
  CHECK(valueOf(put, "status") == "200");
  CHECK(valueOf(put, "source") == "127.0.0.1");
  CHECK(put.session.empty());
  CHECK(put.field("password") == nullptr);  // what the request carried stays out
  const events::Event& del = byMethod(admin, "DELETE");
  CHECK(del.uin == kAlice);
  CHECK(valueOf(del, "status") == "404");
  const events::Event& post = byMethod(admin, "POST");
  CHECK(post.uin == 0);  // no UIN in the path
  CHECK(valueOf(post, "status") == "201");
}

TEST_CASE("admin API refuses a missing or wrong token, and everything while no token is configured",
          "[e2e][admin][auth]") {
  {
    E2E e2e(withToken());
    Api api = apiOf(e2e);
    for (const std::string& token : std::vector<std::string>{"", "wrong-token", std::string(kToken) + "x"}) {
      Api other{api.port, token};
      HttpReply refused = other.call("GET", "status");
      CHECK(refused.status == 401);
      CHECK_THAT(refused.headers, Catch::Contains("WWW-Authenticate: Bearer"));
      CHECK(json::parse(refused.body)["error"]["code"] == "unauthorized");
      CHECK(other.call("POST", "users", {{"password", "pw"}}).status == 401);  // and nothing was created
    }
    HttpReply basic = httpRequest(api.port, "GET", "/api/v1/status", "", std::string("Authorization: Basic ") + kToken + "\r\n");
    CHECK(basic.status == 401);
    CHECK(api.expect(200, "GET", "users")["users"].size() == 2);  // only Alice and Bob

    Run noToken = icqctl(e2e, {"status"}, "");
    CHECK(noToken.exitCode == 2);
    CHECK_THAT(noToken.output, Catch::Contains("ICQ_ADMIN_API_TOKEN"));
    Run wrong = icqctl(e2e, {"status"}, "wrong-token");
    CHECK(wrong.exitCode == 5);
    CHECK_THAT(wrong.output, Catch::Contains("bearer token"));
    // The token from a file works as well as from the environment.
    std::string tokenFile = "/tmp/icqctl-admin-token-" + std::to_string(::getpid());
    std::ofstream(tokenFile) << kToken << "\n";
    CHECK(icqctl(e2e, {"--token-file", tokenFile, "status"}, "").exitCode == 0);
    ::unlink(tokenFile.c_str());
    Run unreachable = icqctl(e2e, {"--api", "http://127.0.0.1:" + std::to_string(freeTcpPort()), "status"});
    CHECK(unreachable.exitCode == 1);
    CHECK(icqctl(e2e, {"--api", "ftp://nowhere", "status"}).exitCode == 2);
  }
  E2E disabled;  // no admin.api_token
  Api api = apiOf(disabled);
  HttpReply reply = api.call("GET", "status");
  CHECK(reply.status == 503);
  CHECK(json::parse(reply.body)["error"]["code"] == "disabled");
  CHECK(icqctl(disabled, {"status"}).exitCode == 5);
  // The scheduler's other admin routes are not behind the token.
  CHECK(httpGet(api.port, "/healthz").status == 200);
}

TEST_CASE("admin API and icqctl create, change, show, list, search and delete accounts", "[e2e][admin][users]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);

  json created = api.expect(201, "POST", "users",
                            {{"password", "pw1"}, {"nick", "Zo\xC3\xAB"}, {"first_name", "Zoe"}, {"email", "zoe@example.org"}});
  const uint32_t zoe = created["uin"].get<uint32_t>();
  V5Client zoeClient(e2e.cluster.udpPort(0), zoe, "pw1", "127.0.9.1");
  CHECK(zoeClient.login() == LoginOutcome::accepted);
  json shown = api.expect(200, "GET", "users/" + uinText(zoe));
  CHECK(shown["nick"] == "Zo\xC3\xAB");  // stored in CP1252, shown in UTF-8
  CHECK(shown["email"] == "zoe@example.org");
  CHECK(shown["session"]["client"] == "127.0.9.1:" + std::to_string(zoeClient.localPort()));
  CHECK(api.expect(200, "GET", "users/" + uinText(kBob))["session"].is_null());

  CHECK(api.expect(200, "PUT", "users/" + uinText(zoe) + "/password", {{"password", "pw2"}})["password_changed"] == true);
  V5Client oldPassword(e2e.cluster.udpPort(0), zoe, "pw1", "127.0.9.2");
  CHECK(oldPassword.login() == LoginOutcome::bad_password);

  REQUIRE(zoe < kAlice);  // allocated from the sequence, below the fixture's fixed UINs
  json page = api.expect(200, "GET", "users?limit=2");
  REQUIRE(page["users"].size() == 2);
  CHECK(page["users"][0]["uin"] == zoe);
  CHECK(page["users"][1]["uin"] == kAlice);
  CHECK(page["next_after"] == kAlice);
  json last = api.expect(200, "GET", "users?limit=2&after=" + uinText(kAlice));
  REQUIRE(last["users"].size() == 1);
  CHECK(last["users"][0]["uin"] == kBob);
  CHECK(last["next_after"].is_null());
  json found = api.expect(200, "GET", "users?first_name=ZOE");
  REQUIRE(found["users"].size() == 1);
  CHECK(found["users"][0]["uin"] == zoe);
  CHECK(api.expect(200, "GET", "users?email=nomatch")["users"].empty());

  // Bad input: 400 naming the field, 409, 404, 413, and routes that do not exist.
  auto fieldOf = [&](const json& body) { return body["error"]["field"]; };
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "far-too-long"}})) == "password");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"nick", "x"}})) == "password");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "pw"}, {"uin", -5}})) == "uin");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "pw"}, {"uin", 4294967296}})) == "uin");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "pw"}, {"nick", 7}})) == "nick");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "pw"}, {"colour", "red"}})) == "colour");
  CHECK(fieldOf(api.expect(400, "POST", "users", {{"password", "pw"}, {"nick", std::string(65, 'n')}})) == "nick");
  HttpReply badUtf8 = httpRequest(api.port, "POST", "/api/v1/users", "{\"password\":\"pw\",\"nick\":\"\xC3(\"}",
                                  std::string("Authorization: Bearer ") + kToken + "\r\n");
  CHECK(badUtf8.status == 400);  // JSON text is UTF-8: the parser refuses it
  CHECK(fieldOf(api.expect(400, "POST", "users", json::array({1, 2}))) == "body");
  HttpReply notJson = httpRequest(api.port, "POST", "/api/v1/users", "{\"password\":", std::string("Authorization: Bearer ") + kToken + "\r\n");
  CHECK(notJson.status == 400);
  CHECK(json::parse(notJson.body)["error"]["message"] == "body: not valid JSON");
  CHECK(fieldOf(api.expect(400, "GET", "users?limit=0")) == "limit");
  CHECK(fieldOf(api.expect(400, "GET", "users?limit=501")) == "limit");
  CHECK(fieldOf(api.expect(400, "GET", "users?after=-1")) == "after");
  CHECK(api.expect(400, "GET", "users/abc")["error"]["code"] == "bad_input");
  CHECK(api.expect(400, "GET", "users/0")["error"]["code"] == "bad_input");
  CHECK(api.expect(409, "POST", "users", {{"uin", kAlice}, {"password", "pw"}})["error"]["code"] == "conflict");
  CHECK(api.expect(404, "GET", "users/" + uinText(kNobody))["error"]["code"] == "not_found");
  CHECK(api.expect(404, "PUT", "users/" + uinText(kNobody) + "/password", {{"password", "pw"}})["error"]["code"] == "not_found");
  CHECK(api.expect(404, "DELETE", "users/" + uinText(kNobody))["error"]["code"] == "not_found");
  CHECK(api.expect(413, "POST", "users", {{"password", "pw"}, {"nick", std::string(70000, 'n')}})["error"]["code"] ==
        "too_large");
  CHECK(api.expect(404, "GET", "no/such/thing")["error"]["code"] == "no_route");
  HttpReply wrongMethod = api.call("PUT", "status");
  CHECK(wrongMethod.status == 405);
  CHECK_THAT(wrongMethod.headers, Catch::Contains("Allow: GET"));

  // Deleting ends the live session too.
  json deleted = api.expect(200, "DELETE", "users/" + uinText(zoe));
  CHECK(deleted["deleted"] == true);
  CHECK(deleted["disconnected"] == true);
  CHECK(zoeClient.expect(v5::SRV_GO_AWAY));
  api.expect(404, "GET", "users/" + uinText(zoe));

  // The same through icqctl, with its exit codes.
  Run made = icqctl(e2e, {"--json", "user", "create", "--password", "pw9", "--nick", "cli"});
  REQUIRE(made.exitCode == 0);
  const uint32_t cli = made.result()["uin"].get<uint32_t>();
  CHECK(icqctl(e2e, {"user", "create", "--uin", uinText(kAlice), "--password", "x"}).exitCode == 3);
  Run tooLong = icqctl(e2e, {"user", "create", "--password", "far-too-long"});
  CHECK(tooLong.exitCode == 2);
  CHECK_THAT(tooLong.output, Catch::Contains("password"));
  CHECK(icqctl(e2e, {"user", "passwd", "--uin", uinText(cli), "--password", "pw8"}).exitCode == 0);
  V5Client cliClient(e2e.cluster.udpPort(0), cli, "pw8", "127.0.9.3");
  CHECK(cliClient.login() == LoginOutcome::accepted);
  CHECK(icqctl(e2e, {"user", "passwd", "--uin", uinText(kNobody), "--password", "x"}).exitCode == 4);
  Run cliShown = icqctl(e2e, {"--json", "user", "show", "--uin", uinText(cli)});
  REQUIRE(cliShown.exitCode == 0);
  CHECK(cliShown.result()["nick"] == "cli");
  CHECK(cliShown.result()["session"]["uin"] == cli);
  Run listed = icqctl(e2e, {"--json", "user", "list", "--limit", "1", "--all"});
  REQUIRE(listed.exitCode == 0);
  CHECK(listed.result()["users"].size() == 3);  // Alice, Bob and the new one, a page at a time
  Run searched = icqctl(e2e, {"--json", "user", "search", "--nick", "CL"});
  REQUIRE(searched.exitCode == 0);
  CHECK(searched.result()["users"][0]["uin"] == cli);
  CHECK(icqctl(e2e, {"user", "search"}).exitCode == 2);
  Run text = icqctl(e2e, {"user", "show", "--uin", uinText(kAlice)});
  CHECK(text.exitCode == 0);
  CHECK_THAT(text.output, Catch::Contains("uin: " + uinText(kAlice)));
  CHECK(icqctl(e2e, {"user", "delete", "--uin", uinText(cli)}).exitCode == 0);
  CHECK(icqctl(e2e, {"user", "delete", "--uin", uinText(cli)}).exitCode == 4);
  CHECK(icqctl(e2e, {"user", "show", "--uin", "abc"}).exitCode == 2);
}

TEST_CASE("a disconnect sends SRV_GO_AWAY, tells watchers, and keeps unconfirmed messages offline",
          "[e2e][admin][sessions]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.11");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.9.12");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  sendContactList(bob, {kAlice});
  CHECK(bob.expect(v5::SRV_USER_ONLINE));

  json listed = api.expect(200, "GET", "sessions?limit=500");
  CHECK(listed["sessions"].size() == 2);
  CHECK(listed["next_cursor"].is_null());
  json session = api.expect(200, "GET", "sessions/" + uinText(kAlice));
  CHECK(session["client"] == "127.0.9.11:" + std::to_string(alice.localPort()));
  CHECK(session["gateway"] == e2e.cluster.gatewayId(0));
  CHECK(session["protocol"] == 5);

  // Bob's message reaches Alice, who does not acknowledge it: it is unconfirmed.
  REQUIRE(bob.expectAckOf(bob.sendMessage(kAlice, v5::kMsgText, "are you there?")));
  auto delivered = alice.receive();
  REQUIRE(delivered);
  REQUIRE(delivered->header.command == v5::SRV_SYS_DELIVERED_MESS);

  json ended = api.expect(200, "DELETE", "sessions/" + uinText(kAlice));
  CHECK(ended["forced_logout_sent"] == true);
  CHECK(ended["messages_kept_offline"] == 1);
  auto goAway = alice.expect(v5::SRV_GO_AWAY);
  REQUIRE(goAway);
  CHECK(goAway->header.sessionId == alice.sessionId());
  CHECK(goAway->header.seq1 == delivered->header.seq1 + 1);  // the SEQ1 the client expects next
  auto offline = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(offline);
  CHECK(aboutUin(*offline) == kAlice);
  CHECK_FALSE(alice.keepAlive());  // the session is gone: SRV_NOT_CONNECTED
  api.expect(404, "GET", "sessions/" + uinText(kAlice));
  api.expect(404, "DELETE", "sessions/" + uinText(kAlice));
  api.expect(400, "DELETE", "sessions/4294967296");

  // The message is waiting at the next login, once.
  V5Client again(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.13");
  REQUIRE(again.login() == LoginOutcome::accepted);
  auto kept = offlineMessages(again);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].from == kBob);
  CHECK(textOf(kept[0]) == "are you there?");

  // icqctl: list, show, disconnect, and not online.
  Run all = icqctl(e2e, {"--json", "session", "list", "--all", "--limit", "1"});
  REQUIRE(all.exitCode == 0);
  CHECK(all.result()["sessions"].size() == 2);
  CHECK(icqctl(e2e, {"session", "show", "--uin", uinText(kCarol)}).exitCode == 4);
  Run shown = icqctl(e2e, {"--json", "session", "show", "--uin", uinText(kBob)});
  REQUIRE(shown.exitCode == 0);
  CHECK(shown.result()["uin"] == kBob);
  Run kicked = icqctl(e2e, {"--json", "session", "disconnect", "--uin", uinText(kBob)});
  REQUIRE(kicked.exitCode == 0);
  CHECK(kicked.result()["forced_logout_sent"] == true);
  CHECK(bob.expect(v5::SRV_GO_AWAY));
  Run notOnline = icqctl(e2e, {"session", "disconnect", "--uin", uinText(kBob)});
  CHECK(notOnline.exitCode == 4);
  CHECK_THAT(notOnline.output, Catch::Contains("not online"));
  CHECK(icqctl(e2e, {"session", "disconnect"}).exitCode == 2);  // --uin is required
}

TEST_CASE("a broadcast reaches everyone online as a retransmitted system message, or the UINs named",
          "[e2e][admin][broadcast]") {
  E2E e2e(withToken({"v5.retransmit_timeout_s=1"}));
  e2e.cluster.createUser(kCarol, "carol1");
  Api api = apiOf(e2e);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.21");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.9.22");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  json everyone = api.expect(200, "POST", "broadcast", {{"text", "Maintenance at 22:00 \xE2\x80\x94 sorry"}});
  CHECK(everyone["online"] == 2);
  CHECK(everyone["stored_offline"] == 0);
  for (V5Client* client : {&bob, &alice}) {  // Bob acknowledges at once, Alice lets it be resent
    auto first = client->receive();
    REQUIRE(first);
    REQUIRE(first->header.command == v5::SRV_SYS_DELIVERED_MESS);
    auto message = parsed(*first);
    CHECK(message.from == 10);
    CHECK(message.type == v5::kMsgSystem);
    CHECK(textOf(message) == "Maintenance at 22:00 \x97 sorry");  // the em dash in CP1252
    if (client == &alice) {
      // Not acknowledged: the scheduler sends it again, same SEQ1 (a reliable packet).
      auto resent = alice.receive(std::chrono::milliseconds(3000));
      REQUIRE(resent);
      CHECK(resent->header.command == v5::SRV_SYS_DELIVERED_MESS);
      CHECK(resent->header.seq1 == first->header.seq1);
      alice.acknowledge(*resent);
    } else {
      bob.acknowledge(*first);
    }
  }

  json named = api.expect(200, "POST", "broadcast",
                          {{"text", "just you"}, {"uins", {kAlice, kCarol, kNobody}}});
  CHECK(named["online"] == 1);
  CHECK(named["stored_offline"] == 1);
  CHECK(named["unknown"] == json::array({kNobody}));
  auto toAlice = alice.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(toAlice);
  CHECK(textOf(parsed(*toAlice)) == "just you");
  for (const ServerPacket& p : bob.receiveUntil(v5::SRV_SYS_DELIVERED_MESS, std::chrono::milliseconds(500)))
    CHECK(p.header.command != v5::SRV_SYS_DELIVERED_MESS);  // not named
  V5Client carol(e2e.cluster.udpPort(0), kCarol, "carol1", "127.0.9.23");
  REQUIRE(carol.login() == LoginOutcome::accepted);
  auto kept = offlineMessages(carol);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].type == v5::kMsgSystem);
  CHECK(textOf(kept[0]) == "just you");

  auto fieldOf = [&](const json& body) { return body["error"]["field"]; };
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", json::object())) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", ""}})) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", std::string(510, 'x')}})) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", std::string("a\0b", 3)}})) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", "x"}, {"uins", {0}}})) == "uins");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", "x"}, {"uins", "all"}})) == "uins");
  CHECK(fieldOf(api.expect(400, "POST", "broadcast", {{"text", "x"}, {"uins", json::array()}})) == "uins");

  Run cli = icqctl(e2e, {"--json", "broadcast", "--text", "from the command line"});
  REQUIRE(cli.exitCode == 0);
  CHECK(cli.result()["online"] == 3);
  auto heard = bob.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(heard);
  CHECK(textOf(parsed(*heard)) == "from the command line");
  Run listed = icqctl(e2e, {"--json", "broadcast", "--text", "to two", "--uin", uinText(kBob), "--uin", uinText(kNobody)});
  REQUIRE(listed.exitCode == 0);
  CHECK(listed.result()["unknown"] == json::array({kNobody}));
  CHECK(icqctl(e2e, {"broadcast", "--text", ""}).exitCode == 2);
  CHECK(icqctl(e2e, {"broadcast"}).exitCode == 2);
}

TEST_CASE("the web pager delivers a type 0x000D message live or offline", "[e2e][admin][pager]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.31");
  REQUIRE(alice.login() == LoginOutcome::accepted);

  json live = api.expect(200, "POST", "pager",
                         {{"uin", kAlice}, {"name", "Sam"}, {"email", "sam@example.org"}, {"text", "Sender IP: 10.0.0.1\r\nhi"}});
  CHECK(live["delivered"] == "online");
  auto paged = alice.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(paged);
  auto message = parsed(*paged);
  CHECK(message.from == 10);
  CHECK(message.type == v5::kMsgWebPager);
  CHECK(textOf(message) == "Sam\xFE\xFE\xFEsam@example.org\xFE" "3\xFESender IP: 10.0.0.1\r\nhi");

  json stored = api.expect(200, "POST", "pager", {{"uin", kBob}, {"name", "Sam"}, {"text", "call me"}});
  CHECK(stored["delivered"] == "offline");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.9.32");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  auto kept = offlineMessages(bob);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].type == v5::kMsgWebPager);
  CHECK(textOf(kept[0]) == "Sam\xFE\xFE\xFE\xFE" "3\xFE" "call me");

  auto fieldOf = [&](const json& body) { return body["error"]["field"]; };
  CHECK(api.expect(404, "POST", "pager", {{"uin", kNobody}, {"text", "x"}})["error"]["code"] == "not_found");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"text", "x"}})) == "uin");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"uin", kAlice}})) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"uin", kAlice}, {"text", ""}})) == "text");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"uin", kAlice}, {"name", "\xC3\xBE"}, {"text", "x"}})) == "name");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"uin", kAlice}, {"email", std::string(129, 'e')}, {"text", "x"}})) ==
        "email");
  CHECK(fieldOf(api.expect(400, "POST", "pager", {{"uin", kAlice}, {"text", std::string(505, 't')}, {"name", "n"}})) ==
        "text");

  Run cli = icqctl(e2e, {"--json", "pager", "--uin", uinText(kAlice), "--name", "Ann", "--text", "from the CLI"});
  REQUIRE(cli.exitCode == 0);
  CHECK(cli.result()["delivered"] == "online");
  auto again = alice.expect(v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(again);
  CHECK(textOf(parsed(*again)) == "Ann\xFE\xFE\xFE\xFE" "3\xFE" "from the CLI");
  CHECK(icqctl(e2e, {"pager", "--uin", uinText(kNobody), "--text", "x"}).exitCode == 4);
  CHECK(icqctl(e2e, {"pager", "--uin", uinText(kAlice)}).exitCode == 2);
}

TEST_CASE("status counts sessions, accounts and offline messages and names every gateway", "[e2e][admin][status]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.41");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v5::kMsgText, "one")));
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v5::kMsgText, "two")));

  json status = api.expect(200, "GET", "status");
  CHECK(status["online_sessions"] == 1);
  CHECK(status["registered_users"] == 2);
  CHECK(status["offline_messages"] == 2);
  REQUIRE(status["gateways"].size() == 1);
  CHECK(status["gateways"][0]["id"] == e2e.cluster.gatewayId(0));
  CHECK(status["gateways"][0]["last_heartbeat_ms_ago"].get<int64_t>() >= 0);
  CHECK(status["gateways"][0]["last_heartbeat_ms_ago"].get<int64_t>() < 5000);

  Run cli = icqctl(e2e, {"--json", "status"});
  REQUIRE(cli.exitCode == 0);
  CHECK(cli.result()["online_sessions"] == 1);
  Run text = icqctl(e2e, {"status"});
  REQUIRE(text.exitCode == 0);
  CHECK_THAT(text.output, Catch::Contains("registered_users: 2"));
}

TEST_CASE("the journal through the admin API and icqctl --api: a session from login to logoff",
          "[e2e][admin][journal]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  {
    V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.51");
    REQUIRE(alice.login() == LoginOutcome::accepted);
    alice.logoff();
  }
  const std::string query = "journal/sessions?uin=" + std::to_string(kAlice) + "&network=127.0.9.0%2F24&from=-1h";
  json found;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {  // the journal writer stores the events within a few scheduler ticks
    found = api.expect(200, "GET", query)["sessions"];
    if (found.size() == 1 && found[0]["end_reason"] == "logoff") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["end_reason"] == "logoff");
  CHECK(found[0]["address"] == "127.0.9.51");
  CHECK(found[0]["protocol"] == 5);
  CHECK(found[0]["gateway"] == e2e.cluster.gatewayId(0));
  const std::string session = found[0]["session"];

  const json timeline = api.expect(200, "GET", "journal/timeline?session=" + session);
  REQUIRE(timeline["events"].size() == 2);
  CHECK(timeline["events"][0]["kind"] == "login");
  CHECK(timeline["events"][1]["kind"] == "logoff");
  CHECK(api.expect(400, "GET", "journal/sessions?from=yesterday")["error"]["field"] == "from");
  CHECK(api.expect(400, "GET", "journal/timeline")["error"]["field"] == "session");
  api.expect(404, "GET", "journal/timeline?session=1-0000000000000000");
  CHECK(api.expect(200, "GET", "journal/sessions?network=10.0.0.0%2F8")["sessions"].empty());

  Run cli = icqctl(e2e, {"--json", "journal", "sessions", "--uin", std::to_string(kAlice), "--from", "-1h"});
  REQUIRE(cli.exitCode == 0);
  CHECK(cli.result()["sessions"][0]["session"] == session);
  Run events = icqctl(e2e, {"--json", "journal", "timeline", "--session", session});
  REQUIRE(events.exitCode == 0);
  CHECK(events.result()["events"].size() == 2);
}

TEST_CASE("a V3 client hears the broadcast and the pager as SYSMSG_ONLINE, and is disconnected",
          "[e2e][admin][v3]") {
  E2E e2e(withToken());
  Api api = apiOf(e2e);
  client::V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.51");
  REQUIRE(alice.login() == client::V3LoginOutcome::accepted);

  CHECK(api.expect(200, "POST", "broadcast", {{"text", "to every version"}})["online"] == 1);
  auto broadcast = alice.expectMessage();
  REQUIRE(broadcast);
  CHECK(broadcast->from == 10);
  CHECK(broadcast->type == v5::kMsgSystem);
  CHECK(broadcast->text == "to every version");
  CHECK(api.expect(200, "POST", "pager", {{"uin", kAlice}, {"name", "Sam"}, {"text", "hi"}})["delivered"] == "online");
  auto paged = alice.expectMessage();
  REQUIRE(paged);
  CHECK(paged->type == v5::kMsgWebPager);
  CHECK(paged->text == "Sam\xFE\xFE\xFE\xFE" "3\xFE" "hi");

  json listed = api.expect(200, "GET", "sessions/" + uinText(kAlice));
  CHECK(listed["protocol"] == 3);
  json ended = api.expect(200, "DELETE", "sessions/" + uinText(kAlice));
  CHECK(ended["forced_logout_sent"] == false);  // the V3 hook: SET_OFFLINE is not sent yet
  CHECK_FALSE(alice.ping());                     // NOT_CONNECTED: the session is gone
}

}  // namespace icq::test
