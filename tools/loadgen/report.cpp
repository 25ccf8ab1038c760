// loadgen: text and JSON reports; see report.hpp. Latencies are in microseconds in JSON and
// milliseconds in text; throughput is per second of the measurement window.
#include "tools/loadgen/report.hpp"

#include <fmt/format.h>

#include "common/util/endpoint.hpp"

namespace icq::loadgen {
namespace {

double perSecond(uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }

// The seconds a scenario's throughput is counted over: offline delivery happens in its second phase.
double throughputSeconds(const RunResult& r) {
  return r.options.scenario == Scenario::offline ? r.offlineLoginS : r.measuredS;
}

double micros(int64_t nanos) { return static_cast<double>(nanos) / 1e3; }

}  // namespace

nlohmann::json jsonReport(const RunResult& r) {
  const Options& o = r.options;
  nlohmann::json j;
  j["scenario"] = scenarioName(o.scenario);
  j["server"] = util::formatEndpoint(o.server);
  j["first_uin"] = o.firstUin;
  j["sessions"] = o.sessions;
  j["threads"] = r.threads;
  j["sockets"] = r.sockets;
  j["offered_rate"] = o.rate;  // 0: flat out
  j["inflight_per_thread"] = o.inflight;
  j["contacts"] = o.contacts;
  j["online_wanted"] = r.onlineWanted;
  j["online_reached"] = r.onlineReached;
  j["connect_s"] = r.connectS;
  j["duration_s"] = o.durationS;  // the bound (offline: per phase; storm: the storm's)
  j["measured_s"] = r.measuredS;
  if (o.scenario == Scenario::offline) {
    j["offline_store_s"] = r.offlineStoreS;
    j["offline_login_s"] = r.offlineLoginS;
    j["offline_stored_per_s"] = perSecond(r.at(Counter::messages_acked), r.offlineStoreS);
  }
  if (o.scenario == Scenario::storm) {
    const LatencyHistogram& storm = r.latency(Latency::storm_login);
    j["storm"] = o.storm;
    j["storm_first_uin"] = o.stormBase();
    j["storm_online"] = r.totalAt(Counter::storm_logins);
    // The last of the storm's logins to be answered; null if some never were within the bound.
    j["storm_all_online_s"] = r.totalAt(Counter::storm_logins) == o.storm
                                  ? nlohmann::json(static_cast<double>(storm.max()) / 1e9)
                                  : nlohmann::json(nullptr);
    j["worst_second_keepalive_p99_us"] = micros(r.worstSecondKeepAliveP99Ns);
  }
  j["unit"] = primaryUnit(o.scenario);
  j["operations"] = r.at(primaryCounter(o.scenario));
  j["throughput_per_s"] = perSecond(r.at(primaryCounter(o.scenario)), throughputSeconds(r));
  j["datagrams_sent_per_s"] = perSecond(r.at(Counter::datagrams_sent), r.measuredS);
  j["datagrams_received_per_s"] = perSecond(r.at(Counter::datagrams_received), r.measuredS);
  j["errors"] = r.errors();
  j["busy"] = r.totalAt(Counter::busy);
  j["retransmits"] = r.totalAt(Counter::retransmits);
  for (size_t l = 0; l < r.latencies.size(); ++l) {
    const LatencyHistogram& h = r.latencies[l];
    if (h.count() == 0) continue;
    j["latency"][latencyName(static_cast<Latency>(l))] = {{"count", h.count()},
                                                          {"p50_us", micros(h.percentile(0.50))},
                                                          {"p99_us", micros(h.percentile(0.99))},
                                                          {"p999_us", micros(h.percentile(0.999))},
                                                          {"max_us", micros(h.max())},
                                                          {"mean_us", h.mean() / 1e3}};
  }
  if (r.delivery) {
    const DeliveryCheck& d = *r.delivery;
    auto& v = j["delivery"];
    v = {{"acknowledged", d.acked},
         {"received", d.received},
         {"duplicates", d.duplicates},
         {"received_unacknowledged", d.receivedUnacked},
         {"lost", d.lost},
         {"settle_s", d.settleS}};
    v["missing"] = nlohmann::json::array();
    for (const auto& m : d.missing)
      v["missing"].push_back(
          {{"from", m.key.from}, {"to", m.key.to}, {"acknowledged_at_s", static_cast<double>(m.ackedNs) / 1e9}});
  }
  for (size_t c = 0; c < r.window.size(); ++c) {
    j["window"][counterName(static_cast<Counter>(c))] = r.window[c];
    j["total"][counterName(static_cast<Counter>(c))] = r.total[c];
  }
  return j;
}

std::string textReport(const RunResult& r) {
  const Options& o = r.options;
  std::string out =
      fmt::format("icq-loadgen {}: {} sessions on {} sockets, {} thread(s) -> {}, {}\n", scenarioName(o.scenario),
                  o.sessions, r.sockets, r.threads, util::formatEndpoint(o.server),
                  o.rate > 0 ? fmt::format("offered {:.0f}/s", o.rate)
                             : fmt::format("flat out ({} in flight per thread)", o.inflight));
  if (r.onlineWanted > 0)
    out += fmt::format("  connect    {} of {} online in {:.1f} s\n", r.onlineReached, r.onlineWanted, r.connectS);
  out += fmt::format("  throughput {:.0f} {}/s over {:.1f} s\n",
                     perSecond(r.at(primaryCounter(o.scenario)), throughputSeconds(r)), primaryUnit(o.scenario),
                     throughputSeconds(r));
  if (o.scenario == Scenario::storm) {
    const uint64_t online = r.totalAt(Counter::storm_logins);
    out += fmt::format("  storm      {} of {} online", online, o.storm);
    if (online == o.storm)
      out += fmt::format(", the last {:.2f} s after the storm began",
                         static_cast<double>(r.latency(Latency::storm_login).max()) / 1e9);
    out += fmt::format("; worst one-second keep-alive p99 {:.3f} ms\n",
                       static_cast<double>(r.worstSecondKeepAliveP99Ns) / 1e6);
  }
  if (o.scenario == Scenario::offline)
    out += fmt::format("             {:.0f} offline messages stored/s over {:.1f} s\n",
                       perSecond(r.at(Counter::messages_acked), r.offlineStoreS), r.offlineStoreS);
  out += fmt::format("  datagrams  {:.0f}/s sent, {:.0f}/s received\n",
                     perSecond(r.at(Counter::datagrams_sent), r.measuredS),
                     perSecond(r.at(Counter::datagrams_received), r.measuredS));
  for (size_t l = 0; l < r.latencies.size(); ++l) {
    const LatencyHistogram& h = r.latencies[l];
    if (h.count() == 0) continue;
    out += fmt::format(
        "  latency    {:<14} p50 {:8.3f} ms  p99 {:8.3f} ms  p99.9 {:8.3f} ms  max {:8.3f} ms  ({} samples)\n",
        latencyName(static_cast<Latency>(l)), h.percentile(0.50) / 1e6, h.percentile(0.99) / 1e6,
        h.percentile(0.999) / 1e6, static_cast<double>(h.max()) / 1e6, h.count());
  }
  if (r.delivery) {
    const DeliveryCheck& d = *r.delivery;
    out += fmt::format(
        "  delivery   {} acknowledged to their senders, {} lost; {} received ({} never acknowledged), "
        "{} duplicates; settled {:.1f} s after the window\n",
        d.acked, d.lost, d.received, d.receivedUnacked, d.duplicates, d.settleS);
    for (const auto& m : d.missing)
      out += fmt::format("  LOST       {} -> {}, acknowledged {:.3f} s into the window\n", m.key.from, m.key.to,
                         static_cast<double>(m.ackedNs) / 1e9);
    if (d.lost > d.missing.size()) out += fmt::format("  LOST       ... and {} more\n", d.lost - d.missing.size());
  }
  out += fmt::format(
      "  errors     {} (login refused {}, not connected {}, go away {}, gave up {}, malformed {})\n"
      "  busy       {} SRV_TRY_AGAIN   retransmits {}   send dropped {}   late packets {}\n",
      r.errors(), r.totalAt(Counter::login_refused), r.totalAt(Counter::not_connected), r.totalAt(Counter::go_away),
      r.totalAt(Counter::gave_up), r.totalAt(Counter::malformed), r.totalAt(Counter::busy),
      r.totalAt(Counter::retransmits), r.totalAt(Counter::send_dropped), r.totalAt(Counter::late_packets));
  return out;
}

}  // namespace icq::loadgen
