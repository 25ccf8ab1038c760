// Membership kept in process memory: icqd's, where every worker is a thread of one process
// and its in-process peer endpoints mean nothing to anyone else. The same rules as the Redis
// script (common/redis/membership_impl.cpp), on the process's steady clock. Thread-safe.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>

#include "common/store/membership.hpp"

namespace icq::store {

class InMemoryMembership final : public Membership {
public:
  bool beat(const Heartbeat& beat, MembershipView& view) override {
    std::lock_guard lock(mutex_);
    entries_[beat.self.id] = Entry{beat.self, Clock::now() + beat.ttl, beat.leaving, beat.acked};
    recompute(view);
    return true;
  }
  bool withdraw(const WorkerRecord& self) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(self.id);
    if (it != entries_.end() && it->second.record.instance == self.instance) entries_.erase(it);
    MembershipView ignored;
    recompute(ignored);
    return true;
  }
  bool view(MembershipView& out) override {
    std::lock_guard lock(mutex_);
    recompute(out);
    return true;
  }

private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    WorkerRecord record;
    Clock::time_point expires;
    bool leaving = false;
    uint64_t acked = 0;
  };

  void recompute(MembershipView& out) {
    const auto now = Clock::now();
    std::erase_if(entries_, [&](const auto& item) { return item.second.expires <= now; });
    std::vector<WorkerRecord> owners;
    for (const auto& [id, entry] : entries_)
      if (!entry.leaving) owners.push_back(entry.record);  // std::map: sorted by id
    auto same = [](const WorkerRecord& a, const WorkerRecord& b) {
      return a.id == b.id && a.endpoint == b.endpoint && a.instance == b.instance;
    };
    if (!std::equal(owners.begin(), owners.end(), view_.owners.begin(), view_.owners.end(), same)) {
      view_.epoch++;
      view_.owners = std::move(owners);
    }
    if (std::all_of(entries_.begin(), entries_.end(), [&](const auto& item) { return item.second.acked >= view_.epoch; }))
      view_.settled = view_.epoch;
    out = view_;
  }

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  MembershipView view_;
};

}  // namespace icq::store
