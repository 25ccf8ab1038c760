// worker: requests for the sessions this worker owns; see peer_server.hpp.
#include "worker/peer_server.hpp"

#include <limits>

#include "common/log/log.hpp"
#include "common/pipeline/peer_links.hpp"

namespace icq::worker {
namespace {

using envelope::PeerKind;
using envelope::PeerOutcome;
using envelope::PeerResult;

// Messages read per call: the loop's other sockets get their turn.
constexpr size_t kMaxMessagesPerServe = 64;
constexpr size_t kNotQueued = std::numeric_limits<size_t>::max();

}  // namespace

PeerServer::PeerServer(zmq::socket_t& router, OwnedSessions& sessions, pipeline::Outbox& outbox,
                       pipeline::Egress& egress, SessionEndings& endings, OwnershipStats& stats)
    : router_(router), sessions_(sessions), outbox_(outbox), egress_(egress), endings_(endings), stats_(stats) {}

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
