// Events' kinds by name, ids unique per process and across processes, session ids, and the
// buffer that holds a turn's events: ids given on record, and a bound past which events are
// dropped and counted rather than held.
#include <catch2/catch.hpp>

#include <set>

#include "common/events/event_log.hpp"

namespace icq::events {

TEST_CASE("event kinds round-trip through their names, and unknown names are none", "[events]") {
  for (auto kind : {EventKind::login, EventKind::logoff, EventKind::session_end, EventKind::status,
                    EventKind::registration, EventKind::password, EventKind::info, EventKind::message,
                    EventKind::search, EventKind::admin, EventKind::rate_limit})
    CHECK(kindNamed(kindName(kind)) == kind);
  CHECK(kindName(EventKind::session_end) == "session_end");
  CHECK_FALSE(kindNamed("LOGIN").has_value());
  CHECK_FALSE(kindNamed("").has_value());
}

TEST_CASE("event ids never repeat within a process nor across two", "[events]") {
  EventIds a, b;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    CHECK(seen.insert(a.next()).second);
    CHECK(seen.insert(b.next()).second);
  }
}

TEST_CASE("a session id is its UIN and its login serial", "[events]") {
  CHECK(sessionUid(1001, 0xABCDEF) == "1001-0000000000abcdef");
  CHECK(sessionUid(1001, 1) != sessionUid(1002, 1));
  CHECK(sessionUid(1001, 1) != sessionUid(1001, 2));
}

TEST_CASE("the event buffer gives ids, keeps order, and drops what does not fit", "[events]") {
  EventBuffer buffer(3, EventIds("p"));
  for (uint32_t uin = 1; uin <= 5; ++uin) {
    Event event;
    event.uin = uin;
    buffer.record(event);
  }
  REQUIRE(buffer.pending().size() == 3);
  CHECK(buffer.pending()[0].uin == 1);
  CHECK(buffer.pending()[2].uin == 3);
  CHECK(buffer.pending()[0].id == "p-1");
  CHECK(buffer.pending()[2].id == "p-3");
  CHECK(buffer.droppedTotal() == 2);
  buffer.clear();
  CHECK(buffer.empty());
  buffer.record(Event{});
  CHECK(buffer.pending()[0].id == "p-4");
}

}  // namespace icq::events
