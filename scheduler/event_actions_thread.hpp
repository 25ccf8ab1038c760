// The event actions in a scheduler process (icq-scheduler and icqd): the rules file read at
// start, so a bad rule stops the process with the rule and key named, and a thread of their
// own with their own Redis and PostgreSQL connections and links to the session owners (ICQ
// messages go to them like the admin API's broadcasts), so that a slow webhook or program
// never delays the scheduler's timeouts. Nothing runs when actions.rules_file is empty.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include "common/config/config.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/membership.hpp"
#include "common/util/shutdown.hpp"

namespace icq::scheduler {

class EventActionsThread {
public:
  /// Registries usable from any thread (icqd's in-memory ones); null: the Redis ones.
  struct Shared {
    store::GatewayRegistry* registry = nullptr;
    store::Membership* membership = nullptr;
  };
  /// Reads the rules and starts the thread when there are any. Throws config::ConfigError
  /// for a bad rules file, std::runtime_error when a store cannot be set up.
  EventActionsThread(const config::Config& config, zmq::context_t& context, const util::StopToken& stop,
                     const Shared& shared);
  EventActionsThread(const config::Config& config, zmq::context_t& context, const util::StopToken& stop)
      : EventActionsThread(config, context, stop, Shared()) {}
  /// Stops the thread (it finishes its turn) and joins it.
  ~EventActionsThread();
  EventActionsThread(const EventActionsThread&) = delete;
  EventActionsThread& operator=(const EventActionsThread&) = delete;

private:
  struct State;
  void run();

  const util::StopToken& stop_;
  std::atomic<bool> closing_{false};
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace icq::scheduler
