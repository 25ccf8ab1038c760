// Wiring and thread of the event actions; see event_actions_thread.hpp.
#include "scheduler/event_actions_thread.hpp"

#include <cstdlib>

#include "common/actions/rules_file.hpp"
#include "common/admin/cluster_admin.hpp"
#include "common/log/log.hpp"
#include "common/ops/metrics.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/redis/action_store.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"
#include "scheduler/event_actions.hpp"

namespace icq::scheduler {
namespace {

/// icq_message actions as system messages from UIN 10, like the admin API's broadcasts.
class BroadcastMessenger final : public actions::Messenger {
public:
  explicit BroadcastMessenger(admin::ClusterAdmin& cluster) : cluster_(cluster) {}
  bool send(const std::string& text, const std::vector<uint32_t>& uins, std::string& error) override {
    const admin::Outcome outcome = cluster_.broadcast(text, uins);
    if (!outcome.succeeded()) error = outcome.message();
    return outcome.succeeded();
  }

private:
  admin::ClusterAdmin& cluster_;
};

/// A tally's growth since the last look, added to its Prometheus counter.
struct Exported {
  prometheus::Counter* counter;
  uint64_t seen = 0;
  void update(uint64_t now) {
    counter->Increment(static_cast<double>(now - seen));
    seen = now;
  }
};

EventActionsSettings settingsFrom(const config::Config& config) {
  EventActionsSettings settings;
  settings.consumer = config.string("scheduler.id");
  settings.batch = static_cast<size_t>(config.integer("actions.batch"));
  settings.maxInFlight = static_cast<size_t>(config.integer("actions.max_in_flight"));
  settings.claimIdle = std::chrono::seconds(config.integer("actions.claim_idle_s"));
  return settings;
}

}  // namespace

struct EventActionsThread::State {
  State(const config::Config& config, zmq::context_t& context, std::vector<actions::Rule> rules, const Shared& shared)
      : redis(config),
        postgres(config),
        peers(context, config.string("scheduler.id") + ":actions",
              std::chrono::milliseconds(config.integer("worker.peer_timeout_ms"))),
        cluster(
            {redis.directory, *postgres.messages, *postgres.users, shared.registry ? *shared.registry : redis.registry,
             shared.membership ? *shared.membership : redis.membership},
            peers, admin::ClusterAdminSettings::from(config), redis.clock, "event-actions"),
        messenger(cluster),
        store(redis.connection, static_cast<size_t>(config.integer("actions.dead_letter_max"))),
        actions(settingsFrom(config), std::move(rules), redis.events, store, messenger, redis.clock) {
    auto& outcomes = ops::counterFamily("icq_actions_total",
                                        "Event-action attempts by rule, action and outcome: ok, retried (failed, "
                                        "tried again later) or dead_letter (failed its last try).");
    auto& firings = ops::counterFamily("icq_action_firings_total",
                                       "Events that matched a rule, by rule and outcome: fired, or rate_limited.");
    for (const actions::Rule& rule : actions.rules()) {
      fired.push_back({&firings.Add({{"rule", rule.name}, {"outcome", "fired"}})});
      limited.push_back({&firings.Add({{"rule", rule.name}, {"outcome", "rate_limited"}})});
      for (size_t a = 0; a < rule.actions.size(); ++a) {
        const std::string type(actions::actionTypeName(rule.actions[a].type));
        const std::string index = std::to_string(a);
        auto add = [&](const char* outcome) {
          return Exported{&outcomes.Add({{"rule", rule.name}, {"action", index + ":" + type}, {"outcome", outcome}})};
        };
        ok.push_back(add("ok"));
        retried.push_back(add("retried"));
        dead.push_back(add("dead_letter"));
      }
    }
  }

  void exportTallies() {
    size_t flat = 0;
    for (size_t r = 0; r < actions.tallies().size(); ++r) {
      const RuleTally& tally = actions.tallies()[r];
      fired[r].update(tally.fired);
      limited[r].update(tally.rateLimited);
      for (const ActionTally& action : tally.actions) {
        ok[flat].update(action.ok);
        retried[flat].update(action.retried);
        dead[flat].update(action.deadLettered);
        ++flat;
      }
    }
  }

  wiring::RedisStores redis;
  wiring::PostgresStores postgres;
  pipeline::PeerLinks peers;
  admin::ClusterAdmin cluster;
  BroadcastMessenger messenger;
  redis::RedisActionStore store;
  EventActions actions;
  std::vector<Exported> fired, limited, ok, retried, dead;
};

EventActionsThread::EventActionsThread(const config::Config& config, zmq::context_t& context,
                                       const util::StopToken& stop, const Shared& shared)
    : stop_(stop) {
  const std::string& path = config.string("actions.rules_file");
  if (path.empty()) return;
  std::vector<actions::Rule> rules = actions::loadRules(path, [](const char* name) { return std::getenv(name); });
  if (rules.empty()) return;
  const size_t count = rules.size();
  state_ = std::make_unique<State>(config, context, std::move(rules), shared);
  log::info("event_actions_started", {{"rules_file", path}, {"rules", count}});
  thread_ = std::thread([this] { run(); });
}

EventActionsThread::~EventActionsThread() {
  closing_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventActionsThread::run() {
  log::RateLimited warnings;
  while (!stop_.stopRequested() && !closing_) {
    if (!state_->actions.turn(std::chrono::milliseconds(100))) {
      warnings.warn("event_actions_store_failed", {{"in_flight", state_->actions.inFlight()}});
      // Redis is out of reach: look again shortly rather than spin on the failing call.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    state_->exportTallies();
  }
}

}  // namespace icq::scheduler
