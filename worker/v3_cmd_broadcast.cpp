// worker: BROADCAST_REQ 0x0604 (protocol-v3.md §5.15, decision 33): Miranda asks for the
// broadcasts it missed and waits for BROADCAST_DONE 0x0398. Broadcasts reach V3 users as
// ordinary type-0x14 messages (offline ones through SYSMSG_REQ), so there is never anything
// else to send: the DONE, reliable, seq2 = the request's.
#include "worker/v3_commands.hpp"

namespace icq::worker {

Outcome handleV3BroadcastReq(V3Context& ctx, const V3Inbound& in) {
  ctx.replyReliable(in, codec::v3::SRV_BROADCAST_DONE);
  return Outcome::done;
}

}  // namespace icq::worker
