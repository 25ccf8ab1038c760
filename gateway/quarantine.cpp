// Violation counting and cut-offs per worker identity; see quarantine.hpp.
#include "gateway/quarantine.hpp"

#include <algorithm>

namespace icq::gateway {

std::string_view violationName(Violation violation) {
  switch (violation) {
    case Violation::malformed_egress:
      return "malformed_egress";
    case Violation::malformed_control:
      return "malformed_control";
    case Violation::inflated_credit:
      return "inflated_credit";
    case Violation::extra_frames:
      return "extra_frames";
    case Violation::count_:
      break;
  }
  return "other";
}

Quarantine::Record* Quarantine::find(std::string_view worker) {
  for (Record& r : records_)
    if (r.id == worker) return &r;
  return nullptr;
}

bool Quarantine::ignores(std::string_view worker, bool isHello, int64_t nowMonoUs) {
  if (records_.empty()) return false;  // the usual case: nobody lied
  Record* r = find(worker);
  if (!r || !r->cutOff) return false;
  if (nowMonoUs < r->cutOffUntilUs || !isHello) return true;
  std::erase_if(records_, [&](const Record& each) { return &each == r; });  // trusted again
  return false;
}

bool Quarantine::violation(std::string_view worker, int64_t nowMonoUs) {
  forgetQuiet(nowMonoUs);
  Record* r = find(worker);
  if (!r) r = &records_.emplace_back(Record{std::string(worker), nowMonoUs});
  if (r->cutOff) return false;  // ignored meanwhile: nothing of it is read to count
  if (++r->violations <= kViolationLimit) return false;
  r->cutOff = true;
  r->cutOffUntilUs = nowMonoUs + kQuarantine.count();
  return true;
}

void Quarantine::forgetQuiet(int64_t nowMonoUs) {
  std::erase_if(records_,
                [&](const Record& r) { return !r.cutOff && nowMonoUs - r.windowStartUs >= kViolationWindow.count(); });
}

}  // namespace icq::gateway
