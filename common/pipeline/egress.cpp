// Per-gateway egress batching; see egress.hpp.
#include "common/pipeline/egress.hpp"

namespace icq::pipeline {

void Egress::send(std::string_view gateway, const util::Endpoint& client, std::span<const uint8_t> datagram) {
  for (PerGateway& p : pending_) {
    if (p.gateway == gateway) {
      if (!p.batch.add(client, 0, datagram)) ++undeliverable_;
      return;
    }
  }
  PerGateway& p = pending_.emplace_back();
  p.gateway = std::string(gateway);
  if (!p.batch.add(client, 0, datagram)) ++undeliverable_;
}

bool Egress::pending() const {
  for (const PerGateway& p : pending_)
    if (!p.batch.empty()) return true;
  return false;
}

bool Egress::flush() {
  if (gate_ && pending() && !gate_()) {
    for (PerGateway& p : pending_) {
      undeliverable_ += p.batch.count();
      p.batch.clear();
    }
    return false;
  }
  for (PerGateway& p : pending_) {
    if (p.batch.empty()) continue;
    if (!sink_.deliver(p.gateway, p.batch.message())) undeliverable_ += p.batch.count();
    p.batch.clear();
  }
  return true;
}

}  // namespace icq::pipeline
