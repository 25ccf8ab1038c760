// Fuzz target: V3 fragment reassembly (protocol-v3.md §4.6), both ways.
//  - A group as a client may send it: any pieces, in any order, either byte order, repeats and
//    gaps. Whatever assembleFragments answers, a "complete" packet must be a V3 packet of the
//    sender that is not itself a fragment, and no longer than the buffer.
//  - A packet as the server splits it: every slice buildServerFragment makes must reassemble
//    to exactly that packet.
// Input: u8 mode, then for a group repeated { u8 first | u8 second | u16 length (LE) | bytes },
// for a split u8 mtu step, then the packet.
#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/fragment.hpp"
#include "common/codec/v3/packet.hpp"

namespace {

using namespace icq::codec::v3;

constexpr uint32_t kSender = 6218895;

void requireAssembledPacket(const Assembly& assembly, std::span<const uint8_t> out) {
  if (assembly.status != AssemblyStatus::complete) return;
  if (assembly.length > out.size()) std::abort();
  Packet packet;
  if (decodePacket(out.first(assembly.length), packet) != DecodeError::none) std::abort();
  if (packet.header.uin != kSender || packet.header.command == CMD_FRAGMENT) std::abort();
}

void clientGroup(std::span<const uint8_t> input) {
  std::vector<FragmentPiece> group;
  while (input.size() >= 4 && group.size() < 300) {
    const size_t length = std::min<size_t>(input[2] | input[3] << 8, input.size() - 4);
    group.push_back({input[0], input[1], input.subspan(4, length)});
    input = input.subspan(4 + length);
  }
  static std::array<uint8_t, kMaxReassembled> out;
  requireAssembledPacket(assembleFragments(group, kSender, out), out);
}

void serverSplit(std::span<const uint8_t> input) {
  if (input.empty()) return;
  const size_t mtu = 19 + input[0] * 4;  // 19..1039: from one payload byte per slice upwards
  const std::span<const uint8_t> inner = input.subspan(1);
  const size_t count = fragmentCount(inner.size(), mtu);
  if (count < 2) return;  // sent as is, or cannot be split
  std::vector<std::vector<uint8_t>> datagrams(count, std::vector<uint8_t>(mtu));
  std::vector<FragmentPiece> group(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t n = buildServerFragment(inner, mtu, i, kSender, 7, datagrams[i]);
    Packet packet;
    if (n == 0 || n > mtu || decodePacket(std::span(datagrams[i]).first(n), packet) != DecodeError::none ||
        parseFragment(packet.body, group[i]) != ParseError::none)
      std::abort();
  }
  static std::array<uint8_t, kMaxReassembled> out;
  const Assembly assembly = assembleFragments(group, kSender, out);
  // The reassembly's own checks (a V3 packet of the sender, not a fragment) may refuse an
  // arbitrary inner packet; what it accepts must be the bytes that were split.
  if (assembly.status == AssemblyStatus::complete &&
      (assembly.length != inner.size() || std::memcmp(out.data(), inner.data(), inner.size()) != 0))
    std::abort();
  if (assembly.status == AssemblyStatus::incomplete || assembly.status == AssemblyStatus::invalid) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  if (data[0] & 1)
    serverSplit(rest);
  else
    clientGroup(rest);
  return 0;
}
