// Session uids and the buffer of events waiting for the stream; see event_log.hpp.
#include "common/events/event_log.hpp"

#include <cstdio>

namespace icq::events {

std::string sessionUid(uint32_t uin, uint64_t serial) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%u-%016llx", uin, static_cast<unsigned long long>(serial));
  return std::string(buf, static_cast<size_t>(n));
}

void EventBuffer::record(Event event) {
  if (pending_.size() >= capacity_) {
    ++dropped_;
    return;
  }
  event.id = ids_.next();
  pending_.push_back(std::move(event));
}

}  // namespace icq::events
