// The one Catch2 main every test binary links (tests/CMakeLists.txt). Like every icqcluster
// process (util::stopOnSignals), a test ignores SIGPIPE: a write to a peer that went away
// (a Redis restarted under a Unix-socket connection) must fail with EPIPE, not kill the run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
