// RedisServer: fork/exec of redis-server under PR_SET_PDEATHSIG, readiness by PING; see
// redis_server.hpp.
#include "tests/support/redis_server.hpp"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace icq::test {
namespace {

constexpr int kStartAttempts = 5;  // a free port can be taken between probe and bind
constexpr auto kReadyTimeout = std::chrono::seconds(10);

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

}  // namespace

RedisServer::RedisServer(std::optional<RedisUser> user, std::optional<TlsFiles> tls)
    : user_(std::move(user)), tls_(std::move(tls)), binary_(findInPath("redis-server")) {
  dir_ = makeTempDir("icq-redis-");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = freeTcpPort();
    if (port_ != 0 && start()) return;
  }
  std::filesystem::remove_all(dir_);
  throw std::runtime_error("redis-server did not start; see its log in " + dir_);
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

redis::RedisOptions RedisServer::options(std::chrono::milliseconds timeout) const {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.timeout = timeout;
  if (user_) {
    options.username = user_->name;
    options.password = user_->password;
  }
  return options;
}

redis::RedisOptions RedisServer::unixSocketOptions(std::chrono::milliseconds timeout) const {
  redis::RedisOptions options = this->options(timeout);
  options.unixSocket = dir_ + "/redis.sock";
  return options;
}

bool RedisServer::start() {
  const std::string logPath = dir_ + "/redis.log";
  std::vector<std::string> args = {binary_, "--bind", "127.0.0.1", "--unixsocket", dir_ + "/redis.sock"};
  args.insert(args.end(), {"--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", dir_,
                           "--daemonize", "no", "--logfile", logPath});
  if (tls_)  // TLS only: no plain port; the client's own certificate is not asked for
    args.insert(args.end(), {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file", tls_->cert,
                             "--tls-key-file", tls_->key, "--tls-ca-cert-file", tls_->ca, "--tls-auth-clients", "no"});
  else
    args.insert(args.end(), {"--port", std::to_string(port_)});
  if (user_) {  // an ACL file, as deploy/local/lib.sh and the chart write it
    const std::string aclPath = dir_ + "/users.acl";
    std::ofstream(aclPath) << "user default off\nuser " << user_->name << " on >" << user_->password << ' '
                           << user_->rules << '\n';
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
  pid_ = child;

  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (answersPing(dir_ + "/redis.sock")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
  return false;
}

void RedisServer::signalAndWait(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::stop() { signalAndWait(SIGTERM); }

void RedisServer::kill() { signalAndWait(SIGKILL); }

std::map<std::string, int64_t> commandCalls(redis::RedisConnection& redis) {
  redis::Reply reply;
  if (!redis.command({"INFO", "commandstats"}, reply) || !reply.isString())
    throw std::runtime_error("INFO commandstats got no answer");
  const std::string info(reply.str());
  std::map<std::string, int64_t> calls;
  size_t at = 0;
  while ((at = info.find("cmdstat_", at)) != std::string::npos) {
    const size_t colon = info.find(':', at);
    const std::string name = info.substr(at + 8, colon - at - 8);
    const size_t value = info.find("calls=", colon) + 6;
    if (name != "info" && name.rfind("config", 0) != 0) calls[name] = std::stoll(info.substr(value));
    at = colon;
  }
  return calls;
}

void resetCommandStats(redis::RedisConnection& redis) {
  redis::Reply reply;
  if (!redis.command({"CONFIG", "RESETSTAT"}, reply)) throw std::runtime_error("CONFIG RESETSTAT got no answer");
}

void RedisServer::restart() {
  kill();
  std::filesystem::remove_all(dir_ + "/appendonlydir");
  if (!start()) throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_));
}

void RedisServer::crashAndRecover() {
  kill();
  if (!start()) throw std::runtime_error("redis-server did not come back on port " + std::to_string(port_));
}

}  // namespace icq::test
