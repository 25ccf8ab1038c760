// Liveness and readiness of this process, as /healthz and /readyz answer them.
// Liveness: every registered loop has beaten recently (a wedged loop fails its probe and
// gets restarted). Readiness: no stop was requested (a drain flips /readyz to 503 at
// once, from the signal, before any loop notices) and every registered check passes.
// Roles register what they depend on; the objects unregister when they go.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/util/shutdown.hpp"

namespace icq::ops {

/// A readiness condition: returns "" when satisfied, else what is missing ("unreachable").
/// Runs on the admin port's threads, so it must only read what is safe to read there.
using ReadinessProbe = std::function<std::string()>;

class ReadinessCheck {
public:
  ReadinessCheck(std::string name, ReadinessProbe probe);
  ~ReadinessCheck();
  ReadinessCheck(const ReadinessCheck&) = delete;
  ReadinessCheck& operator=(const ReadinessCheck&) = delete;

private:
  uint64_t id_;
};

/// A loop's sign of life: beat() every turn (one relaxed store); /healthz fails once any
/// living Heartbeat has not beaten for `stale`.
/// How long a role's loop may go without a turn before /healthz fails: longer than the
/// slowest legitimate turn (a batch of argon2 logins, a store timeout or two).
inline constexpr std::chrono::seconds kLoopStaleAfter{60};

class Heartbeat {
public:
  Heartbeat(std::string name, std::chrono::milliseconds stale);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  void beat() { lastNs_.store(nowNs(), std::memory_order_relaxed); }
  bool fresh() const { return nowNs() - lastNs_.load(std::memory_order_relaxed) <= staleNs_; }
  const std::string& name() const { return name_; }

private:
  static int64_t nowNs();

  std::string name_;
  int64_t staleNs_;
  std::atomic<int64_t> lastNs_;
  uint64_t id_;
};

struct HealthReport {
  bool ok = false;
  std::string json;  // {"status":"ok"|"unavailable","checks":{name: "ok" | what is wrong}}
};

/// Readiness follows `stop`: once a stop is requested the process is draining.
void watchStopForReadiness(const util::StopToken& stop);
/// Marks the process as draining without a stop token (a test, or a role that drains on
/// its own); readiness stays false from then on.
void setDraining();
bool draining();

HealthReport liveness();
HealthReport readiness();

}  // namespace icq::ops
