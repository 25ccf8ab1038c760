// The wire format between gateways and workers/schedulers (one ZeroMQ message each).
//
// Data messages carry a *batch* of datagrams, so one ZeroMQ send moves everything a
// gateway received for one worker in one receive batch, and everything a worker answers
// in one processing batch:
//
//   u8 format (=1) | u8 kind (Ingress|Egress) | u16 count |
//   count × { u32 ip (network order) | u16 port | i64 received_us | u16 length | bytes }
//
// `received_us` is the gateway's wall-clock receive time (0 on egress): workers measure
// pipeline latency with it and the gateway's queue drops what is too old.
//
// Control messages (worker → gateway) implement credit-based hand-out (ARCHITECTURE.md,
// "The pipelines"):
//
//   u8 format | u8 kind (Hello|Credit|Goodbye) | u32 credits
//
// Hello says "I can take exactly N" and resets the gateway's account of that worker;
// Credit adds N after the worker finished N datagrams; Goodbye withdraws the worker.
// All integers little-endian. Readers validate every length and never throw.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/util/endpoint.hpp"

namespace icq::envelope {

inline constexpr uint8_t kFormat = 1;
inline constexpr size_t kBatchHeaderSize = 4;
inline constexpr size_t kRecordHeaderSize = 4 + 2 + 8 + 2;
inline constexpr size_t kControlSize = 6;
/// Upper bound for one datagram inside an envelope: the larger protocol limit, V3's 8192 bytes
/// (protocol-v3.md §11.4; V5's is 2048, §1.2). The gateway drops longer client datagrams, and
/// every datagram a worker builds fits a buffer of codec::v3::kMaxDatagram.
inline constexpr size_t kMaxDatagram = 8192;
/// Most datagrams one batch holds: its count is a u16.
inline constexpr size_t kMaxBatchCount = 0xFFFF;
/// The largest batch message a legitimate peer sends (about 513 MiB): a full count of records
/// of the longest datagram. The pipeline sockets that receive batches refuse anything longer
/// (ZMQ_MAXMSGSIZE, util::setPipelineOptions) before allocating it, and drop the connection:
/// such a peer is lying, and without the bound its u16 × u16 format could claim 4 GiB.
inline constexpr size_t kMaxBatchMessage = kBatchHeaderSize + kMaxBatchCount * (kRecordHeaderSize + kMaxDatagram);

enum class Kind : uint8_t { Ingress = 1, Egress = 2, Hello = 3, Credit = 4, Goodbye = 5 };

struct Datagram {
  util::Endpoint client;
  int64_t receivedUs = 0;
  std::span<const uint8_t> bytes;
};

/// Kind of a message, or nullopt when the format byte or kind is unknown.
std::optional<Kind> peekKind(std::span<const uint8_t> message);

/// Accumulates datagrams into one batch message. Reuses its buffer: after the first few
/// batches, add() does not allocate.
class BatchWriter {
public:
  explicit BatchWriter(Kind kind);
  void clear();
  /// False (and nothing added) when the batch already holds kMaxBatchCount datagrams or
  /// `bytes` is longer than kMaxDatagram.
  bool add(const util::Endpoint& client, int64_t receivedUs, std::span<const uint8_t> bytes);
  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::span<const uint8_t> message() const { return buffer_; }

private:
  Kind kind_;
  size_t count_ = 0;
  std::vector<uint8_t> buffer_;
};

/// Iterates the datagrams of a batch message without copying.
class BatchReader {
public:
  /// nullopt if `message` is not a well-formed Ingress/Egress header.
  static std::optional<BatchReader> open(std::span<const uint8_t> message);
  Kind kind() const { return kind_; }
  size_t count() const { return count_; }
  /// Next datagram; false at the end or when the rest of the message is truncated
  /// (then malformed() is true).
  bool next(Datagram& out);
  bool malformed() const { return malformed_; }

private:
  BatchReader(Kind kind, size_t count, std::span<const uint8_t> body) : kind_(kind), count_(count), rest_(body) {}
  Kind kind_;
  size_t count_;
  size_t read_ = 0;
  std::span<const uint8_t> rest_;
  bool malformed_ = false;
};

struct Control {
  Kind kind;
  uint32_t credits = 0;
};

std::array<uint8_t, kControlSize> encodeControl(Control control);
std::optional<Control> decodeControl(std::span<const uint8_t> message);

}  // namespace icq::envelope
