// worker: the peer ROUTER's side (envelope/peer.hpp) — what other processes ask of the
// sessions this worker owns: Deliver (number, record and send reliable packets), Relay (a
// client's message for one of our sessions: deliver or store it, then acknowledge it to its
// sender), Kick (the admin's disconnect), Nudge (the scheduler's expiry and retransmit
// timeouts) and Forward (datagrams a gateway gave another worker). Answers — a Result, the
// sender's SRV_ACK — leave once what they report is durable (the egress gate).
//
// serve() may run inside a wait of the worker's own (its outbox waiting for another owner's
// answer, pipeline/peer_links.hpp): it then takes Deliver, Kick and Nudge, which touch only
// the owned sessions and this server's own outbox, and keeps Forwards for the loop, which
// runs them through the processors when no batch is in progress.
#pragma once

#include <zmq.hpp>

#include <deque>
#include <functional>
#include <string_view>

#include <unordered_set>

#include "common/codec/v5/packet.hpp"
#include "common/envelope/peer.hpp"
#include "common/store/message_store.hpp"
#include "common/util/clock.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "worker/sessions/owned_sessions.hpp"
#include "worker/sessions/message_delivery.hpp"
#include "worker/sessions/ownership_stats.hpp"
#include "worker/sessions/session_endings.hpp"

namespace icq::worker {

class PeerServer {
public:
  /// `outbox` is this server's own (local sessions only); `egress` the worker's.
  PeerServer(zmq::socket_t& router, OwnedSessions& sessions, pipeline::Outbox& outbox, pipeline::Egress& egress,
             SessionEndings& endings, store::MessageStore& messages, const MessageSettings& messageSettings,
             const util::Clock& clock, OwnershipStats& stats);

  zmq::socket_t& socket() { return router_; }
  /// Reads and answers what is waiting (a bounded number of messages).
  void serve();
  /// The Forwards kept since the last call: (gateway, ingress batch) each.
  void takeForwards(const std::function<void(std::string_view, std::span<const uint8_t>)>& process);

private:
  void deliver(std::string_view requester, envelope::PeerReader& request);
  void kick(std::string_view requester, envelope::PeerReader& request);
  void nudge(envelope::PeerReader& request);
  void relay(envelope::PeerReader& request);
  /// Whether this relayed message was recorded here before (its sender retransmitted it
  /// because our acknowledgement was lost); remembers it otherwise.
  bool relayedBefore(const envelope::RelayItem& item);
  /// Forgets every relay remembered, if the sessions were fenced since.
  void followFences();
  void forgetRelay(const envelope::RelayItem& item);
  void reply(std::string_view requester);

  zmq::socket_t& router_;
  OwnedSessions& sessions_;
  pipeline::Outbox& outbox_;
  pipeline::Egress& egress_;
  SessionEndings& endings_;
  store::MessageStore& messages_;
  MessageSettings messageSettings_;
  const util::Clock& clock_;
  OwnershipStats& stats_;
  codec::v5::CheckcodeRng rng_;
  // The relayed messages recorded lately, by (sender, session id, SEQ1, SEQ2): a ring of
  // keys and the set of what it holds, bounded by kRelayMemory. Valid only while the
  // sessions that hold their effects are: a fence (OwnedSessions::fences) empties it.
  std::vector<uint64_t> relayRing_;
  size_t relayNext_ = 0;
  std::unordered_multiset<uint64_t> relaySeen_;
  uint64_t relayFences_ = 0;
  envelope::PeerWriter writer_;
  std::vector<envelope::PeerResult> outcomes_;
  std::vector<size_t> queued_;  // outbox index per request item, or SIZE_MAX
  std::deque<zmq::message_t> forwards_;
  uint64_t malformed_ = 0;
};

}  // namespace icq::worker
