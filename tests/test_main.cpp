// The one Catch2 main every test binary links (tests/CMakeLists.txt). Like every icqcluster
// process (util::stopOnSignals), a test ignores SIGPIPE: a write to a peer that went away
// (a Redis restarted under a Unix-socket connection) must fail with EPIPE, not kill the run.
// A listener keeps whether the running test case has failed (test_outcome.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

#include "tests/test_outcome.hpp"

namespace icq::test {
namespace {

bool failed = false;

struct OutcomeListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo&) override { failed = false; }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) failed = true;
    return true;
  }
};
CATCH_REGISTER_LISTENER(OutcomeListener)

}  // namespace

bool currentTestFailed() { return failed; }

}  // namespace icq::test

// libpqxx 6.4 leaks the libpq result of the statement that discovers a lost connection (a
// query, a prepared statement, a transaction's BEGIN): it asks the dead connection for its
// encoding before taking ownership of the result, and that throws. About 2 KiB per lost
// connection, outside our code; tests that cut connections on purpose (a PostgreSQL stopped
// under a store) would otherwise fail under LeakSanitizer. The suppression names the module
// that made the allocation, libpq, because libpq is built without frame pointers and the
// fast unwinder stops inside it: the libpqxx caller is often not in the stack at all. We
// never call libpq ourselves, so a leak of our own (an object we allocate) is still reported.
// Here, in the main every test links, so no test can miss it.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpq.so\n"; }

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
