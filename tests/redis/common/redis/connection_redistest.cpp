// RedisConnection against a real Redis: pipelining, binary safety, SELECT, scripts and
// their NOSCRIPT fallback, failure that is reported fast and healed by reconnecting, and TLS
// through the stunnel tunnel docs/OPERATIONS.md gives (hiredis 0.14 has none of its own).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/redis/connection.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/stunnel.hpp"
#include "tests/support/test_ca.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;

/// A TCP listener that accepts connections (the kernel does) and never answers: what a
/// hung Redis looks like from the client.
class SilentServer {
public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

private:
  int fd_ = -1;
  int port_ = 0;
};

redis::Reply run(redis::RedisConnection& redis, std::initializer_list<std::string_view> argv) {
  redis::Reply reply;
  REQUIRE(redis.command(argv, reply));
  return reply;
}

/// The server's options with the tunnel's port in place of the server's.
redis::RedisOptions through(const test::StunnelClient& tunnel, redis::RedisOptions options) {
  options.port = tunnel.port();
  return options;
}

/// What every process needs of an authenticated link: connected as the ACL user "icq", a
/// script loaded, its keys readable and writable. Returns the script.
const redis::RedisScript& requireLinkAsIcq(redis::RedisConnection& redis) {
  REQUIRE(redis.connected());
  const redis::RedisScript& script = redis.addScript("echo", "return ARGV[1]");
  REQUIRE_FALSE(script.sha().empty());
  CHECK(run(redis, {"ACL", "WHOAMI"}).str() == "icq");
  run(redis, {"SET", "icq:{1}:probe", "x"});
  CHECK(run(redis, {"GET", "icq:{1}:probe"}).str() == "x");
  return script;
}

}  // namespace

TEST_CASE("redis connection: pipelined replies come back in order", "[redis][connection]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  REQUIRE(redis.connected());
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back(std::to_string(i) + ":k");
  for (int i = 0; i < 200; ++i) redis.append({"SET", keys[i], std::to_string(i * 7)});
  for (int i = 0; i < 200; ++i) redis.append({"GET", keys[i]});
  std::vector<redis::Reply> replies;
  REQUIRE(redis.readReplies(400, replies));
  REQUIRE(replies.size() == 400);
  for (int i = 0; i < 200; ++i) {
    CHECK(replies[i].str() == "OK");
    CHECK(replies[200 + i].str() == std::to_string(i * 7));
  }
}

TEST_CASE("redis connection: values are binary-safe", "[redis][connection]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  const std::string value("\x00\x01\xFF\r\n\x00 end", 9);
  run(redis, {"SET", "bin", value});
  CHECK(run(redis, {"GET", "bin"}).str() == value);
  CHECK(run(redis, {"GET", "missing"}).isNil());
  CHECK(run(redis, {"INCRBY", "n", "41"}).integer() == 41);
  CHECK(run(redis, {"NOSUCHCOMMAND"}).isError());
}

TEST_CASE("redis connection: the db option selects the logical database (one Redis server)", "[redis][connection]") {
  test::RedisServer server(std::nullopt, std::nullopt, test::RedisTopology::single);
  redis::RedisOptions options = server.options();
  options.db = 3;
  redis::RedisConnection db3(options);
  redis::RedisConnection db0(server.options());
  run(db3, {"SET", "where", "three"});
  CHECK(run(db0, {"GET", "where"}).isNil());
  CHECK(run(db3, {"GET", "where"}).str() == "three");
}

// The cluster's own case, a flush on one master, is in cluster_connection_redistest.cpp.
TEST_CASE("redis connection: scripts run by SHA1 and fall back to their source after SCRIPT FLUSH (one Redis server)",
          "[redis][connection]") {
  test::RedisServer server(std::nullopt, std::nullopt, test::RedisTopology::single);
  redis::RedisConnection redis(server.options());
  const redis::RedisScript& script = redis.addScript("echo", "return {KEYS[1], ARGV[1]}");
  REQUIRE(script.sha().size() == 40);
  CHECK(&redis.addScript("same", "return {KEYS[1], ARGV[1]}") == &script);

  const std::string_view keys[] = {"key"};
  const std::string_view args[] = {"arg"};
  redis::Reply reply;
  REQUIRE(redis.runScript(script, keys, args, reply));
  CHECK(reply[0].str() == "key");
  CHECK(reply[1].str() == "arg");

  run(redis, {"SCRIPT", "FLUSH"});
  REQUIRE(redis.runScript(script, keys, args, reply));
  CHECK(reply[1].str() == "arg");
  CHECK(run(redis, {"SCRIPT", "EXISTS", script.sha()})[0].integer() == 1);
}

TEST_CASE("redis connection: a batch mixing commands and flushed scripts keeps its order", "[redis][connection]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  const redis::RedisScript& script = redis.addScript("incr", "return redis.call('INCR', KEYS[1])");
  run(redis, {"SCRIPT", "FLUSH"});
  std::vector<redis::Reply> replies;
  auto appendCommand = [&](size_t i, bool withSource) {
    const std::string_view keys[] = {"counter"};
    if (i % 2 == 0)
      redis.appendScript(script, keys, {}, withSource);
    else
      redis.append({"GET", "counter"});
  };
  REQUIRE(redis.pipeline(4, appendCommand, replies));
  REQUIRE(replies.size() == 4);
  // The flushed script calls ran in the second round trip, after the GETs.
  CHECK(replies[0].integer() == 1);
  CHECK(replies[1].isNil());
  CHECK(replies[2].integer() == 2);
  CHECK(replies[3].isNil());
}

TEST_CASE("redis connection: an unreachable server is reported at once", "[redis][connection]") {
  int port = 0;
  {
    test::RedisServer server;
    port = server.port();
  }
  redis::RedisOptions options;
  options.port = port;
  options.timeout = 500ms;
  redis::RedisConnection redis(options);
  CHECK_FALSE(redis.connected());
  redis.append({"PING"});
  redis.append({"PING"});
  std::vector<redis::Reply> replies;
  CHECK_FALSE(redis.readReplies(2, replies));
  redis::Reply reply;
  CHECK_FALSE(redis.command({"PING"}, reply));
}

TEST_CASE("redis connection: a server that never answers fails within the timeout", "[redis][connection]") {
  SilentServer silent;
  redis::RedisOptions options;
  options.port = silent.port();
  options.timeout = 200ms;
  redis::RedisConnection redis(options);
  const auto started = std::chrono::steady_clock::now();
  redis::Reply reply;
  CHECK_FALSE(redis.command({"PING"}, reply));
  CHECK_FALSE(redis.command({"PING"}, reply));
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("redis connection: reconnects after a restart and reloads its scripts", "[redis][connection]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  const redis::RedisScript& script = redis.addScript("one", "return 1");
  server.restart();
  redis::Reply reply;
  bool recovered = false;
  for (int attempt = 0; attempt < 3 && !recovered; ++attempt) recovered = redis.command({"PING"}, reply);
  REQUIRE(recovered);
  // Loaded again by the reconnect itself, not by an EVAL fallback (on every master of a
  // cluster: SCRIPT goes to each, and links them all again).
  CHECK(run(redis, {"SCRIPT", "EXISTS", script.sha()})[0].integer() == 1);
  CHECK(redis.connected());
}

TEST_CASE("redis connection: talks over the Unix socket and reconnects there (one Redis server)",
          "[redis][connection]") {
  test::RedisServer server(std::nullopt, std::nullopt, test::RedisTopology::single);
  redis::RedisOptions options = server.unixSocketOptions();
  options.port = 1;  // ignored: a connection that tried TCP would fail
  redis::RedisConnection redis(options);
  REQUIRE(redis.connected());
  run(redis, {"SET", "over", "socket"});
  CHECK(run(redis, {"CLIENT", "INFO"}).str().find("addr=/") != std::string::npos);
  server.restart();
  redis::Reply reply;
  bool recovered = false;
  for (int attempt = 0; attempt < 3 && !recovered; ++attempt) recovered = redis.command({"PING"}, reply);
  REQUIRE(recovered);
  CHECK(run(redis, {"GET", "over"}).isNil());
}

TEST_CASE("redis connection: authenticates as its ACL user and again after a restart", "[redis][connection][auth]") {
  test::RedisServer server(test::RedisUser{.password = "s3cret-#!x"});
  redis::RedisConnection redis(server.options());
  const redis::RedisScript& script = requireLinkAsIcq(redis);
  // The rules hold: not a key outside icq:*, not a dangerous command.
  CHECK(run(redis, {"GET", "other"}).isError("NOPERM"));
  CHECK(run(redis, {"FLUSHALL"}).isError("NOPERM"));

  server.restart();  // every connect authenticates again, then reloads the scripts
  redis::Reply reply;
  bool recovered = false;
  for (int attempt = 0; attempt < 3 && !recovered; ++attempt) recovered = redis.command({"PING"}, reply);
  REQUIRE(recovered);
  CHECK(run(redis, {"ACL", "WHOAMI"}).str() == "icq");
  CHECK(run(redis, {"SCRIPT", "EXISTS", script.sha()})[0].integer() == 1);
}

TEST_CASE("redis connection: a wrong password or none gets nothing done", "[redis][connection][auth]") {
  test::RedisServer server(test::RedisUser{.password = "right"});
  redis::RedisOptions wrong = server.options();
  wrong.password = "wrong";
  redis::RedisConnection refused(wrong);
  CHECK_FALSE(refused.connected());
  redis::Reply reply;
  CHECK_FALSE(refused.command({"PING"}, reply));

  redis::RedisOptions none = server.options();
  none.username.clear();
  none.password.clear();
  redis::RedisConnection anonymous(none);
  if (server.cluster())  // not even the slot map: nothing is sent
    CHECK_FALSE(anonymous.command({"GET", "icq:{1}:probe"}, reply));
  else
    CHECK(run(anonymous, {"GET", "icq:{1}:probe"}).isError("NOAUTH"));
}

TEST_CASE("redis connection: over TLS through an stunnel tunnel it authenticates and runs scripts",
          "[redis][connection][auth][tls]") {
  test::TestCa ca;
  test::RedisServer server(test::RedisUser{.password = "s3cret-#!x"}, ca.issue("redis"));
  test::StunnelClient tunnel(server.port(), ca.caFile());
  redis::RedisConnection redis(through(tunnel, server.options()));
  const redis::RedisScript& script = requireLinkAsIcq(redis);
  const std::string_view args[] = {"through the tunnel"};
  redis::Reply reply;
  REQUIRE(redis.runScript(script, {}, args, reply));
  CHECK(reply.str() == "through the tunnel");
  // Redis took this client on its TLS port, the only one it has.
  const std::string info(run(redis, {"CLIENT", "INFO"}).str());
  CHECK_THAT(info, Catch::Contains("laddr=127.0.0.1:" + std::to_string(server.port()) + " "));
}

TEST_CASE("redis connection: a TLS-only Redis refuses a plain client and a tunnel that trusts another CA",
          "[redis][connection][tls]") {
  test::TestCa ca;
  test::TestCa other;
  test::RedisServer server(test::RedisUser{.password = "right"}, ca.issue("redis"));
  redis::RedisConnection plain(server.options());  // straight to the TLS port
  CHECK_FALSE(plain.connected());

  test::StunnelClient tunnel(server.port(), other.caFile());
  redis::RedisConnection refused(through(tunnel, server.options()));
  CHECK_FALSE(refused.connected());
  redis::Reply reply;
  CHECK_FALSE(refused.command({"PING"}, reply));
  CHECK(tunnel.logShows("certificate verify failed", 10s));
}

TEST_CASE("redis connection: a moved connection keeps working and keeps its scripts", "[redis][connection]") {
  test::RedisServer server;
  redis::RedisConnection first(server.options());
  const redis::RedisScript& script = first.addScript("two", "return 2");
  redis::RedisConnection second(std::move(first));
  redis::Reply reply;
  REQUIRE(second.runScript(script, {}, {}, reply));
  CHECK(reply.integer() == 2);
}

}  // namespace icq
