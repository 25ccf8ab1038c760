// The packet results and their export; see packet_stats.hpp. Names and labels: docs/METRICS.md.
#include "worker/core/packet_stats.hpp"

#include <string>

#include "common/ops/metrics.hpp"

namespace icq::worker::core {

std::string_view packetResultName(PacketResult result) {
  switch (result) {
    case PacketResult::ok:
      return "ok";
    case PacketResult::duplicate:
      return "duplicate";
    case PacketResult::not_connected:
      return "not_connected";
    case PacketResult::malformed:
      return "malformed";
    case PacketResult::store_error:
      return "store_error";
    case PacketResult::throttled:
      return "throttled";
    case PacketResult::count_:
      break;
  }
  return "other";
}

PacketResult PacketCounters::resultSince(const Marks& before, bool retry) const {
  if (malformedBodies.value() > before.malformed) return PacketResult::malformed;
  if (retry || storeFailures.value() > before.storeFailures) return PacketResult::store_error;
  if (busyReplies.value() > before.busy) return PacketResult::throttled;
  return PacketResult::ok;
}

void exportPackets(std::span<const PacketRow> rows, std::string_view (*slotName)(size_t), const char* version,
                   ops::TallyExporter& exporter) {
  auto& packets = ops::counterFamily("icq_worker_packets_total",
                                     "Client packets a worker processed, by protocol version, command and result.");
  for (size_t slot = 0; slot < rows.size(); ++slot) {
    std::string_view command = slotName(slot);
    if (command.empty()) continue;
    for (size_t r = 0; r < rows[slot].size(); ++r)
      exporter.sparseCounter(rows[slot][r], packets,
                             {{"version", version},
                              {"command", std::string(command)},
                              {"result", std::string(packetResultName(static_cast<PacketResult>(r)))}});
  }
}

}  // namespace icq::worker::core
