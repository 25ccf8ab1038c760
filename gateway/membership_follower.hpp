// The gateway's view of the membership (store/membership.hpp): a thread that reads the view
// every poll interval on a store connection of its own and hands the datagram loop each new
// one, so the loop routes every UIN to its owner without ever waiting on Redis. A gateway
// that cannot read the view keeps routing by the last one it had; workers pass on what they
// no longer own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/store/membership.hpp"

namespace icq::gateway {

class MembershipFollower {
public:
  MembershipFollower(store::Membership& membership, std::chrono::milliseconds poll);
  ~MembershipFollower();
  MembershipFollower(const MembershipFollower&) = delete;
  MembershipFollower& operator=(const MembershipFollower&) = delete;

  /// Reads once synchronously, then keeps reading from the thread.
  void start();
  /// A view newer than the last one taken, if any (the loop's call: one atomic load when
  /// nothing changed).
  std::optional<store::MembershipView> takeView();

private:
  void loop();
  void readOnce();

  store::Membership& membership_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<store::MembershipView> fresh_;
  std::atomic<bool> hasFresh_{false};
  uint64_t lastEpoch_ = 0;
  std::thread thread_;
};

}  // namespace icq::gateway
