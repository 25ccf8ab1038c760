// Out-of-line pieces of V3Context: unreliable sends and the splitting of long reliable
// packets into fragments (protocol-v3.md §4.2).
#include "worker/v3/command_context.hpp"

#include <atomic>

#include "common/codec/v3/fragment.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

/// The group key of an unsolicited packet's fragments (its own seq2 is 0): one not in use by
/// another incomplete group to the same client (§4.2 rule). Numbers from one counter per
/// process, never 0, come round again only after 65 535 fragmented packets.
uint16_t freshGroupSeq2() {
  static std::atomic<uint16_t> next{1};
  uint16_t value = next.fetch_add(1);
  return value != 0 ? value : next.fetch_add(1);
}

}  // namespace

void V3Context::send(const V3Inbound& in, const v3::Header& header, std::span<const uint8_t> body) {
  std::array<uint8_t, v3::kMaxDatagram> datagram{};
  size_t n = v3::encodePacket(header, body, datagram);
  if (n > 0) egress.send(gateway, in.from, std::span(datagram).first(n));
}

void V3Context::sendNotConnected(const V3Inbound& in) {
  stats.notConnected++;
  send(in, v3::replyHeader(in.header(), v3::SRV_NOT_CONNECTED));
}

size_t V3Context::queueV3(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body,
                          size_t& pieces) {
  pieces = 0;
  std::array<uint8_t, v3::kMaxDatagram> inner{};
  const size_t length = v3::encodePacket({command, 0, seq2, uin, 0}, body, inner);
  const size_t count = v3::fragmentCount(length, settings.mtu);
  if (length == 0 || count == 0) return 0;
  if (count == 1) {
    pieces = 1;
    return outbox.queueV3(uin, command, seq2, body);
  }
  // Every fragment is a reliable packet of its own (own seq1, own ACK), all with one seq2.
  stats.packetsFragmented++;
  const uint16_t group = seq2 != 0 ? seq2 : freshGroupSeq2();
  std::array<uint8_t, v3::kMaxMtu> fragment{};
  size_t first = 0;
  for (size_t index = 0; index < count; ++index) {
    const size_t n = v3::buildServerFragment(std::span(inner).first(length), settings.mtu, index, uin, group, fragment);
    const size_t at = outbox.queueV3(uin, v3::SRV_FRAGMENT, group,
                                     std::span(fragment).subspan(v3::kHeaderSize, n - v3::kHeaderSize));
    if (index == 0) first = at;
  }
  pieces = count;
  return first;
}

}  // namespace icq::worker::v3
