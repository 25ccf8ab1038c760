// Reliable server packets in batches; see outbox.hpp.
#include "common/pipeline/outbox.hpp"

#include <array>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/constants.hpp"

namespace icq::pipeline {

size_t Outbox::add(Pending pending, std::span<const uint8_t> body, std::span<const uint8_t> v3Body) {
  if (flushed_) {  // the routes of the previous flush have been read by now
    packets_.clear();
    bodies_.clear();
    flushed_ = false;
  }
  pending.offset = bodies_.size();
  pending.length = body.size();
  bodies_.insert(bodies_.end(), body.begin(), body.end());
  pending.v3Offset = bodies_.size();
  pending.v3Length = v3Body.size();
  bodies_.insert(bodies_.end(), v3Body.begin(), v3Body.end());
  packets_.push_back(pending);
  return packets_.size() - 1;
}

size_t Outbox::queue(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, uint32_t sessionId) {
  return add({uin, sessionId, command, seq2, 0, 0, 5, false, 0, 0, 0}, body, {});
}

size_t Outbox::queueEither(uint32_t uin, uint16_t command, std::span<const uint8_t> body, uint16_t v3Command,
                           std::span<const uint8_t> v3Body, uint16_t seq2) {
  return add({uin, 0, command, seq2, 0, 0, 0, true, v3Command, 0, 0}, body, v3Body);
}

size_t Outbox::queuePacket(const store::ReliablePacket& packet) {
  const bool v3Form = packet.v3Form.has_value();
  return add({packet.uin, packet.sessionId, packet.command, packet.seq2, 0, 0, packet.protocol, v3Form,
              v3Form ? packet.v3Form->command : uint16_t{0}, 0, 0},
             packet.body, v3Form ? packet.v3Form->body : std::span<const uint8_t>());
}

size_t Outbox::queueV3(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body) {
  return add({uin, 0, command, seq2, 0, 0, 3, false, 0, 0, 0}, body, {});
}

bool Outbox::flushPackets(bool waitForRemote) {
  if (flushed_ || packets_.empty()) return true;
  flushed_ = true;
  requests_.clear();
  localIndex_.clear();
  remoteIndex_.clear();
  for (const Pending& p : packets_) {
    store::ReliablePacket& request = requests_.emplace_back();
    request.uin = p.uin;
    request.command = p.command;
    request.seq2 = p.seq2;
    request.body = bytes(p.offset, p.length);
    request.sessionId = p.sessionId;
    request.protocol = p.protocol;
    if (p.hasV3Form) request.v3Form = store::ReliablePacket::V3Form{p.v3Command, bytes(p.v3Offset, p.v3Length)};
    const bool local = local_ && (!peers_ || peers_->ownedHere(p.uin));
    (local ? localIndex_ : remoteIndex_).push_back(requests_.size() - 1);
  }
  routes_.assign(packets_.size(), store::ReliableRoute{});

  bool reached = true;
  if (!localIndex_.empty()) {
    localRequests_.clear();
    for (size_t i : localIndex_) localRequests_.push_back(requests_[i]);
    localRoutes_.assign(localRequests_.size(), store::ReliableRoute{});
    reached = local_->queueReliable(localRequests_, localRoutes_);
    for (size_t k = 0; reached && k < localIndex_.size(); ++k) {
      routes_[localIndex_[k]] = std::move(localRoutes_[k]);
      sendQueued(localIndex_[k]);
    }
    if (!reached)
      for (size_t i : localIndex_) routes_[i].retry = true;
  }
  if (!remoteIndex_.empty()) {
    remoteRequests_.clear();
    for (size_t i : remoteIndex_) remoteRequests_.push_back(requests_[i]);
    remoteOutcomes_.assign(waitForRemote ? remoteRequests_.size() : 0, envelope::PeerResult{});
    if (peers_) peers_->deliver(remoteRequests_, remoteOutcomes_);
    for (size_t k = 0; k < remoteIndex_.size(); ++k) {
      store::ReliableRoute& route = routes_[remoteIndex_[k]];
      const auto outcome = waitForRemote ? remoteOutcomes_[k].outcome : envelope::PeerOutcome::retry;
      route.queued = route.sent = outcome == envelope::PeerOutcome::done;
      route.retry = outcome == envelope::PeerOutcome::retry;
    }
  }
  return reached;
}

void Outbox::sendQueued(size_t index) {
  const store::ReliableRoute& route = routes_[index];
  if (!route.queued || route.sent) return;
  const store::ReliablePacket& packet = requests_[index];
  std::array<uint8_t, codec::v3::kMaxDatagram> datagram{};
  size_t n = 0;
  if (route.protocol == 3) {
    const bool v3Form = packet.v3Form.has_value();
    codec::v3::Header header{v3Form ? packet.v3Form->command : packet.command, route.seq1, packet.seq2, packet.uin};
    n = codec::v3::encodePacket(header, v3Form ? packet.v3Form->body : packet.body, datagram);
  } else {
    codec::v5::ServerHeader header{route.sessionId, packet.command, route.seq1, packet.seq2, packet.uin};
    n = codec::v5::encodeServerPacket(header, packet.body, datagram, rng_.serverR1(), rng_.r2());
  }
  if (n > 0 && egress_) egress_->send(route.gateway, route.client, std::span(datagram).first(n));
}

}  // namespace icq::pipeline
