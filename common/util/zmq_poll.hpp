// zmq::poll that treats a signal as "no events": SIGTERM interrupts the wait (EINTR),
// and the loop then sees its StopToken instead of an exception unwinding the process.
#pragma once

#include <zmq.hpp>

#include <cerrno>
#include <chrono>

namespace icq::util {

inline int pollIgnoringSignals(zmq::pollitem_t* items, size_t count, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    for (size_t i = 0; i < count; ++i) items[i].revents = 0;
    return 0;
  }
}

}  // namespace icq::util
