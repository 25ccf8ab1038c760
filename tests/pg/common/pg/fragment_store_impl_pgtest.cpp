// PgFragmentStore against a fresh, migrated PostgreSQL database (protocol-v3.md §4.3–§4.6):
// a group returned whole after each add, a retransmitted fragment stored once, groups kept
// apart by UIN and seq2, concurrent adds from two connections of which exactly the last sees
// the group complete, take() won once, dropFor, and the age purge in bounded batches.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/fragment_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr uint32_t kAlice = 1001, kBob = 1002;

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgFragmentStore fragments{connection};

  Fixture() { pg::applyMigrations(connection); }

  std::vector<store::StoredFragment> add(uint32_t uin, uint16_t seq2, uint8_t index, uint8_t count,
                                         const std::string& payload, int64_t atMs = kNowMs) {
    std::vector<store::StoredFragment> group;
    REQUIRE(fragments.add({uin, seq2, index, count, bytes(payload)}, atMs, group));
    return group;
  }
  int64_t count() {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec1("SELECT count(*) FROM v3_fragments")[0].as<int64_t>();
  }
};

}  // namespace

TEST_CASE("fragment store: each add returns its whole group, kept apart by uin and seq2", "[pg][fragments]") {
  Fixture f;
  auto group = f.add(kAlice, 7, 1, 3, "bbb");
  REQUIRE(group.size() == 1);
  CHECK(group[0].first == 1);
  CHECK(group[0].second == 3);
  CHECK(group[0].payload == "bbb");
  f.add(kAlice, 8, 0, 2, "other seq2");
  f.add(kBob, 7, 0, 3, "other uin");
  group = f.add(kAlice, 7, 0, 3, std::string("a\0a", 3));  // bytes, NUL included
  REQUIRE(group.size() == 2);
  bool sawFirst = false;
  for (const store::StoredFragment& fragment : group)
    if (fragment.first == 0) sawFirst = fragment.payload == std::string("a\0a", 3);
  CHECK(sawFirst);
  CHECK(f.add(kAlice, 7, 0, 3, "a retransmission").size() == 2);  // stored once
}

TEST_CASE("fragment store: take removes a group once, leaving the others", "[pg][fragments]") {
  Fixture f;
  f.add(kAlice, 7, 0, 2, "a");
  f.add(kAlice, 7, 1, 2, "b");
  f.add(kAlice, 9, 0, 2, "c");
  bool taken = false;
  REQUIRE(f.fragments.take(kAlice, 7, taken));
  CHECK(taken);
  REQUIRE(f.fragments.take(kAlice, 7, taken));
  CHECK_FALSE(taken);
  CHECK(f.count() == 1);
}

TEST_CASE("fragment store: of concurrent adds to one group exactly one sees it complete", "[pg][fragments]") {
  Fixture f;
  constexpr int kFragments = 16;
  std::atomic<int> sawComplete = 0;
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      pg::PgConnection connection(f.database.url());
      pg::PgFragmentStore fragments(connection);
      for (int i = w; i < kFragments; i += 2) {
        std::vector<store::StoredFragment> group;
        const std::string payload(100, static_cast<char>('a' + i));
        if (!fragments.add({kAlice, 3, static_cast<uint8_t>(i), kFragments, bytes(payload)}, kNowMs, group)) return;
        if (group.size() == kFragments) sawComplete++;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  CHECK(sawComplete == 1);
  CHECK(f.count() == kFragments);
}

TEST_CASE("fragment store: dropFor removes a user's fragments, the purge the old ones in batches", "[pg][fragments]") {
  Fixture f;
  f.add(kAlice, 1, 0, 2, "a", kNowMs - 600'000);
  f.add(kAlice, 2, 0, 2, "b", kNowMs - 600'000);
  f.add(kBob, 1, 0, 2, "c", kNowMs - 700'000);
  f.add(kBob, 2, 0, 2, "d", kNowMs - 500'000);
  f.add(kBob, 3, 0, 2, "e", kNowMs);
  size_t deleted = 0;
  REQUIRE(f.fragments.purgeReceivedBefore(kNowMs - 550'000, 2, deleted));
  CHECK(deleted == 2);
  REQUIRE(f.fragments.purgeReceivedBefore(kNowMs - 550'000, 2, deleted));
  CHECK(deleted == 1);
  CHECK(f.count() == 2);
  REQUIRE(f.fragments.dropFor(kBob));
  CHECK(f.count() == 0);
}

}  // namespace icq
