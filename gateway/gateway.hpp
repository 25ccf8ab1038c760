// The gateway loop: UDP in → admission → credit-based hand-out to workers; worker
// egress → UDP out. gateway.cpp opens with the one function that reads like the
// architecture diagram (Gateway::runOnce).
#pragma once

#include <zmq.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/envelope/envelope.hpp"
#include "common/ops/batched_histogram.hpp"
#include "common/util/shutdown.hpp"
#include "gateway/credit_router.hpp"
#include "gateway/datagram_ring.hpp"
#include "gateway/membership_follower.hpp"
#include "gateway/quarantine.hpp"
#include "gateway/stats.hpp"
#include "gateway/token_bucket.hpp"
#include "gateway/udp_socket.hpp"

namespace icq::gateway {

struct GatewaySettings {
  uint32_t ratePerS = 200;
  uint32_t rateBurst = 400;
  size_t queueLimit = 4096;
  std::chrono::milliseconds queueMaxAge{2000};
};

/// Binds a ROUTER for workers with the options the credit protocol relies on, and
/// returns the endpoint it actually bound (a wildcard port resolved).
zmq::socket_t bindPipeline(zmq::context_t& context, const std::string& endpoint, std::string& bound);

class Gateway {
public:
  /// `udp`, `pipeline` and `membership` are owned by the caller and outlive the gateway.
  /// `membership` (the owners of UINs) may be null in a test that sets views itself.
  Gateway(const GatewaySettings& settings, UdpSocket& udp, zmq::socket_t& pipeline,
          MembershipFollower* membership = nullptr);

  /// Runs until `stop` is requested.
  void run(const util::StopToken& stop);
  /// After a stop: takes no more datagrams but keeps sending worker egress for `grace`,
  /// so replies to datagrams already handed out still reach their clients.
  void drain(std::chrono::milliseconds grace);
  /// One turn of the loop: wait up to `timeout` for work, then do all of it.
  void runOnce(std::chrono::milliseconds timeout);

  const GatewayStats& stats() const { return stats_; }
  const CreditRouter& router() const { return router_; }
  /// A new membership view: datagrams go to their UIN's owner under it from now on.
  void adoptView(const store::MembershipView& view);

private:
  void receiveDatagrams(int64_t nowMonoUs);
  bool admit(const UdpSocket::Slot& slot, int64_t nowMonoUs, uint32_t& uin);
  void drainPipeline(int64_t nowMonoUs);
  void handleWorkerMessage(std::string_view worker, std::optional<envelope::Kind> kind, const zmq::message_t& body,
                           int64_t nowMonoUs);
  void handleControl(std::string_view worker, const envelope::Control& control, int64_t nowMonoUs);
  void offend(std::string_view worker, Violation violation, int64_t nowMonoUs);
  void dispatchHeld(int64_t nowMonoUs);
  void shedOldest(DropReason reason, int64_t nowMonoUs);
  void answerBusy(const HeldDatagram& held, std::span<const uint8_t> bytes, int64_t nowMonoUs);
  void answerBusyV3(const HeldDatagram& held, std::span<const uint8_t> bytes, int64_t nowMonoUs);
  void sendToWorkers();
  void flushEgress();
  void publishLevels();

  GatewaySettings settings_;
  UdpSocket& udp_;
  zmq::socket_t& pipeline_;
  MembershipFollower* membership_;
  SourceRateLimiter limiter_;
  DatagramRing ring_;
  CreditRouter router_;
  Quarantine quarantine_;
  GatewayStats stats_;

  // Busy replies (SRV_TRY_AGAIN) to shed datagrams: the per-source allowance, the copy a
  // shed datagram is decrypted in, and one reply slot per ring slot — a turn sheds at most
  // the whole ring — whose bytes live until flushEgress has sent them.
  SourceRateLimiter busyLimiter_;
  codec::v5::CheckcodeRng rng_;
  std::array<uint8_t, codec::v5::kMaxDatagram> decrypted_{};
  std::vector<uint8_t> busyReplies_;
  size_t busyCount_ = 0;

  std::vector<envelope::BatchWriter> batches_;  // one per worker index, reused
  std::vector<zmq::message_t> egressMessages_;  // kept alive until their datagrams are sent
  std::vector<UdpSocket::Outgoing> egress_;

  ops::BatchedHistogram queueWait_;  // receipt → hand-out, flushed to its series every turn
};

}  // namespace icq::gateway
