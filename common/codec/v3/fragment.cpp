// V3 fragments (protocol-v3.md §4). Splitting is arithmetic on the inner packet; assembly is the
// only subtle part, because the byte order of client fragments is unknown (§4.6 [L]): it is
// settled per group by trying both readings — the count is the byte that never varies, the
// index the one that does — and accepting the first under which the group is exactly
// {0..n−1} or {1..n}. A lone fragment fits both readings; index-first (IServerd's) is tried
// first and gives the same bytes either way.
#include "common/codec/v3/fragment.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

namespace {

constexpr size_t kSeq2Offset = 6;
// 255 distinct fragments plus a few retransmitted copies of each; a stored group larger than
// this is garbage, and the bound keeps fragment numbers within Reading's slots.
constexpr size_t kMaxGroupRows = kMaxFragments * 4;

struct Reading {
  AssemblyStatus status = AssemblyStatus::invalid;
  bool oneBased = false;
  // For each index position 0..count−1: which fragment of the group holds it.
  std::array<uint16_t, kMaxFragments> slot{};
  size_t count = 0;
};

uint8_t indexByte(const FragmentPiece& piece, FragmentOrder order) noexcept {
  return order == FragmentOrder::index_count ? piece.first : piece.second;
}
uint8_t countByte(const FragmentPiece& piece, FragmentOrder order) noexcept {
  return order == FragmentOrder::index_count ? piece.second : piece.first;
}

// One reading of the group: invalid if the count varies or is 0, or an index can be neither
// 0-based nor 1-based; incomplete if consistent but short; complete with every slot filled.
Reading readGroup(std::span<const FragmentPiece> group, FragmentOrder order) noexcept {
  Reading reading;
  if (group.empty()) return reading;
  const size_t count = countByte(group.front(), order);
  if (count == 0) return reading;
  std::array<int16_t, kMaxFragments + 1> holder;  // by index byte 0..255
  holder.fill(-1);
  bool zeroSeen = false, countSeen = false;
  for (size_t i = 0; i < group.size(); ++i) {
    const FragmentPiece& piece = group[i];
    if (countByte(piece, order) != count || piece.payload.empty()) return reading;
    const uint8_t index = indexByte(piece, order);
    if (index > count) return reading;
    zeroSeen |= index == 0;
    countSeen |= index == count;
    // A repeat of an index is a retransmitted fragment: the first copy stands.
    if (holder[index] < 0) holder[index] = static_cast<int16_t>(i);
  }
  if (zeroSeen && countSeen) return reading;  // neither {0..n−1} nor {1..n}
  reading.oneBased = countSeen;
  reading.count = count;
  const size_t base = reading.oneBased ? 1 : 0;
  for (size_t position = 0; position < count; ++position) {
    const int16_t fragment = holder[position + base];
    if (fragment < 0) {
      reading.status = AssemblyStatus::incomplete;
      return reading;
    }
    reading.slot[position] = static_cast<uint16_t>(fragment);
  }
  reading.status = AssemblyStatus::complete;
  return reading;
}

// §4.6: execute only a V3 packet of the fragment sender that is not itself a fragment.
bool innerPacketAcceptable(std::span<const uint8_t> inner, uint32_t senderUin) noexcept {
  Packet packet;
  if (decodePacket(inner, packet) != DecodeError::none) return false;
  return packet.header.uin == senderUin && packet.header.command != CMD_FRAGMENT &&
         packet.header.command != SRV_FRAGMENT;
}

Assembly concatenate(std::span<const FragmentPiece> group, const Reading& reading, FragmentOrder order,
                     uint32_t senderUin, std::span<uint8_t> out) noexcept {
  Assembly assembly{.status = AssemblyStatus::complete, .order = order, .oneBased = reading.oneBased};
  size_t total = 0;
  for (size_t position = 0; position < reading.count; ++position) total += group[reading.slot[position]].payload.size();
  if (total > kMaxReassembled || total > out.size()) {
    assembly.status = AssemblyStatus::too_large;
    return assembly;
  }
  for (size_t position = 0; position < reading.count; ++position) {
    const auto payload = group[reading.slot[position]].payload;
    std::memcpy(out.data() + assembly.length, payload.data(), payload.size());
    assembly.length += payload.size();
  }
  if (!innerPacketAcceptable(out.first(assembly.length), senderUin)) assembly.status = AssemblyStatus::bad_inner;
  return assembly;
}

}  // namespace

size_t fragmentChunk(size_t mtu) noexcept { return mtu > kFragmentHeaderSize ? mtu - kFragmentHeaderSize : 0; }

size_t fragmentCount(size_t packetSize, size_t mtu) noexcept {
  if (packetSize <= mtu) return 1;
  const size_t chunk = fragmentChunk(mtu);
  if (chunk == 0) return 0;
  const size_t count = (packetSize + chunk - 1) / chunk;
  return count <= kMaxFragments ? count : 0;
}

std::span<const uint8_t> fragmentSlice(std::span<const uint8_t> inner, size_t mtu, size_t index) noexcept {
  const size_t chunk = fragmentChunk(mtu);
  if (chunk == 0 || index >= (inner.size() + chunk - 1) / chunk) return {};
  const size_t offset = index * chunk;
  return inner.subspan(offset, std::min(chunk, inner.size() - offset));
}

uint16_t packetSeq2(std::span<const uint8_t> packet) noexcept {
  if (packet.size() < kHeaderSize) return 0;
  return static_cast<uint16_t>(packet[kSeq2Offset] | (packet[kSeq2Offset + 1] << 8));
}

size_t buildFragment(const Header& header, uint8_t index, uint8_t count, FragmentOrder order,
                     std::span<const uint8_t> slice, std::span<uint8_t> out) noexcept {
  const size_t length = kFragmentHeaderSize + slice.size();
  if (out.size() < length) return 0;
  if (!slice.empty()) std::memmove(out.data() + kFragmentHeaderSize, slice.data(), slice.size());
  encodePacket(header, {}, out);
  out[kHeaderSize] = order == FragmentOrder::index_count ? index : count;
  out[kHeaderSize + 1] = order == FragmentOrder::index_count ? count : index;
  return length;
}

size_t buildServerFragment(std::span<const uint8_t> inner, size_t mtu, size_t index, uint32_t uin,
                           uint16_t groupSeq2, std::span<uint8_t> out) noexcept {
  const size_t count = fragmentCount(inner.size(), mtu);
  if (count < 2 || index >= count) return 0;
  const Header header{.command = SRV_FRAGMENT, .seq1 = 0, .seq2 = groupSeq2, .uin = uin};
  return buildFragment(header, static_cast<uint8_t>(index), static_cast<uint8_t>(count), FragmentOrder::index_count,
                       fragmentSlice(inner, mtu, index), out);
}

ParseError parseFragment(std::span<const uint8_t> body, FragmentPiece& out) noexcept {
  out = FragmentPiece{};
  if (body.size() < 2) return ParseError::truncated;
  if (body.size() == 2) return ParseError::malformed;  // an empty payload counts as missing (§4.3)
  out.first = body[0];
  out.second = body[1];
  out.payload = body.subspan(2);
  return ParseError::none;
}

Assembly assembleFragments(std::span<const FragmentPiece> group, uint32_t senderUin, std::span<uint8_t> out) noexcept {
  if (group.size() > kMaxGroupRows) return Assembly{.status = AssemblyStatus::invalid};
  bool waiting = false;
  for (const FragmentOrder order : {FragmentOrder::index_count, FragmentOrder::count_index}) {
    const Reading reading = readGroup(group, order);
    if (reading.status == AssemblyStatus::complete) return concatenate(group, reading, order, senderUin, out);
    waiting |= reading.status == AssemblyStatus::incomplete;
  }
  return Assembly{.status = waiting ? AssemblyStatus::incomplete : AssemblyStatus::invalid};
}

}  // namespace icq::codec::v3
