// Readiness check "postgres": SELECT 1 on a connection of its own, since a role's
// connections belong to the role's thread and /readyz runs on the admin port's threads.
#pragma once

#include <mutex>

#include "common/config/config.hpp"
#include "common/ops/health.hpp"
#include "common/pg/connection.hpp"

namespace icq::wiring {

class PostgresReadiness {
public:
  explicit PostgresReadiness(const config::Config& config);

private:
  std::string probe();

  std::mutex mutex_;
  pg::PgConnection connection_;
  ops::ReadinessCheck check_;
};

}  // namespace icq::wiring
