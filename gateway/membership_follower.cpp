// The gateway's membership reader; see membership_follower.hpp.
#include "gateway/membership_follower.hpp"

#include "common/log/log.hpp"

namespace icq::gateway {

MembershipFollower::MembershipFollower(store::Membership& membership, std::chrono::milliseconds poll)
    : membership_(membership), poll_(poll) {}

MembershipFollower::~MembershipFollower() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MembershipFollower::start() {
  readOnce();
  thread_ = std::thread([this] { loop(); });
}

void MembershipFollower::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, poll_, [this] { return stopping_; })) {
    lock.unlock();
    readOnce();
    lock.lock();
  }
}

void MembershipFollower::readOnce() {
  static log::RateLimited failures;
  store::MembershipView view;
  if (!membership_.view(view)) {
    failures.warn("membership_unreadable");
    return;
  }
  if (view.epoch == lastEpoch_) return;  // the owners change only with the epoch
  lastEpoch_ = view.epoch;
  log::info("membership_view", {{"epoch", view.epoch}, {"owners", view.owners.size()}});
  std::lock_guard lock(mutex_);
  fresh_ = std::move(view);
  hasFresh_ = true;
}

std::optional<store::MembershipView> MembershipFollower::takeView() {
  if (!hasFresh_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(mutex_);
  hasFresh_ = false;
  std::optional<store::MembershipView> out;
  out.swap(fresh_);
  return out;
}

}  // namespace icq::gateway
