// worker: client fragments, FRAGMENT 0x05D2 (protocol-v3.md §4.3, §4.6, §5.35). The fragments
// of one packet may reach any worker through any gateway, so each is stored in PostgreSQL
// (common/store/fragment_store.hpp) and acknowledged once stored; the add that completes its
// group gets the whole group back, and the codec decides the byte order and checks the inner
// packet (a V3 packet of the sender, not itself a fragment). The assembled packet is handed to
// the processor, which runs it as if it had just arrived from this endpoint: session check,
// duplicate filter, its own ACK and handler (§4.3). A group that can never be a packet is
// deleted at once; an abandoned one goes with the session or with the scheduler's
// fragment_cleanup job.
#include <array>
#include <vector>

#include "common/codec/v3/fragment.hpp"
#include "common/log/log.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {

namespace v3 = codec::v3;

Outcome handleV3Fragment(V3Context& ctx, const V3Inbound& in) {
  v3::FragmentPiece piece;
  if (v3::parseFragment(in.body(), piece) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  const uint32_t uin = in.header().uin;
  const uint16_t seq2 = in.header().seq2;
  std::vector<store::StoredFragment> group;
  if (!ctx.fragments.add({uin, seq2, piece.first, piece.second, piece.payload}, ctx.clock.nowMs(), group)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.stats.fragmentsStored++;
  std::vector<v3::FragmentPiece> pieces;
  pieces.reserve(group.size());
  for (const store::StoredFragment& f : group)
    pieces.push_back({f.first, f.second,
                      std::span(reinterpret_cast<const uint8_t*>(f.payload.data()), f.payload.size())});
  std::vector<uint8_t> packet(v3::kMaxReassembled);
  const v3::Assembly assembly = v3::assembleFragments(pieces, uin, packet);
  if (assembly.status == v3::AssemblyStatus::incomplete) return Outcome::done;
  bool taken = false;
  if (!ctx.fragments.take(uin, seq2, taken)) {
    ctx.stats.storeFailures++;
    return Outcome::done;  // stored and acknowledged; the age sweep removes the group
  }
  if (!taken) return Outcome::done;  // another worker completed it
  if (assembly.status != v3::AssemblyStatus::complete) {
    ctx.stats.fragmentsDiscarded++;
    log::debug("fragments_discarded", {{"uin", uin}, {"fragments", group.size()},
                                       {"status", static_cast<int>(assembly.status)}});
    return Outcome::done;
  }
  ctx.stats.fragmentsAssembled++;
  log::debug("fragments_assembled", {{"uin", uin}, {"fragments", group.size()},
                                     {"count_first", assembly.order == v3::FragmentOrder::count_index},
                                     {"one_based", assembly.oneBased}});
  packet.resize(assembly.length);
  ctx.assembled.push_back({std::move(packet), in.from});
  return Outcome::done;
}

}  // namespace icq::worker::v3
