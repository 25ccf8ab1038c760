// Runner: carries out action attempts side by side without ever blocking its thread on one.
// Webhooks and mail are libcurl transfers in one multi handle, advanced whenever poll() runs;
// programs are child processes (their own process group, so a time limit kills what they
// started too) reaped without waiting; log lines and ICQ messages finish inside start().
// Whether to try again, and when, is the caller's (scheduler/event_actions.hpp): the runner
// only says how each attempt ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/actions/rule.hpp"
#include "common/events/event.hpp"

namespace icq::actions {

/// Where icq_message actions go: the cluster's system messages (admin::ClusterAdmin's
/// broadcast), delivered live or stored offline.
class Messenger {
public:
  virtual ~Messenger() = default;
  /// False, with `error` set, when the message could not be handed on for every UIN.
  virtual bool send(const std::string& text, const std::vector<uint32_t>& uins, std::string& error) = 0;
};

/// How one attempt ended.
struct Finished {
  uint64_t token = 0;  // what start() was given
  bool ok = false;
  std::string error;  // why not, for the log and the dead-letter record
};

class Runner {
public:
  explicit Runner(Messenger& messenger);
  ~Runner();  // abandons transfers, kills children
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// Begins `action` for `event` (a rule named `rule`); its end is reported by a later poll().
  void start(uint64_t token, const Action& action, const events::Event& event, std::string_view rule);
  /// Advances everything under way, waiting up to `wait` for something to happen, and
  /// appends what finished to `finished`.
  void poll(std::chrono::milliseconds wait, std::vector<Finished>& finished);
  /// Attempts under way.
  size_t running() const { return transfers_.size() + children_.size(); }

  struct Transfer;  // a webhook's or a mail's libcurl state (runner.cpp)

private:
  struct Child {
    uint64_t token;
    pid_t pid;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds limit;
    bool killed = false;
  };

  void startTransfer(uint64_t token, const Action& action, const events::Event& event, std::string_view rule);
  void startProgram(uint64_t token, const Action& action, const events::Event& event, std::string_view rule);
  void collectTransfers(std::vector<Finished>& finished);
  void collectChildren(std::vector<Finished>& finished);

  Messenger& messenger_;
  void* multi_;  // CURLM*, kept out of this header
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<Child> children_;
  std::vector<Finished> done_;  // finished inside start()
};

}  // namespace icq::actions
