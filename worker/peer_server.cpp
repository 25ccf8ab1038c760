// worker: requests for the sessions this worker owns; see peer_server.hpp.
#include "worker/peer_server.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/log/log.hpp"
#include "common/pipeline/peer_links.hpp"

namespace icq::worker {
namespace {

using envelope::PeerKind;
using envelope::PeerOutcome;
using envelope::PeerResult;

// Messages read per call: the loop's other sockets get their turn.
constexpr size_t kMaxMessagesPerServe = 64;
// Relayed messages remembered against a retransmission whose acknowledgement was lost: a
// client retransmits within seconds, so a few seconds of a busy worker's relays is plenty.
constexpr size_t kRelayMemory = 65536;

uint64_t relayKey(const envelope::RelayItem& item) {
  uint64_t key = uint64_t{item.from} << 32 | uint64_t{item.seq1} << 16 | item.seq2;
  return key ^ (uint64_t{item.senderSessionId} * 0x9e3779b97f4a7c15ULL);
}
constexpr size_t kNotQueued = std::numeric_limits<size_t>::max();

}  // namespace

PeerServer::PeerServer(zmq::socket_t& router, OwnedSessions& sessions, pipeline::Outbox& outbox,
                       pipeline::Egress& egress, SessionEndings& endings, store::MessageStore& messages,
                       const MessageSettings& messageSettings, const util::Clock& clock, OwnershipStats& stats)
    : router_(router),
      sessions_(sessions),
      outbox_(outbox),
      egress_(egress),
      endings_(endings),
      messages_(messages),
      messageSettings_(messageSettings),
      clock_(clock),
      stats_(stats),
      rng_(static_cast<uint64_t>(clock.nowMs())),
      relayRing_(kRelayMemory, 0) {}

void PeerServer::serve() {
  for (size_t n = 0; n < kMaxMessagesPerServe; ++n) {
    zmq::message_t identity, body;
    if (!router_.recv(identity, zmq::recv_flags::dontwait)) return;
    if (!identity.more() || !router_.recv(body, zmq::recv_flags::dontwait)) continue;
    if (body.more()) {  // more frames than our protocol has: not ours
      zmq::message_t extra;
      while (router_.recv(extra, zmq::recv_flags::dontwait) && extra.more()) {
      }
      ++malformed_;
      continue;
    }
    std::span<const uint8_t> bytes(static_cast<const uint8_t*>(body.data()), body.size());
    auto request = envelope::PeerReader::open(bytes);
    if (!request) {
      ++malformed_;
      continue;
    }
    const std::string_view requester = identity.to_string_view();
    switch (request->kind()) {
      case PeerKind::Deliver: deliver(requester, *request); break;
      case PeerKind::Kick: kick(requester, *request); break;
      case PeerKind::Nudge: nudge(*request); break;
      case PeerKind::Relay: relay(*request); break;
      case PeerKind::Forward: forwards_.push_back(std::move(body)); break;
      case PeerKind::Result: ++malformed_; break;  // answers come to the DEALERs, never here
    }
  }
}

void PeerServer::deliver(std::string_view requester, envelope::PeerReader& request) {
  outcomes_.clear();
  queued_.clear();
  envelope::PeerPacket item;
  while (request.next(item)) {
    if (sessions_.reach(item.uin) != Reach::here) {
      outcomes_.push_back({PeerOutcome::retry, 0});
      queued_.push_back(kNotQueued);
      continue;
    }
    outcomes_.push_back({PeerOutcome::absent, 0});
    queued_.push_back(outbox_.queuePacket(pipeline::fromPeerPacket(item)));
  }
  if (request.malformed()) ++malformed_;
  const bool recorded = outbox_.flush();
  for (size_t i = 0; i < queued_.size(); ++i) {
    if (queued_[i] == kNotQueued) continue;
    const store::ReliableRoute& route = outbox_.routeOf(queued_[i]);
    outcomes_[i].outcome =
        !recorded || route.retry ? PeerOutcome::retry : route.queued ? PeerOutcome::done : PeerOutcome::absent;
  }
  // The answer says "queued" only once the packets are in Redis (the gate) and on their way.
  if (!egress_.flush())
    for (PeerResult& result : outcomes_) result.outcome = PeerOutcome::retry;
  for (const PeerResult& result : outcomes_)
    (result.outcome == PeerOutcome::done ? stats_.delivered : stats_.deliverRetry)++;
  writer_.startResult(request.requestId());
  for (const PeerResult& result : outcomes_) writer_.add(result);
  reply(requester);
}

void PeerServer::kick(std::string_view requester, envelope::PeerReader& request) {
  outcomes_.clear();
  envelope::KickItem item;
  while (request.next(item))
    outcomes_.push_back(sessions_.reach(item.uin) == Reach::here ? endings_.kick(item) : PeerResult{});
  if (!egress_.flush())
    for (PeerResult& result : outcomes_) result.outcome = PeerOutcome::retry;
  writer_.startResult(request.requestId());
  for (const PeerResult& result : outcomes_) writer_.add(result);
  reply(requester);
}

// Fire and forget: the scheduler asks again at its next sweep if nothing changed.
void PeerServer::nudge(envelope::PeerReader& request) {
  envelope::Nudge item;
  while (request.next(item)) {
    if (sessions_.reach(item.uin) != Reach::here) continue;
    if (item.what == envelope::NudgeKind::expire)
      endings_.expire(item);
    else
      sessions_.checkOverdue(item.uin);
  }
  egress_.flush();
}

// Each message: delivered to our session of its recipient or stored offline, then, once
// durable (the egress gate), acknowledged to its sender through the gateway its packet came
// through. One we cannot take now (the view is settling) gets nothing: the sender's client
// retransmits, and its worker relays it again.
void PeerServer::relay(envelope::PeerReader& request) {
  envelope::RelayItem item;
  std::array<uint8_t, 64> ack{};
  followFences();
  while (request.next(item)) {
    if (sessions_.reach(item.to) != Reach::here) {
      stats_.relayDeferred++;
      continue;
    }
    if (!relayedBefore(item)) {
      switch (deliverMessage(outbox_, messages_, messageSettings_, clock_.nowMs(), item.from, item.to, item.type,
                             item.text)) {
        case MessageFate::online: stats_.relayOnline++; break;
        case MessageFate::offline: stats_.relayOffline++; break;
        case MessageFate::unknown: stats_.relayDropped++; break;
        case MessageFate::retry:
          stats_.relayDeferred++;
          forgetRelay(item);
          continue;  // not recorded: no acknowledgement, the retransmission comes again
      }
    }
    const codec::v5::ClientHeader header{item.from, item.senderSessionId, codec::v5::CMD_SEND_MESSAGE, item.seq1,
                                         item.seq2};
    const size_t n = codec::v5::buildSrvAck(header, ack, rng_);
    egress_.send(item.gateway, item.sender, std::span(ack).first(n));
  }
  if (request.malformed()) ++malformed_;
  egress_.flush();
}

bool PeerServer::relayedBefore(const envelope::RelayItem& item) {
  const uint64_t key = relayKey(item);
  if (relaySeen_.count(key) != 0) return true;
  if (relaySeen_.size() >= kRelayMemory) {
    auto oldest = relaySeen_.find(relayRing_[relayNext_]);
    if (oldest != relaySeen_.end()) relaySeen_.erase(oldest);
  }
  relayRing_[relayNext_] = key;
  relayNext_ = (relayNext_ + 1) % kRelayMemory;
  relaySeen_.insert(key);
  return false;
}

// A relay remembered here stands for a message queued in a session this worker held. A fence
// forgets those sessions without writing them, and with them every such message not yet in
// Redis; remembered still, the client's retransmission would be acknowledged as a duplicate and
// the message never queued again (found by tests/faults/run.sh kill-redis: both workers lost
// their leases while Redis restarted).
void PeerServer::followFences() {
  if (sessions_.fences() == relayFences_) return;
  relayFences_ = sessions_.fences();
  relaySeen_.clear();
  std::fill(relayRing_.begin(), relayRing_.end(), 0);
  relayNext_ = 0;
}

void PeerServer::forgetRelay(const envelope::RelayItem& item) {
  auto it = relaySeen_.find(relayKey(item));
  if (it != relaySeen_.end()) relaySeen_.erase(it);
}

void PeerServer::reply(std::string_view requester) {
  const auto message = writer_.message();
  try {
    router_.send(zmq::buffer(requester.data(), requester.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router_.send(zmq::buffer(message.data(), message.size()), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // The requester went away: it gave up waiting, and its client's retransmission asks again.
  }
}

void PeerServer::takeForwards(const std::function<void(std::string_view, std::span<const uint8_t>)>& process) {
  while (!forwards_.empty()) {
    zmq::message_t message = std::move(forwards_.front());
    forwards_.pop_front();
    std::span<const uint8_t> bytes(static_cast<const uint8_t*>(message.data()), message.size());
    auto forward = envelope::PeerReader::open(bytes);
    if (forward && forward->kind() == PeerKind::Forward) process(forward->gateway(), forward->ingress());
  }
}

}  // namespace icq::worker
