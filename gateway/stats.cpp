// Names of the gateway's drop reasons (metric labels); see stats.hpp.
#include "gateway/stats.hpp"

namespace icq::gateway {

std::string_view dropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::too_short:
      return "too_short";
    case DropReason::too_long:
      return "too_long";
    case DropReason::unsupported_version:
      return "unsupported_version";
    case DropReason::malformed:
      return "malformed";
    case DropReason::rate_limited:
      return "rate_limited";
    case DropReason::queue_full:
      return "queue_full";
    case DropReason::queue_expired:
      return "queue_expired";
    case DropReason::worker_lost:
      return "worker_lost";
    case DropReason::count_:
      break;
  }
  return "other";
}

uint64_t GatewayStats::droppedTotal() const {
  uint64_t total = 0;
  for (uint64_t n : dropped) total += n;
  return total;
}

}  // namespace icq::gateway
