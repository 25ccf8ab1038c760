// The scheduler role assembled from configuration: its jobs, the loop, and the lease
// release at stop. Shared by icq-scheduler and icqd.
#pragma once

#include "common/config/config.hpp"
#include "common/store/lease_store.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "common/util/shutdown.hpp"

namespace icq::scheduler {

/// Runs until `stop`; returns the process exit code. `config`'s scheduler.id must be resolved.
int runScheduler(const config::Config& config, store::LeaseStore& leases, store::SessionStore& sessions,
                 store::UserStore& users, const util::Clock& clock, const util::StopToken& stop);

}  // namespace icq::scheduler
