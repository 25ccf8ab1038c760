// Credit accounting per worker and hand-out to owners; see credit_router.hpp.
#include "gateway/credit_router.hpp"

#include <algorithm>

namespace icq::gateway {

CreditRouter::Worker* CreditRouter::find(std::string_view id) {
  for (Worker& w : workers_)
    if (w.id == id) return &w;
  return nullptr;
}

void CreditRouter::relink() {
  ownerWorker_.assign(owners_.size(), kNone);
  for (size_t k = 0; k < workers_.size(); ++k) {
    const size_t owner = owners_.indexOf(workers_[k].id);
    if (owner < owners_.size()) ownerWorker_[owner] = k;
  }
}

bool CreditRouter::hello(std::string_view worker, uint32_t credits) {
  const uint32_t window = std::min(credits, kMaxWindow);
  Worker* w = find(worker);
  if (!w) {
    w = &workers_.emplace_back(Worker{std::string(worker)});
    relink();
  }
  credits_ = credits_ - w->credits + window;
  w->credits = w->window = window;
  return window == credits;
}

bool CreditRouter::credit(std::string_view worker, uint32_t credits) {
  // Credit from a worker we never heard Hello from (we restarted, it did not notice yet)
  // still counts: it proves the worker is there and idle by that much.
  Worker* w = find(worker);
  if (!w) {
    w = &workers_.emplace_back(Worker{std::string(worker)});
    relink();
  }
  const uint32_t granted = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{w->credits} + credits, w->window));
  credits_ += granted - w->credits;
  const bool honest = granted - w->credits == credits;
  w->credits = granted;
  return honest;
}

void CreditRouter::remove(std::string_view worker) {
  // Copy first: `worker` may view an element's own id (workerId()), which erase_if overwrites.
  std::erase_if(workers_, [id = std::string(worker)](const Worker& w) { return w.id == id; });
  credits_ = totalCredits();
  relink();
}

void CreditRouter::setOwners(const store::MembershipView& view) {
  owners_ = store::OwnerTable(view);
  relink();
}

std::optional<size_t> CreditRouter::take(uint32_t uin) {
  if (uin == 0) {  // no session, so no owner: any worker with credit
    for (size_t i = 0; i < workers_.size(); ++i) {
      const size_t k = (nextAnonymous_ + i) % workers_.size();
      if (workers_[k].credits > 0) {
        nextAnonymous_ = k + 1;
        --workers_[k].credits;
        --credits_;
        return k;
      }
    }
    return std::nullopt;
  }
  const size_t owner = owners_.owner(uin);
  if (owner >= ownerWorker_.size()) return std::nullopt;
  const size_t k = ownerWorker_[owner];
  if (k == kNone || workers_[k].credits == 0) return std::nullopt;
  --workers_[k].credits;
  --credits_;
  return k;
}

uint64_t CreditRouter::totalCredits() const {
  uint64_t total = 0;
  for (const Worker& w : workers_) total += w.credits;
  return total;
}

}  // namespace icq::gateway
