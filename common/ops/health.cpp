// The process's liveness and readiness registries; see health.hpp.
#include "common/ops/health.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>

namespace icq::ops {
namespace {

struct Registry {
  std::mutex mutex;
  uint64_t nextId = 0;
  std::map<uint64_t, std::pair<std::string, ReadinessProbe>> checks;
  std::map<uint64_t, const Heartbeat*> heartbeats;
  std::atomic<const util::StopToken*> stop{nullptr};
  std::atomic<bool> draining{false};
};

Registry& state() {
  static Registry instance;
  return instance;
}

HealthReport report(nlohmann::json checks) {
  bool ok = true;
  for (const auto& [name, value] : checks.items()) ok = ok && value == "ok";
  nlohmann::json body = {{"status", ok ? "ok" : "unavailable"}, {"checks", std::move(checks)}};
  return {ok, body.dump() + "\n"};
}

}  // namespace

ReadinessCheck::ReadinessCheck(std::string name, ReadinessProbe probe) {
  Registry& r = state();
  std::lock_guard lock(r.mutex);
  id_ = r.nextId++;
  r.checks.emplace(id_, std::make_pair(std::move(name), std::move(probe)));
}

ReadinessCheck::~ReadinessCheck() {
  Registry& r = state();
  std::lock_guard lock(r.mutex);
  r.checks.erase(id_);
}

Heartbeat::Heartbeat(std::string name, std::chrono::milliseconds stale)
    : name_(std::move(name)),
      staleNs_(std::chrono::duration_cast<std::chrono::nanoseconds>(stale).count()),
      lastNs_(nowNs()) {
  Registry& r = state();
  std::lock_guard lock(r.mutex);
  id_ = r.nextId++;
  r.heartbeats.emplace(id_, this);
}

Heartbeat::~Heartbeat() {
  Registry& r = state();
  std::lock_guard lock(r.mutex);
  r.heartbeats.erase(id_);
}

int64_t Heartbeat::nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void watchStopForReadiness(const util::StopToken& stop) { state().stop.store(&stop); }

void setDraining() { state().draining.store(true); }

bool draining() {
  Registry& r = state();
  const util::StopToken* stop = r.stop.load();
  return r.draining.load() || (stop && stop->stopRequested());
}

HealthReport liveness() {
  Registry& r = state();
  nlohmann::json checks = nlohmann::json::object();
  std::lock_guard lock(r.mutex);
  // Several loops of one role (icqd's workers) share a name: one stale loop fails it.
  for (const auto& [id, heartbeat] : r.heartbeats)
    if (!checks.contains(heartbeat->name()) || checks[heartbeat->name()] == "ok")
      checks[heartbeat->name()] = heartbeat->fresh() ? "ok" : "stalled";
  return report(std::move(checks));
}

HealthReport readiness() {
  Registry& r = state();
  nlohmann::json checks = nlohmann::json::object();
  checks["draining"] = draining() ? "draining" : "ok";
  std::lock_guard lock(r.mutex);  // probes are quick; one readiness answer at a time
  for (const auto& [id, check] : r.checks) {
    const auto& [name, probe] = check;
    std::string problem;
    try {
      problem = probe();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!checks.contains(name) || checks[name] == "ok") checks[name] = problem.empty() ? "ok" : problem;
  }
  return report(std::move(checks));
}

}  // namespace icq::ops
