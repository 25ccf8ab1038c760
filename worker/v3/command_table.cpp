// The V3 command table: command code → handler, session check and ACK timing (protocol-v3.md
// §5.0). A command missing here is acknowledged without a session check and otherwise ignored
// (§5.36) — IServerd's local-only injections WWP 0x0622 and admin 0x2121 among them: they are
// never served from the network.
#include <algorithm>
#include <array>

#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;
using enum SessionCheck;

constexpr auto kCommands = std::to_array<V3CommandSpec>({
    // No handler here: logons run apart, after the rest of the batch (v3_processor.cpp).
    {v3::CMD_LOGON, nullptr, none},
    {v3::CMD_ACK, nullptr, none, AckTiming::never},
    // The refresh happened in the session check; the ACK is the whole answer (§5.3, §5.4).
    {v3::CMD_PING, handleV3AcknowledgeOnly, quiet},
    {v3::CMD_PING2, handleV3AcknowledgeOnly, quiet},
    {v3::CMD_RECONNECT, handleV3AcknowledgeOnly, session},
    {v3::CMD_SET_STATE, handleV3AcknowledgeOnly, session},
    {v3::CMD_USAGE_STATS, handleV3AcknowledgeOnly, session},
    {v3::CMD_LOGOFF, handleV3Logoff, quiet, AckTiming::never},
    {v3::CMD_USER_LIST, handleV3UserList, session},
    {v3::CMD_USER_ADD, handleV3UserAdd, quiet},
    {v3::CMD_VISIBLE_LIST, handleV3VisibleList, session},
    {v3::CMD_INVISIBLE_LIST, handleV3InvisibleList, session},
    {v3::CMD_UPDATE_LIST, handleV3UpdateList, session},
    {v3::CMD_SET_STATUS, handleV3SetStatus, session},
    // Acknowledged once queued or stored: an acknowledged message is never lost.
    {v3::CMD_THRU_SERVER, handleV3ThruServer, session, AckTiming::after_effect},
    {v3::CMD_AUTHORIZE, handleV3ThruServer, session, AckTiming::after_effect},
    {v3::CMD_SYSMSG_REQ, handleV3SysmsgReq, session},
    {v3::CMD_SYSMSG_DONE_ACK, handleV3SysmsgDoneAck, session, AckTiming::after_effect},
    // Stored before it is acknowledged (§4.6).
    {v3::CMD_FRAGMENT, handleV3Fragment, session, AckTiming::after_effect},
    {v3::CMD_BROADCAST_REQ, handleV3BroadcastReq, quiet},
    // Acknowledged once sent to everyone online (and stored for the rest); a sender without
    // the permission is acknowledged and ignored (§5.16, decision 34).
    {v3::CMD_BROADCAST_ALL, handleV3Broadcast, session, AckTiming::after_effect},
    {v3::CMD_BROADCAST_ONLINE, handleV3Broadcast, session, AckTiming::after_effect},
    // User information (§5.17–§5.19, §5.27): pure queries, re-executed on a duplicate (§3.7).
    {v3::CMD_GET_INFO, handleV3GetInfo, quiet},
    {v3::CMD_GET_INFO1, handleV3GetInfo1, session},
    {v3::CMD_GET_NOTES, handleV3GetNotes, quiet},
    {v3::CMD_SEARCH, handleV3Search, session},
    // Profile changes: acknowledged once saved.
    {v3::CMD_SET_BASIC, handleV3SetBasic, session, AckTiming::after_effect},
    {v3::CMD_SET_HOME, handleV3SetHome, session, AckTiming::after_effect},
    {v3::CMD_SET_HOME_PAGE, handleV3SetHomePage, session, AckTiming::after_effect},
    {v3::CMD_SET_WORK, handleV3SetWork, session, AckTiming::after_effect},
    {v3::CMD_SET_WORK_PAGE, handleV3SetWorkPage, session, AckTiming::after_effect},
    {v3::CMD_SET_NOTES, handleV3SetNotes, session, AckTiming::after_effect},
    {v3::CMD_SET_PASSWORD, handleV3SetPassword, session, AckTiming::after_effect},
    {v3::CMD_SET_AUTH, handleV3SetAuth, session, AckTiming::after_effect},
    // Pre-login commands of the registration dialog (§5.30, §5.32–§5.34). GET_DEPS is
    // acknowledged only when the credentials are right (§3.3).
    {v3::CMD_FIRST_LOGIN, handleV3AcknowledgeOnly, none},
    {v3::CMD_GET_EXTERNALS, handleV3AcknowledgeOnly, none},
    {v3::CMD_GET_DEPS, handleV3GetDeps, none, AckTiming::handler},
    {v3::CMD_REG_REQUEST_INFO, handleV3RegRequestInfo, none},
    {v3::CMD_REG_NEW_USER, handleV3RegNewUser, none},
    {v3::CMD_GET_DEPS1, handleV3GetDeps1, quiet},
});

constexpr V3CommandSpec kUnknown{0, handleV3AcknowledgeOnly, none};

}  // namespace

// Rows: one per table entry, then "other".
static_assert(kCommands.size() + 1 <= kV3CommandSlots, "V3Stats::packets needs a row per command");

size_t v3CommandSlot(const V3CommandSpec& spec) {
  return &spec == &kUnknown ? kCommands.size() : static_cast<size_t>(&spec - kCommands.data());
}

std::string_view v3CommandSlotName(size_t slot) {
  if (slot < kCommands.size()) return v3::clientCommandName(kCommands[slot].command);
  return slot == kCommands.size() ? "other" : std::string_view();
}

const V3CommandSpec& lookupV3Command(uint16_t command) {
  auto it = std::find_if(kCommands.begin(), kCommands.end(),
                         [&](const V3CommandSpec& c) { return c.command == command; });
  return it == kCommands.end() ? kUnknown : *it;
}

}  // namespace icq::worker::v3
