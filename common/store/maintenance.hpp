// Maintenance: the housekeeping the system of record needs on a clock (scheduler job
// "vacuum"; ARCHITECTURE.md "Scheduler"). A VACUUM may take minutes on a large table, and
// the scheduler's one loop also drives expiry and retransmission, so a vacuum is started
// and then polled: no call here waits for it. Failures are values: false means the
// database could not be reached or refused.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace icq::store {

/// The tables whose rows churn: offline messages come and go, the audit trail is appended
/// to and purged, accounts are updated at every login. Dead row versions pile up in them.
enum class BusyTable : uint8_t { offline_messages, audit_events, users };
inline constexpr std::array kBusyTables = {BusyTable::offline_messages, BusyTable::audit_events, BusyTable::users};

inline std::string_view busyTableName(BusyTable table) {
  switch (table) {
    case BusyTable::offline_messages:
      return "offline_messages";
    case BusyTable::audit_events:
      return "audit_events";
    case BusyTable::users:
      return "users";
  }
  return "unknown";
}

class Maintenance {
public:
  virtual ~Maintenance() = default;

  /// Starts VACUUM (ANALYZE) of `table` and returns without waiting for it. False: it could
  /// not be started (the database is unreachable, or the previous vacuum is still running).
  virtual bool startVacuum(BusyTable table) = 0;

  /// Whether the vacuum started last is over: `done` is true once it finished, and then
  /// also when there is none. False: it failed or the link broke (it is over as well).
  virtual bool vacuumDone(bool& done) = 0;
};

}  // namespace icq::store
