// What a V5 command handler gets: the packet, where it came from, and the worker's
// settings, stores and egress for this batch. Handlers are plain functions over it
// (worker/v5/cmd_*.cpp), listed in the command table (command_table.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/auth/verifier_cache.hpp"
#include "common/events/event_log.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/pipeline/peer_links.hpp"
#include "worker/core/login_checks.hpp"
#include "common/store/message_store.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "common/util/endpoint.hpp"
#include "common/pipeline/egress.hpp"
#include "worker/core/outcome.hpp"
#include "worker/v5/stats.hpp"

namespace icq::worker::v5 {

using core::Outcome;
using pipeline::Egress;

enum class CheckcodePolicy : uint8_t { off, log, drop };

struct V5Settings {
  bool enabled = true;
  codec::v5::LoginReplyFields loginReply;  // keep-alive and retransmit values told to clients (§8.5)
  CheckcodePolicy verifyCheckcode = CheckcodePolicy::log;
  bool badPassV3Layout = false;
  // Messages (§6.10 step 5, D45, §5.2): pieces of at most maxMsgChunk text bytes, in
  // splitOrder; at most maxOfflineBatch offline messages per login.
  size_t maxMsgChunk = 450;
  codec::v5::SplitOrder splitOrder = codec::v5::SplitOrder::backward;
  size_t maxOfflineBatch = 100;
  // Searches and registration (§7.10, §6.2, D7).
  size_t maxSearchResults = 50;
  bool registration = false;
  bool newUinV3Layout = false;
  // Argon2id cost of the password hashes a worker writes (SET_PASS, registration).
  uint64_t passwordOpsLimit = 2;
  size_t passwordMemLimitBytes = size_t{64} * 1024 * 1024;
  auth::VerifierCache::Limits verifierCache;  // logins proved once are not hashed again (DECISIONS.md, verifier cache)
  bool eventMessageText = false;              // events.message_text: message events carry the text
};

/// A decoded client packet and the address it came from.
struct Inbound {
  codec::v5::ClientPacket packet;
  util::Endpoint from;
  const codec::v5::ClientHeader& header() const { return packet.header; }
};

/// Where a login waiting for its password check is kept until the check is done (the
/// processor, which runs it again then: core/login_checks.hpp).
class LoginParking {
public:
  virtual ~LoginParking() = default;
  virtual void park(const Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) = 0;
};

struct CommandContext {
  const V5Settings& settings;
  store::SessionStore& sessions;
  store::PresenceStore& presence;
  store::UserStore& users;
  store::MessageStore& messages;
  store::RateLimiter& limits;  // password attempts per source IP and per UIN
  events::EventLog& events;
  const util::Clock& clock;
  codec::v5::CheckcodeRng& rng;
  Egress& egress;
  pipeline::Outbox& outbox;  // reliable packets; flushed by the processor after the handlers
  WorkerStats& stats;
  std::string_view gateway;  // the gateway this batch came through
  auth::VerifierCache& verifiers;  // every login's password check goes through it
  pipeline::PeerLinks* peers = nullptr;  // the other session owners (nullptr: this worker owns every session)
  /// The password checks beside the loop (nullptr: checked here, in the loop) and where a
  /// login waits for one; `resumed` when the login runs again after its check.
  core::LoginChecks* logins = nullptr;
  LoginParking* parking = nullptr;
  const core::LoginChecks::Resume* resumed = nullptr;

  /// Room for any server packet this worker builds (protocol-v5.md §1.2: below 1 KiB,
  /// the longest META reply included).
  std::array<uint8_t, 2048> scratch{};

  /// Sends a reply to the client of `in` through the gateway it used.
  void reply(const Inbound& in, size_t length) { egress.send(gateway, in.from, std::span(scratch).first(length)); }
  void sendAck(const Inbound& in) { reply(in, codec::v5::buildSrvAck(in.header(), scratch, rng)); }
  /// Queues a reliable reply to the session of `in` (SEQ2 echoed, §4.2).
  size_t replyReliable(const Inbound& in, uint16_t command, std::span<const uint8_t> body) {
    return outbox.queue(in.header().uin, command, in.header().seq2, body, in.header().sessionId);
  }
  /// SRV_TRY_AGAIN (§4.7), counted as a busy reply.
  void sendTryAgain(const Inbound& in) {
    stats.busyReplies++;
    reply(in, codec::v5::buildSrvTryAgain(in.header(), scratch, rng));
  }
  void sendNotConnected(const Inbound& in) {
    stats.notConnected++;
    reply(in, codec::v5::buildSrvNotConnected(in.header(), scratch, rng));
  }
};

using Handler = Outcome (*)(CommandContext&, const Inbound&);

}  // namespace icq::worker::v5
