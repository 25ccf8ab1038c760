// RedisConnection's metrics against a real Redis: one observation per round trip under the
// batch's first command or the script's name, and an error count for a failed round trip
// and for an error reply.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "common/ops/metrics.hpp"
#include "common/redis/connection.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

/// The value of one exposition line, or -1 when the series is absent.
double sample(const std::string& series) {
  std::string text = ops::renderMetrics();
  size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("each Redis round trip is timed under its first command, and failures are counted", "[redis][metrics]") {
  test::RedisServer server;
  redis::RedisConnection connection(server.options(std::chrono::milliseconds(500)));
  const std::string count = "icq_redis_command_duration_seconds_count{op=\"sadd\"}";
  const std::string errors = "icq_redis_errors_total{op=\"sadd\"}";
  const double before = std::max(0.0, sample(count));

  // Three commands in one pipelined batch: one round trip, one observation.
  std::vector<redis::Reply> replies;
  connection.append({"SADD", "metrics:set", "a"});
  connection.append({"SET", "metrics:key", "1"});
  connection.append({"GET", "metrics:key"});
  REQUIRE(connection.readReplies(3, replies));
  CHECK(sample(count) == before + 1);
  CHECK(sample("icq_redis_command_duration_seconds_count{op=\"set\"}") == -1);  // not a batch of its own
  CHECK(sample(errors) == 0);

  // A wrong-type error reply is an error of the round trip.
  redis::Reply reply;
  REQUIRE(connection.command({"SADD", "metrics:key", "b"}, reply));
  CHECK(reply.isError());
  CHECK(sample(errors) == 1);

  // A script is named by its name, not EVALSHA.
  const redis::RedisScript& script = connection.addScript("metrics_probe", "return 7");
  REQUIRE(connection.runScript(script, {}, {}, reply));
  CHECK(sample("icq_redis_command_duration_seconds_count{op=\"metrics_probe\"}") == 1);

  // Redis gone: the round trip fails and is counted.
  server.stop();
  CHECK_FALSE(connection.command({"SADD", "metrics:set", "c"}, reply));
  CHECK(sample(errors) == 2);
  CHECK(sample(count) == before + 3);
}

}  // namespace icq
