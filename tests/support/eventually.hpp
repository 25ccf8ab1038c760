// Waiting for a condition with a deadline, the one way tests wait (STYLE.md: never sleep a
// fixed time and then assert).
#pragma once

#include <chrono>
#include <thread>

namespace icq::test {

/// Polls `condition` every 20 ms until it holds or `timeout` has passed; its last answer.
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace icq::test
