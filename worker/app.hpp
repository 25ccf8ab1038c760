// The worker role assembled from configuration: gateway links, the V5 and V3 processors
// over the given stores, the loop, and the drain at stop. Shared by icq-worker and icqd.
#pragma once

#include <zmq.hpp>

#include "common/config/config.hpp"
#include "common/store/gateway_registry.hpp"
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

/// Runs until `stop`; returns the process exit code. `config`'s worker.id must be resolved.
int runWorker(const config::Config& config, zmq::context_t& context, store::GatewayRegistry& registry,
              const V5Processor::Stores& stores, store::FragmentStore& fragments,
              store::DepartmentStore& departments, const util::Clock& clock, const util::StopToken& stop);

}  // namespace icq::worker
