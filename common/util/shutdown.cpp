// Signal wiring for StopToken; see shutdown.hpp.
#include "common/util/shutdown.hpp"

#include <csignal>

namespace icq::util {
namespace {
StopToken* gToken = nullptr;

extern "C" void onStopSignal(int) {
  if (gToken) gToken->requestStop();
}
}  // namespace

void stopOnSignals(StopToken& token) {
  gToken = &token;
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace icq::util
