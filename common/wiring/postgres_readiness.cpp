// Readiness check "postgres"; see postgres_readiness.hpp.
#include "common/wiring/postgres_readiness.hpp"

namespace icq::wiring {

PostgresReadiness::PostgresReadiness(const config::Config& config)
    : connection_(config.string("postgres.url")), check_("postgres", [this] { return probe(); }) {}

std::string PostgresReadiness::probe() {
  std::lock_guard lock(mutex_);
  bool ok = connection_.run("readiness", [](pqxx::connection& c) { pqxx::nontransaction(c).exec("SELECT 1"); });
  return ok ? "" : "unreachable";
}

}  // namespace icq::wiring
