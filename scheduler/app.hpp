// The scheduler role assembled from configuration: its jobs, its links to the session owners,
// the loop, and the lease release at stop. Shared by icq-scheduler and icqd.
#pragma once

#include <zmq.hpp>

#include "common/config/config.hpp"
#include "common/redis/event_stream.hpp"
#include "common/store/fragment_store.hpp"
#include "common/store/journal_store.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/lease_store.hpp"
#include "common/store/maintenance.hpp"
#include "common/store/membership.hpp"
#include "common/store/message_store.hpp"
#include "common/store/retransmit_queue.hpp"
#include "common/store/session_directory.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "common/util/shutdown.hpp"

namespace icq::scheduler {

/// The stores the scheduler's jobs use.
struct SchedulerStores {
  store::LeaseStore& leases;
  store::SessionDirectory& sessions;
  store::RetransmitQueue& retransmits;
  store::UserStore& users;
  store::MessageStore& messages;
  store::GatewayRegistry& registry;
  store::Membership& membership;
  store::Maintenance& maintenance;
  store::FragmentStore& fragments;
  redis::RedisEventStream& events;
  store::JournalStore& journal;
};

/// Runs until `stop`; returns the process exit code. `config`'s scheduler.id must be resolved.
int runScheduler(const config::Config& config, zmq::context_t& context, const SchedulerStores& stores,
                 const util::Clock& clock, const util::StopToken& stop);

}  // namespace icq::scheduler
