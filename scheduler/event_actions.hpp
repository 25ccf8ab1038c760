// EventActions: the consumer group "actions" of the event stream, carrying out the rules of
// the event-actions file (common/actions/rules_file.hpp) for each event it is given.
//
// At least once: an entry is acknowledged only when every action it fired has ended — done,
// or failed its last try and written to the dead-letter list. Until then it stays pending
// with this consumer, which keeps it claimed (keepClaimed) so that no other replica takes it
// for abandoned while its retries wait; a replica that dies leaves its entries to the others
// after actions.claim_idle_s, and they run them again. So an action can run twice (a webhook
// receiver tells by the X-Icq-Event-Id header); it is never skipped.
//
// A turn never blocks on an action: the runner advances transfers and programs between
// turns, retries wait in a list with their due times, and reading stops while
// actions.max_in_flight events are in hand.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/actions/rule.hpp"
#include "common/actions/runner.hpp"
#include "common/redis/action_store.hpp"
#include "common/redis/event_stream.hpp"
#include "common/util/clock.hpp"

namespace icq::scheduler {

struct EventActionsSettings {
  std::string consumer;                         // this replica's name in the group (scheduler.id)
  size_t batch = 100;                           // actions.batch: entries per shard per read
  size_t maxInFlight = 1000;                    // actions.max_in_flight
  std::chrono::milliseconds claimIdle{60'000};  // actions.claim_idle_s
  std::chrono::milliseconds claimEvery{5'000};
};

/// What became of actions and firings, for metrics and tests.
struct ActionTally {
  uint64_t ok = 0, retried = 0, deadLettered = 0;
};
struct RuleTally {
  uint64_t fired = 0, rateLimited = 0;
  std::vector<ActionTally> actions;  // by the rule's action index
};

class EventActions {
public:
  EventActions(EventActionsSettings settings, std::vector<actions::Rule> rules, redis::RedisEventStream& stream,
               redis::RedisActionStore& store, actions::Messenger& messenger, const util::Clock& clock);

  /// One turn: read, fire, advance for up to `wait`, retry, acknowledge. False when Redis
  /// failed; nothing is lost, the next turn picks up where this one stopped.
  bool turn(std::chrono::milliseconds wait);

  const std::vector<actions::Rule>& rules() const { return rules_; }
  const std::vector<RuleTally>& tallies() const { return tallies_; }
  /// Events read and not yet acknowledged.
  size_t inFlight() const { return entries_.size(); }
  uint64_t invalidTotal() const { return invalid_; }

private:
  struct Held {  // one stream entry in hand
    redis::StreamEntry entry;
    size_t open = 0;  // attempts not yet ended
  };
  struct Attempt {
    std::string entry;  // key in entries_
    size_t rule, action;
    int tries = 0;  // started so far
    int64_t dueMs = 0;
  };

  bool read(int64_t nowMs);
  bool fire(int64_t nowMs);
  void fireRule(size_t rule, const std::string& key);
  void start(uint64_t token, Attempt& attempt);
  void settle(const actions::Finished& finished, int64_t nowMs);
  void close(uint64_t token);
  void startDueRetries(int64_t nowMs);
  bool flush(int64_t nowMs);

  EventActionsSettings settings_;
  std::vector<actions::Rule> rules_;
  redis::RedisEventStream& stream_;
  redis::RedisActionStore& store_;
  const util::Clock& clock_;
  actions::Runner runner_;
  bool groupReady_ = false;
  bool ownPending_ = true;  // at start: what this consumer was given before comes first
  int64_t lastClaimMs_ = 0, lastKeepMs_ = 0;
  uint64_t nextToken_ = 0;
  std::unordered_map<std::string, Held> entries_;  // by shard and entry id
  std::unordered_map<uint64_t, Attempt> attempts_;
  std::vector<uint64_t> waiting_;  // attempts whose retry is due at their dueMs
  std::vector<redis::StreamEntry> read_, done_, held_;
  std::vector<std::string> deadLetters_;
  std::vector<redis::FiringDemand> demands_;
  std::vector<actions::Finished> finished_;
  std::vector<RuleTally> tallies_;
  uint64_t invalid_ = 0;
};

}  // namespace icq::scheduler
