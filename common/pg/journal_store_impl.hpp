// PgJournalStore: the session journal in PostgreSQL (tables journal_events and
// journal_sessions, migration 7). The design notes open the .cpp.
#pragma once

#include "common/pg/connection.hpp"
#include "common/store/journal_store.hpp"

namespace icq::pg {

/// Implements store::JournalStore; one instance per thread, like its connection.
class PgJournalStore final : public store::JournalStore {
public:
  explicit PgJournalStore(PgConnection& connection);

  bool write(std::span<const events::Event> events, size_t& stored) override;
  bool sessions(const store::JournalQuery& query, std::vector<store::JournalSession>& out) override;
  bool timeline(const std::string& sessionId, std::vector<events::Event>& out) override;
  bool purgeBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;

private:
  PgConnection& pg_;
};

}  // namespace icq::pg
