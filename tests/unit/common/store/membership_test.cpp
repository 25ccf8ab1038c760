// Membership (common/store/membership.hpp): rendezvous ownership (OwnerTable), the view's text
// form, and InMemoryMembership (icqd's) held to the rules every implementation keeps
// (tests/support/membership_contract.hpp; the Redis script meets the same cases in
// tests/redis/common/redis/membership_impl_redistest.cpp).
#include "common/store/membership.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/store/in_memory_membership.hpp"

namespace icq::store {
namespace {

MembershipView viewOf(uint64_t epoch, std::initializer_list<std::string> ids) {
  MembershipView view;
  view.epoch = epoch;
  view.settled = epoch;
  for (const std::string& id : ids) view.owners.push_back({id, "tcp://" + id + ":5000", "inst-" + id});
  return view;
}

/// The owner's id of every UIN of `uins` under `table`.
std::vector<std::string> ownersOf(const OwnerTable& table, const std::vector<uint32_t>& uins) {
  std::vector<std::string> owners;
  owners.reserve(uins.size());
  for (uint32_t uin : uins) owners.push_back(table.id(table.owner(uin)));
  return owners;
}

/// 30,000 UINs the way they occur: a dense run of registrations and scattered old numbers.
std::vector<uint32_t> sampleUins() {
  std::vector<uint32_t> uins;
  for (uint32_t uin = 100'000; uin < 115'000; ++uin) uins.push_back(uin);
  std::mt19937 rng(1996);
  while (uins.size() < 30'000) uins.push_back(1 + static_cast<uint32_t>(rng() % 0xFFFFFFFEu));
  return uins;
}

}  // namespace

// ---- OwnerTable: rendezvous hashing ------------------------------------------------------------

TEST_CASE("owner table without owners owns nothing", "[membership][owners]") {
  const OwnerTable table(viewOf(4, {}));
  CHECK(table.empty());
  CHECK(table.epoch() == 4);
  CHECK(table.owner(123456) == table.size());
  CHECK_FALSE(table.owns("w-a", 123456));
  CHECK(table.indexOf("w-a") == table.size());
  const OwnerTable none;
  CHECK(none.owner(1) == 0);
  CHECK(none.epoch() == 0);
}

TEST_CASE("owner table gives a UIN the same owner whatever the order of the view's owners",
          "[membership][owners]") {
  const std::vector<uint32_t> uins = sampleUins();
  const OwnerTable sorted(viewOf(1, {"w-a", "w-b", "w-c"}));
  const std::vector<std::string> expected = ownersOf(sorted, uins);
  for (auto order : {viewOf(1, {"w-c", "w-a", "w-b"}), viewOf(1, {"w-b", "w-c", "w-a"}), viewOf(1, {"w-c", "w-b", "w-a"})}) {
    const OwnerTable table(order);
    CHECK(ownersOf(table, uins) == expected);
  }
  // owns() and indexOf() agree with owner().
  for (size_t i = 0; i < 1000; ++i) {
    const uint32_t uin = uins[i];
    const std::string& owner = sorted.id(sorted.owner(uin));
    if (!sorted.owns(owner, uin)) FAIL("owns() denies the owner of " << uin);
    for (const std::string& other : sorted.ids())
      if (other != owner && sorted.owns(other, uin)) FAIL(other << " also owns " << uin);
  }
  CHECK(sorted.indexOf("w-b") == 1);
}

TEST_CASE("owner table spreads UINs evenly over its owners", "[membership][owners]") {
  const std::vector<uint32_t> uins = sampleUins();
  const OwnerTable table(viewOf(1, {"w-a", "w-b", "w-c"}));
  std::map<std::string, size_t> counts;
  for (const std::string& owner : ownersOf(table, uins)) counts[owner]++;
  REQUIRE(counts.size() == 3);
  for (const auto& [owner, count] : counts) {
    INFO(owner << " owns " << count);
    CHECK(count >= 9'000);  // 10,000 each ± 10 %
    CHECK(count <= 11'000);
  }
  // Neighbouring UINs do not go to the same owner in runs: the dense run alone is even too.
  std::map<std::string, size_t> dense;
  for (size_t i = 0; i < 15'000; ++i) dense[table.id(table.owner(uins[i]))]++;
  for (const auto& [owner, count] : dense) {
    INFO(owner << " owns " << count << " of the dense run");
    CHECK(count >= 4'500);
    CHECK(count <= 5'500);
  }
}

TEST_CASE("owner table: a fourth owner takes about a quarter of the UINs, each from its old owner",
          "[membership][owners]") {
  const std::vector<uint32_t> uins = sampleUins();
  const std::vector<std::string> before = ownersOf(OwnerTable(viewOf(1, {"w-a", "w-b", "w-c"})), uins);
  const std::vector<std::string> after = ownersOf(OwnerTable(viewOf(2, {"w-a", "w-b", "w-c", "w-d"})), uins);
  size_t moved = 0, movedElsewhere = 0;
  for (size_t i = 0; i < uins.size(); ++i) {
    if (before[i] == after[i]) continue;
    ++moved;
    if (after[i] != "w-d") ++movedElsewhere;
  }
  INFO(moved << " of " << uins.size() << " moved");
  CHECK(movedElsewhere == 0);  // the rendezvous property: nothing moves between old owners
  CHECK(moved >= 6'750);       // 7,500 ± 10 %
  CHECK(moved <= 8'250);
}

TEST_CASE("owner table: an owner leaving moves only its own UINs", "[membership][owners]") {
  const std::vector<uint32_t> uins = sampleUins();
  const std::vector<std::string> before = ownersOf(OwnerTable(viewOf(1, {"w-a", "w-b", "w-c"})), uins);
  const std::vector<std::string> after = ownersOf(OwnerTable(viewOf(2, {"w-a", "w-c"})), uins);
  size_t moved = 0;
  for (size_t i = 0; i < uins.size(); ++i) {
    if (before[i] == "w-b") {
      ++moved;
      if (after[i] == "w-b") FAIL("w-b still owns " << uins[i]);
    } else if (before[i] != after[i]) {
      FAIL(uins[i] << " moved from " << before[i] << " to " << after[i]);
    }
  }
  CHECK(moved > 0);
}

TEST_CASE("owner table choice is pinned: every gateway and worker build computes the same owners",
          "[membership][owners]") {
  // A change to the hash would split a cluster whose processes run different builds (a
  // rolling upgrade): gateways would route a UIN to one worker while another holds it.
  const OwnerTable table(viewOf(1, {"worker-0", "worker-1", "worker-2"}));
  std::string owners;
  for (uint32_t uin : {1u, 2u, 7u, 10000u, 100000u, 123456u, 999999u, 6218895u, 2147483648u, 4294967295u})
    owners += table.id(table.owner(uin)) + " ";
  CHECK(owners == "worker-2 worker-0 worker-2 worker-2 worker-2 worker-2 worker-2 worker-0 worker-1 worker-2 ");
}

// ---- the view's text form ------------------------------------------------------------------------

TEST_CASE("membership view text round-trips", "[membership][view]") {
  MembershipView view = viewOf(0, {});
  SECTION("no owners") { view.epoch = 0; }
  SECTION("one owner, unsettled") {
    view = viewOf(7, {"w-a"});
    view.settled = 6;
  }
  SECTION("three owners, large epochs") {
    view = viewOf(~uint64_t{0}, {"w-a", "w-b", "w-c"});
    view.settled = ~uint64_t{0} - 1;
  }
  const std::string text = encodeView(view);
  const auto decoded = decodeView(text);
  REQUIRE(decoded);
  CHECK(decoded->epoch == view.epoch);
  CHECK(decoded->settled == view.settled);
  REQUIRE(decoded->owners.size() == view.owners.size());
  for (size_t i = 0; i < view.owners.size(); ++i) {
    CHECK(decoded->owners[i].id == view.owners[i].id);
    CHECK(decoded->owners[i].endpoint == view.owners[i].endpoint);
    CHECK(decoded->owners[i].instance == view.owners[i].instance);
  }
  CHECK(encodeView(*decoded) == text);
}

TEST_CASE("membership view text is the epoch line and one line per owner", "[membership][view]") {
  MembershipView view = viewOf(5, {"w-a", "w-b"});
  view.settled = 4;
  CHECK(encodeView(view) == "5 4\nw-a tcp://w-a:5000 inst-w-a\nw-b tcp://w-b:5000 inst-w-b\n");
}

TEST_CASE("membership view text that is not a view is refused", "[membership][view]") {
  const std::string bad = GENERATE(as<std::string>{},
                                   "",                                // nothing
                                   "\n",                              // no numbers
                                   "5\n",                             // no settled epoch
                                   "5 \n",                            //
                                   " 5 4\n",                          // a leading space
                                   "5 4 \n",                          // a trailing space
                                   "5  4\n",                          // two spaces
                                   "x 4\n",                           // not numbers
                                   "5 y\n",                           //
                                   "-5 4\n",                          // negative
                                   "5 +4\n",                          //
                                   "18446744073709551616 0\n",        // past 64 bits
                                   "5 4\nw-a tcp://x\n",              // an owner without instance
                                   "5 4\nw-a\n",                      // an owner with only an id
                                   "5 4\n\nw-a tcp://x i\n",          // an empty owner line
                                   "5 4\nw-a tcp://x i\n \n",         // a blank owner line
                                   "5 4\n tcp://x i\n",               // an owner without id
                                   "5 4\nw-a  i\n");                  // an owner without endpoint
  INFO("text: '" << bad << "'");
  CHECK_FALSE(decodeView(bad));
}

// ---- InMemoryMembership keeps the rules every implementation keeps -----------------------------------

namespace {

struct InMemoryBackend {
  InMemoryMembership membership;
  Membership& handle(size_t) { return membership; }
};

}  // namespace
}  // namespace icq::store

using MembershipBackends = std::tuple<icq::store::InMemoryBackend>;
#include "tests/support/membership_contract.hpp"
