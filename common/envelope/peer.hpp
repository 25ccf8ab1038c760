// The wire format between a session's owner and the processes that need it (ARCHITECTURE.md
// "Ownership"): workers, schedulers and the admin API talk to the owning worker's peer ROUTER.
// One ZeroMQ message each, little-endian, every length validated by the readers, which
// never throw (what a peer sends is checked like what a client sends):
//
//   u8 format (=1) | u8 kind | kind-specific header | u16 count | count × item
//
//   Deliver   (request)  u64 request id — item: u32 uin | u32 session id (0: any) | u8 protocol
//                        (0: any) | u16 command | u16 seq2 | u16 n | n bytes body | u16 v3 command
//                        | u16 m (0xFFFF: no V3 form) | m bytes V3 body
//                        "number these reliable packets for your sessions, record and send them"
//   Kick      (request)  u64 request id — item: u32 uin | u32 session id | u32 ip | u16 port
//                        "end this session if it is still that one" (the admin's disconnect)
//   Result    (reply)    u64 request id — item: u8 outcome (PeerOutcome) | u32 detail, one per
//                        request item (a Kick's detail: the messages it kept offline)
//   Forward   (one-way)  u8 n | n bytes gateway id — then a whole ingress batch (envelope.hpp)
//                        "a gateway gave me these, but they are yours" (views differ for a moment)
//   Nudge     (one-way)  no header — item: u8 what (NudgeKind) | u32 uin | i64 a | i64 b | i64 c
//   Relay     (one-way)  no header — item: u32 from | u32 to | u16 type | u16 n | n bytes text |
//                        u32 sender session id | u16 seq1 | u16 seq2 | u32 ip | u16 port | u8 m |
//                        m bytes gateway id
//                        "deliver this client message to your session of `to` (or store it
//                        offline), then acknowledge it to its sender": the sender's worker does
//                        not wait, the recipient's owner answers the client itself
//                        the scheduler's timeouts: "check this session's keep-alive / its
//                        unconfirmed packets"; the owner decides with what it knows
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <span>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/util/endpoint.hpp"

namespace icq::envelope {

/// The longest item any kind has: a Deliver item, with both forms of a packet, each body at
/// most a datagram (the writer refuses longer ones); a Relay's text is bounded alike.
inline constexpr size_t kMaxPeerItem = 4 + 4 + 1 + 2 + 2 + 2 + kMaxDatagram + 2 + 2 + kMaxDatagram;
/// The largest peer message a legitimate peer sends (about 1 GiB): the longest header (a
/// request's: format, kind, request id, count), then as many of the longest item as a u16
/// count allows. A Forward is shorter: one batch after at most 258 bytes. The ROUTER that
/// receives them refuses anything longer (ZMQ_MAXMSGSIZE, util::setPipelineOptions).
inline constexpr size_t kMaxPeerMessage = 2 + 8 + 2 + 0xFFFF * kMaxPeerItem;
static_assert(kMaxPeerMessage > 3 + 255 + kMaxBatchMessage, "a Forward fits a peer message");

enum class PeerKind : uint8_t { Deliver = 16, Kick = 17, Result = 18, Forward = 19, Nudge = 20, Relay = 21 };

/// What became of one item of a request.
enum class PeerOutcome : uint8_t {
  absent = 0,  // no such session (offline), or not the session the item named
  done = 1,    // queued / ended
  retry = 2,   // the owner cannot tell now (its view is settling, Redis failed): ask again
};

enum class NudgeKind : uint8_t {
  expire = 1,      // keep-alive expiry: a = V5 cutoff ms, b = V3 cutoff ms (last packet at or before →
                   // expired), c = the expiry-index score the sweep read
  retransmit = 2,  // the retransmit schedule says the session's packets are overdue: a = the schedule's score
};

/// One item of a Result.
struct PeerResult {
  PeerOutcome outcome = PeerOutcome::retry;
  uint32_t detail = 0;
};

struct Nudge {
  NudgeKind what = NudgeKind::expire;
  uint32_t uin = 0;
  int64_t a = 0, b = 0, c = 0;
};

/// A reliable server packet for the owner of `uin` to number and send: the fields of
/// store::ReliablePacket (common/store/session_store.hpp), which the envelope does not depend on.
struct PeerPacket {
  uint32_t uin = 0;
  uint32_t sessionId = 0;  // non-zero: only for that session
  uint8_t protocol = 0;    // non-zero: only if the session speaks it
  uint16_t command = 0;
  uint16_t seq2 = 0;
  std::span<const uint8_t> body;
  bool hasV3Form = false;  // what a V3 session gets instead
  uint16_t v3Command = 0;
  std::span<const uint8_t> v3Body;
};

/// A client's message handed to its recipient's owner, with what it takes to acknowledge it
/// to the sender (the SRV_ACK echoes the request's header, protocol-v5.md §4.3).
struct RelayItem {
  uint32_t from = 0, to = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;
  uint32_t senderSessionId = 0;
  uint16_t seq1 = 0, seq2 = 0;
  util::Endpoint sender;
  std::string_view gateway;  // that the sender's packet came through
};

struct KickItem {
  uint32_t uin = 0;
  uint32_t sessionId = 0;
  util::Endpoint client;
};

/// Kind of a peer message, or nullopt when the format byte or kind is unknown.
std::optional<PeerKind> peekPeerKind(std::span<const uint8_t> message);

/// Builds one peer message. Reuses its buffer.
class PeerWriter {
public:
  void startDeliver(uint64_t requestId) { start(PeerKind::Deliver, requestId); }
  void startKick(uint64_t requestId) { start(PeerKind::Kick, requestId); }
  void startResult(uint64_t requestId) { start(PeerKind::Result, requestId); }
  void startNudges();
  void startRelays();
  /// A Forward of `ingressBatch` (an Ingress envelope) that came through `gateway`.
  void forward(std::string_view gateway, std::span<const uint8_t> ingressBatch);

  /// False (nothing added) when the message holds 65535 items or a body or text is longer
  /// than a datagram (kMaxDatagram).
  bool add(const PeerPacket& packet);
  bool add(const KickItem& kick);
  bool add(PeerResult result);
  bool add(const Nudge& nudge);
  bool add(const RelayItem& relay);

  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::span<const uint8_t> message() const { return buffer_; }

private:
  void start(PeerKind kind, uint64_t requestId);
  void startOneWay(PeerKind kind);
  bool countOne();

  std::vector<uint8_t> buffer_;
  size_t countAt_ = 0;
  size_t count_ = 0;
};

/// Reads one peer message without copying; spans point into the message.
class PeerReader {
public:
  /// nullopt unless `message` has a well-formed header of a known kind.
  static std::optional<PeerReader> open(std::span<const uint8_t> message);

  PeerKind kind() const { return kind_; }
  uint64_t requestId() const { return requestId_; }
  size_t count() const { return count_; }
  /// Forward only: the gateway and the ingress batch it carries.
  std::string_view gateway() const { return gateway_; }
  std::span<const uint8_t> ingress() const { return rest_; }

  /// The next item of the message's kind; false at the end or on a truncated item (then
  /// malformed() is true).
  bool next(PeerPacket& out);
  bool next(KickItem& out);
  bool next(PeerResult& out);
  bool next(Nudge& out);
  bool next(RelayItem& out);
  bool malformed() const { return malformed_; }

private:
  bool take(size_t n, std::span<const uint8_t>& out);
  bool more();

  PeerKind kind_ = PeerKind::Result;
  uint64_t requestId_ = 0;
  size_t count_ = 0;
  size_t read_ = 0;
  std::string_view gateway_;
  std::span<const uint8_t> rest_;
  bool malformed_ = false;
};

}  // namespace icq::envelope
