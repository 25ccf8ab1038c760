// Every V5 command handler the worker has, by the spec's name, and the command table
// that maps command codes to them (protocol-v5.md §6).
#pragma once

#include <cstdint>
#include <string_view>

#include "worker/core/command_table.hpp"
#include "worker/v5/command_context.hpp"

namespace icq::worker::v5 {

using core::AckTiming;
using core::SessionCheck;

// cmd_login.cpp
void handleLogin(CommandContext&, const Inbound&);
/// Whether a password may be checked for `uin` (CMD_LOGIN, CMD_REG_NEW_USER with 0,
/// CMD_GET_DEPS), after counting the attempt against v5.login_rate_per_ip and _per_uin.
enum class AttemptGate : uint8_t {
  go,
  refused,      // over a limit: answered SRV_TRY_AGAIN and counted; the password is never looked at
  unreachable,  // the limiter's store failed: nothing sent, the caller handles it as a store failure
};
AttemptGate gatePasswordAttempt(CommandContext&, const Inbound&, uint32_t uin);
// cmd_session.cpp
Outcome handleKeepAlive(CommandContext&, const Inbound&);
Outcome handleSendTextCode(CommandContext&, const Inbound&);
Outcome handleAcknowledgeOnly(CommandContext&, const Inbound&);
// cmd_presence.cpp
Outcome handleContactList(CommandContext&, const Inbound&);
Outcome handleAddToList(CommandContext&, const Inbound&);
Outcome handleVisList(CommandContext&, const Inbound&);
Outcome handleInvisList(CommandContext&, const Inbound&);
Outcome handleUpdateList(CommandContext&, const Inbound&);
Outcome handleStatusChange(CommandContext&, const Inbound&);
Outcome handleRandSet(CommandContext&, const Inbound&);
Outcome handleRandSearch(CommandContext&, const Inbound&);
// cmd_message.cpp
Outcome handleSendMessage(CommandContext&, const Inbound&);
Outcome handleLogin1(CommandContext&, const Inbound&);
Outcome handleAckMessages(CommandContext&, const Inbound&);
/// Offline messages, once per session (§5.2): on CMD_LOGIN_1 or after the first
/// SRV_USER_LIST_DONE, whichever comes first. retry: a store failed before the delivery
/// was claimed, so a later trigger in this session tries again.
Outcome deliverOfflineMessagesOnce(CommandContext&, const Inbound&);

// cmd_meta.cpp
Outcome handleMetaUser(CommandContext&, const Inbound&);
/// What a new password came to (SET_PASS, CMD_CHANGE_PW): refused covers an empty or
/// over-long password (longer than CMD_LOGIN accepts) and an account that is gone.
enum class PasswordChange : uint8_t { changed, refused, store_failed };
PasswordChange changePassword(CommandContext&, uint32_t uin, std::string_view password);
/// A CMD_META_USER sub-command and its parameters (§7.0), for the sub-command handlers.
struct MetaRequest {
  uint16_t subcommand = 0;
  std::span<const uint8_t> params;
};
using MetaHandler = Outcome (*)(CommandContext&, const Inbound&, const MetaRequest&);
// cmd_info.cpp
Outcome handleInfoReq(CommandContext&, const Inbound&);
Outcome handleExtInfoReq(CommandContext&, const Inbound&);
// cmd_search.cpp
Outcome handleSearchUin(CommandContext&, const Inbound&);
Outcome handleSearchUser(CommandContext&, const Inbound&);
Outcome handleMetaSearchName(CommandContext&, const Inbound&, const MetaRequest&);
Outcome handleMetaSearchUin(CommandContext&, const Inbound&, const MetaRequest&);
Outcome handleMetaSearchEmail(CommandContext&, const Inbound&, const MetaRequest&);
Outcome handleMetaSearchWhite(CommandContext&, const Inbound&, const MetaRequest&);
// cmd_register.cpp
Outcome handleRegNewUser(CommandContext&, const Inbound&);
Outcome handleNewUser1(CommandContext&, const Inbound&);
Outcome handleGetDeps(CommandContext&, const Inbound&);
Outcome handleChangePw(CommandContext&, const Inbound&);
Outcome handleUpdateInfo(CommandContext&, const Inbound&);
Outcome handleAuthUpdate(CommandContext&, const Inbound&);
Outcome handleUpdateExtInfo(CommandContext&, const Inbound&);

/// A row of the command table. The session check (§5.1, decision: one uniform check of UIN,
/// session id, source IP and port for every post-login command; V5 uses none and session)
/// and the SRV_ACK timing (§4.3; V5 uses first and after_effect) are the batch core's.
using CommandSpec = core::CommandSpec<Handler>;

/// The entry for `command`; unknown commands get handleAcknowledgeOnly with a session
/// check (§6.20: IServerd acknowledges what it does not know).
const CommandSpec& lookupCommand(uint16_t command);
/// The row of WorkerStats::packets a packet of `spec` counts in (pointer arithmetic on
/// the table, no lookup), and of CMD_ACK; the label of a row ("" for unused rows).
size_t commandSlot(const CommandSpec& spec);
size_t ackSlot();
std::string_view commandSlotName(size_t slot);

}  // namespace icq::worker::v5
