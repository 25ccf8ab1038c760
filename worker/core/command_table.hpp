// worker: what the two protocols' command tables have in common — a row (command code,
// handler, session check, acknowledgement timing) and the BatchProtocol that runs a batch's
// packets through their rows. Each protocol keeps its own table (worker/v5/command_table.cpp,
// worker/v3/command_table.cpp) and its own handler and context types.
#pragma once

#include <cstdint>
#include <vector>

#include "worker/core/batch_core.hpp"

namespace icq::worker::core {

/// A row of a command table; `Handler` is the protocol's handler function pointer.
template <class Handler>
struct CommandSpec {
  uint16_t command;
  Handler handler;
  SessionCheck check;
  AckTiming ack = AckTiming::first;
};

/// A packet of kind `kind` described by its table row `spec`, counted in row `slot`; the
/// caller fills in its session check request (Packet::touch).
template <class Handler>
Packet packetFor(Packet::Kind kind, const CommandSpec<Handler>& spec, size_t slot) {
  Packet p;
  p.kind = kind;
  p.check = spec.check;
  p.ack = spec.ack;
  p.slot = slot;
  return p;
}

/// The BatchProtocol of a table-driven protocol: packet i is inbound[i], run through the row
/// specs[i]; the acknowledgement and NOT_CONNECTED answers are the Context's sendAck and
/// sendNotConnected; logins go to `login`. Made on the stack for one batch.
template <class Context, class Inbound>
class TableProtocol final : public BatchProtocol {
public:
  using Handler = Outcome (*)(Context&, const Inbound&);
  using Login = void (*)(Context&, const Inbound&);

  TableProtocol(Context& ctx, const std::vector<Inbound>& inbound,
                const std::vector<const CommandSpec<Handler>*>& specs, Login runLogin)
      : ctx_(ctx), inbound_(inbound), specs_(specs), login_(runLogin) {}

  void sendAck(size_t i) override { ctx_.sendAck(inbound_[i]); }
  void sendNotConnected(size_t i) override { ctx_.sendNotConnected(inbound_[i]); }
  Outcome handle(size_t i) override { return specs_[i]->handler(ctx_, inbound_[i]); }
  void login(size_t i) override { login_(ctx_, inbound_[i]); }

private:
  Context& ctx_;
  const std::vector<Inbound>& inbound_;  // vectors, not spans: a round may refill them
  const std::vector<const CommandSpec<Handler>*>& specs_;
  Login login_;
};

}  // namespace icq::worker::core
