// The end-to-end cluster fixture; see cluster.hpp.
#include "tests/support/cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <exception>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "common/auth/password.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/test_outcome.hpp"
#include "tools/v5client/v5_client.hpp"

namespace icq::test {

using namespace icq::client;

Cluster::Cluster(RedisServer& redis, PgDatabase& database, ClusterOptions options)
    : redis_(redis), database_(database), options_(std::move(options)), dir_(makeTempDir("icq-e2e-")) {
  for (size_t g = 0; g < options_.gateways; ++g) {
    udpPorts_.push_back(freeUdpPort());
    gateways_.emplace_back();
    restartGateway(g);
  }
  for (size_t w = 0; w < options_.workers; ++w) addWorker();
  if (options_.scheduler) scheduler_ = launch(ICQ_SCHEDULER_BIN, "scheduler", 0, {});
}

Cluster::~Cluster() {
  // SIGTERM first: the graceful paths (drain, lease release) run in every test.
  for (auto& p : workers_) p->stop(SIGTERM, std::chrono::seconds(5));
  for (auto& p : gateways_) p->stop(SIGTERM, std::chrono::seconds(5));
  if (scheduler_) scheduler_->stop(SIGTERM, std::chrono::seconds(5));
  for (auto& p : extraSchedulers_) p->stop(SIGTERM, std::chrono::seconds(5));
  // The logs are what explains a failure (ctest prints this line); a pass leaves nothing
  // behind, or every run of the suite would add a directory per test to /tmp.
  if (currentTestFailed() || std::uncaught_exceptions() > 0) {
    std::cerr << "the cluster's logs are kept in " << dir_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> Cluster::commonArgs(const std::string& role, size_t index) {
  std::string id = role == "gateway" ? gatewayId(index) : role + "-" + std::to_string(index);
  auto [port, fresh] = adminPorts_.try_emplace(role + "-" + std::to_string(index), 0);
  if (fresh) port->second = freeTcpPort();
  std::vector<std::string> args = redis_.configFlags();
  args.insert(args.end(), {"--set", "postgres.url=" + database_.url(), "--set", "log.level=debug", "--set",
                           role + ".id=" + id, "--set", "admin.listen=127.0.0.1:" + std::to_string(port->second),
                           "--set", "admin.api_token=" + options_.adminToken});
  for (const std::string& s : options_.settings) {
    args.push_back("--set");
    args.push_back(s);
  }
  return args;
}

std::unique_ptr<ChildProcess> Cluster::launch(const std::string& program, const std::string& role, size_t index,
                                              std::vector<std::string> extra) {
  std::vector<std::string> args = commonArgs(role, index);
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(program, args, dir_ + "/" + role + "-" + std::to_string(index) + ".log");
}

void Cluster::restartGateway(size_t g) {
  if (gateways_.at(g)) gateways_[g]->kill();
  gateways_[g] = launch(ICQ_GATEWAY_BIN, "gateway", g,
                        {"--set", "gateway.udp_port=" + std::to_string(udpPorts_.at(g)), "--set",
                         "gateway.udp_bind=127.0.0.1", "--set", "gateway.pipeline_bind=tcp://127.0.0.1:*"});
}

size_t Cluster::addWorker() {
  workers_.push_back(launch(ICQ_WORKER_BIN, "worker", workers_.size(), {}));
  return workers_.size() - 1;
}

size_t Cluster::addScheduler() {
  size_t index = extraSchedulers_.size() + 1;
  extraSchedulers_.push_back(launch(ICQ_SCHEDULER_BIN, "scheduler", index, {}));
  return extraSchedulers_.size() - 1;
}

bool Cluster::waitUntilServing(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (size_t g = 0; g < gateways_.size(); ++g) {
    // A keep-alive from a UIN with no session is answered SRV_NOT_CONNECTED by whichever
    // worker gets it: proof that gateway → worker → gateway works.
    V5Client probe(udpPort(g), 1, "probe");
    std::array<uint8_t, 4> random{};
    while (true) {
      probe.send(codec::v5::CMD_KEEP_ALIVE, random, false);
      if (probe.expect(codec::v5::SRV_NOT_CONNECTED, std::chrono::milliseconds(200))) break;
      if (std::chrono::steady_clock::now() > deadline) return false;
    }
  }
  // Every worker linked to every gateway: a worker finds gateways by polling the registry, so
  // without this a packet it sends to a gateway registered after its last poll would wait for
  // the scheduler's retransmission, longer than a test waits.
  const std::string linked = "icq_worker_gateway_links " + std::to_string(gateways_.size());
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (!workers_[w]->alive()) continue;  // killed by the test: its successor is another index
    while (httpGet(adminPort("worker", w), "/metrics").body.find(linked) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return waitUntilOwnersSettled(deadline);
}

// Every live worker authoritative under one epoch: the view that names them all is settled and each
// has loaded what it owns. Before that, a datagram for a UIN whose owner has not yet seen the
// view settle is dropped for the client's retransmission to bring back (worker/sessions/
// owned_sessions.hpp Reach::later), and a test's client does not retransmit its login.
bool Cluster::waitUntilOwnersSettled(std::chrono::steady_clock::time_point deadline) {
  const auto gauge = [](const std::string& text, const std::string& name) {
    const size_t at = text.find("\n" + name + " ");
    return at == std::string::npos ? std::string() : text.substr(at + name.size() + 2, text.find('\n', at + 1) - at - name.size() - 2);
  };
  while (true) {
    std::string epoch;
    bool settled = true;
    for (size_t w = 0; w < workers_.size() && settled; ++w) {
      if (!workers_[w]->alive()) continue;
      const std::string text = httpGet(adminPort("worker", w), "/metrics").body;
      const std::string mine = gauge(text, "icq_worker_membership_epoch");
      settled = gauge(text, "icq_worker_authoritative") == "1" && !mine.empty() && (epoch.empty() || mine == epoch);
      epoch = mine;
    }
    if (settled) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Cluster::createUser(uint32_t uin, const std::string& password) { createTestUser(database_, uin, password); }

void createTestUser(PgDatabase& database, uint32_t uin, const std::string& password) {
  pg::PgConnection connection(database.url());
  pg::applyMigrations(connection);  // the workers may not have got to it yet; it is idempotent
  pg::PgUserStore users(connection);
  store::NewUser user;
  user.uin = uin;
  user.passwordHash = auth::hashPassword(password, 1, 8 * 1024);
  user.nick = "user" + std::to_string(uin);
  uint32_t created = 0;
  bool exists = false;
  if (!users.createUser(user, created, exists) || exists) throw std::runtime_error("cannot create test user");
}

std::string Cluster::logs() const {
  std::string out;
  auto append = [&](const std::unique_ptr<ChildProcess>& p) {
    if (p) out += "==== " + p->logPath() + "\n" + p->logTail() + "\n";
  };
  for (const auto& p : gateways_) append(p);
  for (const auto& p : workers_) append(p);
  append(scheduler_);
  for (const auto& p : extraSchedulers_) append(p);
  return out;
}

}  // namespace icq::test
