// What a command handler of either protocol reports about its packet's effect, which the
// batch core turns into the acknowledgement and the duplicate window's record.
#pragma once

#include <cstdint>

namespace icq::worker::core {

/// What became of a command's effect.
enum class Outcome : uint8_t {
  done,          // recorded (or nothing to record)
  acknowledged,  // done, and the handler's own reply was the acknowledgement (the extended
                 // SRV_ACKs of protocol-v5.md §6.2 and §6.15): no plain ACK after it
  retry,  // a store failed before the effect was recorded: the client's retransmission
          // must be processed again, so the packet leaves the duplicate window
  handed_over,  // another worker records the effect and acknowledges the packet (a message
                // relayed to its recipient's owner): no ACK from here, and the packet does not
                // enter this session's duplicate window (a retransmission is relayed again;
                // the recipient's owner knows it)
};

}  // namespace icq::worker::core
