// Every V3 command handler the worker has, by the spec's name (protocol-v3.md §5), and the
// V3 command table that maps command codes to them.
#pragma once

#include <cstdint>

#include "worker/core/command_table.hpp"
#include "worker/v3/command_context.hpp"

namespace icq::worker::v3 {

using core::AckTiming;
using core::SessionCheck;

// cmd_login.cpp
void handleV3Logon(V3Context&, const V3Inbound&);
// cmd_session.cpp
Outcome handleV3AcknowledgeOnly(V3Context&, const V3Inbound&);
Outcome handleV3Logoff(V3Context&, const V3Inbound&);
// cmd_presence.cpp
Outcome handleV3UserList(V3Context&, const V3Inbound&);
Outcome handleV3UserAdd(V3Context&, const V3Inbound&);
Outcome handleV3VisibleList(V3Context&, const V3Inbound&);
Outcome handleV3InvisibleList(V3Context&, const V3Inbound&);
Outcome handleV3UpdateList(V3Context&, const V3Inbound&);
Outcome handleV3SetStatus(V3Context&, const V3Inbound&);
// cmd_message.cpp
/// A message from a V3 sender (THRU_SERVER, AUTHORIZE, broadcasts).
struct V3Message {
  uint32_t from = 0, to = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;
};
/// Packets queued (not yet flushed) for one recipient: `count` from outbox index `first`.
struct QueuedPieces {
  size_t first = 0, count = 0;
  /// After the flush: whether every piece reached the recipient's session.
  bool reached(const pipeline::Outbox& outbox) const;
  /// Some piece's owner could not say whether it was queued (retry later).
  bool unsettled(const pipeline::Outbox& outbox) const;
};
/// Queues `message` as SYSMSG_ONLINE (FRAGMENT pieces above the MTU) for a V3 session of
/// `message.to`; a V5 session gets none of it.
QueuedPieces queueForV3(V3Context&, const V3Message&, uint16_t seq2);
/// Queues `message` as the V5 SRV_SYS_DELIVERED_MESS pieces of §9.2 (broadcasts converted)
/// for a V5 session of `message.to`; a V3 session gets none of it.
QueuedPieces queueForV5(V3Context&, const V3Message&);
/// Delivers `message` live in the recipient's protocol, or stores it offline (§9.2).
Outcome deliverV3Message(V3Context&, const V3Inbound&, const V3Message&);
Outcome handleV3ThruServer(V3Context&, const V3Inbound&);
Outcome handleV3SysmsgReq(V3Context&, const V3Inbound&);
Outcome handleV3SysmsgDoneAck(V3Context&, const V3Inbound&);
// cmd_broadcast.cpp
Outcome handleV3BroadcastReq(V3Context&, const V3Inbound&);
Outcome handleV3Broadcast(V3Context&, const V3Inbound&);
// cmd_fragment.cpp
Outcome handleV3Fragment(V3Context&, const V3Inbound&);
// cmd_info.cpp
Outcome handleV3GetInfo(V3Context&, const V3Inbound&);
Outcome handleV3GetInfo1(V3Context&, const V3Inbound&);
Outcome handleV3GetNotes(V3Context&, const V3Inbound&);
Outcome handleV3Search(V3Context&, const V3Inbound&);
// cmd_profile.cpp
Outcome handleV3SetBasic(V3Context&, const V3Inbound&);
Outcome handleV3SetHome(V3Context&, const V3Inbound&);
Outcome handleV3SetWork(V3Context&, const V3Inbound&);
Outcome handleV3SetHomePage(V3Context&, const V3Inbound&);
Outcome handleV3SetWorkPage(V3Context&, const V3Inbound&);
Outcome handleV3SetNotes(V3Context&, const V3Inbound&);
Outcome handleV3SetPassword(V3Context&, const V3Inbound&);
Outcome handleV3SetAuth(V3Context&, const V3Inbound&);
// cmd_register.cpp
Outcome handleV3GetDeps(V3Context&, const V3Inbound&);
Outcome handleV3GetDeps1(V3Context&, const V3Inbound&);
Outcome handleV3RegRequestInfo(V3Context&, const V3Inbound&);
Outcome handleV3RegNewUser(V3Context&, const V3Inbound&);

/// A row of the V3 command table. What a command needs before its handler runs (§2.6: none,
/// session, or quiet — LOGOFF is never answered at all, §5.5) and when its ACK goes out
/// (§3.3, rule 2: first, after_effect, handler, or never for ACK and LOGOFF) are the batch
/// core's SessionCheck and AckTiming.
using V3CommandSpec = core::CommandSpec<V3Handler>;

/// The entry for `command`; unknown commands are acknowledged without a session check and
/// otherwise ignored (§5.36).
const V3CommandSpec& lookupV3Command(uint16_t command);
/// The row of V3Stats::packets an entry counts in, and the `command` label of a row (empty
/// for an unused one).
size_t v3CommandSlot(const V3CommandSpec& spec);
std::string_view v3CommandSlotName(size_t slot);

}  // namespace icq::worker::v3
