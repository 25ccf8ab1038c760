// The V5 command table: command code → handler and session check. A command missing
// here is acknowledged after the session check and otherwise ignored (§6.20); the
// commands of the full protocol are added here as they are implemented.
#include <algorithm>
#include <array>

#include "common/codec/v5/constants.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;
using enum SessionCheck;

constexpr auto kCommands = std::to_array<CommandSpec>({
    // No handler here: logins run apart, after the rest of the batch (v5_processor.cpp).
    {v5::CMD_LOGIN, nullptr, none},
    {v5::CMD_KEEP_ALIVE, handleKeepAlive, session},
    {v5::CMD_KEEP_ALIVE2, handleKeepAlive, session},
    {v5::CMD_SEND_TEXT_CODE, handleSendTextCode, session},
    {v5::CMD_CONTACT_LIST, handleContactList, session},
    {v5::CMD_ADD_TO_LIST, handleAddToList, session},
    {v5::CMD_VIS_LIST, handleVisList, session},
    {v5::CMD_INVIS_LIST, handleInvisList, session},
    {v5::CMD_UPDATE_LIST, handleUpdateList, session},
    {v5::CMD_STATUS_CHANGE, handleStatusChange, session},
    {v5::CMD_RAND_SET, handleRandSet, session},
    {v5::CMD_RAND_SEARCH, handleRandSearch, session},
    {v5::CMD_LOGIN_1, handleLogin1, session},
    // Acknowledged once stored or queued: an acknowledged message is never lost.
    {v5::CMD_SEND_MESSAGE, handleSendMessage, session, AckTiming::after_effect},
    {v5::CMD_MSG_TO_NEW_USER, handleSendMessage, session, AckTiming::after_effect},
    // Acknowledged once the batch is deleted: a failed delete is retried by the client's
    // retransmission instead of redelivering the batch at the next login.
    {v5::CMD_ACK_MESSAGES, handleAckMessages, session, AckTiming::after_effect},
    // User information, searches and profile updates: acknowledged once read or saved, so
    // a store failure leaves the packet to the client's retransmission (§7, §6.4–§6.12).
    {v5::CMD_META_USER, handleMetaUser, session, AckTiming::after_effect},
    {v5::CMD_INFO_REQ, handleInfoReq, session, AckTiming::after_effect},
    {v5::CMD_EXT_INFO_REQ, handleExtInfoReq, session, AckTiming::after_effect},
    {v5::CMD_SEARCH_UIN, handleSearchUin, session, AckTiming::after_effect},
    {v5::CMD_SEARCH_USER, handleSearchUser, session, AckTiming::after_effect},
    {v5::CMD_CHANGE_PW, handleChangePw, session, AckTiming::after_effect},
    {v5::CMD_UPDATE_INFO, handleUpdateInfo, session, AckTiming::after_effect},
    {v5::CMD_AUTH_UPDATE, handleAuthUpdate, session, AckTiming::after_effect},
    {v5::CMD_UPDATE_EXT_INFO, handleUpdateExtInfo, session, AckTiming::after_effect},
    // Pre-login commands have no session to check (§5.1). The extended ACKs of §6.2 and
    // §6.15 are their acknowledgement; §6.16's V3 reply is followed by a plain SRV_ACK (D29).
    {v5::CMD_REG_NEW_USER, handleRegNewUser, none, AckTiming::after_effect},
    {v5::CMD_NEW_USER_1, handleNewUser1, none, AckTiming::after_effect},
    {v5::CMD_GET_DEPS, handleGetDeps, none, AckTiming::after_effect},
});

constexpr CommandSpec kUnknown{0, handleAcknowledgeOnly, session};

}  // namespace

// Rows: one per table entry, then "other", then CMD_ACK.
static_assert(kCommands.size() + 2 <= kCommandSlots, "WorkerStats::packets needs a row per command");

const CommandSpec& lookupCommand(uint16_t command) {
  auto it =
      std::find_if(kCommands.begin(), kCommands.end(), [&](const CommandSpec& c) { return c.command == command; });
  return it == kCommands.end() ? kUnknown : *it;
}

size_t commandSlot(const CommandSpec& spec) {
  return &spec == &kUnknown ? kCommands.size() : static_cast<size_t>(&spec - kCommands.data());
}

size_t ackSlot() { return kCommands.size() + 1; }

std::string_view commandSlotName(size_t slot) {
  if (slot < kCommands.size()) return v5::clientCommandName(kCommands[slot].command);
  if (slot == kCommands.size()) return "other";
  return slot == ackSlot() ? v5::clientCommandName(v5::CMD_ACK) : std::string_view();
}

}  // namespace icq::worker::v5
