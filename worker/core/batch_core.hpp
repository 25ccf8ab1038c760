// worker: the batch core — the steps of a worker's per-batch pipeline that V5 and V3 share:
// one session check for the whole batch, the answers it implies, the acknowledgement timing
// around each handler, the duplicate window's records, the flushes, and the logins last.
//
// A protocol's processor (worker/v5/v5_processor.cpp, worker/v3/v3_processor.cpp) decodes
// its datagrams and describes each packet to the core as a Packet: its kind, its command
// table entry's session check and acknowledgement timing, its counter row, and its session
// check request (built the protocol's way: which fields identify a session, what the
// duplicate window remembers). It then calls run() with a BatchProtocol — the only calls
// back into the protocol: build an ACK, build a NOT_CONNECTED, run a handler, run a login.
// The core knows no packet format and no command.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/session_store.hpp"
#include "worker/core/outcome.hpp"
#include "worker/core/packet_stats.hpp"

namespace icq::worker::core {

/// Which session check a command needs before its handler runs (protocol-v5.md §5.1,
/// protocol-v3.md §2.6).
enum class SessionCheck : uint8_t {
  none,     // no session to check: logins and the pre-login commands; the handler decides
  session,  // must belong to the UIN's current session (session id, source address), else NOT_CONNECTED
  quiet,    // as session, but a packet from another endpoint is ignored, not answered
            // (protocol-v3.md §5.3, §5.7, §5.15, §5.17, §5.19)
};

/// When the acknowledgement goes out (protocol-v5.md §4.3, protocol-v3.md §3.3).
enum class AckTiming : uint8_t {
  first,         // before the handler, as IServerd does: a slow store never causes retransmits
  after_effect,  // once the effect is recorded (a message queued or stored): an acknowledged
                 // message is never lost (ARCHITECTURE.md "Delivery guarantees")
  handler,       // the handler decides (V3 GET_DEPS: only on success; FRAGMENT: after storing)
  never,         // never acknowledged, never answered NOT_CONNECTED (V3 ACK and LOGOFF, §5.5)
};

/// One decoded client packet as the core sees it. `touch` is the session check's request
/// (its `gateway` is filled in by the core); it is used for a client ACK and for every packet
/// whose check is not `none`.
struct Packet {
  enum class Kind : uint8_t {
    command,     // run through its handler
    client_ack,  // confirms a server packet (touch.acknowledges): never answered
    login,       // acknowledged in order, run after the rest of the batch has been answered
  };
  Kind kind = Kind::command;
  SessionCheck check = SessionCheck::none;
  AckTiming ack = AckTiming::first;
  size_t slot = 0;  // its row of the protocol's packet counts
  store::TouchRequest touch;
};

/// What the duplicate window (protocol-v5.md §4.5, protocol-v3.md §3.7) does with a numbered
/// packet: a client ACK and a never-acknowledged packet are neither duplicates nor
/// remembered; an after-effect command is remembered only once its effect is recorded.
store::TouchRequest::Dedupe dedupeFor(Packet::Kind kind, AckTiming ack);

/// The calls the core makes back into a protocol, by packet index: the position of the
/// packet among those added since the last BatchCore::clear().
class BatchProtocol {
public:
  virtual ~BatchProtocol() = default;
  /// Sends the packet's plain acknowledgement.
  virtual void sendAck(size_t packet) = 0;
  /// Sends the protocol's "not connected" answer to the packet (counted by the protocol).
  virtual void sendNotConnected(size_t packet) = 0;
  /// Runs the packet's command handler.
  virtual Outcome handle(size_t packet) = 0;
  /// Runs a login (Packet::Kind::login); its acknowledgement has already gone.
  virtual void login(size_t packet) = 0;
};

/// When each stage of a round ended, for the per-stage latency series (observed by the
/// caller, once per batch).
struct StageTimes {
  using Clock = std::chrono::steady_clock;
  Clock::time_point checked, handled, flushed, done;
  size_t logins = 0;
};

/// Owned by one processor, used by the loop thread only. Its working memory is reused
/// from round to round: no allocation per packet once warm.
class BatchCore {
public:
  /// `rows` are the protocol's packet counts by Packet::slot.
  BatchCore(store::SessionStore& sessions, pipeline::Outbox& outbox, pipeline::Egress& egress,
            PacketCounters& counters, std::span<PacketRow> rows);

  /// Forgets the packets of the previous round.
  void clear() { packets_.clear(); }
  /// Adds the next packet of this round (index size() before the call).
  void add(const Packet& packet) { packets_.push_back(packet); }
  size_t size() const { return packets_.size(); }

  /// Runs the round's packets through every step, in arrival order, and flushes what they
  /// produced (see batch_core.cpp).
  StageTimes run(BatchProtocol& protocol, std::string_view gateway);

private:
  void checkSessions(std::string_view gateway);
  void answerInOrder(BatchProtocol& protocol);
  void countClientAck(size_t i);
  /// True when the session check lets packet i's handler run; otherwise answers it.
  bool admit(BatchProtocol& protocol, size_t i);
  /// True when the command must be retried (its effect was not recorded).
  bool runCommand(BatchProtocol& protocol, size_t i);
  void runLogins(BatchProtocol& protocol);
  void remember(const store::TouchRequest& touch);
  void flushOutbox();
  void flushRecords();
  void count(size_t i, PacketResult result) { ++rows_[packets_[i].slot][static_cast<size_t>(result)]; }
  bool hasTouch(size_t i) const { return touchIndex_[i] != kNoTouch; }

  static constexpr size_t kNoTouch = SIZE_MAX;

  store::SessionStore& sessions_;
  pipeline::Outbox& outbox_;
  pipeline::Egress& egress_;
  PacketCounters& counters_;
  std::span<PacketRow> rows_;

  // Per-round working memory.
  std::vector<Packet> packets_;
  std::vector<store::TouchRequest> touches_;
  std::vector<store::TouchResult> touchResults_;
  std::vector<size_t> touchIndex_;  // packets_[i] → its slot in touches_, or kNoTouch
  std::vector<size_t> logins_;
  std::vector<store::TouchRequest> records_;  // after-effect packets to remember (runCommand)
  std::vector<store::TouchResult> recordResults_;
  bool sessionsUnreachable_ = false;  // the session check failed: session-bound packets get no answer
};

}  // namespace icq::worker::core
