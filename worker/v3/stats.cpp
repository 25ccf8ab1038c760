// The export of a worker's V3 counters to the admin port: the same families and labels as
// the V5 ones (worker/v5/stats.cpp) with version="3". Names and labels: docs/METRICS.md.
#include "worker/v3/stats.hpp"

#include <string>

#include "common/codec/v3/packet.hpp"
#include "common/ops/metrics.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {

void exportV3Stats(const V3Stats& stats, ops::TallyExporter& exporter) {
  core::exportPackets(stats.packets, v3CommandSlotName, "3", exporter);
  // The families are the V5 export's: counterFamily returns the one registered under a name.
  auto& decodeErrors = ops::counterFamily("icq_worker_decode_errors_total",
                                          "Datagrams a worker could not decode, by protocol version and reason.");
  for (size_t e = 1; e < stats.decodeErrors.size(); ++e)
    exporter.counter(stats.decodeErrors[e],
                     decodeErrors.Add({{"version", "3"},
                                       {"reason", std::string(codec::v3::decodeErrorName(
                                                      static_cast<codec::v3::DecodeError>(e)))}}));
  auto& logins = ops::counterFamily("icq_worker_logins_total", "Login attempts a worker answered, by result.");
  exporter.counter(stats.loginsAccepted, logins.Add({{"version", "3"}, {"result", "accepted"}}));
  exporter.counter(stats.loginsRefused, logins.Add({{"version", "3"}, {"result", "refused"}}));
  exporter.counter(stats.loginsRepeated, logins.Add({{"version", "3"}, {"result", "repeated"}}));
}

}  // namespace icq::worker::v3
