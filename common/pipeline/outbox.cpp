// Reliable server packets in batches; see outbox.hpp.
#include "common/pipeline/outbox.hpp"

#include <array>

#include "common/codec/v5/constants.hpp"

namespace icq::pipeline {

size_t Outbox::queue(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, uint32_t sessionId) {
  if (flushed_) {  // the routes of the previous flush have been read by now
    packets_.clear();
    bodies_.clear();
    flushed_ = false;
  }
  packets_.push_back({uin, sessionId, command, seq2, bodies_.size(), body.size()});
  bodies_.insert(bodies_.end(), body.begin(), body.end());
  return packets_.size() - 1;
}

bool Outbox::flush() {
  if (flushed_ || packets_.empty()) return true;
  flushed_ = true;
  requests_.clear();
  for (const Pending& p : packets_)
    requests_.push_back({p.uin, p.command, p.seq2, std::span(bodies_).subspan(p.offset, p.length), p.sessionId});
  routes_.assign(packets_.size(), store::ReliableRoute{});
  if (!sessions_.queueReliable(requests_, routes_)) {
    routes_.assign(packets_.size(), store::ReliableRoute{});
    return false;
  }
  std::array<uint8_t, codec::v5::kMaxDatagram> datagram{};
  for (size_t i = 0; i < packets_.size(); ++i) {
    const store::ReliableRoute& route = routes_[i];
    if (!route.queued) continue;
    const store::ReliablePacket& packet = requests_[i];
    codec::v5::ServerHeader header{route.sessionId, packet.command, route.seq1, packet.seq2, packet.uin};
    size_t n = codec::v5::encodeServerPacket(header, packet.body, datagram, rng_.serverR1(), rng_.r2());
    if (n > 0) egress_.send(route.gateway, route.client, std::span(datagram).first(n));
  }
  return true;
}

}  // namespace icq::pipeline
