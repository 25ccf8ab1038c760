// A private redis-server for tests that need a real Redis (STYLE.md §7 "_redistest"): a
// free loopback port and a Unix socket in its own directory, with an append-only file as the
// local runner and the chart run it; it can be restarted on the same port empty (reconnection
// after a loss) or from its append-only file (a crash it recovers from), and it dies with the
// test process. With ICQ_TEST_REDIS_CLUSTER=1 in the environment the same tests get a real
// Redis Cluster instead (three masters, created by redis-cli --cluster create), so that every
// Redis, end-to-end and load test runs against both (tests/run.sh does both runs).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/redis/connection.hpp"
#include "tests/support/test_ca.hpp"

namespace icq::test {

/// An ACL user for a server that turns its default user off, so that only a client that
/// authenticates as this user gets in (redis.username, redis.password). The rules are the
/// ones deploy/local/lib.sh gives the cluster's user: its keys, every command but the
/// dangerous ones.
struct RedisUser {
  std::string name = "icq";
  std::string password;
  std::string rules = "~icq:* &* +@all -@dangerous";
};

/// One redis-server, or a cluster of them.
enum class RedisTopology {
  single,
  cluster,              // three masters, no replicas
  clusterWithReplicas,  // three masters with a replica each: failover
};

/// `cluster` when ICQ_TEST_REDIS_CLUSTER=1 is set, else `single`.
RedisTopology defaultRedisTopology();

/// Create it on a thread that outlives it: the server is killed when the thread that
/// started it exits (PR_SET_PDEATHSIG), which is what cleans up after a crashed test.
class RedisServer {
public:
  /// Starts redis-server (from PATH) and waits until it answers PING. With `tls` it listens
  /// on TLS alone (port 0, tls-port): port() is the TLS port, where a plain client gets
  /// nothing. Throws std::runtime_error, failing the test, if it cannot be started.
  /// With `tls` it is always a single server (a test's stunnel speaks to one port).
  explicit RedisServer(std::optional<RedisUser> user = std::nullopt, std::optional<TlsFiles> tls = std::nullopt,
                       RedisTopology topology = defaultRedisTopology());
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// The (first) server's port.
  int port() const { return nodes_.front().port; }
  bool running() const { return nodes_.front().pid > 0; }
  bool cluster() const { return nodes_.size() > 1; }
  /// The command-line flags that point a process at this server or cluster:
  /// "--set redis.port=..." and, for a cluster, "--set redis.cluster_nodes=...".
  std::vector<std::string> configFlags() const;
  /// redis.cluster_nodes for this cluster ("127.0.0.1:p1,127.0.0.1:p2,..."); empty for a
  /// single server.
  std::string clusterNodes() const;
  /// Connection options for this server, with a short timeout so failure tests stay quick;
  /// with the ACL user's name and password when the server has one; the cluster's nodes as
  /// seeds when it is a cluster.
  redis::RedisOptions options(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const;
  /// The same server by its Unix socket (redis.unix_socket); a single server only.
  redis::RedisOptions unixSocketOptions(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const;

  /// SIGTERM and wait: a clean shutdown (of every node).
  void stop();
  /// SIGKILL and wait: a crash (of every node).
  void kill();
  /// Kills the server if it runs and starts a fresh, empty one on the same port (a cluster:
  /// fresh nodes, created again).
  void restart();
  /// SIGKILL, then a new server on the same port that loads the append-only file: a crash
  /// Redis comes back from with everything it had answered (a cluster: every node, each
  /// with its own cluster configuration).
  void crashAndRecover();

  /// SIGKILL of one node of a cluster (0 to 5; the first three start as masters).
  void killNode(size_t node);
  /// The port of one node of a cluster.
  int nodePort(size_t node) const { return nodes_.at(node).port; }
  size_t nodeCount() const { return nodes_.size(); }
  /// Waits until every running node reports cluster_state:ok and agrees that every slot is
  /// served, and every replica is in sync with its master; throws after `timeout`.
  void awaitClusterOk(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  /// The node (0 to nodeCount() - 1) that serves `slot` now as a master, as the cluster's
  /// nodes see it (CLUSTER NODES from the first that answers; failed masters left out).
  /// Throws when no master serves it.
  size_t masterOf(uint16_t slot) const;

  /// One command to one node directly (by its Unix socket): the text of its reply (an
  /// integer in decimal).
  std::string nodeCommandText(size_t node, std::vector<std::string> argv) const;
  /// The same, for a reply that is a list: the text of each element.
  std::vector<std::string> nodeCommandList(size_t node, std::vector<std::string> argv) const;

private:
  struct Node {
    std::string dir;
    int port = 0;
    int busPort = 0;
    pid_t pid = -1;
  };

  /// Starts node i on its port; false if it exited before answering (the port was taken).
  bool start(Node& node);
  void startNodes();
  void createCluster();
  void signalAndWait(Node& node, int signal);
  bool clusterNodeReady(size_t node, std::string& why) const;

  std::optional<RedisUser> user_;
  std::optional<TlsFiles> tls_;
  std::string dir_;
  std::string binary_;
  std::vector<Node> nodes_;
};

/// Moves a slot from one master of a cluster to another the way redis-cli --cluster reshard
/// does, one step at a time, so a test can act between the steps: begin() marks it migrating
/// and importing, migrate() moves some of its keys (ASK for those while the rest stay),
/// migrateAll() the rest, finish() gives the slot to its new master on every node (MOVED).
struct SlotMigration {
  const RedisServer& server;
  uint16_t slot;
  size_t from, to;

  void begin() const;
  void migrate(const std::vector<std::string>& keys) const;
  void migrateAll() const;
  void finish() const;

private:
  std::string id(size_t node) const;
};

/// Calls per command since the last resetCommandStats(), from INFO commandstats summed over
/// every node; the INFO and CONFIG calls of the test itself left out. Throws, failing the
/// test, if Redis does not answer.
std::map<std::string, int64_t> commandCalls(const RedisServer& server);
/// CONFIG RESETSTAT on every node: what commandCalls() counts starts here.
void resetCommandStats(const RedisServer& server);

}  // namespace icq::test
