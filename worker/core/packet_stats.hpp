// The per-command packet counts both protocols keep (the icq_worker_packets_total family,
// docs/METRICS.md): what became of each client packet, by command row and result.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"

namespace icq::worker::core {

/// What became of one client packet: the `result` label of icq_worker_packets_total.
enum class PacketResult : uint8_t { ok, duplicate, not_connected, malformed, store_error, throttled, count_ };
std::string_view packetResultName(PacketResult);

/// One command's packets by result.
using PacketRow = std::array<ops::Tally, static_cast<size_t>(PacketResult::count_)>;

/// Registers per-command packet rows as the icq_worker_packets_total series of protocol
/// `version`, each labelled with its row's `slotName` (rows with an empty name are unused).
void exportPackets(std::span<const PacketRow> rows, std::string_view (*slotName)(size_t), const char* version,
                   ops::TallyExporter& exporter);

}  // namespace icq::worker::core
