// A worker's side of the membership (store/membership.hpp): a thread that beats every
// heartbeat interval on a store connection of its own — so a busy or stalled loop neither
// delays the lease nor is delayed by it — and hands the loop each new view.
//
// The lease: a beat that succeeded at time t (taken before the request left) keeps the worker
// a member until t + ttl by the membership's clock; this side counts it as valid until
// t + ttl − margin by its own monotonic clock, so it stops before anyone else may start.
// When the lease lapses (Redis unreachable, the process paused), the client stops beating and
// reports the worker fenced; the loop forgets every session without writing, and calls
// rejoin(), which beats again as a new instance — a new member, owning what the view then says.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/store/membership.hpp"

namespace icq::worker {

class MembershipClient {
public:
  struct Settings {
    std::chrono::milliseconds heartbeat{200};
    std::chrono::milliseconds ttl{3000};
    std::chrono::milliseconds margin{500};
  };
  /// `membership` is used from the client's thread only.
  MembershipClient(const Settings& settings, store::Membership& membership, store::WorkerRecord self);
  ~MembershipClient();  // stops the thread (without withdrawing: see leave())
  MembershipClient(const MembershipClient&) = delete;
  MembershipClient& operator=(const MembershipClient&) = delete;

  /// Beats once synchronously (true when it succeeded), then keeps beating from the thread.
  bool start();

  /// A view newer than the last one taken, if there is one (loop thread).
  std::optional<store::MembershipView> takeView();
  /// The last view taken or not (any thread).
  store::MembershipView latestView() const;
  /// Every session the view of `epoch` does not grant has been written out.
  void acknowledge(uint64_t epoch);
  /// Drain: owns nothing from the next view on, still counted until withdraw().
  void leave();
  /// Gone for good (at exit, after everything was written out).
  void withdraw();

  /// Whether this worker may still act as an owner: its lease has not lapsed.
  bool leaseValid() const;
  /// The lease lapsed and the loop has not rejoined yet.
  bool fenced() const { return fenced_.load(); }
  /// After the loop dropped everything: beat again as a new instance.
  void rejoin();
  const store::WorkerRecord& self() const { return self_; }
  std::chrono::milliseconds ttl() const { return settings_.ttl; }

private:
  void loop();
  bool beatOnce();

  Settings settings_;
  store::Membership& membership_;
  store::WorkerRecord self_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool leaving_ = false;
  uint64_t acked_ = 0;
  std::optional<store::MembershipView> fresh_;  // newer than the loop's
  store::MembershipView latest_;
  std::atomic<int64_t> validUntilUs_{0};  // monotonic
  std::atomic<bool> fenced_{false};
  std::thread thread_;
};

}  // namespace icq::worker
