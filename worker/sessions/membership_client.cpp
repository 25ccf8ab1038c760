// The worker's heartbeat and lease; see membership_client.hpp.
#include "worker/sessions/membership_client.hpp"

#include "common/log/log.hpp"
#include "common/util/clock.hpp"
#include "common/util/identity.hpp"

namespace icq::worker {

MembershipClient::MembershipClient(const Settings& settings, store::Membership& membership, store::WorkerRecord self)
    : settings_(settings), membership_(membership), self_(std::move(self)) {}

MembershipClient::~MembershipClient() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MembershipClient::start() {
  const bool ok = beatOnce();
  thread_ = std::thread([this] { loop(); });
  return ok;
}

void MembershipClient::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, settings_.heartbeat);
    if (stopping_) break;
    lock.unlock();
    if (!fenced_.load() && !leaseValid() && validUntilUs_.load() != 0) {
      // Lapsed: nobody may count on us any more. Stop beating until the loop has forgotten
      // what it held; a beat now would make us a member again with stale sessions.
      fenced_ = true;
      log::warn("worker_lease_lapsed", {{"worker", self_.id}});
    }
    if (!fenced_.load()) beatOnce();
    lock.lock();
  }
}

bool MembershipClient::beatOnce() {
  store::Heartbeat beat;
  {
    std::lock_guard lock(mutex_);
    beat.self = self_;
    beat.leaving = leaving_;
    beat.acked = acked_;
  }
  beat.ttl = settings_.ttl;
  const int64_t sentUs = util::monotonicMicros();
  store::MembershipView view;
  if (!membership_.beat(beat, view)) return false;
  validUntilUs_ = sentUs + std::chrono::duration_cast<std::chrono::microseconds>(settings_.ttl - settings_.margin).count();
  std::lock_guard lock(mutex_);
  if (view.epoch != latest_.epoch || view.settled != latest_.settled) fresh_ = view;
  latest_ = std::move(view);
  return true;
}

std::optional<store::MembershipView> MembershipClient::takeView() {
  std::lock_guard lock(mutex_);
  std::optional<store::MembershipView> out;
  out.swap(fresh_);
  return out;
}

store::MembershipView MembershipClient::latestView() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void MembershipClient::acknowledge(uint64_t epoch) {
  {
    std::lock_guard lock(mutex_);
    if (epoch <= acked_) return;
    acked_ = epoch;
  }
  wake_.notify_all();  // tell the others now, not at the next beat: they wait for it
}

void MembershipClient::leave() {
  {
    std::lock_guard lock(mutex_);
    leaving_ = true;
  }
  wake_.notify_all();
}

void MembershipClient::withdraw() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();  // the store belongs to that thread until now
  membership_.withdraw(self_);
}

bool MembershipClient::leaseValid() const { return util::monotonicMicros() < validUntilUs_.load(); }

void MembershipClient::rejoin() {
  {
    std::lock_guard lock(mutex_);
    self_.instance = util::randomInstanceId();
    acked_ = 0;
    latest_ = {};
    fresh_.reset();
  }
  validUntilUs_ = 0;
  fenced_ = false;
  log::info("worker_rejoining", {{"worker", self_.id}, {"instance", self_.instance}});
  wake_.notify_all();
}

}  // namespace icq::worker
