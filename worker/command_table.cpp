// The V5 command table: command code → handler and session check. A command missing
// here is acknowledged after the session check and otherwise ignored (§6.20); the
// commands of the full protocol are added here as they are implemented.
#include <algorithm>
#include <array>

#include "common/codec/v5/constants.hpp"
#include "worker/commands.hpp"

namespace icq::worker {
namespace {

namespace v5 = codec::v5;
using enum SessionCheck;

constexpr auto kCommands = std::to_array<CommandSpec>({
    // No handler here: logins run apart, after the rest of the batch (v5_processor.cpp).
    {v5::CMD_LOGIN, nullptr, none},
    {v5::CMD_KEEP_ALIVE, handleKeepAlive, session},
    {v5::CMD_KEEP_ALIVE2, handleKeepAlive, session},
    {v5::CMD_SEND_TEXT_CODE, handleSendTextCode, session},
    // Pre-login commands have no session to check; until registration is implemented
    // they are acknowledged (D29: acknowledge everything but CMD_ACK).
    {v5::CMD_REG_NEW_USER, handleAcknowledgeOnly, none},
    {v5::CMD_NEW_USER_1, handleAcknowledgeOnly, none},
    {v5::CMD_GET_DEPS, handleAcknowledgeOnly, none},
});

constexpr CommandSpec kUnknown{0, handleAcknowledgeOnly, session};

}  // namespace

const CommandSpec& lookupCommand(uint16_t command) {
  auto it =
      std::find_if(kCommands.begin(), kCommands.end(), [&](const CommandSpec& c) { return c.command == command; });
  return it == kCommands.end() ? kUnknown : *it;
}

}  // namespace icq::worker
