// Envelope encoding and decoding; the format is described in envelope.hpp.
#include "common/envelope/envelope.hpp"

#include <cstring>

namespace icq::envelope {
namespace {

void putU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void putU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void putI64(uint8_t* p, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(u >> (8 * i));
}
uint16_t getU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t getU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
int64_t getI64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}

bool isBatch(Kind kind) { return kind == Kind::Ingress || kind == Kind::Egress; }
bool isControl(Kind kind) { return kind == Kind::Hello || kind == Kind::Credit || kind == Kind::Goodbye; }

}  // namespace

std::optional<Kind> peekKind(std::span<const uint8_t> message) {
  if (message.size() < 2 || message[0] != kFormat) return std::nullopt;
  auto kind = static_cast<Kind>(message[1]);
  if (!isBatch(kind) && !isControl(kind)) return std::nullopt;
  return kind;
}

BatchWriter::BatchWriter(Kind kind) : kind_(kind) {
  buffer_.reserve(16 * 1024);
  clear();
}

void BatchWriter::clear() {
  count_ = 0;
  buffer_.resize(kBatchHeaderSize);
  buffer_[0] = kFormat;
  buffer_[1] = static_cast<uint8_t>(kind_);
  putU16(&buffer_[2], 0);
}

bool BatchWriter::add(const util::Endpoint& client, int64_t receivedUs, std::span<const uint8_t> bytes) {
  if (count_ == kMaxBatchCount || bytes.size() > kMaxDatagram) return false;
  size_t at = buffer_.size();
  buffer_.resize(at + kRecordHeaderSize + bytes.size());
  uint8_t* p = &buffer_[at];
  std::memcpy(p, &client.ip, 4);
  putU16(p + 4, client.port);
  putI64(p + 6, receivedUs);
  putU16(p + 14, static_cast<uint16_t>(bytes.size()));
  if (!bytes.empty()) std::memcpy(p + kRecordHeaderSize, bytes.data(), bytes.size());
  putU16(&buffer_[2], static_cast<uint16_t>(++count_));
  return true;
}

std::optional<BatchReader> BatchReader::open(std::span<const uint8_t> message) {
  auto kind = peekKind(message);
  if (!kind || !isBatch(*kind) || message.size() < kBatchHeaderSize) return std::nullopt;
  return BatchReader(*kind, getU16(&message[2]), message.subspan(kBatchHeaderSize));
}

bool BatchReader::next(Datagram& out) {
  if (read_ == count_) {
    malformed_ = malformed_ || !rest_.empty();
    return false;
  }
  if (rest_.size() < kRecordHeaderSize) return malformed_ = true, false;
  const uint8_t* p = rest_.data();
  size_t length = getU16(p + 14);
  // Longer than any datagram: no record a writer makes (the fuzz target holds readers to it).
  if (length > kMaxDatagram || rest_.size() < kRecordHeaderSize + length) return malformed_ = true, false;
  std::memcpy(&out.client.ip, p, 4);
  out.client.port = getU16(p + 4);
  out.receivedUs = getI64(p + 6);
  out.bytes = rest_.subspan(kRecordHeaderSize, length);
  rest_ = rest_.subspan(kRecordHeaderSize + length);
  ++read_;
  return true;
}

std::array<uint8_t, kControlSize> encodeControl(Control control) {
  std::array<uint8_t, kControlSize> out{};
  out[0] = kFormat;
  out[1] = static_cast<uint8_t>(control.kind);
  putU32(&out[2], control.credits);
  return out;
}

std::optional<Control> decodeControl(std::span<const uint8_t> message) {
  auto kind = peekKind(message);
  if (!kind || !isControl(*kind) || message.size() != kControlSize) return std::nullopt;
  return Control{*kind, getU32(&message[2])};
}

}  // namespace icq::envelope
