// RedisActionStore: what the event actions share across scheduler replicas — each rule's
// firings in its current rate window, so that a rule's limit holds for the cluster and not
// per replica, and the dead-letter list of actions that failed their last try.
// One instance per thread, on that thread's connection; every call is one round trip.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/redis/connection.hpp"

namespace icq::redis {

/// One rule's firings wanted in a batch of events, and how many its limit lets through.
struct FiringDemand {
  std::string_view rule;
  int64_t limit = 0;  // firings per window
  std::chrono::seconds per{60};
  int64_t wanted = 0;
  int64_t granted = 0;  // set by take()
};

class RedisActionStore {
public:
  RedisActionStore(RedisConnection& redis, size_t deadLetterMax) : redis_(redis), deadLetterMax_(deadLetterMax) {}

  /// Counts each demand's firings in its rule's window at `nowMs` and grants those that fit
  /// under its limit (fixed windows; a refused firing counts too, as with login attempts).
  bool take(int64_t nowMs, std::span<FiringDemand> demands);
  /// Puts `records` at the head of the dead-letter list and trims it.
  bool deadLetter(std::span<const std::string> records);
  /// Up to `limit` records, newest first.
  bool deadLetters(size_t limit, std::vector<std::string>& out);

private:
  RedisConnection& redis_;
  size_t deadLetterMax_;
  std::vector<std::string> keys_;
  std::vector<Reply> replies_;
  std::vector<std::string_view> argv_;
};

}  // namespace icq::redis
