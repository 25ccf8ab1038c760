// What a V3 command handler gets (protocol-v3.md §5): the packet, where it came from, and the
// worker's V3 settings, stores and egress for this batch. Handlers are plain functions over it
// (worker/v3/cmd_*.cpp), listed in the V3 command table (command_table.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/events/event_log.hpp"
#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/message.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "worker/core/login_checks.hpp"
#include "common/store/department_store.hpp"
#include "common/store/fragment_store.hpp"
#include "common/store/message_store.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "common/util/endpoint.hpp"
#include "worker/core/outcome.hpp"
#include "worker/v3/stats.hpp"

namespace icq::worker::v3 {

using core::Outcome;
using pipeline::Egress;

struct V3Settings {
  bool enabled = true;
  uint16_t sessionTtlS = 55;           // HELLO advertises 10 s less (§3.8)
  uint16_t retransmitTimeoutS = 10;    // told in HELLO; the scheduler resends (§3.5)
  uint16_t retries = 3;
  size_t mtu = 500;                    // v3.packet_mtu (§4.2)
  size_t maxMessage = 2025;            // v3.max_msgsize (§5.11)
  uint32_t deplistVersion = 1;
  bool registration = false;
  size_t maxOfflineBatch = 100;        // v5.max_offline_batch: one table, one limit
  size_t maxSearchResults = 50;        // v5.max_search_results
  size_t v5MaxChunk = 450;             // how a long V3 text is cut for a V5 recipient (§9.2)
  codec::v5::SplitOrder v5SplitOrder = codec::v5::SplitOrder::backward;
  uint64_t passwordOpsLimit = 2;       // argon2id cost of hashes a V3 worker writes
  size_t passwordMemLimitBytes = size_t{64} * 1024 * 1024;
  bool eventMessageText = false;  // events.message_text: message events carry the text
};

/// A client packet assembled from fragments (§4.3), with the endpoint of the fragment that
/// completed it: it is processed as if it had just arrived from there.
struct AssembledPacket {
  std::vector<uint8_t> bytes;
  util::Endpoint from;
};

/// A decoded V3 client packet and the address it came from.
struct V3Inbound {
  codec::v3::Packet packet;
  util::Endpoint from;
  const codec::v3::Header& header() const { return packet.header; }
  std::span<const uint8_t> body() const { return packet.body; }
};

/// Where a logon waiting for its password check is kept until the check is done (the
/// processor, which runs it again then: core/login_checks.hpp).
class V3LogonParking {
public:
  virtual ~V3LogonParking() = default;
  virtual void park(const V3Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) = 0;
};

struct V3Context {
  const V3Settings& settings;
  store::SessionStore& sessions;
  store::PresenceStore& presence;
  store::UserStore& users;
  store::MessageStore& messages;
  store::RateLimiter& limits;
  events::EventLog& events;
  store::FragmentStore& fragments;
  store::DepartmentStore& departments;
  const util::Clock& clock;
  Egress& egress;
  pipeline::Outbox& outbox;  // reliable packets; flushed by the processor after the handlers
  V3Stats& stats;
  std::string_view gateway;  // the gateway this batch came through
  /// Packets assembled from client fragments during this batch (cmd_fragment.cpp); the
  /// processor runs them through the pipeline after the batch, as if they had just arrived.
  std::vector<AssembledPacket>& assembled;
  /// The password checks beside the loop (nullptr: checked here, in the loop) and where a
  /// logon waits for one; `resumed` when the logon runs again after its check.
  core::LoginChecks* logins = nullptr;
  V3LogonParking* parking = nullptr;
  const core::LoginChecks::Resume* resumed = nullptr;

  /// Room for any V3 datagram (§2.1: 8192).
  std::array<uint8_t, codec::v3::kMaxDatagram> scratch{};

  /// Sends an unreliable packet (header + body) to the client of `in` through its gateway.
  void send(const V3Inbound& in, const codec::v3::Header& header, std::span<const uint8_t> body = {});
  void sendAck(const V3Inbound& in) { send(in, codec::v3::ackHeader(in.header())); }
  void sendNotConnected(const V3Inbound& in);
  /// A body builder's output area: scratch after the header (encodePacket copies nothing then).
  std::span<uint8_t> bodyArea() { return std::span(scratch).subspan(codec::v3::kHeaderSize); }

  /// Queues a reliable V3 packet for `uin` (only if its session speaks V3), cut into FRAGMENT
  /// pieces when longer than the MTU (§4.2). Returns the outbox index of the first piece and
  /// sets `pieces`; 0 pieces when it cannot be sent at all (more than 255 fragments).
  size_t queueV3(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, size_t& pieces);
  /// A reliable reply to the sender of `in` (seq2 echoed).
  void replyReliable(const V3Inbound& in, uint16_t command, std::span<const uint8_t> body = {}) {
    size_t pieces = 0;
    queueV3(in.header().uin, command, in.header().seq2, body, pieces);
  }
};

using V3Handler = Outcome (*)(V3Context&, const V3Inbound&);

}  // namespace icq::worker::v3
