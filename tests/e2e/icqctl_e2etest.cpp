// icqctl straight against a running cluster's database (no --api): accounts it creates log in, passwords it
// sets are the ones that work, profiles it shows are UTF-8, and its exit codes say what
// went wrong.
#include <pqxx/pqxx>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

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

TEST_CASE("icqctl journal answers who was online from an address on which client and why it ended",
          "[e2e][icqctl][journal]") {
  E2E e2e;
  {
    V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.8.40");
    REQUIRE(alice.login() == LoginOutcome::accepted);
    alice.logoff();
  }
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.7.41");
  REQUIRE(bob.login() == LoginOutcome::accepted);

  // The scheduler writes the journal a tick or so after the events: wait for Alice's end.
  const std::vector<std::string> query = {"--json", "journal", "sessions", "--network", "127.0.8.0/24", "--from", "-1h"};
  nlohmann::json sessions;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const Run run = icqctl(e2e.database, query);
    REQUIRE(run.exitCode == 0);
    sessions = nlohmann::json::parse(run.output).at("sessions");
    if (sessions.size() == 1 && !sessions[0].at("ended").is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(sessions.size() == 1);  // Bob's address is outside the block
  const nlohmann::json& alice = sessions[0];
  CHECK(alice.at("uin") == kAlice);
  CHECK(alice.at("address") == "127.0.8.40");
  CHECK(alice.at("protocol") == 5);
  CHECK(alice.at("end_reason") == "logoff");

  const Run timeline = icqctl(e2e.database, {"--json", "journal", "timeline", "--session", alice.at("session")});
  REQUIRE(timeline.exitCode == 0);
  const auto events = nlohmann::json::parse(timeline.output).at("events");
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("kind") == "login");
  CHECK(events[1].at("kind") == "logoff");

  CHECK(icqctl(e2e.database, {"journal", "timeline", "--session", "no-such"}).exitCode == 4);
  const Run badTime = icqctl(e2e.database, {"journal", "sessions", "--from", "yesterday"});
  CHECK(badTime.exitCode == 2);
  CHECK_THAT(badTime.output, Catch::Contains("--from"));
  CHECK(icqctl(e2e.database, {"journal", "sessions", "--network", "10.0.0.0/33"}).exitCode == 2);
}

}  // namespace icq::test
