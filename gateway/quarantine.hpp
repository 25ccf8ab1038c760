// Which workers the gateway has stopped trusting (issue 14, docs/RELIABILITY.md "Hostile
// traffic"). The gateway reports every violation of the pipeline protocol by the identity
// that sent it — an egress batch or control message it could not read, a Credit past the
// window, more frames than the protocol has. An honest worker makes next to none: a stale
// Credit from a link its Hello replaced now and then. A peer that keeps lying is cut off: past
// kViolationLimit within kViolationWindow the gateway withdraws it from hand-outs and ignores
// what it sends for kQuarantine; after that, only a Hello is read from it, and the Hello makes
// it a worker like any other again, with a clean record.
//
// Times are the gateway loop's monotonic microseconds, passed in (tests drive them). The
// table holds the identities with a recent violation or a cut-off; a record with neither is
// forgotten. Owned by the gateway loop thread; no locking.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace icq::gateway {

enum class Violation : uint8_t {
  malformed_egress,   // an egress batch that did not read to its end
  malformed_control,  // a message that is neither a batch nor a control message we know
  inflated_credit,    // a Hello or Credit past the window (CreditRouter clamped it)
  extra_frames,       // more frames than the protocol's one body
  count_
};

std::string_view violationName(Violation);

class Quarantine {
public:
  // An honest worker's stray violations come one at a time; a lying peer at message rate
  // reaches a hundred within milliseconds, and until then each lie costs it no more than
  // a refused message or clamped credit.
  static constexpr uint32_t kViolationLimit = 100;
  static constexpr std::chrono::microseconds kViolationWindow = std::chrono::seconds(60);
  // Long enough that a lying peer costs the gateway little (one log line, one removal a
  // minute), short enough that a worker that was restarted healthy is back within a minute.
  static constexpr std::chrono::microseconds kQuarantine = std::chrono::seconds(60);

  /// Whether to drop what `worker` sent without reading it: while it is cut off, and after
  /// that until its Hello (`isHello`), which ends the quarantine.
  bool ignores(std::string_view worker, bool isHello, int64_t nowMonoUs);
  /// Counts one violation by `worker`; true when it is the one that cuts the worker off.
  bool violation(std::string_view worker, int64_t nowMonoUs);
  /// Identities the table holds (a test's view of its bound).
  size_t size() const { return records_.size(); }

private:
  struct Record {
    std::string id;
    int64_t windowStartUs = 0;
    uint32_t violations = 0;
    bool cutOff = false;
    int64_t cutOffUntilUs = 0;
  };
  Record* find(std::string_view worker);
  void forgetQuiet(int64_t nowMonoUs);

  std::vector<Record> records_;  // a handful at most, unless peers lie: linear search
};

}  // namespace icq::gateway
