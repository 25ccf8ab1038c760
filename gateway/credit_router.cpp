// Credit accounting per worker; see credit_router.hpp.
#include "gateway/credit_router.hpp"

#include <algorithm>

namespace icq::gateway {

CreditRouter::Worker* CreditRouter::find(std::string_view id) {
  for (Worker& w : workers_)
    if (w.id == id) return &w;
  return nullptr;
}

void CreditRouter::hello(std::string_view worker, uint32_t credits) {
  if (Worker* w = find(worker)) {
    w->credits = credits;
    return;
  }
  workers_.push_back(Worker{std::string(worker), credits});
}

void CreditRouter::credit(std::string_view worker, uint32_t credits) {
  // Credit from a worker we never heard Hello from (we restarted, it did not notice yet)
  // still counts: it proves the worker is there and idle by that much.
  if (Worker* w = find(worker)) {
    w->credits += credits;
    return;
  }
  workers_.push_back(Worker{std::string(worker), credits});
}

void CreditRouter::remove(std::string_view worker) {
  // Copy first: `worker` may view an element's own id (workerId()), which erase_if overwrites.
  std::erase_if(workers_, [id = std::string(worker)](const Worker& w) { return w.id == id; });
}

std::optional<size_t> CreditRouter::take(uint32_t uin) {
  size_t n = workers_.size();
  if (n == 0) return std::nullopt;
  size_t start = uin % n;
  for (size_t i = 0; i < n; ++i) {
    size_t k = (start + i) % n;
    if (workers_[k].credits > 0) {
      --workers_[k].credits;
      return k;
    }
  }
  return std::nullopt;
}

uint64_t CreditRouter::totalCredits() const {
  uint64_t total = 0;
  for (const Worker& w : workers_) total += w.credits;
  return total;
}

}  // namespace icq::gateway
