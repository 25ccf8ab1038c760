// icqctl straight against a running cluster's database (no --api): accounts it creates log in, passwords it
// sets are the ones that work, profiles it shows are UTF-8, and its exit codes say what
// went wrong.
#include <pqxx/pqxx>

#include <fstream>
#include <sstream>

#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

struct Run {
  int exitCode;
  std::string output;
};

Run icqctl(const PgDatabase& database, std::vector<std::string> args) {
  std::string log = "/tmp/icqctl-e2e-" + std::to_string(::getpid()) + ".log";
  ::unlink(log.c_str());
  std::vector<std::string> all = {"--set", "postgres.url=" + database.url(), "--set", "auth.argon2_memlimit_kib=64",
                                  "--set", "auth.argon2_opslimit=1"};
  all.insert(all.end(), args.begin(), args.end());
  ChildProcess process(ICQCTL_BIN, all, log);
  int code = process.wait(std::chrono::seconds(20));
  return {code, process.logTail()};
}

}  // namespace

TEST_CASE("icqctl creates accounts that log in and sets passwords that work", "[e2e][icqctl]") {
  E2E e2e;
  Run created = icqctl(e2e.database, {"--json", "user", "create", "--password", "pw1", "--nick", "neo"});
  REQUIRE(created.exitCode == 0);
  auto json = nlohmann::json::parse(created.output);
  uint32_t uin = json.at("uin").get<uint32_t>();
  CHECK(uin >= 10000);
  V5Client neo(e2e.cluster.udpPort(0), uin, "pw1", "127.0.8.1");
  CHECK(neo.login() == LoginOutcome::accepted);

  CHECK(icqctl(e2e.database, {"user", "passwd", "--uin", std::to_string(uin), "--password", "pw2"}).exitCode == 0);
  V5Client oldPassword(e2e.cluster.udpPort(0), uin, "pw1", "127.0.8.2");
  CHECK(oldPassword.login() == LoginOutcome::bad_password);
  V5Client newPassword(e2e.cluster.udpPort(0), uin, "pw2", "127.0.8.3");
  CHECK(newPassword.login() == LoginOutcome::accepted);

  Run taken = icqctl(e2e.database, {"user", "create", "--uin", std::to_string(kAlice), "--password", "x"});
  CHECK(taken.exitCode == 3);
  CHECK_THAT(taken.output, Catch::Contains("already exists"));
  CHECK(icqctl(e2e.database, {"user", "passwd", "--uin", "424242", "--password", "x"}).exitCode == 4);
  CHECK(icqctl(e2e.database, {"user", "create", "--password", "far-too-long"}).exitCode == 2);
  CHECK(icqctl(e2e.database, {"user", "frobnicate"}).exitCode != 0);
}

TEST_CASE("icqctl shows profile text converted from the clients' code page", "[e2e][icqctl]") {
  E2E e2e;
  {
    pqxx::connection connection(e2e.database.url());
    pqxx::work tx(connection);
    // "Привет" in CP1251, as a Russian ICQ 99 stores it.
    tx.exec_params("UPDATE users SET nick = $1 WHERE uin = $2",
                   pqxx::binarystring(std::string("\xCF\xF0\xE8\xE2\xE5\xF2")), kAlice);
    tx.commit();
  }
  Run shown = icqctl(e2e.database, {"--set", "text.codepage=CP1251", "--json", "user", "show", "--uin",
                                    std::to_string(kAlice)});
  REQUIRE(shown.exitCode == 0);
  CHECK(nlohmann::json::parse(shown.output).at("nick") == "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  CHECK(icqctl(e2e.database, {"--set", "text.codepage=NOPE", "user", "show", "--uin", "1"}).exitCode == 2);
}

}  // namespace icq::test
