// Password checks on their own threads; see password_checks.hpp.
#include "common/auth/password_checks.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/auth/password.hpp"

namespace icq::auth {

PasswordChecks::PasswordChecks(size_t threads) {
  eventFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventFd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

PasswordChecks::~PasswordChecks() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  ::close(eventFd_);
}

void PasswordChecks::submit(uint64_t ticket, std::string storedHash, std::string password) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({ticket, std::move(storedHash), std::move(password)});
    ++outstanding_;
  }
  wake_.notify_one();
}

void PasswordChecks::run() {
  // Below every other thread of the machine: a storm of logins takes only the CPU that
  // nothing else wants, so the packet loops keep their latency (issue 11). Refused (an
  // unusual kernel), the threads run at the normal priority.
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Check check = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const bool valid = verifyPassword(check.storedHash, check.password);
    lock.lock();
    done_.push_back({check.ticket, valid});
    const uint64_t one = 1;
    // The counter only signals readiness; a full counter (never, at 2^64-1) would just mean
    // the loop is already due to collect.
    [[maybe_unused]] ssize_t n = ::write(eventFd_, &one, sizeof one);
  }
}

void PasswordChecks::collect(std::vector<Result>& out) {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(eventFd_, &count, sizeof count);  // clears readiness
  std::lock_guard lock(mutex_);
  out.insert(out.end(), done_.begin(), done_.end());
  outstanding_ -= done_.size();
  done_.clear();
}

size_t PasswordChecks::outstanding() const {
  std::lock_guard lock(mutex_);
  return outstanding_;
}

}  // namespace icq::auth
