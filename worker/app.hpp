// The worker role assembled from configuration: gateway links, the membership and the sessions
// it owns, its peer ROUTER and links to the other owners, the V5 and V3 processors over the
// given stores, the loop, and the drain at stop. Shared by icq-worker and icqd.
#pragma once

#include <zmq.hpp>

#include "common/config/config.hpp"
#include "common/redis/event_stream.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/membership.hpp"
#include "common/store/session_directory.hpp"
#include "common/util/clock.hpp"
#include "common/util/shutdown.hpp"
#include "common/store/department_store.hpp"
#include "common/store/fragment_store.hpp"
#include "worker/v3/v3_processor.hpp"
#include "worker/v5/v5_processor.hpp"

namespace icq::worker {

using v3::V3Settings;
using v5::V5Processor;
using v5::V5Settings;

V5Settings v5SettingsFrom(const config::Config& config);
V3Settings v3SettingsFrom(const config::Config& config);

/// Everything a worker reads and writes; all but `membership` on the worker loop's thread.
struct WorkerStores {
  redis::RedisSessionLedger& ledger;
  store::SessionDirectory& directory;
  store::PresenceStore& presence;
  store::UserStore& users;
  store::MessageStore& messages;
  store::RateLimiter& limits;
  store::FragmentStore& fragments;
  store::DepartmentStore& departments;
  store::GatewayRegistry& registry;
  store::Membership& membership;  // the heartbeat thread's, on a connection of its own
  redis::RedisEventStream& events;  // on the ledger's connection: written by the loop
  /// The users store's history rows, written once per loop turn (nullptr: as they come).
  store::HistoryWriter* history = nullptr;
};

/// Runs until `stop`; returns the process exit code. `config`'s worker.id must be resolved.
int runWorker(const config::Config& config, zmq::context_t& context, const WorkerStores& stores,
              const util::Clock& clock, const util::StopToken& stop);

}  // namespace icq::worker
