// PgMessageStore against a fresh, migrated PostgreSQL database: offline messages stored,
// read oldest first, deleted by delivered batch (protocol-v5.md §6.8, §6.10, §11.2), and
// failure as a value when the server is gone.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/message_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'123;
constexpr uint32_t kAlice = 1001, kBob = 1002, kCarol = 1003;

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};
  pg::PgMessageStore messages{connection};

  Fixture() {
    pg::applyMigrations(connection);
    for (uint32_t uin : {kAlice, kBob, kCarol}) {
      store::NewUser user;
      user.uin = uin;
      user.passwordHash = "$argon2id$fake";
      uint32_t created = 0;
      bool exists = true;
      REQUIRE(users.createUser(user, created, exists));
    }
  }
  void store(uint32_t from, uint32_t to, const std::string& text, int64_t atMs = kNowMs, uint16_t type = 1) {
    bool stored = false;
    REQUIRE(messages.storeOffline(from, to, type, bytes(text), atMs, stored));
    REQUIRE(stored);
  }
  std::vector<store::OfflineMessage> pending(uint32_t uin, size_t limit = 100) {
    std::vector<store::OfflineMessage> out;
    REQUIRE(messages.pendingFor(uin, limit, out));
    return out;
  }
  std::vector<std::string> pendingTexts(uint32_t uin) {
    std::vector<std::string> texts;
    for (const store::OfflineMessage& m : pending(uin)) texts.push_back(m.text);
    return texts;
  }
};

}  // namespace

TEST_CASE("message store: a stored message is pending for its recipient with every field", "[pg][messages]") {
  Fixture f;
  CHECK(f.pending(kBob).empty());
  f.store(kAlice, kBob, "hello", kNowMs, 0x8004);
  const auto pending = f.pending(kBob);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].id > 0);
  CHECK(pending[0].from == kAlice);
  CHECK(pending[0].to == kBob);
  CHECK(pending[0].storedAtMs == kNowMs);  // to the millisecond, UTC
  CHECK(pending[0].type == 0x8004);        // flags pass through (§9.1)
  CHECK(pending[0].text == "hello");
  CHECK(f.pending(kAlice).empty());
}

TEST_CASE("message store: pending messages come oldest first, at most limit", "[pg][messages]") {
  Fixture f;
  // Stored-at times out of order: the order is the order of storing, not the clock's.
  for (int i = 0; i < 5; ++i) f.store(kAlice, kBob, "m" + std::to_string(i), kNowMs - i * 1000);
  const auto three = f.pending(kBob, 3);
  REQUIRE(three.size() == 3);
  CHECK(three[0].text == "m0");
  CHECK(three[1].text == "m1");
  CHECK(three[2].text == "m2");
  CHECK(three[0].id < three[1].id);
  CHECK(three[1].id < three[2].id);
  CHECK(f.pending(kBob).size() == 5);
}

TEST_CASE("message store: deleteDelivered removes the batch and keeps newer messages", "[pg][messages]") {
  Fixture f;
  f.store(kAlice, kBob, "one");
  f.store(kAlice, kBob, "two");
  f.store(kAlice, kCarol, "for carol");
  const auto batch = f.pending(kBob, 2);
  REQUIRE(batch.size() == 2);
  f.store(kCarol, kBob, "after the batch");  // stored while the batch was out (§6.8 decision)

  REQUIRE(f.messages.deleteDelivered(kBob, batch.back().id));
  CHECK(f.pendingTexts(kBob) == std::vector<std::string>{"after the batch"});
  CHECK(f.pendingTexts(kCarol) == std::vector<std::string>{"for carol"});  // another recipient's
  REQUIRE(f.messages.deleteDelivered(kBob, batch.back().id));              // a repeated ACK
  CHECK(f.pending(kBob).size() == 1);
}

TEST_CASE("message store: a message to an unknown UIN is not stored", "[pg][messages]") {
  Fixture f;
  bool stored = true;
  REQUIRE(f.messages.storeOffline(kAlice, 424242, 1, bytes("anyone?"), kNowMs, stored));
  CHECK_FALSE(stored);
  pqxx::nontransaction tx(f.connection.connection());
  CHECK(tx.exec1("SELECT count(*) FROM offline_messages")[0].as<int>() == 0);
}

TEST_CASE("message store: text is kept byte for byte", "[pg][messages]") {
  Fixture f;
  std::string text;
  for (int b = 0; b < 256; ++b) text += static_cast<char>(b);  // NUL, 0xFE separators, high bytes
  text += "\xFE\xFE\xE4\xF6";
  f.store(kAlice, kBob, text);
  f.store(kAlice, kBob, "");
  const auto pending = f.pending(kBob);
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].text == text);
  CHECK(pending[1].text.empty());
}

TEST_CASE("message store: a deleted account takes its messages with it", "[pg][messages]") {
  Fixture f;
  f.store(kAlice, kBob, "bye");
  bool deleted = false;
  REQUIRE(f.users.deleteUser(kBob, "$argon2id$fake", deleted));
  REQUIRE(deleted);
  CHECK(f.pending(kBob).empty());
}

// The batch marker deletes up to an id, so no message may become visible with an id below one
// already read (message_store_impl.cpp). A message in flight to the same recipient holds its
// recipient's row; a later one waits for it and draws its id after it.
TEST_CASE("message store: a message waits for one in flight to the same recipient", "[pg][messages]") {
  Fixture f;
  pqxx::connection other(f.database.url());
  pqxx::work inFlight(other);
  inFlight.exec("SELECT 1 FROM users WHERE uin = 1002 FOR NO KEY UPDATE");
  inFlight.exec(
      "INSERT INTO offline_messages (to_uin, from_uin, stored_at, msg_type, text)"
      " VALUES (1002, 1001, now(), 1, 'first')");

  std::atomic<bool> done{false};
  std::thread later([&] {
    bool stored = false;
    CHECK(f.messages.storeOffline(kCarol, kBob, 1, bytes("second"), kNowMs, stored));
    CHECK(stored);
    done = true;
  });
  pqxx::connection admin(test::PgDatabase::adminUrl());
  bool waiting = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       !waiting && std::chrono::steady_clock::now() < deadline;) {
    pqxx::nontransaction tx(admin);
    waiting = tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                              f.database.name())[0]
                  .as<int>() > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(waiting);
  CHECK_FALSE(done);

  // Messages to other recipients do not wait.
  pg::PgConnection third(f.database.url());
  pg::PgMessageStore carolsMessages(third);
  bool stored = false;
  REQUIRE(carolsMessages.storeOffline(kAlice, kCarol, 1, bytes("unrelated"), kNowMs, stored));
  CHECK(stored);

  inFlight.commit();
  later.join();
  const auto pending = f.pending(kBob);
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].text == "first");
  CHECK(pending[1].text == "second");
  CHECK(pending[0].id < pending[1].id);
}

TEST_CASE("message store: methods return false, not throw, when the server is unreachable", "[pg][messages]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  pg::PgMessageStore messages(connection);
  bool stored = true;
  std::vector<store::OfflineMessage> out;
  CHECK_FALSE(messages.storeOffline(kAlice, kBob, 1, bytes("x"), kNowMs, stored));
  CHECK_FALSE(stored);
  CHECK_FALSE(messages.pendingFor(kBob, 10, out));
  CHECK(out.empty());
  CHECK_FALSE(messages.deleteDelivered(kBob, 1));
}

}  // namespace icq
