// SessionDirectory: the online sessions as every process can read them from Redis — the
// admin's listing, a search's "is this user online", the scheduler's expiry index — and the
// pre-login duplicate filter, which has no session and so no owner. Only a session's owning
// worker changes a session (worker/sessions/owned_sessions.hpp); this is the read side.
//
// Failures are values: false means the store could not be reached.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/store/session.hpp"
#include "common/store/session_store.hpp"

namespace icq::store {

/// An entry of the expiry index: a session and the time to look at it again.
struct IndexEntry {
  uint32_t uin = 0;
  int64_t scoreMs = 0;
};

class SessionDirectory {
public:
  virtual ~SessionDirectory() = default;

  /// The UIN's session as its owner last wrote it (last-seen is refreshed coarsely), or an
  /// empty optional if it is offline.
  virtual bool find(uint32_t uin, std::optional<Session>& out) = 0;

  /// Number of sessions online (index size).
  virtual bool countOnline(int64_t& out) = 0;

  /// One step of a walk over the online index (scheduler job "validate_sessions", the
  /// admin's listing). Visits about `count` index entries from `cursor` (0 starts a walk;
  /// the call sets it back to 0 when the walk is complete), appends the home of each visited
  /// session to `homes`, and removes the visited entries that stand for no session and were
  /// written at or before `staleBeforeMs` (a newer one may belong to a login still under
  /// way); `removed` counts those. Every entry present for the whole walk is visited at
  /// least once, a few twice.
  virtual bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<SessionHome>& homes,
                          size_t& removed) = 0;

  /// Up to `limit` expiry-index entries scored at or before `cutoffMs`: sessions whose owner
  /// should look at their keep-alive (protocol-v5.md §4.6). Reading changes nothing.
  virtual bool staleCandidates(int64_t cutoffMs, size_t limit, std::vector<IndexEntry>& out) = 0;

  /// The duplicate filter of a pre-login request (CMD_REG_NEW_USER); see SessionStore.
  virtual bool claimPreLogin(const TouchRequest& request, bool& first, uint32_t& result) = 0;
  virtual bool finishPreLogin(const TouchRequest& request, uint32_t result) = 0;
};

}  // namespace icq::store
