// gateway: the datagram loop. Per turn: receive a batch straight into the hold ring,
// admit or release each datagram (size, version, token bucket), hand the held ones to
// workers that have credit — one envelope per worker — answer busy (V5 SRV_TRY_AGAIN,
// V3 BUSY) for those it has to shed, and send that and whatever egress the workers returned in one
// sendmmsg batch. Nothing here allocates per datagram, logs per datagram, or talks to
// Redis/PostgreSQL.
#include "gateway/gateway.hpp"

#include <algorithm>
#include <cassert>
#include <random>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/codec/version.hpp"
#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/ops/metrics.hpp"
#include "common/util/clock.hpp"
#include "common/util/pipeline_socket.hpp"

namespace icq::gateway {
namespace {

namespace v3 = codec::v3;
namespace v5 = codec::v5;

// Pipeline messages handled per turn before UDP gets its turn again: fairness between
// egress and ingress under load.
constexpr size_t kMaxPipelineMessagesPerTurn = 256;
// Poll timeouts: idle, and while datagrams wait for credit (so the age limit is honoured).
constexpr std::chrono::milliseconds kIdlePoll{100};
constexpr std::chrono::milliseconds kWaitingPoll{5};
// Busy replies per source IP: one a second, no burst. A client told SRV_TRY_AGAIN waits
// 2–5 s before it tries again (protocol-v5.md §4.7), so a second reply within the second
// tells it nothing new. Per IP rather than per address, so that a spoofed flood cannot
// make the gateway a reflector by varying source ports; the allowance lives in a fixed
// table like the admission buckets (token_bucket.hpp), and a crowded table answers no one.
constexpr uint32_t kBusyRatePerS = 1;
constexpr uint32_t kBusyBurst = 1;
// Every datagram admitted fits an envelope record, so every ingress batch stays within the
// bound a worker's link enforces (envelope::kMaxBatchMessage).
static_assert(std::max(v5::kMaxDatagram, v3::kMaxDatagram) <= envelope::kMaxDatagram);

int64_t wallMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// The UIN both protocols carry in the clear, for worker affinity: V5 at 6, V3 at 8.
uint32_t clearTextUin(std::span<const uint8_t> d, size_t at) {
  return uint32_t{d[at]} | uint32_t{d[at + 1]} << 8 | uint32_t{d[at + 2]} << 16 | uint32_t{d[at + 3]} << 24;
}
constexpr size_t kV5UinOffset = 6;
constexpr size_t kV3UinOffset = 8;

bool isV3(std::span<const uint8_t> bytes) { return codec::peekVersion(bytes) == v3::kVersion3; }

// The version field both protocols start with (little-endian), before any other check.
WireVersion wireVersionOf(const UdpSocket::Slot& slot) {
  if (slot.length < 2) return WireVersion::other;
  uint16_t version = static_cast<uint16_t>(slot.buffer[0] | slot.buffer[1] << 8);
  return version == 5 ? WireVersion::v5 : version == 3 ? WireVersion::v3 : WireVersion::other;
}

// V5's and V3's decode errors share their names, and so their drop reasons.
template <class DecodeError>
DropReason dropReasonFor(DecodeError error) {
  switch (error) {
    case DecodeError::too_short:
      return DropReason::too_short;
    case DecodeError::too_long:
      return DropReason::too_long;
    case DecodeError::unsupported_version:
      return DropReason::unsupported_version;
    default:
      return DropReason::malformed;
  }
}

}  // namespace

void Gateway::runOnce(std::chrono::milliseconds timeout) {
  zmq::pollitem_t items[] = {
      {static_cast<void*>(pipeline_), 0, ZMQ_POLLIN, 0},
      {nullptr, udp_.fd(), ZMQ_POLLIN, 0},
  };
  util::pollIgnoringSignals(items, 2, ring_.size() > 0 ? std::min(timeout, kWaitingPoll) : timeout);
  int64_t now = util::monotonicMicros();
  if (membership_)
    if (auto view = membership_->takeView()) adoptView(*view);
  if (items[0].revents & ZMQ_POLLIN) drainPipeline(now);  // credits first: they free workers
  if (items[1].revents & ZMQ_POLLIN) receiveDatagrams(now);
  dispatchHeld(now);
  flushEgress();
  publishLevels();
}

void Gateway::run(const util::StopToken& stop) {
  ops::Heartbeat heartbeat("gateway", ops::kLoopStaleAfter);  // /healthz: this loop turns
  while (!stop.stopRequested()) {
    heartbeat.beat();
    runOnce(kIdlePoll);
  }
}

void Gateway::drain(std::chrono::milliseconds grace) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t item{static_cast<void*>(pipeline_), 0, ZMQ_POLLIN, 0};
    util::pollIgnoringSignals(&item, 1, kWaitingPoll);
    if (item.revents & ZMQ_POLLIN) drainPipeline(util::monotonicMicros());
    flushEgress();
  }
}

// ---- construction -------------------------------------------------------------------

zmq::socket_t bindPipeline(zmq::context_t& context, const std::string& endpoint, std::string& bound) {
  zmq::socket_t router(context, zmq::socket_type::router);
  // A send to a worker that is gone must fail (EHOSTUNREACH) rather than vanish, so the
  // gateway stops crediting it; a restarted worker with the same id takes its place.
  router.set(zmq::sockopt::router_mandatory, 1);
  router.set(zmq::sockopt::router_handover, 1);
  util::setPipelineOptions(router, envelope::kMaxBatchMessage);  // egress batches
  router.bind(endpoint);
  bound = router.get(zmq::sockopt::last_endpoint);
  return router;
}

Gateway::Gateway(const GatewaySettings& settings, UdpSocket& udp, zmq::socket_t& pipeline,
                 MembershipFollower* membership)
    : settings_(settings),
      udp_(udp),
      pipeline_(pipeline),
      membership_(membership),
      limiter_(settings.ratePerS, settings.rateBurst),
      // Slots fit the larger protocol limit (V3: 8192, protocol-v3.md §11.4) plus one byte, so
      // an over-long datagram shows as truncated.
      ring_(settings.queueLimit + kBatch, std::max(v5::kMaxDatagram, v3::kMaxDatagram) + 1),
      busyLimiter_(kBusyRatePerS, kBusyBurst),
      rng_(std::random_device{}()),
      busyReplies_(ring_.capacity() * v5::kServerHeaderSize),
      queueWait_(ops::histogramFamily("icq_gateway_queue_wait_seconds",
                                      "Time from a datagram's receipt to its hand-out to a worker.")
                     .Add({}, ops::stageBuckets()),
                 ops::stageBuckets()) {
  egressMessages_.reserve(kMaxPipelineMessagesPerTurn);
  egress_.reserve(4096);
}

// ---- ingress ------------------------------------------------------------------------

void Gateway::receiveDatagrams(int64_t nowMonoUs) {
  // The ring holds gateway.queue_limit datagrams waiting for credit plus one receive
  // batch, and dispatchHeld trims it back to the limit every turn: there is always room
  // for a whole batch here.
  std::array<UdpSocket::Slot, kBatch> slots;
  for (size_t i = 0; i < kBatch; ++i) slots[i].buffer = ring_.freeBuffer(i);
  size_t got = udp_.receive(slots);
  int64_t receivedUs = wallMicros();
  size_t base = ring_.size();
  ring_.commit(got);
  for (size_t i = 0; i < got; ++i) {
    stats_.received(wireVersionOf(slots[i]), slots[i].length);
    uint32_t uin = 0;
    bool ok = admit(slots[i], nowMonoUs, uin);
    ring_.at(base + i) = HeldDatagram{slots[i].from, receivedUs, nowMonoUs, uin, ok ? slots[i].length : 0};
  }
}

bool Gateway::admit(const UdpSocket::Slot& slot, int64_t nowMonoUs, uint32_t& uin) {
  if (slot.truncated) return stats_.drop(DropReason::too_long), false;
  std::span<const uint8_t> bytes = slot.buffer.first(slot.length);
  const bool v3Datagram = isV3(bytes);
  if (v3Datagram) {
    // V3 has no encryption and no checkcode (protocol-v3.md §2.3): its size is all to check.
    if (auto error = v3::precheckDatagram(bytes); error != v3::DecodeError::none)
      return stats_.drop(dropReasonFor(error)), false;
  } else if (auto error = v5::precheckClientDatagram(bytes); error != v5::DecodeError::none) {
    return stats_.drop(dropReasonFor(error)), false;
  }
  if (!limiter_.admit(slot.from.ip, nowMonoUs)) return stats_.drop(DropReason::rate_limited), false;
  uin = clearTextUin(bytes, v3Datagram ? kV3UinOffset : kV5UinOffset);  // its owner gets it
  return true;
}

// ---- hand-out to workers ------------------------------------------------------------

void Gateway::dispatchHeld(int64_t nowMonoUs) {
  const int64_t maxAgeUs =
      std::chrono::duration_cast<std::chrono::microseconds>(settings_.queueMaxAge).count();
  // Released and expired datagrams leave from the front (the oldest are the first to expire).
  while (ring_.size() > 0) {
    const HeldDatagram& held = ring_.at(0);
    if (held.length == 0) {
      ring_.popFront();  // rejected at admission, or handed out
      continue;
    }
    if (nowMonoUs - held.arrivedMonoUs <= maxAgeUs) break;
    shedOldest(DropReason::queue_expired, nowMonoUs);
  }
  // Every held datagram whose owner has credit goes out, in arrival order; the others wait
  // for their owner's credit, however much other workers have.
  for (size_t i = 0; i < ring_.size() && router_.anyCredit(); ++i) {
    HeldDatagram& held = ring_.at(i);
    if (held.length == 0) continue;
    auto worker = router_.take(held.uin);
    if (!worker) continue;
    if (batches_.size() <= *worker) batches_.resize(*worker + 1, envelope::BatchWriter(envelope::Kind::Ingress));
    batches_[*worker].add(held.from, held.receivedUs, ring_.bytes(i));
    queueWait_.observe(static_cast<double>(nowMonoUs - held.arrivedMonoUs) * 1e-6);
    held.length = 0;  // handed out: released
  }
  while (ring_.size() > 0 && ring_.at(0).length == 0) ring_.popFront();
  // More held than allowed: shed the oldest, whose clients are the closest to retransmitting.
  while (ring_.size() > settings_.queueLimit) shedOldest(DropReason::queue_full, nowMonoUs);
  sendToWorkers();
}

void Gateway::adoptView(const store::MembershipView& view) {
  router_.setOwners(view);
  stats_.membershipEpoch.set(static_cast<int64_t>(view.epoch));
}

// ---- overload: busy replies -----------------------------------------------------------

// Overload is answered, never silently dropped (ARCHITECTURE.md "Delivery guarantees").
void Gateway::shedOldest(DropReason reason, int64_t nowMonoUs) {
  // A slot released at admission may sit behind a held datagram; it was counted then.
  if (ring_.at(0).length > 0) {
    stats_.drop(reason);
    answerBusy(ring_.at(0), ring_.bytes(0), nowMonoUs);
  }
  ring_.popFront();
}

void Gateway::answerBusy(const HeldDatagram& held, std::span<const uint8_t> bytes, int64_t nowMonoUs) {
  if (isV3(bytes)) return answerBusyV3(held, bytes, nowMonoUs);
  // The session id and SEQ2 that SRV_TRY_AGAIN echoes are encrypted (§2.2). Decrypt a copy:
  // the ring's bytes stay what the client sent.
  std::span<uint8_t> copy = std::span(decrypted_).first(bytes.size());
  std::copy(bytes.begin(), bytes.end(), copy.begin());
  v5::ClientPacket packet;
  // Admission already ran the pre-checks, so only the checkcode can fail here. A datagram
  // whose checkcode does not verify is noise or forgery, and the gateway answers only what
  // a client could have sent.
  if (v5::decodeClientPacket(copy, packet) != v5::DecodeError::none || !packet.checkcodeValid) return;
  if (packet.header.command == v5::CMD_ACK) return;  // never answered (§4.3)
  if (!busyLimiter_.admit(held.from.ip, nowMonoUs)) return;
  // One slot per ring slot and flushEgress after every dispatchHeld: a turn cannot shed more.
  assert(busyCount_ < ring_.capacity());
  std::span<uint8_t> reply(&busyReplies_[busyCount_++ * v5::kServerHeaderSize], v5::kServerHeaderSize);
  size_t length = v5::buildSrvTryAgain(packet.header, reply, rng_);
  egress_.push_back({held.from, reply.first(length)});
  stats_.busyReplies++;
}

// V3 BUSY (protocol-v3.md §6.8, §11.4): header only, seq1 0, the request's seq2 and uin —
// all in the clear. ACK and LOGOFF are never answered (§3.3).
void Gateway::answerBusyV3(const HeldDatagram& held, std::span<const uint8_t> bytes, int64_t nowMonoUs) {
  v3::Packet packet;
  if (v3::decodePacket(bytes, packet) != v3::DecodeError::none) return;
  if (packet.header.command == v3::CMD_ACK || packet.header.command == v3::CMD_LOGOFF) return;
  if (!busyLimiter_.admit(held.from.ip, nowMonoUs)) return;
  assert(busyCount_ < ring_.capacity());
  std::span<uint8_t> reply(&busyReplies_[busyCount_++ * v5::kServerHeaderSize], v5::kServerHeaderSize);
  static_assert(v3::kHeaderSize <= v5::kServerHeaderSize, "a V3 BUSY fits a busy-reply slot");
  size_t length = v3::encodePacket(v3::replyHeader(packet.header, v3::SRV_BUSY), {}, reply);
  egress_.push_back({held.from, reply.first(length)});
  stats_.busyReplies++;
}

void Gateway::sendToWorkers() {
  // batches_[k] belongs to router worker k. Batches are filled and sent within one turn,
  // so they are all empty whenever the router's indices shift (Goodbye, removal).
  // Walk backwards: removing a vanished worker shifts only the indices after it.
  for (size_t k = std::min(batches_.size(), router_.workerCount()); k-- > 0;) {
    envelope::BatchWriter& batch = batches_[k];
    if (batch.empty()) continue;
    const std::string& id = router_.workerId(k);
    auto body = batch.message();
    bool sent = false;
    try {
      sent = pipeline_.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
             pipeline_.send(zmq::buffer(body.data(), body.size()), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      sent = false;  // EHOSTUNREACH: the worker disconnected
    }
    if (sent) {
      stats_.datagramsDispatched += batch.count();
      stats_.batchesDispatched++;
    } else {
      stats_.drop(DropReason::worker_lost, batch.count());
      router_.remove(id);
      batches_.erase(batches_.begin() + static_cast<std::ptrdiff_t>(k));
      continue;
    }
    batch.clear();
  }
}

// ---- levels for the admin port ------------------------------------------------------

void Gateway::publishLevels() {
  stats_.holdQueueDepth.set(static_cast<int64_t>(ring_.size()));
  stats_.workerCredits.set(static_cast<int64_t>(router_.totalCredits()));
  stats_.workersConnected.set(static_cast<int64_t>(router_.workerCount()));
  queueWait_.flush();
}

// ---- pipeline: control and egress ---------------------------------------------------

void Gateway::drainPipeline(int64_t nowMonoUs) {
  for (size_t i = 0; i < kMaxPipelineMessagesPerTurn; ++i) {
    zmq::message_t identity;
    if (!pipeline_.recv(identity, zmq::recv_flags::dontwait)) return;
    if (!identity.more()) continue;  // a bare frame is no message of ours
    // Egress datagrams are sent straight from the message memory, so the message lives
    // in egressMessages_ (capacity reserved: no reallocation moves it) until flushEgress.
    if (egressMessages_.size() == egressMessages_.capacity()) flushEgress();
    zmq::message_t& body = egressMessages_.emplace_back();
    if (!pipeline_.recv(body, zmq::recv_flags::dontwait)) return;
    const std::string_view worker = identity.to_string_view();
    if (body.more()) {  // more frames than our protocol has: consume and ignore them all
      zmq::message_t extra;
      while (pipeline_.recv(extra, zmq::recv_flags::dontwait) && extra.more()) {
      }
      if (quarantine_.ignores(worker, false, nowMonoUs)) {
        stats_.pipelineIgnored++;
        continue;
      }
      stats_.controlMalformed++;
      offend(worker, Violation::extra_frames, nowMonoUs);
      continue;
    }
    const auto kind = envelope::peekKind({static_cast<const uint8_t*>(body.data()), body.size()});
    if (quarantine_.ignores(worker, kind == envelope::Kind::Hello, nowMonoUs)) {
      stats_.pipelineIgnored++;
      continue;
    }
    handleWorkerMessage(worker, kind, body, nowMonoUs);
  }
}

void Gateway::handleWorkerMessage(std::string_view worker, std::optional<envelope::Kind> kind, const zmq::message_t& body,
                                  int64_t nowMonoUs) {
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(body.data()), body.size());
  if (kind == envelope::Kind::Egress) {
    auto reader = envelope::BatchReader::open(bytes);
    envelope::Datagram d;
    while (reader && reader->next(d)) egress_.push_back({d.client, d.bytes});
    if (!reader || reader->malformed()) {
      stats_.egressMalformed++;
      offend(worker, Violation::malformed_egress, nowMonoUs);
    }
    return;
  }
  auto control = envelope::decodeControl(bytes);
  if (!control) {
    stats_.controlMalformed++;
    offend(worker, Violation::malformed_control, nowMonoUs);
    return;
  }
  handleControl(worker, *control, nowMonoUs);
}

void Gateway::handleControl(std::string_view worker, const envelope::Control& control, int64_t nowMonoUs) {
  bool honest = true;
  switch (control.kind) {
    case envelope::Kind::Hello:
      honest = router_.hello(worker, control.credits);
      break;
    case envelope::Kind::Credit:
      honest = router_.credit(worker, control.credits);
      break;
    case envelope::Kind::Goodbye:
      router_.remove(worker);
      break;
    default:
      stats_.controlMalformed++;
      offend(worker, Violation::malformed_control, nowMonoUs);
      return;
  }
  if (!honest) {
    stats_.creditInflated++;
    offend(worker, Violation::inflated_credit, nowMonoUs);
  }
}

// A peer that keeps lying is cut off (quarantine.hpp). drainPipeline runs before the turn's
// hand-out, so no batch is being filled for the worker whose index the removal shifts.
void Gateway::offend(std::string_view worker, Violation violation, int64_t nowMonoUs) {
  if (!quarantine_.violation(worker, nowMonoUs)) return;
  router_.remove(worker);
  stats_.cutOff(violation);
  log::error("worker_cut_off",
             {{"worker", std::string(worker)},
              {"reason", std::string(violationName(violation))},
              {"violations", Quarantine::kViolationLimit + 1},
              {"quarantine_s", std::chrono::duration_cast<std::chrono::seconds>(Quarantine::kQuarantine).count()}});
}

void Gateway::flushEgress() {
  if (!egress_.empty()) {
    size_t sent = udp_.send(egress_);
    stats_.datagramsSent += sent;
    for (size_t i = 0; i < sent; ++i) stats_.bytesSent += egress_[i].bytes.size();
    stats_.datagramsSendFailed += egress_.size() - sent;
  }
  egress_.clear();
  egressMessages_.clear();
  busyCount_ = 0;
}

}  // namespace icq::gateway
