// The session journal end to end: real V5 and V3 clients log in, change their status, send a
// message and log off through a real cluster, the workers append the events to the event
// stream in Redis, the scheduler's journal writer stores them in PostgreSQL, and the journal
// then holds each session whole: where it came from, when it began and ended, why it ended,
// and what it did meanwhile.
#include <chrono>
#include <thread>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/events/event_log.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/journal_store_impl.hpp"
#include "tests/e2e/v3_fixture.hpp"
#include "tests/support/event_checks.hpp"

namespace icq::test {
namespace {

using namespace std::chrono_literals;

/// The journal's sessions of `uin` once `done` holds for them, or what it had at the deadline.
template <class Done>
std::vector<store::JournalSession> waitForJournal(PgDatabase& database, uint32_t uin, Done&& done) {
  pg::PgConnection connection(database.url());
  pg::PgJournalStore journal(connection);
  std::vector<store::JournalSession> sessions;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (journal.sessions({.uin = uin}, sessions) && done(sessions)) break;
    std::this_thread::sleep_for(100ms);
  }
  return sessions;
}

std::vector<events::Event> timelineOf(PgDatabase& database, const std::string& session) {
  pg::PgConnection connection(database.url());
  pg::PgJournalStore journal(connection);
  std::vector<events::Event> events;
  REQUIRE(journal.timeline(session, events));
  return events;
}

/// A status change and a message, as the timeline of the sender's session has them.
void checkStatusAndMessage(const std::vector<events::Event>& timeline, uint32_t to) {
  CHECK(valueOf(onlyEvent(timeline, events::EventKind::status), "status") == "1");  // away
  const events::Event& message = onlyEvent(timeline, events::EventKind::message);
  CHECK(valueOf(message, "to") == std::to_string(to));
  CHECK(valueOf(message, "type") == "1");
  CHECK(valueOf(message, "delivery") == "offline");  // the recipient is not online
  CHECK(message.field("text") == nullptr);           // events.message_text is off
}

bool allEnded(const std::vector<store::JournalSession>& sessions, size_t count) {
  if (sessions.size() != count) return false;
  for (const auto& s : sessions)
    if (!s.startedMs || !s.endedMs) return false;
  return true;
}

}  // namespace

TEST_CASE("journal: a V5 session and a V3 session are on record from login to logoff", "[e2e][journal]") {
  E2E e2e;
  INFO(e2e.cluster.logs());
  {
    V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.1");
    REQUIRE(alice.login() == LoginOutcome::accepted);
    std::array<uint8_t, 4> status{};
    v5::buildStatusData(0x0001, status);  // away
    REQUIRE(alice.expectAckOf(alice.send(v5::CMD_STATUS_CHANGE, status)));
    const std::string_view text = "for the record";
    std::array<uint8_t, 64> message{};
    const size_t n = v5::buildSendMessageData(
        kBob, v5::kMsgText, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), message);
    REQUIRE(alice.expectAckOf(alice.send(v5::CMD_SEND_MESSAGE, std::span(message).first(n))));
    alice.logoff();
  }
  {
    V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.9.2");
    REQUIRE(bob.login() == V3LoginOutcome::accepted);
    REQUIRE(bob.setStatus(v3::kStatusAway));
    REQUIRE(bob.expectAckOf(bob.sendMessage(kAlice, v3::kMsgText, "for the record too")));
    bob.logoff();
  }
  const auto alice = waitForJournal(e2e.database, kAlice, [](const auto& s) { return allEnded(s, 1); });
  REQUIRE(alice.size() == 1);
  CHECK(alice[0].protocol == 5);
  CHECK(alice[0].address == "127.0.9.1");
  CHECK(alice[0].gateway == e2e.cluster.gatewayId(0));
  CHECK(alice[0].endReason == "logoff");
  CHECK(*alice[0].startedMs <= *alice[0].endedMs);
  CHECK(alice[0].messages == 1);
  checkStatusAndMessage(timelineOf(e2e.database, alice[0].id), kBob);

  const auto bob = waitForJournal(e2e.database, kBob, [](const auto& s) { return allEnded(s, 1); });
  REQUIRE(bob.size() == 1);
  CHECK(bob[0].protocol == 3);
  CHECK(bob[0].address == "127.0.9.2");
  CHECK(bob[0].endReason == "logoff");
  CHECK(bob[0].messages == 1);
  checkStatusAndMessage(timelineOf(e2e.database, bob[0].id), kAlice);
}

TEST_CASE("journal: a session replaced by a new login and a session expired say so", "[e2e][journal]") {
  E2E e2e({.settings = {"v5.session_ttl_s=5", "scheduler.tick_ms=200"}});
  INFO(e2e.cluster.logs());
  V5Client first(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.3");
  REQUIRE(first.login() == LoginOutcome::accepted);
  V5Client second(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.4");
  REQUIRE(second.login() == LoginOutcome::accepted);
  // The second goes quiet: the scheduler expires it after v5.session_ttl_s.
  const auto sessions = waitForJournal(e2e.database, kAlice, [](const auto& s) { return allEnded(s, 2); });
  REQUIRE(sessions.size() == 2);
  // Latest start first.
  CHECK(sessions[0].address == "127.0.9.4");
  CHECK(sessions[0].endReason == "expired");
  CHECK(sessions[1].address == "127.0.9.3");
  CHECK(sessions[1].endReason == "replaced");
}

}  // namespace icq::test
