// The events V5 handlers record for the journal (worker/core/session_events.hpp,
// request_events.hpp), against the in-memory stores: each kind with its session and fields,
// a message's text only with events.message_text, and a rate limit once per window.
#include <catch2/catch.hpp>

#include "common/codec/v5/meta.hpp"
#include "tests/support/event_checks.hpp"
#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

using events::EventKind;

constexpr uint32_t kAlice = 6001, kBob = 6002;

worker::v5::V5Settings cheapHashes() {
  worker::v5::V5Settings settings;
  settings.passwordOpsLimit = 1;  // argon2id's minimum cost: these tests hash, they do not measure
  settings.passwordMemLimitBytes = 8192;
  return settings;
}

template <class Build>
std::vector<uint8_t> built(Build&& build) {
  std::vector<uint8_t> data(512);
  data.resize(build(std::span<uint8_t>(data)));
  return data;
}

struct EventsRig : V5Rig {
  V5Peer alice{kAlice, 0x0A11, endpoint(1, 5001)};
  explicit EventsRig(const worker::v5::V5Settings& settings = cheapHashes()) : V5Rig(settings) {
    users.addUser(kAlice, "secret", "alice");
    users.addUser(kBob, "secret", "bob");
    online(alice);
  }
  std::string aliceSession() { return events::sessionUid(kAlice, sessions.entry(kAlice)->session.serial); }
  const events::Event& only(EventKind kind) { return onlyEvent(events.pending(), kind); }
};

}  // namespace

TEST_CASE("v5 status change and message are events of the sender's session", "[worker][v5][events]") {
  EventsRig rig;
  rig.send(rig.alice, rig.alice.next(v5::CMD_STATUS_CHANGE), statusData(0x0011));
  rig.send(rig.alice, rig.alice.next(v5::CMD_SEND_MESSAGE), messageTo(kBob, "psst"));

  const events::Event& status = rig.only(EventKind::status);
  CHECK(status.uin == kAlice);
  CHECK(status.session == rig.aliceSession());
  CHECK(valueOf(status, "status") == "17");
  const events::Event& message = rig.only(EventKind::message);
  CHECK(message.session == rig.aliceSession());
  CHECK(valueOf(message, "to") == std::to_string(kBob));
  CHECK(valueOf(message, "type") == "1");
  CHECK(valueOf(message, "delivery") == "offline");
  CHECK(message.field("text") == nullptr);  // events.message_text is off by default
}

TEST_CASE("v5 message events carry the text only with events.message_text", "[worker][v5][events]") {
  worker::v5::V5Settings settings = cheapHashes();
  settings.eventMessageText = true;
  EventsRig rig(settings);
  rig.online(V5Peer{kBob, 0x0B0B, endpoint(2, 5002)});
  rig.send(rig.alice, rig.alice.next(v5::CMD_SEND_MESSAGE), messageTo(kBob, "psst"));
  const events::Event& message = rig.only(EventKind::message);
  CHECK(valueOf(message, "delivery") == "online");
  CHECK(valueOf(message, "text") == "psst");
}

TEST_CASE("v5 password and profile changes are events without what was set", "[worker][v5][events]") {
  EventsRig rig;
  rig.send(rig.alice, rig.alice.next(v5::CMD_META_USER),
           built([](auto out) { return v5::buildSetPassData("n3w", out); }));
  rig.send(rig.alice, rig.alice.next(v5::CMD_META_USER),
           built([](auto out) { return v5::buildSetAboutData("all about me", out); }));

  checkAccountChanges(rig.events.pending(), kAlice, rig.aliceSession(), "about");
}

TEST_CASE("v5 search is an event naming what it was by and how many matched", "[worker][v5][events]") {
  EventsRig rig;
  rig.send(rig.alice, rig.alice.next(v5::CMD_META_USER),
           built([](auto out) { return v5::buildMetaUinData(v5::META_SEARCH_UIN, kBob, out); }));
  const events::Event& search = rig.only(EventKind::search);
  CHECK(search.session == rig.aliceSession());
  CHECK(valueOf(search, "by") == "uin");
  CHECK(valueOf(search, "results") == "1");
}

TEST_CASE("v5 registration is an event of the new account", "[worker][v5][events]") {
  worker::v5::V5Settings settings = cheapHashes();
  settings.registration = true;
  EventsRig rig(settings);
  V5Peer stranger{0, 0x5EED, endpoint(9, 6009)};
  v5::RegNewUserRequest request;
  request.password = "pw";
  request.email = "new@example.org";
  rig.send(stranger, stranger.next(v5::CMD_REG_NEW_USER),
           built([&](auto out) { return v5::buildRegNewUserData(request, out); }));

  const events::Event& registration = rig.only(EventKind::registration);
  CHECK(registration.uin != 0);
  CHECK(registration.uin != kAlice);
  CHECK(registration.session.empty());
  CHECK(valueOf(registration, "address") == "127.0.0.9");
  CHECK(valueOf(registration, "protocol") == "5");
}

TEST_CASE("v5 logins over their limit are one rate_limit event per window", "[worker][v5][events]") {
  EventsRig rig;
  rig.limits.perIp = 0;
  V5Peer bob{kBob, 0x0B0B, endpoint(2, 5002)};
  v5::LoginRequest login;
  login.password = "secret";
  const std::vector<uint8_t> data = built([&](auto out) { return v5::buildLoginData(login, out); });
  rig.send(bob, bob.next(v5::CMD_LOGIN), data);
  rig.send(bob, bob.next(v5::CMD_LOGIN), data);

  const events::Event& limited = rig.only(EventKind::rate_limit);
  CHECK(limited.uin == kBob);
  CHECK(valueOf(limited, "limit") == "password_attempts");
  CHECK(valueOf(limited, "address") == "127.0.0.2");
}

}  // namespace icq::test
