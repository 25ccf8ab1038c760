// PgServer: lib.sh's start_postgres/stop_postgres through bash, the server's TLS files
// handed to the postgres user; see pg_server.hpp.
#include "tests/support/pg_server.hpp"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace icq::test {
namespace {

constexpr int kStartAttempts = 5;                       // a free port can be taken between probe and bind
constexpr auto kLibTimeout = std::chrono::seconds(90);  // initdb, then pg_ctl -w -t 60

namespace fs = std::filesystem;

/// A copy of `from` that only the server's user may read, as PostgreSQL demands of its key.
void handOver(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);
  if (::geteuid() != 0) return;  // lib.sh runs the server as ourselves
  const passwd* postgres = ::getpwnam("postgres");
  if (!postgres || ::chown(to.c_str(), postgres->pw_uid, postgres->pw_gid) != 0)
    throw std::runtime_error("cannot hand " + to + " to the postgres user");
}

}  // namespace

PgServer::PgServer(std::optional<TlsFiles> tls) {
  dir_ = makeTempDir("icq-pg-");
  // The server runs as the postgres user when we are root: it must reach its directory.
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  if (tls) settings_ = tlsSettings(*tls);
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = freeTcpPort();
    if (port_ != 0 && libFunction("start_postgres", startArgs())) return;
  }
  const std::string logs = fileText(dir_ + "/lib.log") + fileText(dir_ + "/pg/server.log");
  libFunction("stop_postgres", {dir_ + "/pg"});  // pg_ctl may have given up on a server still starting
  fs::remove_all(dir_);
  throw std::runtime_error("PostgreSQL did not start:\n" + logs);
}

PgServer::~PgServer() {
  libFunction("stop_postgres", {dir_ + "/pg"});
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void PgServer::stop() {
  if (!libFunction("stop_postgres", {dir_ + "/pg"})) throw std::runtime_error("stop_postgres failed");
}

void PgServer::start() {
  if (!libFunction("start_postgres", startArgs())) throw std::runtime_error("start_postgres failed");
}

std::vector<std::string> PgServer::startArgs() const {
  std::vector<std::string> args = {dir_ + "/pg", std::to_string(port_)};
  args.insert(args.end(), settings_.begin(), settings_.end());
  return args;
}

std::string PgServer::url(const std::string& extra) const {
  return "host=localhost hostaddr=127.0.0.1 port=" + std::to_string(port_) + " user=icq dbname=icq " + extra;
}

std::vector<std::string> PgServer::tlsSettings(const TlsFiles& tls) const {
  const std::string cert = dir_ + "/server.crt";
  const std::string key = dir_ + "/server.key";
  handOver(tls.cert, cert);
  handOver(tls.key, key);
  return {"ssl=on", "ssl_cert_file=" + cert, "ssl_key_file=" + key};
}

bool PgServer::libFunction(const std::string& function, std::vector<std::string> args) const {
  args.insert(args.begin(), {"-c", "source \"$0\" && \"$@\"", ICQ_SOURCE_DIR "/deploy/local/lib.sh", function});
  ChildProcess bash("/bin/bash", std::move(args), dir_ + "/lib.log");
  return bash.wait(kLibTimeout) == 0;
}

}  // namespace icq::test
