// loadgen: one simulated V5 client — the client side of protocol-v5.md §4–§6 reduced to what a
// load generator needs: real sequence numbers (SEQ1 per packet, SEQ2 per request, §4.1), real
// encryption and checkcodes through the codec, a few outstanding requests remembered compactly
// (kind + one parameter, not bytes) so that they can be rebuilt for retransmission, and the
// classification of what the server sends back. No I/O and no clock: the caller passes time
// in and supplies the buffers, so the state machine is tested without a network.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/codec/v5/packet.hpp"

namespace icq::loadgen {

/// What a client packet is for; also indexes the per-kind latency histograms.
enum class Kind : uint8_t { login, keepAlive, message, contactList, status, login1, ackMessages, logoff, kCount };

const char* kindName(Kind kind) noexcept;

enum class Phase : uint8_t { offline, loggingIn, online };

/// One request the server has not acknowledged yet.
struct Outstanding {
  codec::v5::ClientHeader header;
  Kind kind = Kind::login;
  uint8_t tries = 0;  // sends so far, the first included
  bool used = false;
  uint64_t param = 0;  // what rebuilds the body: the message's timestamp, the new status
  int64_t firstSentNs = 0;
  int64_t deadlineNs = 0;  // when to retransmit (or give up)
};

/// What a datagram from the server meant to its client.
struct ServerEvent {
  enum class Type : uint8_t {
    acked,           // SRV_ACK of an outstanding request: `kind`, `latencyNs`, `retransmitted`, `stamp`
                     // (a message's send time)
    staleAck,        // SRV_ACK of nothing outstanding (a duplicate after a retransmission)
    loginAccepted,   // SRV_LOGIN_REPLY
    loginRefused,    // SRV_BAD_PASS or SRV_LOGIN_ERR
    tryAgain,        // SRV_TRY_AGAIN: busy (gateway shedding or a store briefly failing)
    notConnected,    // SRV_NOT_CONNECTED: the server does not know this session
    goAway,          // SRV_GO_AWAY: the session was taken over or ended
    message,         // SRV_SYS_DELIVERED_MESS: `from`, `stamp` (the sender's timestamp)
    offlineMessage,  // SRV_RECV_MESSAGE: `from`, `stamp`
    endOffline,      // SRV_END_OFFLINE_MESSAGES
    statusUpdate,    // SRV_STATUS_UPDATE: `from`, `status`
    userOnline,      // SRV_USER_ONLINE: `from`
    userOffline,     // SRV_USER_OFFLINE
    listDone,        // SRV_USER_LIST_DONE
    other,           // any other well-formed server packet
    late,            // for an earlier session of this client (the server still retransmitting it)
    malformed,       // not a V5 server packet, a bad checkcode, or another client's UIN
  };
  Type type = Type::other;
  Kind kind = Kind::login;
  bool retransmitted = false;
  bool needsAck = false;  // a reliable server packet: the caller must send CMD_ACK (ackFor)
  int64_t latencyNs = 0;
  uint32_t from = 0, status = 0;
  int64_t stamp = 0;
  codec::v5::ServerHeader header;
};

// Why 4: every scenario keeps at most one request of each kind in flight per client, as real
// clients do, and rarely more than two kinds at once.
inline constexpr size_t kMaxOutstanding = 4;

class SimSession {
public:
  SimSession() = default;
  SimSession(uint32_t uin, uint32_t partner, uint32_t contactFirst, uint8_t contactCount);

  uint32_t uin() const { return uin_; }
  uint32_t partner() const { return partner_; }
  Phase phase() const { return phase_; }
  uint32_t sessionId() const { return sessionId_; }
  bool hasRoomFor() const;
  bool hasOutstanding(Kind kind) const;

  /// Builds the datagram of a new request into `out` and remembers it (when `reliable`) for
  /// retransmission at `nowNs + rtoNs`; returns its length, 0 if no slot is free. A login
  /// starts a fresh session id from `nonce` and resets SEQ2 (§4.1).
  size_t start(Kind kind, uint64_t param, std::span<uint8_t> out, int64_t nowNs, int64_t rtoNs,
               codec::v5::CheckcodeRng& rng, const char* password, uint64_t nonce = 0);
  /// CMD_ACK for a reliable server packet (§4.3); consumes no sequence number.
  size_t ackFor(const codec::v5::ServerHeader& header, std::span<uint8_t> out, codec::v5::CheckcodeRng& rng) const;

  /// Classifies a server datagram addressed to this client and updates the session.
  ServerEvent onDatagram(std::span<const uint8_t> datagram, int64_t nowNs);

  /// The earliest retransmission deadline or login retry, or INT64_MAX.
  int64_t nextDeadline() const;
  /// Outstanding requests past their deadline: `resend` (the same header, so the server's
  /// duplicate filter answers it without a second effect) if tries < maxTries, else dropped and
  /// reported through `gaveUp(kind)`. Returns how many were resent.
  template <class Resend, class GaveUp>
  size_t expire(int64_t nowNs, int64_t rtoNs, uint8_t maxTries, Resend&& resend, GaveUp&& gaveUp) {
    size_t resent = 0;
    for (auto& o : outstanding_) {
      if (!o.used || o.deadlineNs > nowNs) continue;
      if (o.tries >= maxTries) {
        o.used = false;
        gaveUp(o.kind);
        continue;
      }
      o.tries++;
      o.deadlineNs = nowNs + rtoNs * o.tries;  // linear back-off, like licq's growing timeouts
      resend(o);
      resent++;
    }
    return resent;
  }
  /// Rebuilds the datagram of an outstanding request (fresh checkcode, same header).
  size_t rebuild(const Outstanding& o, std::span<uint8_t> out, codec::v5::CheckcodeRng& rng,
                 const char* password) const;

  /// Forgets the session (after a logoff was acknowledged, a refusal, or SRV_NOT_CONNECTED).
  void reset();

  // Scenario bookkeeping, owned by the scenario that drives the session.
  int64_t actionAtNs = INT64_MAX;  // the scenario's next timed step
  int64_t reloginAtNs = INT64_MAX;  // a login answered SRV_TRY_AGAIN starts again then
  int64_t armedNs = INT64_MAX;     // the timer-wheel entry that is current
  int64_t loginSentNs = 0;
  uint32_t remaining = 0;  // scenario-specific countdown (messages to send, cycles)
  bool done = false;

private:
  size_t encode(const codec::v5::ClientHeader& header, Kind kind, uint64_t param, std::span<uint8_t> out,
                codec::v5::CheckcodeRng& rng, const char* password) const;
  Outstanding* findSlot(uint16_t seq1, uint16_t seq2);

  uint32_t uin_ = 0;
  uint32_t partner_ = 0;
  uint32_t contactFirst_ = 0;
  uint8_t contactCount_ = 0;
  Phase phase_ = Phase::offline;
  uint32_t sessionId_ = 0;
  uint16_t seq1_ = 0;
  uint16_t seq2_ = 0;
  std::array<Outstanding, kMaxOutstanding> outstanding_{};
};

}  // namespace icq::loadgen
