// JournalStore: the session journal in the system of record. The journal consumer writes
// batches of events read from the event stream; the operators' views (icqctl journal, the
// admin API) read sessions and one session's timeline. Writing is idempotent by event id: a
// batch written twice, whole or in part, leaves what writing it once leaves. Failures are
// values: false means the database could not be reached.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/events/event.hpp"

namespace icq::store {

/// One session as the journal has it. Fields its login or its end did not bring are empty.
struct JournalSession {
  std::string id;
  uint32_t uin = 0;
  std::optional<int> protocol;
  std::optional<int64_t> clientVersion;
  std::string address;  // "a.b.c.d", empty when unknown
  std::optional<int> port;
  std::string gateway;
  std::string worker;
  std::optional<int64_t> startedMs;
  std::optional<int64_t> endedMs;
  std::string endReason;
  std::optional<int64_t> packets;
  int64_t messages = 0;  // message events of the session
};

/// Which sessions to list: every condition given must hold.
struct JournalQuery {
  std::optional<uint32_t> uin = std::nullopt;
  std::string network = "";                      // "a.b.c.d/n" or an address; empty: any
  std::optional<int64_t> fromMs = std::nullopt;   // sessions still online at or after
  std::optional<int64_t> untilMs = std::nullopt;  // sessions that began before
  size_t limit = 100;
};

class JournalStore {
public:
  virtual ~JournalStore() = default;

  /// Stores `events` (one transaction): every event not stored before, and what their
  /// logins and ends say of their sessions. `stored` receives how many were new.
  virtual bool write(std::span<const events::Event> events, size_t& stored) = 0;
  /// Sessions matching `query`, latest start first.
  virtual bool sessions(const JournalQuery& query, std::vector<JournalSession>& out) = 0;
  /// One session's events in the order they happened (at, then id).
  virtual bool timeline(const std::string& sessionId, std::vector<events::Event>& out) = 0;
  /// Retention: deletes at most `limit` events and sessions from before `cutoffMs`.
  virtual bool purgeBefore(int64_t cutoffMs, size_t limit, size_t& deleted) = 0;
};

}  // namespace icq::store
