// Every V5 command handler the worker has, by the spec's name, and the command table
// that maps command codes to them (protocol-v5.md §6).
#pragma once

#include <cstdint>

#include "worker/command_context.hpp"

namespace icq::worker {

// cmd_login.cpp
void handleLogin(CommandContext&, const Inbound&);
// cmd_session.cpp
void handleKeepAlive(CommandContext&, const Inbound&);
void handleSendTextCode(CommandContext&, const Inbound&);
void handleAcknowledgeOnly(CommandContext&, const Inbound&);

/// Which session check a command needs before its handler runs (§5.1, decision: one
/// uniform check of UIN, session id, source IP and port for every post-login command).
enum class SessionCheck : uint8_t {
  none,     // CMD_LOGIN and the pre-login commands: the handler decides
  session,  // must belong to the UIN's current session, else SRV_NOT_CONNECTED
};

struct CommandSpec {
  uint16_t command;
  Handler handler;
  SessionCheck check;
};

/// The entry for `command`; unknown commands get handleAcknowledgeOnly with a session
/// check (§6.20: IServerd acknowledges what it does not know).
const CommandSpec& lookupCommand(uint16_t command);

}  // namespace icq::worker
