// RedisActionStore; see action_store.hpp.
#include "common/redis/action_store.hpp"

#include <algorithm>

#include "common/redis/keys.hpp"

namespace icq::redis {

bool RedisActionStore::take(int64_t nowMs, std::span<FiringDemand> demands) {
  if (demands.empty()) return true;
  keys_.clear();
  for (const FiringDemand& demand : demands)
    keys_.push_back(keys::actionFirings(demand.rule, nowMs / (demand.per.count() * 1000)));
  // INCRBY then PEXPIRE per demand: the window's key dies a period after the window ends.
  auto appendCommand = [&](size_t i, bool) {
    const FiringDemand& demand = demands[i / 2];
    if (i % 2 == 0)
      redis_.append({"INCRBY", keys_[i / 2], Decimal(demand.wanted)});
    else
      redis_.append({"PEXPIRE", keys_[i / 2], Decimal(2 * demand.per.count() * 1000)});
  };
  if (!redis_.pipeline(2 * demands.size(), appendCommand, replies_)) return false;
  for (size_t i = 0; i < demands.size(); ++i) {
    const ReplyView total = replies_[2 * i];
    if (!total.isInteger()) return unexpectedReply("actions_take", total);
    FiringDemand& demand = demands[i];
    const int64_t before = total.integer() - demand.wanted;
    demand.granted = std::clamp<int64_t>(demand.limit - before, 0, demand.wanted);
  }
  return true;
}

bool RedisActionStore::deadLetter(std::span<const std::string> records) {
  if (records.empty()) return true;
  auto appendCommand = [&](size_t i, bool) {
    if (i == 0) {
      argv_ = {"LPUSH", keys::kActionsDead};
      for (const std::string& record : records) argv_.push_back(record);
      redis_.append(argv_);
    } else {
      redis_.append({"LTRIM", keys::kActionsDead, "0", Decimal(deadLetterMax_ - 1)});
    }
  };
  if (!redis_.pipeline(2, appendCommand, replies_)) return false;
  for (const Reply& reply : replies_)
    if (reply.isError()) return unexpectedReply("actions_dead_letter", reply);
  return true;
}

bool RedisActionStore::deadLetters(size_t limit, std::vector<std::string>& out) {
  out.clear();
  if (limit == 0) return true;
  Reply reply;
  if (!redis_.command({"LRANGE", keys::kActionsDead, "0", Decimal(limit - 1)}, reply)) return false;
  if (!reply.isArray()) return unexpectedReply("actions_dead_letters", reply);
  const ReplyView list = reply;
  for (size_t i = 0; i < list.size(); ++i) out.emplace_back(list[i].str());
  return true;
}

}  // namespace icq::redis
