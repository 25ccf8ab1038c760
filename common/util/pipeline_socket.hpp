// The ZeroMQ settings every pipeline socket shares (gateway ROUTER, worker DEALERs), and a
// poll that lets a signal through as "no events". Header-only: util does not link ZeroMQ,
// the roles that include this do.
#pragma once

#include <zmq.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace icq::util {

/// Options both ends of a gateway ⇄ worker connection need. `maxMessage` is the largest
/// message a legitimate peer sends this socket (envelope::kMaxBatchMessage, kMaxPeerMessage):
/// ZeroMQ refuses a longer one from its header, before allocating it, and disconnects the peer.
inline void setPipelineOptions(zmq::socket_t& socket, size_t maxMessage) {
  socket.set(zmq::sockopt::linger, 0);  // at shutdown, what is unsent is covered by retransmission
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(maxMessage));
  // Credits bound what is in flight; the HWMs only need to exceed any credit window.
  socket.set(zmq::sockopt::sndhwm, 100000);
  socket.set(zmq::sockopt::rcvhwm, 100000);
  // Detect a dead peer's TCP connection within seconds even without a FIN/RST.
  socket.set(zmq::sockopt::heartbeat_ivl, 1000);
  socket.set(zmq::sockopt::heartbeat_timeout, 3000);
}

/// zmq::poll, except that SIGTERM's EINTR reads as "no events": the loop then sees its
/// StopToken instead of an exception unwinding the process.
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
