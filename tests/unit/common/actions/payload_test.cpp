// The forms an event takes for its actions: placeholders, the webhook body and its signature
// (an RFC 4231 vector), a program's environment and a mail that cannot grow headers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "common/actions/payload.hpp"

namespace icq::actions {
namespace {

events::Event sample() {
  events::Event event;
  event.id = "abc-7";
  event.kind = events::EventKind::login;
  event.atMs = 1'765'000'000'123;  // 2025-12-06T05:46:40Z
  event.uin = 100001;
  event.session = "100001-00000000000000ff";
  event.with("address", "10.1.2.3").with("client_version", "6");
  return event;
}

}  // namespace

TEST_CASE("placeholders are filled from the event and the rule", "[actions]") {
  const events::Event event = sample();
  CHECK(expand("{uin} from {address} at {at} ({kind}, {rule}, {id}, {session})", event, "vip") ==
        "100001 from 10.1.2.3 at 2025-12-06T05:46:40Z (login, vip, abc-7, 100001-00000000000000ff)");
  CHECK(expand("{missing}|{not a name}|{|}|{", event, "r") == "|{not a name}|{|}|{");
  CHECK(expand("", event, "r").empty());
}

TEST_CASE("the webhook body carries the event and its fields", "[actions]") {
  const auto body = nlohmann::json::parse(eventJson(sample(), "vip"));
  CHECK(body["id"] == "abc-7");
  CHECK(body["kind"] == "login");
  CHECK(body["at"] == 1'765'000'000'123);
  CHECK(body["time"] == "2025-12-06T05:46:40Z");
  CHECK(body["uin"] == 100001);
  CHECK(body["rule"] == "vip");
  CHECK(body["fields"]["address"] == "10.1.2.3");
  events::Event odd = sample();
  odd.with("text", std::string("caf\xe9", 4));  // a client's code page, not UTF-8
  CHECK(nlohmann::json::parse(eventJson(odd, "r"))["fields"]["text"] == "caf\xef\xbf\xbd");
}

TEST_CASE("the signature is HMAC-SHA256 in hex", "[actions]") {
  // RFC 4231, test case 2.
  CHECK(signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a program gets the event in its environment and nothing else of ours", "[actions]") {
  const auto env = programEnvironment(sample(), "vip");
  auto has = [&](const std::string& var) { return std::find(env.begin(), env.end(), var) != env.end(); };
  CHECK(has("ICQ_EVENT_ID=abc-7"));
  CHECK(has("ICQ_EVENT_KIND=login"));
  CHECK(has("ICQ_EVENT_UIN=100001"));
  CHECK(has("ICQ_EVENT_RULE=vip"));
  CHECK(has("ICQ_EVENT_ADDRESS=10.1.2.3"));
  CHECK(has("ICQ_EVENT_CLIENT_VERSION=6"));
  CHECK(env.size() == 9);  // PATH, six of the event's own, two fields
}

TEST_CASE("a mail's subject cannot add headers and its id follows the event", "[actions]") {
  const std::string mail =
      mailMessage("icq@example.org", {"a@example.org", "b@example.org"}, "hi\r\nBcc: x@evil", "body", sample());
  CHECK(mail.find("\r\nSubject: hi  Bcc: x@evil\r\n") != std::string::npos);
  CHECK(mail.find("\r\nBcc:") == std::string::npos);
  CHECK(mail.find("To: a@example.org, b@example.org\r\n") != std::string::npos);
  CHECK(mail.find("Message-ID: <abc-7@example.org>\r\n") != std::string::npos);
  CHECK(mail.ends_with("\r\n\r\nbody\r\n"));
}

}  // namespace icq::actions
