// A real icqcluster for end-to-end tests: gateways, workers and a scheduler as separate
// processes (the real binaries) on free ports, against a test's own Redis server and
// PostgreSQL database. Tests talk to it only over UDP, like clients do.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace icq::test {

class RedisServer;
class PgDatabase;

struct ClusterOptions {
  size_t gateways = 1;
  size_t workers = 1;
  bool scheduler = true;
  /// Extra "key=value" settings for every process (e.g. "v5.session_ttl_s=5").
  std::vector<std::string> settings = {};
  /// admin.api_token of the schedulers (empty: their admin API refuses every request).
  std::string adminToken = "";
};

class Cluster {
public:
  Cluster(RedisServer& redis, PgDatabase& database, ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  uint16_t udpPort(size_t gateway) const { return udpPorts_.at(gateway); }
  std::string gatewayId(size_t gateway) const { return "gw-" + std::to_string(gateway); }

  ChildProcess& gateway(size_t i) { return *gateways_.at(i); }
  ChildProcess& worker(size_t i) { return *workers_.at(i); }
  ChildProcess& scheduler() { return *scheduler_; }
  /// Starts one more worker; returns its index.
  size_t addWorker();
  /// Starts gateway `g` again (after it was killed) on the same UDP port, with the same id.
  void restartGateway(size_t g);
  /// Starts a further scheduler replica; returns its index for schedulerReplica().
  size_t addScheduler();
  ChildProcess& schedulerReplica(size_t i) { return *extraSchedulers_.at(i); }

  /// Waits until every gateway answers through some worker (a probe gets SRV_NOT_CONNECTED).
  bool waitUntilServing(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  /// Every live worker authoritative under the same membership epoch (part of waitUntilServing).
  bool waitUntilOwnersSettled(std::chrono::steady_clock::time_point deadline);

  /// Creates an account directly in the database (argon2id, test-sized cost).
  void createUser(uint32_t uin, const std::string& password);

  /// The admin HTTP port (admin.listen on 127.0.0.1) of a process: role "gateway",
  /// "worker" or "scheduler" and its index (extra scheduler replicas count from 1).
  uint16_t adminPort(const std::string& role, size_t index) const { return adminPorts_.at(role + "-" + std::to_string(index)); }

  /// The last lines of every process's log, for a failing test's message.
  std::string logs() const;

private:
  std::vector<std::string> commonArgs(const std::string& role, size_t index);
  std::unique_ptr<ChildProcess> launch(const std::string& program, const std::string& role, size_t index,
                                       std::vector<std::string> extra);

  RedisServer& redis_;
  PgDatabase& database_;
  ClusterOptions options_;
  std::string dir_;
  std::vector<uint16_t> udpPorts_;
  std::map<std::string, uint16_t> adminPorts_;  // "<role>-<index>" -> port, kept across restarts
  std::vector<std::unique_ptr<ChildProcess>> gateways_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  std::unique_ptr<ChildProcess> scheduler_;
  std::vector<std::unique_ptr<ChildProcess>> extraSchedulers_;
};

/// Creates an account directly in `database` (schema migrated first; argon2id at test cost).
void createTestUser(PgDatabase& database, uint32_t uin, const std::string& password);

}  // namespace icq::test
