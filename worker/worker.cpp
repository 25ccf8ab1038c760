// worker: the loop. Per turn: re-read the gateway registry when due, tend the owned sessions
// (a new membership view, the takeover walk, resend timers, queued writes), wait for batches
// on every gateway link and requests on the peer ROUTER, and for each batch pass on what
// another worker owns, run the V5 and the V3 pipelines on the rest (each takes the datagrams
// of its version) and give the gateway its credit back; then send the turn's egress — after
// the writes it depends on — and its relayed messages.
#include "worker/worker.hpp"

#include <thread>

#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/util/pipeline_socket.hpp"

namespace icq::worker {
namespace {
// Batches taken from one gateway per turn before the others get theirs.
constexpr size_t kMaxBatchesPerLinkPerTurn = 16;
constexpr std::chrono::milliseconds kIdlePoll{100};
}  // namespace

void Worker::runOnce(std::chrono::milliseconds timeout) {
  if (std::chrono::steady_clock::now() >= nextRefresh_) followRegistry();
  ownership_.tend();
  serveReady(ownership_.idleWait(timeout));
}

void Worker::run(const util::StopToken& stop) {
  ops::Heartbeat heartbeat("worker", ops::kLoopStaleAfter);  // /healthz: this loop turns
  while (!stop.stopRequested()) {
    heartbeat.beat();
    runOnce(kIdlePoll);
  }
}

Worker::Worker(std::chrono::milliseconds gatewayRefresh, GatewayLinks& links, Egress& egress,
               store::GatewayRegistry& registry, V5Processor& processor, V3Processor& v3Processor,
               Ownership& ownership, PeerServer& peers, core::LoginChecks& logins, store::HistoryWriter* history,
               events::EventBuffer& events, redis::RedisEventStream& eventStream)
    : gatewayRefresh_(gatewayRefresh),
      links_(links),
      egress_(egress),
      registry_(registry),
      processor_(processor),
      v3Processor_(v3Processor),
      ownership_(ownership),
      peers_(peers),
      logins_(logins),
      history_(history),
      events_(events),
      eventStream_(eventStream) {}

void Worker::followRegistry() {
  nextRefresh_ = std::chrono::steady_clock::now() + gatewayRefresh_;
  if (!registry_.list(records_)) {
    registryFailures_.warn("gateway_registry_unreachable");
    return;  // keep the links we have: gateways do not vanish because Redis blinked
  }
  links_.follow(records_);
  gatewayLinks_.set(static_cast<int64_t>(links_.size()));
}

bool Worker::serveReady(std::chrono::milliseconds timeout) {
  pollItems_.clear();
  for (size_t i = 0; i < links_.size(); ++i)
    pollItems_.push_back({static_cast<void*>(links_.at(i).socket()), 0, ZMQ_POLLIN, 0});
  const size_t peerItem = pollItems_.size();
  pollItems_.push_back({static_cast<void*>(peers_.socket()), 0, ZMQ_POLLIN, 0});
  pollItems_.push_back({nullptr, logins_.readyFd(), ZMQ_POLLIN, 0});
  util::pollIgnoringSignals(pollItems_.data(), pollItems_.size(), timeout);
  bool served = false;
  if (pollItems_[peerItem].revents & ZMQ_POLLIN) {
    peers_.serve();
    served = true;
  }
  if (pollItems_[peerItem + 1].revents & ZMQ_POLLIN) {
    resumeLogins();
    served = true;
  }
  peers_.takeForwards([&](std::string_view gateway, std::span<const uint8_t> batch) {
    process(gateway, batch, true);
    served = true;
  });
  for (size_t i = 0; i < peerItem; ++i) {
    if (!(pollItems_[i].revents & ZMQ_POLLIN)) continue;
    GatewayLink& link = links_.at(i);
    for (size_t n = 0; n < kMaxBatchesPerLinkPerTurn; ++n) {
      zmq::message_t message;
      if (!link.socket().recv(message, zmq::recv_flags::dontwait)) break;
      serveBatch(link, message);
      served = true;
    }
  }
  // What the turn's batches answered leaves together: their writes to Redis in one round
  // trip (the egress gate), then one envelope per gateway, then the relayed messages.
  egress_.flush();
  ownership_.sendToPeers();
  if (history_) history_->flushHistory();  // the turn's audit entries and logins, one statement each
  // The turn's events in one round trip; kept for the next turn if the stream is out of reach.
  if (!events_.empty() && eventStream_.append(events_.pending())) events_.clear();
  return served;
}

void Worker::serveBatch(GatewayLink& link, const zmq::message_t& message) {
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(message.data()), message.size());
  auto batch = envelope::BatchReader::open(bytes);
  if (!batch || batch->kind() != envelope::Kind::Ingress) {  // nothing else flows this way
    processor_.countMalformedEnvelope();
    return;
  }
  const uint32_t handedOut = static_cast<uint32_t>(batch->count());
  process(link.id(), bytes, false);
  // While draining, credit would re-enlist us with the gateway we just left.
  if (!draining_) link.sendControl(envelope::Kind::Credit, handedOut);
}

void Worker::resumeLogins() {
  logins_.collect(finishedChecks_);
  if (finishedChecks_.empty()) return;
  processor_.resumeLogins(finishedChecks_);
  v3Processor_.resumeLogins(finishedChecks_);
  egress_.flush();
}

void Worker::process(std::string_view gateway, std::span<const uint8_t> bytes, bool forwarded) {
  if (ownership_.split(gateway, bytes, forwarded, here_)) bytes = here_.message();
  auto batch = envelope::BatchReader::open(bytes);
  if (!batch || batch->count() == 0) return;
  processor_.processBatch(gateway, *batch);
  if (auto again = envelope::BatchReader::open(bytes)) v3Processor_.processBatch(gateway, *again);
}

void Worker::drain(std::chrono::milliseconds quiet) {
  draining_ = true;
  // First hand the sessions on (the others may load them once we have written them out),
  // then stop new hand-outs; what still arrives is passed on to its new owner.
  ownership_.leave();
  const auto handedOn = std::chrono::steady_clock::now() + ownership_.leaveTimeout();
  while (!ownership_.left() && std::chrono::steady_clock::now() < handedOn) runOnce(std::chrono::milliseconds(10));
  links_.goodbyeAll();
  while (serveReady(quiet)) ownership_.tend();
  ownership_.withdraw();
}

}  // namespace icq::worker
