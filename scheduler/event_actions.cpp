// The event actions' consumer; see event_actions.hpp.
#include "scheduler/event_actions.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "common/actions/payload.hpp"
#include "common/log/log.hpp"

namespace icq::scheduler {
namespace {

constexpr std::string_view kGroup = redis::kActionsGroup;
constexpr int64_t kMaxBackoffMs = 60'000;

std::string keyOf(const redis::StreamEntry& entry) { return std::to_string(entry.shard) + "/" + entry.entryId; }

int64_t backoffMs(const actions::Retry& retry, int tries) {
  const int64_t base = retry.backoff.count();
  return std::min(kMaxBackoffMs, base << std::min(tries - 1, 16));
}

}  // namespace

EventActions::EventActions(EventActionsSettings settings, std::vector<actions::Rule> rules,
                           redis::RedisEventStream& stream, redis::RedisActionStore& store,
                           actions::Messenger& messenger, const util::Clock& clock)
    : settings_(std::move(settings)),
      rules_(std::move(rules)),
      stream_(stream),
      store_(store),
      clock_(clock),
      runner_(messenger) {
  for (const actions::Rule& rule : rules_) tallies_.push_back({0, 0, std::vector<ActionTally>(rule.actions.size())});
}

bool EventActions::turn(std::chrono::milliseconds wait) {
  int64_t nowMs = clock_.nowMs();
  if (!groupReady_) groupReady_ = stream_.createGroup(kGroup);
  bool ok = groupReady_ && (entries_.size() >= settings_.maxInFlight || read(nowMs));
  runner_.poll(wait, finished_);
  nowMs = clock_.nowMs();
  for (const actions::Finished& finished : finished_) settle(finished, nowMs);
  finished_.clear();
  startDueRetries(nowMs);
  return flush(nowMs) && ok;
}

bool EventActions::read(int64_t nowMs) {
  read_.clear();
  if (ownPending_) {
    // What this consumer was given and never finished (a restart, a failed read): re-read
    // only with nothing in hand, since a pending read returns what is in hand too.
    if (!entries_.empty() || !done_.empty()) return true;
    if (!stream_.read(kGroup, settings_.consumer, settings_.batch, true, read_)) return false;
    if (!read_.empty()) return fire(nowMs);
    ownPending_ = false;
  }
  if (nowMs - lastClaimMs_ >= settings_.claimEvery.count()) {
    if (!stream_.claimStale(kGroup, settings_.consumer, settings_.claimIdle, settings_.batch, read_)) {
      ownPending_ = true;
      return false;
    }
    lastClaimMs_ = nowMs;
  }
  // Claimed entries are ours now; should the read fail they come back as our pending ones.
  if (!stream_.read(kGroup, settings_.consumer, settings_.batch, false, read_)) {
    ownPending_ = true;
    return false;
  }
  return fire(nowMs);
}

bool EventActions::fire(int64_t nowMs) {
  demands_.clear();
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].rate.count == 0) continue;
    const auto wanted = std::count_if(read_.begin(), read_.end(), [&](const redis::StreamEntry& entry) {
      return entry.valid && rules_[r].matches(entry.event);
    });
    if (wanted > 0) demands_.push_back({rules_[r].name, rules_[r].rate.count, rules_[r].rate.per, wanted, 0});
  }
  if (!store_.take(nowMs, demands_)) {
    ownPending_ = true;  // read and not in hand: they come back as this consumer's pending
    return false;
  }
  for (redis::StreamEntry& entry : read_) {
    const std::string key = keyOf(entry);
    if (entries_.contains(key)) continue;  // claimed back while in hand
    if (!entry.valid) {
      ++invalid_;
      done_.push_back(std::move(entry));
      continue;
    }
    Held& held = entries_[key];  // references into the map survive the inserts below
    held.entry = std::move(entry);
    for (size_t r = 0; r < rules_.size(); ++r) {
      if (!rules_[r].matches(held.entry.event)) continue;
      auto demand = std::find_if(demands_.begin(), demands_.end(),
                                 [&](const redis::FiringDemand& d) { return d.rule == rules_[r].name; });
      if (demand != demands_.end() && demand->granted-- <= 0) {
        ++tallies_[r].rateLimited;
        continue;
      }
      fireRule(r, key);
    }
    if (held.open == 0) {
      done_.push_back(std::move(held.entry));
      entries_.erase(key);
    }
  }
  return true;
}

void EventActions::fireRule(size_t rule, const std::string& key) {
  ++tallies_[rule].fired;
  for (size_t a = 0; a < rules_[rule].actions.size(); ++a) {
    const uint64_t token = ++nextToken_;
    Attempt& attempt = attempts_[token] = Attempt{key, rule, a};
    ++entries_[key].open;
    start(token, attempt);
  }
}

void EventActions::start(uint64_t token, Attempt& attempt) {
  ++attempt.tries;
  runner_.start(token, rules_[attempt.rule].actions[attempt.action], entries_.at(attempt.entry).entry.event,
                rules_[attempt.rule].name);
}

void EventActions::settle(const actions::Finished& finished, int64_t nowMs) {
  Attempt& attempt = attempts_.at(finished.token);
  const actions::Rule& rule = rules_[attempt.rule];
  const actions::Action& action = rule.actions[attempt.action];
  ActionTally& tally = tallies_[attempt.rule].actions[attempt.action];
  if (finished.ok) {
    ++tally.ok;
    return close(finished.token);
  }
  static log::RateLimited warnings;
  warnings.warn("event_action_failed", {{"rule", rule.name},
                                        {"action", actions::actionTypeName(action.type)},
                                        {"try", attempt.tries},
                                        {"error", finished.error}});
  if (attempt.tries < action.retry.tries) {
    ++tally.retried;
    attempt.dueMs = nowMs + backoffMs(action.retry, attempt.tries);
    waiting_.push_back(finished.token);
    return;
  }
  ++tally.deadLettered;
  const events::Event& event = entries_.at(attempt.entry).entry.event;
  deadLetters_.push_back(nlohmann::json{{"rule", rule.name},
                                        {"action", actions::actionTypeName(action.type)},
                                        {"tries", attempt.tries},
                                        {"error", finished.error},
                                        {"at", nowMs},
                                        {"event", nlohmann::json::parse(actions::eventJson(event, rule.name))}}
                             .dump());
  close(finished.token);
}

void EventActions::close(uint64_t token) {
  const std::string key = attempts_.at(token).entry;
  attempts_.erase(token);
  Held& held = entries_.at(key);
  if (--held.open > 0) return;
  done_.push_back(std::move(held.entry));
  entries_.erase(key);
}

void EventActions::startDueRetries(int64_t nowMs) {
  std::erase_if(waiting_, [&](uint64_t token) {
    Attempt& attempt = attempts_.at(token);
    if (attempt.dueMs > nowMs) return false;
    start(token, attempt);
    return true;
  });
}

bool EventActions::flush(int64_t nowMs) {
  // Dead letters before acknowledgements: an entry leaves the stream only once its failures
  // are on record.
  if (!store_.deadLetter(deadLetters_)) return false;
  deadLetters_.clear();
  if (!stream_.acknowledge(kGroup, done_)) return false;
  done_.clear();
  if (entries_.empty() || nowMs - lastKeepMs_ < settings_.claimIdle.count() / 3) return true;
  held_.clear();
  for (const auto& [key, held] : entries_) held_.push_back(held.entry);
  if (!stream_.keepClaimed(kGroup, settings_.consumer, held_)) return false;
  lastKeepMs_ = nowMs;
  return true;
}

}  // namespace icq::scheduler
