// Every V5 command handler the worker has, by the spec's name, and the command table
// that maps command codes to them (protocol-v5.md §6).
#pragma once

#include <cstdint>

#include "worker/command_context.hpp"

namespace icq::worker {

// cmd_login.cpp
void handleLogin(CommandContext&, const Inbound&);
// cmd_session.cpp
Outcome handleKeepAlive(CommandContext&, const Inbound&);
Outcome handleSendTextCode(CommandContext&, const Inbound&);
Outcome handleAcknowledgeOnly(CommandContext&, const Inbound&);

/// Which session check a command needs before its handler runs (§5.1, decision: one
/// uniform check of UIN, session id, source IP and port for every post-login command).
enum class SessionCheck : uint8_t {
  none,     // CMD_LOGIN and the pre-login commands: the handler decides
  session,  // must belong to the UIN's current session, else SRV_NOT_CONNECTED
};

/// When the SRV_ACK goes out (§4.3).
enum class AckTiming : uint8_t {
  first,         // before the handler, as IServerd does: a slow store never causes retransmits
  after_effect,  // once the effect is recorded (a message queued or stored): an
                 // acknowledged message is never lost (ARCHITECTURE.md "Delivery guarantees")
};

struct CommandSpec {
  uint16_t command;
  Handler handler;
  SessionCheck check;
  AckTiming ack = AckTiming::first;
};

/// The entry for `command`; unknown commands get handleAcknowledgeOnly with a session
/// check (§6.20: IServerd acknowledges what it does not know).
const CommandSpec& lookupCommand(uint16_t command);

}  // namespace icq::worker
