// The event actions' consumer against a real Redis: matching events fire their rule's
// actions and are acknowledged, a failure is tried again after its backoff and lands in the
// dead-letter list after the last try, a rule's rate limit holds across two consumers, and
// a consumer that dies with events in hand loses none of them (its restart, or another
// replica once they are idle, runs them). Time for backoffs comes from a manual clock.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <set>

#include "common/actions/rules_file.hpp"
#include "common/redis/keys.hpp"
#include "scheduler/event_actions.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace icq::scheduler {
namespace {

using namespace std::chrono_literals;

struct RecordingMessenger final : actions::Messenger {
  bool send(const std::string& text, const std::vector<uint32_t>&, std::string& error) override {
    if (fail) {
      error = "unavailable";
      return false;
    }
    sent.insert(text);
    return true;
  }
  std::multiset<std::string> sent;
  bool fail = false;
};

std::vector<actions::Rule> rules(const std::string& yaml) {
  return actions::parseRules(yaml, "test rules", [](const char* name) -> const char* {
    return std::string_view(name) == "HOOK_SECRET" ? "k" : nullptr;
  });
}

/// One scheduler replica's actions: its own connection, stream, store and messenger.
struct Consumer {
  Consumer(test::RedisServer& server, const std::string& name, const std::string& yaml, const util::Clock& clock,
           std::chrono::milliseconds claimIdle = 60s)
      : redis(server.options()),
        stream(redis, {2, 10'000}),
        store(redis, 100),
        actions(settingsFor(name, claimIdle), rules(yaml), stream, store, messenger, clock) {}

  static EventActionsSettings settingsFor(const std::string& name, std::chrono::milliseconds claimIdle) {
    EventActionsSettings settings;
    settings.consumer = name;
    settings.claimIdle = claimIdle;
    settings.claimEvery = 100ms;
    return settings;
  }

  redis::RedisConnection redis;
  redis::RedisEventStream stream;
  redis::RedisActionStore store;
  RecordingMessenger messenger;
  EventActions actions;
};

events::Event login(const std::string& id, uint32_t uin) {
  events::Event event;
  event.id = id;
  event.kind = events::EventKind::login;
  event.atMs = 1'765'000'000'000;
  event.uin = uin;
  event.session = std::to_string(uin) + "-01";
  event.with("protocol", "5").with("address", "10.0.0.1").with("status", "0");
  return event;
}

void append(test::RedisServer& server, std::vector<events::Event> events) {
  redis::RedisConnection redis(server.options());
  redis::RedisEventStream stream(redis, {2, 10'000});
  REQUIRE(stream.append(events));
}

/// Turns every consumer until `done` holds (or 20 s pass, failing the test).
void turnUntil(std::vector<Consumer*> consumers, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    for (Consumer* c : consumers) CHECK(c->actions.turn(10ms));
  }
}

int64_t pending(test::RedisServer& server) {
  redis::RedisConnection redis(server.options());
  redis::RedisEventStream stream(redis, {2, 10'000});
  redis::GroupBacklog backlog;
  REQUIRE(stream.backlog(redis::kActionsGroup, backlog));
  return backlog.pending + backlog.lag;
}

std::string webhookRule(const std::string& url, int tries) {
  return "rules:\n  - name: hook\n    on: login\n    actions:\n      - webhook: {url: '" + url +
         "', secret_env: HOOK_SECRET, tries: " + std::to_string(tries) + ", backoff_s: 1}\n";
}

}  // namespace

TEST_CASE("event actions: matching events fire their actions and every event is acknowledged", "[redis][actions]") {
  test::RedisServer server;
  util::ManualClock clock(1'765'000'000'000);
  Consumer c(server, "s1", R"(
rules:
  - name: vip
    on: login
    when: {uins: [1, 2]}
    actions: [{icq_message: {to: [99], text: "{uin} online"}}, {log: "vip {uin}"}]
  - name: everyone
    on: logoff
    actions: [{log: "{uin} left"}]
)",
             clock);
  events::Event logoff = login("e5", 1);
  logoff.kind = events::EventKind::logoff;
  append(server, {login("e1", 1), login("e2", 2), login("e3", 3), logoff});
  {
    redis::RedisConnection raw(server.options());
    redis::Reply reply;
    REQUIRE(raw.command({"XADD", redis::keys::events(0), "*", "not", "an event"}, reply));
  }
  turnUntil({&c}, [&] { return c.messenger.sent.size() == 2 && c.actions.inFlight() == 0 && pending(server) == 0; });
  CHECK(c.messenger.sent == std::multiset<std::string>{"1 online", "2 online"});
  const auto& tallies = c.actions.tallies();
  CHECK(tallies[0].fired == 2);
  CHECK(tallies[0].actions[0].ok == 2);
  CHECK(tallies[0].actions[1].ok == 2);
  CHECK(tallies[1].fired == 1);
  CHECK(c.actions.invalidTotal() == 1);
}

TEST_CASE("event actions: a failed action is tried again after its backoff", "[redis][actions]") {
  test::RedisServer server;
  util::ManualClock clock(1'765'000'000'000);
  test::WebhookReceiver receiver({500, 204});
  Consumer c(server, "s1", webhookRule(receiver.url(), 3), clock);
  append(server, {login("e1", 1)});
  turnUntil({&c}, [&] { return c.actions.tallies()[0].actions[0].retried == 1; });
  CHECK(receiver.received().size() == 1);
  // The clock has not moved: the retry waits, the event stays in hand and pending.
  for (int i = 0; i < 5; ++i) REQUIRE(c.actions.turn(10ms));
  CHECK(receiver.received().size() == 1);
  CHECK(c.actions.inFlight() == 1);
  CHECK(pending(server) == 1);
  clock.advanceMs(1000);
  turnUntil({&c}, [&] { return c.actions.inFlight() == 0 && pending(server) == 0; });
  CHECK(receiver.received().size() == 2);
  CHECK(receiver.received()[0].body == receiver.received()[1].body);  // the same event, signed the same way
  CHECK(c.actions.tallies()[0].actions[0].ok == 1);
}

TEST_CASE("event actions: an action that fails its last try goes to the dead-letter list", "[redis][actions]") {
  test::RedisServer server;
  util::ManualClock clock(1'765'000'000'000);
  test::WebhookReceiver receiver({500});
  Consumer c(server, "s1", webhookRule(receiver.url(), 2), clock);
  append(server, {login("e1", 1)});
  turnUntil({&c}, [&] { return c.actions.tallies()[0].actions[0].retried == 1; });
  clock.advanceMs(1000);
  turnUntil({&c}, [&] { return c.actions.inFlight() == 0 && pending(server) == 0; });
  CHECK(receiver.received().size() == 2);
  CHECK(c.actions.tallies()[0].actions[0].deadLettered == 1);
  std::vector<std::string> dead;
  REQUIRE(c.store.deadLetters(10, dead));
  REQUIRE(dead.size() == 1);
  const auto record = nlohmann::json::parse(dead[0]);
  CHECK(record["rule"] == "hook");
  CHECK(record["action"] == "webhook");
  CHECK(record["tries"] == 2);
  CHECK(record["error"] == "HTTP status 500");
  CHECK(record["event"]["id"] == "e1");
}

TEST_CASE("event actions: a rule's rate limit holds across consumers", "[redis][actions]") {
  test::RedisServer server;
  util::ManualClock clock(1'765'000'000'000);
  const std::string yaml = R"(
rules:
  - name: limited
    on: login
    rate: {count: 3, per_s: 60}
    actions: [{icq_message: {to: [99], text: "{uin}"}}]
)";
  Consumer a(server, "s1", yaml, clock), b(server, "s2", yaml, clock);
  std::vector<events::Event> logins;
  for (uint32_t uin = 1; uin <= 10; ++uin) logins.push_back(login("e" + std::to_string(uin), uin));
  append(server, logins);
  auto decided = [&] {
    uint64_t n = 0;
    for (Consumer* c : {&a, &b}) n += c->actions.tallies()[0].fired + c->actions.tallies()[0].rateLimited;
    return n;
  };
  turnUntil({&a, &b}, [&] { return decided() == 10 && pending(server) == 0; });
  CHECK(a.actions.tallies()[0].fired + b.actions.tallies()[0].fired == 3);
  CHECK(a.messenger.sent.size() + b.messenger.sent.size() == 3);
  // The next window lets three more through.
  clock.advanceMs(60'000);
  logins.clear();
  for (uint32_t uin = 11; uin <= 15; ++uin) logins.push_back(login("e" + std::to_string(uin), uin));
  append(server, logins);
  turnUntil({&a, &b}, [&] { return decided() == 15 && pending(server) == 0; });
  CHECK(a.actions.tallies()[0].fired + b.actions.tallies()[0].fired == 6);
}

TEST_CASE("event actions: a consumer that dies with events in hand loses none", "[redis][actions]") {
  test::RedisServer server;
  util::ManualClock clock(1'765'000'000'000);
  const std::string yaml =
      "rules:\n  - name: m\n    on: login\n    actions: [{icq_message: {to: [99], text: '{uin}'}}]\n";
  std::vector<events::Event> logins;
  std::multiset<std::string> all;
  for (uint32_t uin = 1; uin <= 5; ++uin) {
    logins.push_back(login("e" + std::to_string(uin), uin));
    all.insert(std::to_string(uin));
  }
  append(server, logins);
  {
    // Its messages fail, so it holds all five waiting for a retry that never comes: it dies.
    Consumer doomed(server, "s1", yaml, clock, 500ms);
    doomed.messenger.fail = true;
    turnUntil({&doomed}, [&] { return doomed.actions.inFlight() == 5; });
  }
  CHECK(pending(server) == 5);

  SECTION("its restart runs them first") {
    Consumer restarted(server, "s1", yaml, clock, 500ms);
    turnUntil({&restarted}, [&] { return restarted.messenger.sent == all && pending(server) == 0; });
  }
  SECTION("another replica takes them over once they are idle") {
    Consumer other(server, "s2", yaml, clock, 500ms);
    // It looks for abandoned entries every claimEvery of its clock; Redis judges them idle by its own.
    turnUntil({&other}, [&] {
      clock.advanceMs(100);
      return other.messenger.sent == all && pending(server) == 0;
    });
  }
}

}  // namespace icq::scheduler
