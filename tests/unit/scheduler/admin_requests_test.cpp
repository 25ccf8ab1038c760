// The admin API's request readers (scheduler/admin_requests.hpp) without a backend: what a
// path, a query and a body must hold, and that each refusal names the field at fault.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scheduler/admin_requests.hpp"

namespace {

using namespace icq;
using nlohmann::json;
using scheduler::PathMatch;

std::string refusedField(const scheduler::Refusal& refusal) {
  REQUIRE(refusal);
  CHECK(refusal->status == admin::Status::bad_input);
  return refusal->body["error"]["field"].get<std::string>();
}

ops::HttpRequest withQuery(std::string query) {
  ops::HttpRequest request;
  request.query = std::move(query);
  return request;
}

}  // namespace

TEST_CASE("a path matches its template segment by segment and its {uin} must be a UIN", "[scheduler][admin]") {
  uint32_t uin = 0;
  CHECK(scheduler::matchPath("/api/v1/users/{uin}/password", "/api/v1/users/100001/password", uin) == PathMatch::yes);
  CHECK(uin == 100001);
  CHECK(scheduler::matchPath("/api/v1/users/{uin}", "/api/v1/users/100001/password", uin) == PathMatch::no);
  CHECK(scheduler::matchPath("/api/v1/users/{uin}", "/api/v1/users/", uin) == PathMatch::no);
  CHECK(scheduler::matchPath("/api/v1/users/{uin}", "/api/v1/users/0", uin) == PathMatch::bad_uin);
  CHECK(scheduler::matchPath("/api/v1/users/{uin}", "/api/v1/users/4294967296", uin) == PathMatch::bad_uin);
  CHECK(scheduler::matchPath("/api/v1/users/{uin}", "/api/v1/users/12ab", uin) == PathMatch::bad_uin);
  CHECK(scheduler::matchPath("/api/v1/status", "/api/v1/status", uin) == PathMatch::yes);
}

TEST_CASE("list queries take their defaults and refuse a page size out of range by name", "[scheduler][admin]") {
  scheduler::UserListQuery users;
  CHECK_FALSE(scheduler::readUserListQuery(withQuery("nick=al%20ice&after=100000"), users));
  CHECK(users.search.nick == "al ice");
  CHECK(users.after == 100000);
  CHECK(users.limit == scheduler::kDefaultPage);
  CHECK(refusedField(scheduler::readUserListQuery(withQuery("limit=0"), users)) == "limit");
  CHECK(refusedField(scheduler::readUserListQuery(withQuery("after=-1"), users)) == "after");

  scheduler::SessionPage page;
  CHECK_FALSE(scheduler::readSessionPage(withQuery("cursor=18446744073709551615&limit=500"), page));
  CHECK(page.limit == admin::kMaxPage);
  CHECK(refusedField(scheduler::readSessionPage(withQuery("limit=501"), page)) == "limit");
}

TEST_CASE("a journal query reads times as icqctl does and refuses a bad one by name", "[scheduler][admin]") {
  constexpr int64_t kNow = 1'765'000'000'000;  // 2025-12-06T05:46:40Z
  store::JournalQuery query;
  CHECK_FALSE(scheduler::readJournalQuery(
      withQuery("uin=100001&network=10.0.0.0%2F8&from=-24h&until=2025-12-06T05:00Z&limit=7"), kNow, query));
  CHECK(query.uin == 100001u);
  CHECK(query.network == "10.0.0.0/8");
  CHECK(query.fromMs == kNow - 86'400'000);
  CHECK(query.untilMs == kNow - 46 * 60'000 - 40'000);
  CHECK(query.limit == 7);
  store::JournalQuery defaults;
  CHECK_FALSE(scheduler::readJournalQuery(withQuery(""), kNow, defaults));
  CHECK_FALSE(defaults.uin);
  CHECK_FALSE(defaults.fromMs);
  CHECK(defaults.limit == 100);
  store::JournalQuery bad;
  CHECK(refusedField(scheduler::readJournalQuery(withQuery("from=yesterday"), kNow, bad)) == "from");
  CHECK(refusedField(scheduler::readJournalQuery(withQuery("until=-3x"), kNow, bad)) == "until");
  CHECK(refusedField(scheduler::readJournalQuery(withQuery("uin=0"), kNow, bad)) == "uin");
  CHECK(refusedField(scheduler::readJournalQuery(withQuery("limit=1001"), kNow, bad)) == "limit");

  std::string session;
  CHECK_FALSE(scheduler::readJournalSession(withQuery("session=100001-00000000000000ff"), session));
  CHECK(session == "100001-00000000000000ff");
  CHECK(refusedField(scheduler::readJournalSession(withQuery(""), session)) == "session");
}

TEST_CASE("a body reader names the first field it refuses", "[scheduler][admin]") {
  admin::NewAccount account;
  CHECK_FALSE(scheduler::readNewAccount(json{{"password", "pw"}, {"nick", "alice"}}, account));
  CHECK(account.password == "pw");
  CHECK(account.uin == 0);
  CHECK(refusedField(scheduler::readNewAccount(json{{"nick", "alice"}}, account)) == "password");
  CHECK(refusedField(scheduler::readNewAccount(json{{"password", "pw"}, {"admin", true}}, account)) == "admin");
  CHECK(refusedField(scheduler::readNewAccount(json::parse(R"({"password": "pw", "uin": 0})"), account)) == "uin");
  CHECK(refusedField(scheduler::readNewAccount(json::parse(R"({"password": "pw", "uin": 4294967296})"), account)) ==
        "uin");
  CHECK(refusedField(scheduler::readNewAccount(json{{"password", 7}}, account)) == "password");
  CHECK(refusedField(scheduler::readNewAccount(json(nullptr), account)) == "body");
  CHECK(refusedField(scheduler::readNewAccount(json::array(), account)) == "body");

  bool mayBroadcast = false;
  CHECK(refusedField(scheduler::readMayBroadcast(json{{"may_broadcast", "yes"}}, mayBroadcast)) == "may_broadcast");

  std::string text;
  std::vector<uint32_t> uins;
  CHECK(refusedField(scheduler::readBroadcast(json{{"text", "hi"}, {"uins", json::array()}}, text, uins)) == "uins");
  uins.clear();
  CHECK(refusedField(scheduler::readBroadcast(json{{"text", "hi"}, {"uins", {1, -2}}}, text, uins)) == "uins");
  uins.clear();
  CHECK_FALSE(scheduler::readBroadcast(json::parse(R"({"text": "hi", "uins": [100001, 4294967295]})"), text, uins));
  CHECK(uins == std::vector<uint32_t>{100001, 4294967295u});

  admin::PagerMessage message;
  CHECK(refusedField(scheduler::readPagerMessage(json{{"text", "hi"}}, message)) == "uin");
  std::string password;
  CHECK(refusedField(scheduler::readNewPassword(json::object(), password)) == "password");
}
