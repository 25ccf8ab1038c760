// SessionStore: the online sessions as a worker's packet handlers see them. The worker that
// owns a session (ARCHITECTURE.md "Ownership") answers from its memory and writes to Redis
// in batches (worker/sessions/owned_sessions.hpp); what concerns sessions it does not own is
// read from the shared directory (session_directory.hpp) or handed to their owners.
//
// Failures are values, not exceptions: a method that returns false could not reach the
// store; the caller counts it and lets the client's retransmission retry the packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/store/session.hpp"

namespace icq::store {

/// What the session check of a post-login packet found (§5.1, §4.5).
enum class TouchResult : uint8_t {
  ok,            // the packet belongs to the session; last-seen and home gateway refreshed
  acknowledged,  // ok, and the CMD_ACK it carried matched an unconfirmed packet, now forgotten
  duplicate,     // a retransmission of a packet already processed: acknowledge, do not process
  no_session,    // the UIN is not online
  mismatch,      // the UIN is online with another session id or from another address
};

struct TouchRequest {
  uint32_t uin = 0;
  uint32_t sessionId = 0;
  util::Endpoint client;
  std::string_view gateway;  // where this packet arrived: the session re-homes there
  uint16_t seq1 = 0, seq2 = 0, command = 0;
  /// What the duplicate window (§4.5) does with this packet.
  enum class Dedupe : uint8_t {
    off,               // never a duplicate, not remembered (CMD_ACK)
    check_and_record,  // a duplicate if seen; remembered from now on
    check_only,        // a duplicate if seen; remembered only once its effect is recorded
                       // (record_only later), so a worker that dies in between loses nothing
    record_only,       // remember it now (the effect of a check_only packet is recorded)
  };
  Dedupe dedupe = Dedupe::check_and_record;
  /// CMD_ACK (§4.3): the server SEQ1 it acknowledges; that unconfirmed packet is
  /// forgotten. Riding on the session check keeps an ACK at one command, batched.
  std::optional<uint16_t> acknowledges;
};

/// A server packet that needs the client's ACK (protocol-v5.md §4.4): it takes the
/// recipient session's next SEQ1 and stays unconfirmed until acknowledged.
struct ReliablePacket {
  uint32_t uin = 0;  // recipient
  uint16_t command = 0;
  uint16_t seq2 = 0;  // 0 for notifications; the request's SEQ2 for replies (§4.2)
  std::span<const uint8_t> body;
  uint32_t sessionId = 0;  // non-zero: only for this session (a reply); 0: whatever session is current
  /// Non-zero: only if the recipient's session speaks this protocol (3 or 5). A packet
  /// built for one protocol is never sent to a client of the other.
  uint8_t protocol = 0;
  /// What a V3 session gets instead (same SEQ2), for packets every watcher gets whatever
  /// its protocol: presence notifications, V5-originated messages (protocol-v3.md §9).
  struct V3Form {
    uint16_t command = 0;
    std::span<const uint8_t> body;
  };
  std::optional<V3Form> v3Form = std::nullopt;
};

/// Where a queued reliable packet goes, filled in by queueReliable.
struct ReliableRoute {
  bool queued = false;  // false: the recipient is offline (or not the session a reply was for)
  bool retry = false;   // not queued, and its owner could not tell whether the recipient is
                        // online (a view settling, a peer not answering): try again later
  bool sent = false;    // queued and already sent by the recipient's owner (another worker)
  uint16_t seq1 = 0;
  uint32_t sessionId = 0;
  util::Endpoint client;
  std::string gateway;
  uint8_t protocol = 5;  // of the recipient's session: which header to build
};

/// Where an online session's server-initiated packets go: the gateway that last heard it.
struct SessionHome {
  uint32_t uin = 0;
  std::string gateway;
};

class SessionStore {
public:
  virtual ~SessionStore() = default;

  /// Session check, duplicate filter and refresh for a batch of packets in one round trip.
  /// `results` has one slot per request. False: store unreachable, nothing was changed.
  virtual bool touch(std::span<const TouchRequest> requests, std::span<TouchResult> results) = 0;

  /// The duplicate filter of a pre-login request (CMD_REG_NEW_USER), which has no session
  /// to remember it: the request is known by its source address and (SEQ1, SEQ2, COMMAND)
  /// for a few minutes. `first` is true for exactly one caller; the others get the `result`
  /// the first recorded with finishPreLogin (0 while it is still being processed).
  virtual bool claimPreLogin(const TouchRequest& request, bool& first, uint32_t& result) = 0;
  /// Records the claimed request's result (the new UIN), or forgets the claim when
  /// `result` is 0 (nothing was created: a retransmission must be processed again).
  virtual bool finishPreLogin(const TouchRequest& request, uint32_t result) = 0;

  /// Takes a packet back out of the duplicate window: its effect could not be recorded
  /// (the store behind it failed), so its retransmission must be processed, not dropped.
  virtual bool forgetDuplicate(const TouchRequest& request) = 0;

  /// The UIN's current session, or an empty optional if it is offline.
  virtual bool find(uint32_t uin, std::optional<Session>& out) = 0;

  /// Creates `fresh` as the UIN's session (clearing the duplicate window of a previous one
  /// and recording the login packet in the new window; the previous one's unconfirmed
  /// messages are kept as offline messages, never dropped), records `loginReply` as the
  /// unconfirmed server packet SEQ1 0, and returns the session it replaced, if any, with
  /// that session's next SEQ1 (§4.7 duplicate login).
  virtual bool replace(const Session& fresh, const ReliablePacket& loginReply, std::optional<Session>& replaced) = 0;

  /// Gives each packet its recipient's next SEQ1 and records it as unconfirmed, for every
  /// recipient that is online; `routes` (one per packet) say where to send it. Packets to
  /// one session take consecutive SEQ1s in the order given. One round trip for the batch.
  virtual bool queueReliable(std::span<const ReliablePacket> packets, std::span<ReliableRoute> routes) = 0;

  /// Ends the session if `sessionId` and `client` still identify it (logoff, §5.3); its
  /// unconfirmed messages are kept as offline messages. `ended` holds the session that was
  /// removed, if any.
  virtual bool end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client, std::optional<Session>& ended) = 0;

  /// Number of sessions online (index size).
  virtual bool countOnline(int64_t& out) = 0;

  /// One step of a walk over the online index (scheduler job "validate_sessions"). Visits
  /// about `count` index entries from `cursor` (0 starts a walk; the call sets it back to 0
  /// when the walk is complete), appends the home of each visited session to `homes`, and
  /// removes the visited entries that stand for no session and were written at or before
  /// `staleBeforeMs` (a newer one may belong to a login still under way); `removed` counts
  /// those. Every entry present for the whole walk is visited at least once, a few twice.
  virtual bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<SessionHome>& homes,
                          size_t& removed) = 0;

  // Offline-message marks of a session (protocol-v5.md §5.2, §6.8). They live and die with
  // the session; a call for a session id that is no longer current changes nothing.

  /// Claims the session's one offline-message delivery: `first` is true for exactly one
  /// caller per session, however many workers ask at once; false if the session is gone.
  virtual bool claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) = 0;

  /// Remembers the highest offline-message id sent in this session's batch: what
  /// CMD_ACK_MESSAGES may delete (§6.8 decision).
  virtual bool setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) = 0;

  /// The id setOfflineBatch recorded for this session; 0 when none was (nothing to delete).
  virtual bool offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) = 0;
};

}  // namespace icq::store
