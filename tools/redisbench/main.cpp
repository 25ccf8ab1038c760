// icq-redis-bench: what the Redis client itself costs. Runs batches of the shapes the stores
// send (HSET per session, a per-UIN Lua script) through RedisConnection against one Redis or
// a Redis Cluster, and prints commands per second and the client's own CPU per command
// (getrusage), so the single-server path and the cluster path can be compared on the same
// server and machine (docs/SCALING.md "The Redis client").
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"

namespace {

double cpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"icq-redis-bench: the Redis client's cost per command"};
  icq::redis::RedisOptions options;
  std::string clusterNodes;
  std::string command = "hset";
  size_t batches = 2000, batchSize = 100;
  int waitReplicas = 0;
  app.add_option("--host", options.host, "Redis host");
  app.add_option("--port", options.port, "Redis port");
  app.add_option("--unix-socket", options.unixSocket, "Redis Unix socket (instead of host and port)");
  app.add_option("--cluster-nodes", clusterNodes, "a Redis Cluster's seeds, host:port[,host:port...]");
  app.add_option("--command", command, "hset or script")->check(CLI::IsMember({"hset", "script"}));
  app.add_option("--batches", batches, "batches to send");
  app.add_option("--batch-size", batchSize, "commands per batch (one UIN each)");
  app.add_option("--wait-replicas", waitReplicas,
                 "after each batch, WAIT until this many replicas of every master have it (0: no WAIT)");
  CLI11_PARSE(app, argc, argv);
  std::string error;
  options.cluster = icq::redis::parseNodeList(clusterNodes, error);
  if (!error.empty()) {
    std::fprintf(stderr, "--cluster-nodes: %s\n", error.c_str());
    return 2;
  }

  icq::redis::RedisConnection redis(options);
  const icq::redis::RedisScript& touch =
      redis.addScript("bench_touch", "return redis.call('HSET', KEYS[1], 'seen', ARGV[1])");
  std::vector<icq::redis::Reply> replies;
  const auto started = std::chrono::steady_clock::now();
  const double cpuStarted = cpuSeconds();
  size_t failed = 0, unreplicated = 0;
  for (size_t batch = 0; batch < batches; ++batch) {
    auto append = [&](size_t i, bool withSource) {
      const icq::redis::keys::UinKey key = icq::redis::keys::session(static_cast<uint32_t>(100000 + i));
      const icq::redis::Decimal seen(batch);
      if (command == "hset") {
        redis.append({"HSET", key, "seen", seen});
      } else {
        const std::string_view keys[] = {key};
        const std::string_view args[] = {seen};
        redis.appendScript(touch, keys, args, withSource);
      }
    };
    if (!redis.pipeline(batchSize, append, replies)) ++failed;
    if (waitReplicas > 0) {
      icq::redis::Reply acknowledged;
      const icq::redis::Decimal wanted(waitReplicas);
      if (!redis.command({"WAIT", wanted, "1000"}, acknowledged) || acknowledged.integer() < waitReplicas)
        ++unreplicated;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cpu = cpuSeconds() - cpuStarted;
  const double commands = static_cast<double>(batches * batchSize);
  std::printf(
      "%s %s%s: %zu batches of %zu, %.0f commands/s, client CPU %.3f us/command, %zu failed batches, "
      "%zu not on every replica within 1 s\n",
      options.cluster.empty() ? "single" : "cluster", command.c_str(), waitReplicas > 0 ? " + WAIT" : "", batches,
      batchSize, commands / seconds, cpu * 1e6 / commands, failed, unreplicated);
  return failed == 0 ? 0 : 1;
}
