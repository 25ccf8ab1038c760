// The one Catch2 main every test binary links (tests/CMakeLists.txt). Like every icqcluster
// process (util::stopOnSignals), a test ignores SIGPIPE: a write to a peer that went away
// (a Redis restarted under a Unix-socket connection) must fail with EPIPE, not kill the run.
//
// Under LeakSanitizer (the Debug build's ASan), one known leak is not ours: Debian's libpqxx
// 6.4 drops the PGresult libpq makes for a statement sent on a connection that is gone (216
// bytes per failed statement), which the PostgreSQL outage tests do on purpose. The hook is
// the sanitizer runtime's; a build without it never calls it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

extern "C" const char* __lsan_default_suppressions() { return "leak:PQmakeEmptyPGresult\n"; }

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
