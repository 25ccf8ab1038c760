// Peer message encoding and decoding; the format is described in peer.hpp.
#include "common/envelope/peer.hpp"

#include <algorithm>
#include <cstring>

#include "common/envelope/envelope.hpp"

namespace icq::envelope {
namespace {

constexpr uint16_t kNoV3Form = 0xFFFF;
constexpr size_t kRequestHeaderSize = 2 + 8 + 2;  // format, kind | request id | count
constexpr size_t kNudgeHeaderSize = 2 + 2;

template <class T>
void put(std::vector<uint8_t>& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i)));
}

template <class T>
T get(const uint8_t* p) {
  uint64_t v = 0;
  for (size_t i = sizeof(T); i-- > 0;) v = (v << 8) | p[i];
  return static_cast<T>(v);
}

void putBytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

bool hasRequestId(PeerKind kind) {
  return kind == PeerKind::Deliver || kind == PeerKind::Kick || kind == PeerKind::Result;
}

}  // namespace

std::optional<PeerKind> peekPeerKind(std::span<const uint8_t> message) {
  if (message.size() < 2 || message[0] != kFormat) return std::nullopt;
  switch (static_cast<PeerKind>(message[1])) {
    case PeerKind::Deliver:
    case PeerKind::Kick:
    case PeerKind::Result:
    case PeerKind::Forward:
    case PeerKind::Nudge:
    case PeerKind::Relay:
      return static_cast<PeerKind>(message[1]);
  }
  return std::nullopt;
}

// ---- writing --------------------------------------------------------------------------

void PeerWriter::start(PeerKind kind, uint64_t requestId) {
  buffer_.clear();
  buffer_.push_back(kFormat);
  buffer_.push_back(static_cast<uint8_t>(kind));
  put<uint64_t>(buffer_, requestId);
  countAt_ = buffer_.size();
  put<uint16_t>(buffer_, 0);
  count_ = 0;
}

void PeerWriter::startOneWay(PeerKind kind) {
  buffer_.clear();
  buffer_.push_back(kFormat);
  buffer_.push_back(static_cast<uint8_t>(kind));
  countAt_ = buffer_.size();
  put<uint16_t>(buffer_, 0);
  count_ = 0;
}

void PeerWriter::startNudges() { startOneWay(PeerKind::Nudge); }
void PeerWriter::startRelays() { startOneWay(PeerKind::Relay); }

void PeerWriter::forward(std::string_view gateway, std::span<const uint8_t> ingressBatch) {
  buffer_.clear();
  buffer_.push_back(kFormat);
  buffer_.push_back(static_cast<uint8_t>(PeerKind::Forward));
  const size_t n = std::min<size_t>(gateway.size(), 255);
  buffer_.push_back(static_cast<uint8_t>(n));
  buffer_.insert(buffer_.end(), gateway.begin(), gateway.begin() + static_cast<std::ptrdiff_t>(n));
  putBytes(buffer_, ingressBatch);
  count_ = 1;
}

bool PeerWriter::countOne() {
  if (count_ == 0xFFFF) return false;
  ++count_;
  buffer_[countAt_] = static_cast<uint8_t>(count_);
  buffer_[countAt_ + 1] = static_cast<uint8_t>(count_ >> 8);
  return true;
}

bool PeerWriter::add(const PeerPacket& packet) {
  // Each body becomes one datagram: a longer one is no packet of ours, and kMaxPeerMessage
  // counts on none being longer (it is below kNoV3Form too).
  if (count_ == 0xFFFF || packet.body.size() > kMaxDatagram || packet.v3Body.size() > kMaxDatagram) return false;
  put<uint32_t>(buffer_, packet.uin);
  put<uint32_t>(buffer_, packet.sessionId);
  put<uint8_t>(buffer_, packet.protocol);
  put<uint16_t>(buffer_, packet.command);
  put<uint16_t>(buffer_, packet.seq2);
  put<uint16_t>(buffer_, static_cast<uint16_t>(packet.body.size()));
  putBytes(buffer_, packet.body);
  put<uint16_t>(buffer_, packet.v3Command);
  put<uint16_t>(buffer_, packet.hasV3Form ? static_cast<uint16_t>(packet.v3Body.size()) : kNoV3Form);
  if (packet.hasV3Form) putBytes(buffer_, packet.v3Body);
  return countOne();
}

bool PeerWriter::add(const KickItem& kick) {
  if (count_ == 0xFFFF) return false;
  put<uint32_t>(buffer_, kick.uin);
  put<uint32_t>(buffer_, kick.sessionId);
  put<uint32_t>(buffer_, kick.client.ip);
  put<uint16_t>(buffer_, kick.client.port);
  return countOne();
}

bool PeerWriter::add(PeerResult result) {
  if (count_ == 0xFFFF) return false;
  put<uint8_t>(buffer_, static_cast<uint8_t>(result.outcome));
  put<uint32_t>(buffer_, result.detail);
  return countOne();
}

bool PeerWriter::add(const Nudge& nudge) {
  if (count_ == 0xFFFF) return false;
  put<uint8_t>(buffer_, static_cast<uint8_t>(nudge.what));
  put<uint32_t>(buffer_, nudge.uin);
  put<int64_t>(buffer_, nudge.a);
  put<int64_t>(buffer_, nudge.b);
  put<int64_t>(buffer_, nudge.c);
  return countOne();
}

bool PeerWriter::add(const RelayItem& relay) {
  if (count_ == 0xFFFF || relay.text.size() > kMaxDatagram || relay.gateway.size() > 255) return false;
  put<uint32_t>(buffer_, relay.from);
  put<uint32_t>(buffer_, relay.to);
  put<uint16_t>(buffer_, relay.type);
  put<uint16_t>(buffer_, static_cast<uint16_t>(relay.text.size()));
  putBytes(buffer_, relay.text);
  put<uint32_t>(buffer_, relay.senderSessionId);
  put<uint16_t>(buffer_, relay.seq1);
  put<uint16_t>(buffer_, relay.seq2);
  put<uint32_t>(buffer_, relay.sender.ip);
  put<uint16_t>(buffer_, relay.sender.port);
  put<uint8_t>(buffer_, static_cast<uint8_t>(relay.gateway.size()));
  buffer_.insert(buffer_.end(), relay.gateway.begin(), relay.gateway.end());
  return countOne();
}

// ---- reading --------------------------------------------------------------------------

std::optional<PeerReader> PeerReader::open(std::span<const uint8_t> message) {
  auto kind = peekPeerKind(message);
  if (!kind) return std::nullopt;
  PeerReader reader;
  reader.kind_ = *kind;
  if (hasRequestId(*kind)) {
    if (message.size() < kRequestHeaderSize) return std::nullopt;
    reader.requestId_ = get<uint64_t>(&message[2]);
    reader.count_ = get<uint16_t>(&message[10]);
    reader.rest_ = message.subspan(kRequestHeaderSize);
  } else if (*kind == PeerKind::Nudge || *kind == PeerKind::Relay) {
    if (message.size() < kNudgeHeaderSize) return std::nullopt;
    reader.count_ = get<uint16_t>(&message[2]);
    reader.rest_ = message.subspan(kNudgeHeaderSize);
  } else {  // Forward
    if (message.size() < 3 || message.size() < 3u + message[2]) return std::nullopt;
    reader.gateway_ = std::string_view(reinterpret_cast<const char*>(&message[3]), message[2]);
    reader.rest_ = message.subspan(3u + message[2]);
    reader.count_ = 0;
  }
  return reader;
}

bool PeerReader::take(size_t n, std::span<const uint8_t>& out) {
  if (rest_.size() < n) {
    malformed_ = true;
    return false;
  }
  out = rest_.first(n);
  rest_ = rest_.subspan(n);
  return true;
}

bool PeerReader::more() {
  if (malformed_) return false;  // after a bad item the rest is not aligned to items: stop for good
  if (read_ < count_) return true;
  malformed_ = !rest_.empty();
  return false;
}

bool PeerReader::next(PeerPacket& out) {
  if (kind_ != PeerKind::Deliver || !more()) return false;
  std::span<const uint8_t> fixed, tail;
  if (!take(4 + 4 + 1 + 2 + 2 + 2, fixed)) return false;
  out.uin = get<uint32_t>(&fixed[0]);
  out.sessionId = get<uint32_t>(&fixed[4]);
  out.protocol = fixed[8];
  out.command = get<uint16_t>(&fixed[9]);
  out.seq2 = get<uint16_t>(&fixed[11]);
  if (!take(get<uint16_t>(&fixed[13]), out.body) || !take(4, tail)) return false;
  out.v3Command = get<uint16_t>(&tail[0]);
  const uint16_t v3Length = get<uint16_t>(&tail[2]);
  out.hasV3Form = v3Length != kNoV3Form;
  out.v3Body = {};
  if (out.hasV3Form && !take(v3Length, out.v3Body)) return false;
  ++read_;
  return true;
}

bool PeerReader::next(KickItem& out) {
  if (kind_ != PeerKind::Kick || !more()) return false;
  std::span<const uint8_t> item;
  if (!take(4 + 4 + 4 + 2, item)) return false;
  out.uin = get<uint32_t>(&item[0]);
  out.sessionId = get<uint32_t>(&item[4]);
  out.client.ip = get<uint32_t>(&item[8]);
  out.client.port = get<uint16_t>(&item[12]);
  ++read_;
  return true;
}

bool PeerReader::next(PeerResult& out) {
  if (kind_ != PeerKind::Result || !more()) return false;
  std::span<const uint8_t> item;
  if (!take(1 + 4, item)) return false;
  if (item[0] > static_cast<uint8_t>(PeerOutcome::retry)) {
    malformed_ = true;
    return false;
  }
  out.outcome = static_cast<PeerOutcome>(item[0]);
  out.detail = get<uint32_t>(&item[1]);
  ++read_;
  return true;
}

bool PeerReader::next(Nudge& out) {
  if (kind_ != PeerKind::Nudge || !more()) return false;
  std::span<const uint8_t> item;
  if (!take(1 + 4 + 8 + 8 + 8, item)) return false;
  if (item[0] != static_cast<uint8_t>(NudgeKind::expire) && item[0] != static_cast<uint8_t>(NudgeKind::retransmit)) {
    malformed_ = true;
    return false;
  }
  out.what = static_cast<NudgeKind>(item[0]);
  out.uin = get<uint32_t>(&item[1]);
  out.a = get<int64_t>(&item[5]);
  out.b = get<int64_t>(&item[13]);
  out.c = get<int64_t>(&item[21]);
  ++read_;
  return true;
}

}  // namespace icq::envelope

namespace icq::envelope {

bool PeerReader::next(RelayItem& out) {
  if (kind_ != PeerKind::Relay || !more()) return false;
  std::span<const uint8_t> head, tail, gateway;
  if (!take(4 + 4 + 2 + 2, head)) return false;
  out.from = get<uint32_t>(&head[0]);
  out.to = get<uint32_t>(&head[4]);
  out.type = get<uint16_t>(&head[8]);
  if (!take(get<uint16_t>(&head[10]), out.text) || !take(4 + 2 + 2 + 4 + 2 + 1, tail)) return false;
  out.senderSessionId = get<uint32_t>(&tail[0]);
  out.seq1 = get<uint16_t>(&tail[4]);
  out.seq2 = get<uint16_t>(&tail[6]);
  out.sender.ip = get<uint32_t>(&tail[8]);
  out.sender.port = get<uint16_t>(&tail[12]);
  if (!take(tail[14], gateway)) return false;
  out.gateway = std::string_view(reinterpret_cast<const char*>(gateway.data()), gateway.size());
  ++read_;
  return true;
}

}  // namespace icq::envelope
