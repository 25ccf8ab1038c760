// The runner against real receivers: programs run with the event in their environment and
// are killed at their time limit; webhooks reach an HTTP server in this test, signed, and an
// error reply is reported as a failure; mail reaches a real SMTP sink (Debian's aiosmtpd).
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <thread>

#include "common/actions/payload.hpp"
#include "common/actions/runner.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace icq::actions {
namespace {

using namespace std::chrono_literals;

struct RecordingMessenger final : Messenger {
  bool send(const std::string& text, const std::vector<uint32_t>& uins, std::string& error) override {
    sent.emplace_back(text, uins);
    if (fail) error = "unavailable";
    return !fail;
  }
  std::vector<std::pair<std::string, std::vector<uint32_t>>> sent;
  bool fail = false;
};

events::Event sample() {
  events::Event event;
  event.id = "ev-1";
  event.kind = events::EventKind::login;
  event.atMs = 1'765'000'000'000;
  event.uin = 100001;
  event.session = "100001-0000000000000001";
  event.with("address", "10.1.2.3");
  return event;
}

/// Polls until the attempt `token` ends (or 20 s pass: a hung attempt fails the test).
Finished waitFor(Runner& runner, uint64_t token) {
  std::vector<Finished> finished;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    runner.poll(50ms, finished);
    for (Finished& f : finished)
      if (f.token == token) return f;
  }
  FAIL("attempt " << token << " did not end within 20 s");
  return {};
}

Action program(std::vector<std::string> argv, std::chrono::milliseconds timeout = 5s) {
  Action action;
  action.type = ActionType::run;
  action.argv = std::move(argv);
  action.retry.timeout = timeout;
  return action;
}

}  // namespace

TEST_CASE("log lines and ICQ messages end as they start", "[actions]") {
  RecordingMessenger messenger;
  Runner runner(messenger);
  Action log;
  log.text = "hello {uin}";
  runner.start(1, log, sample(), "r");
  CHECK(waitFor(runner, 1).ok);
  Action message;
  message.type = ActionType::icq_message;
  message.to = {100002, 100003};
  message.text = "{uin} is online";
  runner.start(2, message, sample(), "r");
  CHECK(waitFor(runner, 2).ok);
  REQUIRE(messenger.sent.size() == 1);
  CHECK(messenger.sent[0].first == "100001 is online");
  CHECK(messenger.sent[0].second == std::vector<uint32_t>{100002, 100003});
  messenger.fail = true;
  runner.start(3, message, sample(), "r");
  const Finished failed = waitFor(runner, 3);
  CHECK_FALSE(failed.ok);
  CHECK(failed.error == "unavailable");
}

TEST_CASE("a program runs with the event's fields and its exit status is its outcome", "[actions]") {
  RecordingMessenger messenger;
  Runner runner(messenger);
  const std::string dir = test::makeTempDir("icq-actions-");
  runner.start(1, program({"/bin/sh", "-c", "env > " + dir + "/env-{uin}"}), sample(), "vip");
  CHECK(waitFor(runner, 1).ok);
  const std::string env = test::fileText(dir + "/env-100001");
  CHECK(env.find("ICQ_EVENT_UIN=100001\n") != std::string::npos);
  CHECK(env.find("ICQ_EVENT_ADDRESS=10.1.2.3\n") != std::string::npos);
  CHECK(env.find("ICQ_EVENT_RULE=vip\n") != std::string::npos);
  CHECK(env.find("ICQ_TEST_PG_ADMIN_URL") == std::string::npos);  // nothing of ours leaks

  runner.start(2, program({"/bin/sh", "-c", "exit 3"}), sample(), "r");
  const Finished failed = waitFor(runner, 2);
  CHECK_FALSE(failed.ok);
  CHECK(failed.error == "exit status 3");

  runner.start(3, program({dir + "/no-such-program"}), sample(), "r");
  const Finished missing = waitFor(runner, 3);
  CHECK_FALSE(missing.ok);
  CHECK(missing.error.starts_with("cannot run " + dir + "/no-such-program"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a program past its time limit is killed with what it started", "[actions]") {
  RecordingMessenger messenger;
  Runner runner(messenger);
  const std::string dir = test::makeTempDir("icq-actions-");
  // The shell starts a child, names it, and waits for it: killing the process group must end both.
  runner.start(1, program({"/bin/sh", "-c", "sleep 30 & echo $! > " + dir + "/child; wait"}, 300ms), sample(), "r");
  const Finished finished = waitFor(runner, 1);
  CHECK_FALSE(finished.ok);
  CHECK(finished.error == "timed out after 300 ms");
  CHECK(runner.running() == 0);
  const std::string child = test::fileText(dir + "/child");
  REQUIRE_FALSE(child.empty());
  // Gone, or a zombie waiting for whoever adopted it: either way it runs no more.
  auto ended = [&] {
    const std::string stat = test::fileText("/proc/" + child.substr(0, child.find('\n')) + "/stat");
    const size_t close = stat.rfind(')');
    return stat.empty() || (close != std::string::npos && (stat[close + 2] == 'Z' || stat[close + 2] == 'X'));
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!ended() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  CHECK(ended());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a webhook is signed and an error reply is a failure", "[actions]") {
  test::WebhookReceiver receiver({500, 204});
  RecordingMessenger messenger;
  Runner runner(messenger);
  Action hook;
  hook.type = ActionType::webhook;
  hook.url = receiver.url();
  hook.secret = "s3cret";

  runner.start(1, hook, sample(), "vip");
  const Finished first = waitFor(runner, 1);
  CHECK_FALSE(first.ok);
  CHECK(first.error == "HTTP status 500");
  runner.start(2, hook, sample(), "vip");
  CHECK(waitFor(runner, 2).ok);

  const auto received = receiver.received();
  REQUIRE(received.size() == 2);
  const ops::HttpRequest& request = received[1];
  CHECK(request.body == eventJson(sample(), "vip"));
  CHECK(request.header("x-icq-signature") == signature("s3cret", request.body));
  CHECK(request.header("x-icq-event-id") == "ev-1");
  CHECK(request.header("x-icq-event") == "login");
  CHECK(request.header("content-type") == "application/json");
}

TEST_CASE("a webhook that cannot connect fails with the reason", "[actions]") {
  RecordingMessenger messenger;
  Runner runner(messenger);
  Action hook;
  hook.type = ActionType::webhook;
  hook.url = "http://127.0.0.1:" + std::to_string(test::freeTcpPort()) + "/hook";
  hook.secret = "k";
  runner.start(1, hook, sample(), "r");
  const Finished finished = waitFor(runner, 1);
  CHECK_FALSE(finished.ok);
  CHECK_FALSE(finished.error.empty());
}

TEST_CASE("a mail reaches a real SMTP server", "[actions]") {
  const std::string dir = test::makeTempDir("icq-smtp-");
  const uint16_t port = test::freeTcpPort();
  // Debian's aiosmtpd, storing what it accepts in a maildir.
  test::ChildProcess sink(
      "/usr/bin/aiosmtpd",
      {"-n", "-l", "127.0.0.1:" + std::to_string(port), "-c", "aiosmtpd.handlers.Mailbox", dir + "/maildir"},
      dir + "/aiosmtpd.log");
  RecordingMessenger messenger;
  Runner runner(messenger);
  Action mail;
  mail.type = ActionType::mail;
  mail.url = "smtp://127.0.0.1:" + std::to_string(port);
  mail.from = "icq@example.org";
  mail.recipients = {"ops@example.org"};
  mail.subject = "login of {uin}";
  mail.text = "{uin} logged in from {address}";
  mail.retry.timeout = 5s;
  // The sink takes a moment to listen: try until it accepts (each try is a real send).
  Finished finished;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  for (uint64_t token = 1; std::chrono::steady_clock::now() < deadline; ++token) {
    runner.start(token, mail, sample(), "r");
    finished = waitFor(runner, token);
    if (finished.ok) break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(finished.ok);
  std::string stored;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/maildir/new")) stored += test::fileText(entry.path());
  INFO(sink.logTail());
  CHECK(stored.find("Subject: login of 100001") != std::string::npos);
  CHECK(stored.find("100001 logged in from 10.1.2.3") != std::string::npos);
  CHECK(stored.find("Message-ID: <ev-1@example.org>") != std::string::npos);
  sink.stop(SIGTERM);
  std::filesystem::remove_all(dir);
}

}  // namespace icq::actions
