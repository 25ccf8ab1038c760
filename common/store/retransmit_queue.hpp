// RetransmitQueue: the schedule of unconfirmed server packets (protocol-v5.md §4.4). The
// packets themselves are recorded per session by SessionStore::queueReliable; this is the
// index of sessions that have some, by the time they are next due, and the claim that lets
// several scheduler replicas resend without resending the same packet twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/util/endpoint.hpp"

namespace icq::store {

struct UnconfirmedPacket {
  uint16_t seq1 = 0;
  uint16_t command = 0;
  uint16_t seq2 = 0;
  std::vector<uint8_t> body;
  uint32_t attempts = 0;  // resends so far, this one included
};

struct DueSession {
  enum class Action : uint8_t {
    resend,   // send `packets` again, in SEQ1 order
    give_up,  // a packet ran out of retries: end the session (§4.4 decision)
    idle,     // nothing unconfirmed any more (all acknowledged)
    gone,     // the session ended
  };
  uint32_t uin = 0;
  Action action = Action::gone;
  uint32_t sessionId = 0;
  util::Endpoint client;
  std::string gateway;
  uint8_t protocol = 5;  // of the session: which header the resent packets get
  std::vector<UnconfirmedPacket> packets;
  int64_t claimMs = 0;  // the claim's lease mark, for release()
};

class RetransmitQueue {
public:
  virtual ~RetransmitQueue() = default;

  /// Claims up to `limit` sessions due at `nowMs` for `lease` (a replica that dies holding
  /// a claim loses it when the lease ends), counts one more attempt on each of their
  /// unconfirmed packets, and says what to do. Exactly one caller claims a session per lease.
  virtual bool claimDue(int64_t nowMs, size_t limit, std::chrono::milliseconds lease, uint32_t retries,
                        std::vector<DueSession>& out) = 0;

  /// The session's packets were resent: it is next due at `dueMs`.
  virtual bool reschedule(uint32_t uin, int64_t dueMs) = 0;

  /// Drops the session from the schedule unless something was queued for it since the
  /// claim (then it stays, due when that packet is).
  virtual bool release(const DueSession& session) = 0;
};

}  // namespace icq::store
