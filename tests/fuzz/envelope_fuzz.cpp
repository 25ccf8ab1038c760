// Fuzz target: any bytes as a message between the cluster's processes — what a gateway reads
// from a worker (an egress batch or a credit control), what a worker reads from a gateway (an
// ingress batch), and what session owners read from each other (peer.hpp, every kind). A
// lying or broken peer must get "malformed", never a read outside its message; and a reader
// never yields more items than the message's count says.
#include <cstdint>
#include <cstdlib>

#include "common/envelope/envelope.hpp"
#include "common/envelope/peer.hpp"

namespace {

using namespace icq::envelope;

void asBatch(std::span<const uint8_t> message) {
  auto reader = BatchReader::open(message);
  if (!reader) return;
  Datagram datagram;
  size_t read = 0;
  while (reader->next(datagram)) {
    if (++read > reader->count() || datagram.bytes.size() > kMaxDatagram) std::abort();
  }
}

template <class Item>
void readAll(PeerReader& reader) {
  Item item;
  size_t read = 0;
  while (reader.next(item))
    if (++read > reader.count()) std::abort();
}

void asPeerMessage(std::span<const uint8_t> message) {
  auto reader = PeerReader::open(message);
  if (!reader) return;
  switch (reader->kind()) {
    case PeerKind::Deliver:
      return readAll<PeerPacket>(*reader);
    case PeerKind::Kick:
      return readAll<KickItem>(*reader);
    case PeerKind::Result:
      return readAll<PeerResult>(*reader);
    case PeerKind::Nudge:
      return readAll<Nudge>(*reader);
    case PeerKind::Relay:
      return readAll<RelayItem>(*reader);
    case PeerKind::Forward:
      return asBatch(reader->ingress());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> message(data, size);
  peekKind(message);
  asBatch(message);
  decodeControl(message);
  peekPeerKind(message);
  asPeerMessage(message);
  return 0;
}
