// V3 fragments (protocol-v3.md §4): a packet too large for one datagram travels as slices of the
// complete original packet, its own 16-byte header included, each behind an 18-byte fragment
// header (§4.1). The server splits its reliable packets above the MTU (§4.2); clients' fragments
// are stored until their group is complete, then assembled here (§4.3, §4.6). The codec holds
// only the byte rules — where fragments are stored and when groups are purged is the worker's
// and the scheduler's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/codec/v3/byte_io.hpp"
#include "common/codec/v3/packet.hpp"

namespace icq::codec::v3 {

// The two bytes after the header. Server fragments are always index, count (§4.1 [H]); client
// fragments may be either (§4.6 [L], decision 26): the order is resolved per group.
enum class FragmentOrder : uint8_t { index_count, count_index };

// ---- server → client (§4.2) ------------------------------------------------------------------

// Slice size at `mtu`: mtu − 18 (482 at the default 500). 0 if mtu leaves no room.
size_t fragmentChunk(size_t mtu) noexcept;
// ceil(packetSize / chunk): 1 means "send as is". 0 when it cannot be split at all (more than
// kMaxFragments slices, or an mtu without room for a payload).
size_t fragmentCount(size_t packetSize, size_t mtu) noexcept;
// Slice `index` of `inner` at `mtu` (empty past the end).
std::span<const uint8_t> fragmentSlice(std::span<const uint8_t> inner, size_t mtu, size_t index) noexcept;
// The seq2 of an encoded packet (0 if it is shorter than a header): the group key every
// fragment of that packet carries (§4.2 rule; when it is 0 the caller picks one not in use by
// another incomplete group to the same client).
uint16_t packetSeq2(std::span<const uint8_t> packet) noexcept;

// Any fragment datagram: `header` (command included: SRV_FRAGMENT or CMD_FRAGMENT), the two
// bytes in `order`, then `slice`. Returns the length, 0 if `out` is too small.
size_t buildFragment(const Header& header, uint8_t index, uint8_t count, FragmentOrder order,
                     std::span<const uint8_t> slice, std::span<uint8_t> out) noexcept;
// Fragment `index` of `inner` as the server sends it: SRV_FRAGMENT, seq1 as given (usually 0,
// stamped from servseq by the outbox like any reliable packet), seq2 = `groupSeq2` in every
// fragment, uin = the recipient, (index, count) order. At most `mtu` bytes. 0 if `out` is too
// small, `index` is out of range, or the packet needs no splitting (fragmentCount 1).
size_t buildServerFragment(std::span<const uint8_t> inner, size_t mtu, size_t index, uint32_t uin,
                           uint16_t groupSeq2, std::span<uint8_t> out) noexcept;

// ---- client → server (§4.3, §4.6) ------------------------------------------------------------

// The body of a CMD_FRAGMENT (or SRV_FRAGMENT) packet, raw: which byte is the index is decided
// per group by assembleFragments. An empty payload is malformed (§4.6).
struct FragmentPiece {
  uint8_t first = 0, second = 0;
  std::span<const uint8_t> payload;  // points into the datagram
};
ParseError parseFragment(std::span<const uint8_t> body, FragmentPiece& out) noexcept;

enum class AssemblyStatus : uint8_t {
  complete,    // `out` holds the inner packet
  incomplete,  // consistent so far; wait for more fragments
  invalid,     // no byte order fits (count 0 or varying, index out of range, empty payload)
  too_large,   // complete, but more than kMaxReassembled bytes or more than `out` holds
  bad_inner,   // assembled, but not a V3 packet of the sender that is not itself a fragment
};

struct Assembly {
  AssemblyStatus status = AssemblyStatus::incomplete;
  FragmentOrder order = FragmentOrder::index_count;  // the convention that fitted (complete only)
  bool oneBased = false;                             // indexes were 1..n instead of 0..n−1
  size_t length = 0;                                 // of the inner packet in `out`
};

// §4.6: `group` is every stored fragment of one (uin, seq2) key, in any order. The count is the
// byte that is the same in every fragment, the index the byte that differs; the group is
// complete when the index bytes are exactly {0..n−1} or {1..n} (n = the count byte). Exact
// repeats of an index (a retransmitted fragment) are ignored. When both orders fit (a lone
// fragment), IServerd's index-first reading wins. On completion the inner packet must be V3,
// from `senderUin`, and not CMD_FRAGMENT (§4.6). `out` should hold kMaxReassembled bytes.
Assembly assembleFragments(std::span<const FragmentPiece> group, uint32_t senderUin, std::span<uint8_t> out) noexcept;

}  // namespace icq::codec::v3
