// EventLog: where a process records what happened (event.hpp). Handlers record as they go; the
// process's loop writes the turn's events to the event stream in one round trip
// (EventBuffer::pending, RedisEventStream::append), so that no packet waits for the stream,
// and keeps them while the stream cannot be reached, up to a bound past which further events
// are dropped and counted: an event is worth less than the memory of the process keeping it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/events/event.hpp"

namespace icq::events {

class EventLog {
public:
  virtual ~EventLog() = default;
  /// Records `event`; its id is given here.
  virtual void record(Event event) = 0;
};

/// A session's unique id in events and in the journal: its UIN and the random serial its
/// login drew (store::Session::serial), "<uin>-<serial in hex>".
std::string sessionUid(uint32_t uin, uint64_t serial);

/// The events of a process waiting to be written, oldest first. One per thread.
class EventBuffer final : public EventLog {
public:
  explicit EventBuffer(size_t capacity, EventIds ids = EventIds()) : capacity_(capacity), ids_(std::move(ids)) {}

  void record(Event event) override;

  bool empty() const { return pending_.empty(); }
  /// What waits, oldest first.
  std::span<const Event> pending() const { return pending_; }
  /// They were written: forget them.
  void clear() { pending_.clear(); }
  /// Events dropped because the buffer was full (the stream was out of reach for long).
  uint64_t droppedTotal() const { return dropped_; }

private:
  size_t capacity_;
  EventIds ids_;
  std::vector<Event> pending_;
  uint64_t dropped_ = 0;
};

}  // namespace icq::events
