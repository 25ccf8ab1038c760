// RedisServer: fork/exec of redis-server under PR_SET_PDEATHSIG, readiness by PING; see
// redis_server.hpp.
#include "tests/support/redis_server.hpp"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace icq::test {
namespace {

constexpr int kStartAttempts = 5;  // a free port can be taken between probe and bind
constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr std::string_view kClusterAdmin = "icq-admin";  // with the test user's password

/// By the Unix socket, which every server has: a TLS-only one answers no plain client on its
/// port, and Redis opens all its listeners before it serves any.
bool answersPing(const std::string& socket) {
  const timeval timeout{0, 200'000};
  redisContext* context = redisConnectUnixWithTimeout(socket.c_str(), timeout);
  bool pong = false;
  if (context && !context->err) {
    redisSetTimeout(context, timeout);
    if (auto* reply = static_cast<redisReply*>(redisCommand(context, "PING"))) {
      const std::string text(reply->str ? reply->str : "", reply->str ? reply->len : 0);
      // NOAUTH: up, with its default user off (RedisUser).
      pong = (reply->type == REDIS_REPLY_STATUS && text == "PONG") ||
             (reply->type == REDIS_REPLY_ERROR && text.rfind("NOAUTH", 0) == 0);
      freeReplyObject(reply);
    }
  }
  if (context) redisFree(context);
  return pong;
}

/// One command to one node by its Unix socket, authenticated as `user` when given. Throws,
/// failing the test, when the node does not answer.
/// The text of a scalar reply (an integer in decimal), or of each element of an array.
std::vector<std::string> replyTexts(const redisReply* reply) {
  auto text = [](const redisReply* r) {
    return r->type == REDIS_REPLY_INTEGER ? std::to_string(r->integer)
                                          : std::string(r->str ? r->str : "", r->str ? r->len : 0);
  };
  if (reply->type != REDIS_REPLY_ARRAY) return {text(reply)};
  std::vector<std::string> texts;
  for (size_t i = 0; i < reply->elements; ++i) texts.push_back(text(reply->element[i]));
  return texts;
}

/// One command to one node by its Unix socket, authenticated as `user` when given. Throws,
/// failing the test, when the node does not answer.
std::vector<std::string> nodeCommand(const std::string& socket, const std::optional<RedisUser>& user,
                                     std::vector<std::string> argv) {
  const timeval timeout{5, 0};
  std::unique_ptr<redisContext, void (*)(redisContext*)> context(redisConnectUnixWithTimeout(socket.c_str(), timeout),
                                                                 redisFree);
  if (!context || context->err) throw std::runtime_error("cannot reach redis at " + socket);
  redisSetTimeout(context.get(), timeout);
  if (user) argv.insert(argv.begin(), {"AUTH", user->name, user->password});
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  auto queue = [&](size_t from, size_t to) {
    args.clear();
    lengths.clear();
    for (size_t i = from; i < to; ++i) args.push_back(argv[i].c_str()), lengths.push_back(argv[i].size());
    redisAppendCommandArgv(context.get(), static_cast<int>(args.size()), args.data(), lengths.data());
  };
  if (user) queue(0, 3);
  queue(user ? 3 : 0, argv.size());
  std::vector<std::string> texts;
  for (int i = 0; i < (user ? 2 : 1); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context.get(), &raw) != REDIS_OK || raw == nullptr)
      throw std::runtime_error("no reply from redis at " + socket);
    texts = replyTexts(static_cast<redisReply*>(raw));
    freeReplyObject(raw);
  }
  return texts;
}

size_t nodeCountOf(RedisTopology topology) {
  switch (topology) {
    case RedisTopology::single:
      return 1;
    case RedisTopology::cluster:
      return 3;
    case RedisTopology::clusterWithReplicas:
      return 6;
  }
  return 1;
}

}  // namespace

RedisTopology defaultRedisTopology() {
  const char* cluster = std::getenv("ICQ_TEST_REDIS_CLUSTER");
  return cluster && std::string_view(cluster) == "1" ? RedisTopology::cluster : RedisTopology::single;
}

RedisServer::RedisServer(std::optional<RedisUser> user, std::optional<TlsFiles> tls, RedisTopology topology)
    : user_(std::move(user)), tls_(std::move(tls)), binary_(findInPath("redis-server")) {
  dir_ = makeTempDir("icq-redis-");
  nodes_.resize(tls_ ? 1 : nodeCountOf(topology));
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].dir = nodes_.size() == 1 ? dir_ : dir_ + "/n" + std::to_string(i);
    std::filesystem::create_directories(nodes_[i].dir);
  }
  try {
    startNodes();
    if (cluster()) createCluster();
  } catch (...) {
    kill();
    throw;
  }
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::startNodes() {
  for (Node& node : nodes_) {
    bool started = false;
    for (int attempt = 0; attempt < kStartAttempts && !started; ++attempt) {
      node.port = freeTcpPort();
      node.busPort = cluster() ? freeTcpPort() : 0;
      started = node.port != 0 && start(node);
    }
    if (!started) throw std::runtime_error("redis-server did not start; see its log in " + node.dir);
  }
}

// redis-cli --cluster create: slots spread over the masters, a replica for each when there
// are six nodes; then wait until every node has heard of every assignment.
void RedisServer::createCluster() {
  std::vector<std::string> args = {"--cluster", "create"};
  for (const Node& node : nodes_) args.push_back("127.0.0.1:" + std::to_string(node.port));
  args.insert(args.end(), {"--cluster-replicas", nodes_.size() == 6 ? "1" : "0", "--cluster-yes"});
  if (user_) args.insert(args.end(), {"--user", std::string(kClusterAdmin), "--pass", user_->password});
  ChildProcess create(findInPath("redis-cli"), args, dir_ + "/create.log");
  if (create.wait(std::chrono::seconds(60)) != 0)
    throw std::runtime_error("redis-cli --cluster create failed: " + create.logTail());
  awaitClusterOk();
}

void RedisServer::awaitClusterOk(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    bool ok = true;
    for (size_t node = 0; node < nodes_.size() && ok; ++node) ok = nodes_[node].pid <= 0 || clusterNodeReady(node, why);
    if (ok) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("the Redis Cluster did not become ready: " + why);
}

// Serving every slot as far as this node knows, and, for a replica, in sync with its master:
// one that has not finished its first sync cannot take over.
bool RedisServer::clusterNodeReady(size_t node, std::string& why) const {
  try {
    why = nodeCommandText(node, {"CLUSTER", "INFO"});
    if (why.find("cluster_state:ok") == std::string::npos || why.find("cluster_slots_ok:16384") == std::string::npos)
      return false;
    why = nodeCommandText(node, {"INFO", "replication"});
    return why.find("role:master") != std::string::npos || why.find("master_link_status:up") != std::string::npos;
  } catch (const std::runtime_error& error) {
    why = error.what();
    return false;
  }
}

std::vector<std::string> RedisServer::configFlags() const {
  std::vector<std::string> flags = {"--set", "redis.port=" + std::to_string(port())};
  if (cluster()) flags.insert(flags.end(), {"--set", "redis.cluster_nodes=" + clusterNodes()});
  return flags;
}

std::string RedisServer::clusterNodes() const {
  std::string list;
  if (!cluster()) return list;
  for (const Node& node : nodes_) {
    if (!list.empty()) list += ',';
    list += "127.0.0.1:" + std::to_string(node.port);
  }
  return list;
}

redis::RedisOptions RedisServer::options(std::chrono::milliseconds timeout) const {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port();
  options.timeout = timeout;
  if (user_) {
    options.username = user_->name;
    options.password = user_->password;
  }
  if (cluster())
    for (const Node& node : nodes_) options.cluster.push_back({"127.0.0.1", node.port});
  return options;
}

redis::RedisOptions RedisServer::unixSocketOptions(std::chrono::milliseconds timeout) const {
  if (cluster()) throw std::logic_error("a Unix socket reaches one node, not the cluster");
  redis::RedisOptions options = this->options(timeout);
  options.unixSocket = dir_ + "/redis.sock";
  return options;
}

bool RedisServer::start(Node& node) {
  const std::string logPath = node.dir + "/redis.log";
  std::vector<std::string> args = {binary_, "--bind", "127.0.0.1", "--unixsocket", node.dir + "/redis.sock"};
  args.insert(args.end(), {"--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", node.dir,
                           "--daemonize", "no", "--logfile", logPath});
  if (tls_)  // TLS only: no plain port; the client's own certificate is not asked for
    args.insert(args.end(), {"--port", "0", "--tls-port", std::to_string(node.port), "--tls-cert-file", tls_->cert,
                             "--tls-key-file", tls_->key, "--tls-ca-cert-file", tls_->ca, "--tls-auth-clients", "no"});
  else
    args.insert(args.end(), {"--port", std::to_string(node.port)});
  if (cluster())  // a short node timeout and no wait before a replica's first sync: tests wait for both
    args.insert(args.end(),
                {"--cluster-enabled", "yes", "--cluster-config-file", node.dir + "/nodes.conf", "--cluster-port",
                 std::to_string(node.busPort), "--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0"});
  if (user_) {  // an ACL file, as deploy/local/lib.sh and the chart write it
    const std::string aclPath = node.dir + "/users.acl";
    std::ofstream acl(aclPath);
    acl << "user default off\nuser " << user_->name << " on >" << user_->password << ' ' << user_->rules << '\n';
    // A cluster is created, inspected and replicated by an administrator: the cluster's own
    // user may not run INFO, CLUSTER MEET or PSYNC.
    if (cluster()) {
      acl << "user " << kClusterAdmin << " on >" << user_->password << " ~* &* +@all\n";
      args.insert(args.end(), {"--masteruser", std::string(kClusterAdmin), "--masterauth", user_->password});
    }
    args.insert(args.end(), {"--aclfile", aclPath});
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // Prepared before fork: between fork and exec the child calls only async-signal-safe
  // functions. Its output goes to the log, never to the test's stdout, which CTest reads
  // until every holder has closed it.
  const int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    // A test that crashes must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(devNull, 0);
    ::dup2(devNull, 1);
    ::dup2(devNull, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(devNull);
  node.pid = child;

  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(node.pid, &status, WNOHANG) == node.pid) {
      node.pid = -1;
      return false;
    }
    if (answersPing(node.dir + "/redis.sock")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  signalAndWait(node, SIGKILL);
  return false;
}

void RedisServer::signalAndWait(Node& node, int signal) {
  if (node.pid <= 0) return;
  ::kill(node.pid, signal);
  int status = 0;
  ::waitpid(node.pid, &status, 0);
  node.pid = -1;
}

void RedisServer::stop() {
  for (Node& node : nodes_) signalAndWait(node, SIGTERM);
}

void RedisServer::kill() {
  for (Node& node : nodes_) signalAndWait(node, SIGKILL);
}

void RedisServer::killNode(size_t node) { signalAndWait(nodes_.at(node), SIGKILL); }

std::map<std::string, int64_t> commandCalls(const RedisServer& server) {
  std::map<std::string, int64_t> calls;
  for (size_t node = 0; node < server.nodeCount(); ++node) {
    const std::string info = server.nodeCommandText(node, {"INFO", "commandstats"});
    size_t at = 0;
    while ((at = info.find("cmdstat_", at)) != std::string::npos) {
      const size_t colon = info.find(':', at);
      const std::string name = info.substr(at + 8, colon - at - 8);
      const size_t value = info.find("calls=", colon) + 6;
      if (name != "info" && name.rfind("config", 0) != 0 && name != "auth")
        calls[name] += std::stoll(info.substr(value));
      at = colon;
    }
  }
  return calls;
}

void resetCommandStats(const RedisServer& server) {
  for (size_t node = 0; node < server.nodeCount(); ++node) server.nodeCommandText(node, {"CONFIG", "RESETSTAT"});
}

// CLUSTER NODES lines: id, ip:port@bus, flags, master, ping, pong, epoch, link, slots...
size_t RedisServer::masterOf(uint16_t slot) const {
  std::string nodes;
  for (size_t node = 0; node < nodes_.size() && nodes.empty(); ++node) try {
      if (nodes_[node].pid > 0) nodes = nodeCommandText(node, {"CLUSTER", "NODES"});
    } catch (const std::runtime_error&) {
    }
  std::istringstream lines(nodes);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string field; in >> field;) fields.push_back(field);
    if (fields.size() < 9 || fields[2].find("master") == std::string::npos ||
        fields[2].find("fail") != std::string::npos)
      continue;
    const int port = std::stoi(fields[1].substr(fields[1].find(':') + 1));
    for (size_t i = 8; i < fields.size(); ++i) {
      if (fields[i].front() == '[') continue;  // a slot being migrated or imported
      const size_t dash = fields[i].find('-');
      const int first = std::stoi(fields[i]);
      const int last = dash == std::string::npos ? first : std::stoi(fields[i].substr(dash + 1));
      if (slot < first || slot > last) continue;
      for (size_t node = 0; node < nodes_.size(); ++node)
        if (nodes_[node].port == port) return node;
    }
  }
  throw std::runtime_error("no master serves slot " + std::to_string(slot));
}

std::vector<std::string> RedisServer::nodeCommandList(size_t node, std::vector<std::string> argv) const {
  std::optional<RedisUser> admin = user_;
  if (admin && cluster()) admin->name = kClusterAdmin;
  return nodeCommand(nodes_.at(node).dir + "/redis.sock", admin, std::move(argv));
}

std::string RedisServer::nodeCommandText(size_t node, std::vector<std::string> argv) const {
  const std::vector<std::string> texts = nodeCommandList(node, std::move(argv));
  return texts.empty() ? std::string() : texts.front();
}

std::string SlotMigration::id(size_t node) const { return server.nodeCommandText(node, {"CLUSTER", "MYID"}); }

void SlotMigration::begin() const {
  server.nodeCommandText(to, {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", id(from)});
  server.nodeCommandText(from, {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", id(to)});
}

void SlotMigration::migrate(const std::vector<std::string>& keys) const {
  std::vector<std::string> argv = {"MIGRATE", "127.0.0.1", std::to_string(server.nodePort(to)), "", "0",
                                   "5000",    "KEYS"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  const std::string reply = server.nodeCommandText(from, argv);
  if (reply != "OK" && reply != "NOKEY") throw std::runtime_error("MIGRATE failed: " + reply);
}

void SlotMigration::migrateAll() const {
  // What redis-cli --cluster reshard does: a few keys at a time until the slot is empty.
  for (;;) {
    const std::vector<std::string> keys =
        server.nodeCommandList(from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "10"});
    if (keys.empty() || (keys.size() == 1 && keys.front().empty())) return;
    migrate(keys);
  }
}

void SlotMigration::finish() const {
  const std::string owner = id(to);
  for (size_t node : {to, from})
    server.nodeCommandText(node, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", owner});
  for (size_t node = 0; node < server.nodeCount(); ++node)
    if (node != to && node != from)
      server.nodeCommandText(node, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", owner});
}

void RedisServer::restart() {
  kill();
  for (Node& node : nodes_) {
    std::filesystem::remove_all(node.dir + "/appendonlydir");
    std::filesystem::remove(node.dir + "/nodes.conf");
    if (!start(node)) throw std::runtime_error("redis-server did not restart on port " + std::to_string(node.port));
  }
  if (cluster()) createCluster();
}

void RedisServer::crashAndRecover() {
  kill();
  for (Node& node : nodes_)
    if (!start(node)) throw std::runtime_error("redis-server did not come back on port " + std::to_string(node.port));
  if (cluster()) awaitClusterOk();
}

}  // namespace icq::test
