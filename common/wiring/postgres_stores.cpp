// PostgreSQL store bundle built from configuration; see postgres_stores.hpp.
#include "common/wiring/postgres_stores.hpp"

#include "common/pg/migrations.hpp"

namespace icq::wiring {

PostgresStores::PostgresStores(const config::Config& config)
    : connection(std::make_unique<pg::PgConnection>(config.string("postgres.url"))) {
  if (config.string("postgres.migrate") == "auto")
    pg::applyMigrations(*connection);
  else
    pg::checkMigrations(*connection);
  users = std::make_unique<pg::PgUserStore>(*connection);
  messages = std::make_unique<pg::PgMessageStore>(*connection);
  fragments = std::make_unique<pg::PgFragmentStore>(*connection);
  departments = std::make_unique<pg::PgDepartmentStore>(*connection);
  journal = std::make_unique<pg::PgJournalStore>(*connection);
  maintenance = std::make_unique<pg::PgMaintenance>(config.string("postgres.url"));
}

void PostgresStores::serveWorker(const config::Config& config, const util::Clock& clock) {
  users->bufferHistory();
  users->rememberCredentials(static_cast<size_t>(config.integer("auth.verifier_cache_entries")),
                             config.integer("auth.verifier_cache_ttl_s") * 1000, clock);
}

}  // namespace icq::wiring
