// loadgen: the load thread's event loop; see load_thread.hpp. The scenario-specific reactions
// are in scenarios.cpp.
#include "tools/loadgen/load_thread.hpp"

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <time.h>

namespace icq::loadgen {
namespace {

// 4,096 one-millisecond slots: every retransmission timeout and pacing interval we use fits in
// a few turns, and a turn costs one pass over 4,096 mostly empty vectors every 4 s.
constexpr size_t kWheelSlots = 4096;
constexpr int64_t kTickNs = 1'000'000;
// Bounds the work per socket per iteration so one busy socket cannot starve the timers.
constexpr int kBatchesPerSocket = 4;
constexpr uint32_t kRawMagic = 0x30574152;  // "RAW0"
constexpr size_t kRawSize = 28;             // the size of a CMD_KEEP_ALIVE datagram
// Settle: how often a thread counts its messages in flight for the controller.
constexpr int64_t kCountIntervalNs = 100'000'000;

}  // namespace

int64_t monotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

LoadThread::LoadThread(Shared& shared, uint32_t firstSession, uint32_t sessionCount, uint32_t firstSocket,
                       uint32_t socketCount)
    : shared_(shared),
      options_(shared.options),
      firstSession_(firstSession),
      rng_(0x9E3779B97F4A7C15ull ^ firstSession),
      nonce_(std::random_device{}()),
      wheel_(kWheelSlots) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
  sockets_.reserve(socketCount);
  for (uint32_t s = 0; s < socketCount; ++s) {
    const uint32_t ip = options_.firstSourceIp + firstSocket + s;
    sockets_.emplace_back(util::Endpoint{htonl(ip), 0}, &options_.server);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = s;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, sockets_.back().fd(), &ev);
  }
  sessions_.reserve(sessionCount);
  const uint32_t last = options_.firstUin + options_.sessions - 1;
  for (uint32_t l = 0; l < sessionCount; ++l) {
    const uint32_t g = firstSession + l;
    const uint32_t uin = options_.uinOf(g);
    uint32_t partner = g % 2 == 0 ? uin + 1 : uin - 1;
    if (partner > last) partner = uin;  // an odd population leaves the last one talking to itself
    uint32_t contactFirst = uin + 1;
    uint32_t contactCount = std::min(options_.contacts, options_.sessions - 1);
    if (options_.scenario == Scenario::presence) {
      const uint32_t group = g / (options_.fanout + 1);
      contactFirst = options_.firstUin + group * (options_.fanout + 1);
      contactCount = g % (options_.fanout + 1) == 0 ? 0 : 1;
    } else if (contactFirst + contactCount - 1 > last) {
      contactFirst = options_.firstUin;
    }
    sessions_.emplace_back(uin, partner, contactFirst, static_cast<uint8_t>(std::min<uint32_t>(contactCount, 255)));
  }
}

LoadThread::~LoadThread() {
  if (epoll_ >= 0) ::close(epoll_);
}

bool LoadThread::measuring() const { return phase_ == RunPhase::measure || phase_ == RunPhase::offlineLogin; }

void LoadThread::record(Latency latency, int64_t nanos) {
  if (measuring()) stats_.latency(latency).record(nanos);
}

// Storm: keep-alive p99 second by second, so that a storm that hurts the online sessions for
// a few seconds shows even when the whole window's p99 does not.
void LoadThread::noteKeepAliveSecond(int64_t latencyNs, int64_t nowNs) {
  if (!measuring()) return;
  if (nowNs - secondStartNs_ >= 1'000'000'000) closeKeepAliveSecond(nowNs);
  secondKeepAlives_.record(latencyNs);
}

void LoadThread::closeKeepAliveSecond(int64_t nowNs) {
  if (secondKeepAlives_.count() >= kMinSecondSamples)
    worstSecondP99Ns_ = std::max(worstSecondP99Ns_, secondKeepAlives_.percentile(0.99));
  secondKeepAlives_.clear();
  secondStartNs_ = nowNs;
}

void LoadThread::run() {
  std::array<epoll_event, 256> events{};
  wheelTick_ = monotonicNs() / kTickNs;
  enterPhase(RunPhase::connect, monotonicNs());
  while (true) {
    const RunPhase wanted = shared_.phase.load(std::memory_order_acquire);
    int64_t now = monotonicNs();
    if (wanted != phase_) enterPhase(wanted, now);
    if (phase_ == RunPhase::stop) break;
    ramp(now);
    flush();
    const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 1);
    now = monotonicNs();
    for (int i = 0; i < n; ++i) receiveFrom(events[i].data.u32, now);
    runTimers(now);
    flush();
    if (phase_ == RunPhase::settle) countMessagesInFlight(now);
  }
  flush();
}

void LoadThread::countMessagesInFlight(int64_t nowNs) {
  if (nowNs - countedNs_ < kCountIntervalNs) return;
  countedNs_ = nowNs;
  const auto n = std::count_if(sessions_.begin(), sessions_.end(),
                               [](const SimSession& s) { return s.hasOutstanding(Kind::message); });
  messagesInFlight_.store(static_cast<uint32_t>(n), std::memory_order_release);
}

void LoadThread::receiveFrom(uint32_t socket, int64_t nowNs) {
  const int fd = sockets_[socket].fd();
  for (int round = 0; round < kBatchesPerSocket; ++round) {
    const size_t n = rx_.receive(fd);
    stats_.bump(Counter::datagrams_received, n);
    for (size_t i = 0; i < n; ++i) handleDatagram(socket, rx_.received(i), nowNs);
    if (n < kBatch) return;
  }
}

void LoadThread::handleDatagram(uint32_t socket, std::span<const uint8_t> datagram, int64_t nowNs) {
  if (options_.scenario == Scenario::raw) return handleRawEcho(datagram, nowNs);
  // The UIN sits in clear in every server header (§2.3: offset 13; IServerd's V3 layout,
  // §8.6: offset 8); SimSession checks the rest. A UIN of another socket's client means a
  // confused server.
  const size_t uinOffset = codec::v5::isV3Layout(datagram) ? 8 : 13;
  if (datagram.size() < uinOffset + 4) return stats_.bump(Counter::malformed);
  codec::v5::ByteReader reader(datagram.subspan(uinOffset));
  const uint32_t target = options_.globalOf(reader.u32()) - firstSession_;
  if (target >= sessions_.size() || socketOf(target) != socket) return stats_.bump(Counter::malformed);
  SimSession& s = sessions_[target];
  const Phase before = s.phase();
  const ServerEvent event = s.onDatagram(datagram, nowNs);
  if (event.needsAck) acknowledge(target, event.header);
  noteTransition(target, before);
  onEvent(target, event, nowNs);
  arm(target, nowNs);
}

void LoadThread::noteTransition(uint32_t local, Phase before) {
  const Phase after = sessions_[local].phase();
  if (before == after) return;
  if (before == Phase::online) online_.fetch_sub(1, std::memory_order_relaxed);
  if (after == Phase::online) online_.fetch_add(1, std::memory_order_relaxed);
  if (before == Phase::loggingIn) loginOver(local);
}

void LoadThread::loginOver(uint32_t) {
  if (loginsInFlight_ > 0) loginsInFlight_--;
}

std::span<uint8_t> LoadThread::slotFor(uint32_t socket) {
  const int fd = sockets_[socket].fd();
  if (tx_.pending() > 0 && (fd != txFd_ || tx_.full())) flush();
  txFd_ = fd;
  return tx_.slot();
}

void LoadThread::commit(size_t length) {
  tx_.commit(length);
  stats_.bump(Counter::datagrams_sent);
}

void LoadThread::flush() {
  if (tx_.pending() == 0) return;
  const size_t pending = tx_.pending();
  const size_t sent = tx_.send(txFd_);
  if (sent < pending) stats_.bump(Counter::send_dropped, pending - sent);
}

bool LoadThread::request(uint32_t local, Kind kind, uint64_t param, int64_t nowNs) {
  SimSession& s = sessions_[local];
  if (!s.hasRoomFor()) return false;
  auto out = slotFor(socketOf(local));
  const int64_t rto = options_.rtoMs * 1'000'000;
  const size_t n = s.start(kind, param, out, nowNs, rto, rng_, options_.password.c_str(), nonce_());
  if (n == 0) return false;
  commit(n);
  if (kind == Kind::login) loginsInFlight_++;
  arm(local, nowNs);
  return true;
}

void LoadThread::acknowledge(uint32_t local, const codec::v5::ServerHeader& header) {
  auto out = slotFor(socketOf(local));
  const size_t n = sessions_[local].ackFor(header, out, rng_);
  if (n == 0) return;
  commit(n);
  stats_.bump(Counter::acks_sent);
}

// The baseline's datagram: the keep-alive's size, carrying the sender and the send time.
void LoadThread::sendRaw(uint32_t local, int64_t nowNs) {
  auto out = slotFor(socketOf(local));
  std::memset(out.data(), 0, kRawSize);
  const uint32_t global = firstSession_ + local;
  std::memcpy(out.data(), &kRawMagic, 4);
  std::memcpy(out.data() + 4, &global, 4);
  std::memcpy(out.data() + 8, &nowNs, 8);
  commit(kRawSize);
}

void LoadThread::handleRawEcho(std::span<const uint8_t> datagram, int64_t nowNs) {
  uint32_t magic = 0, global = 0;
  int64_t sentNs = 0;
  if (datagram.size() != kRawSize) return stats_.bump(Counter::malformed);
  std::memcpy(&magic, datagram.data(), 4);
  std::memcpy(&global, datagram.data() + 4, 4);
  std::memcpy(&sentNs, datagram.data() + 8, 8);
  if (magic != kRawMagic || global - firstSession_ >= sessions_.size()) return stats_.bump(Counter::malformed);
  stats_.bump(Counter::raw_echoes);
  record(Latency::raw, nowNs - sentNs);
  SimSession& s = sessions_[global - firstSession_];
  if (intervalNs_ == 0) {  // flat out: this session's datagram is no longer in flight
    s.remaining = 0;
    s.actionAtNs = INT64_MAX;
  }
  opDone(nowNs);
}

// A session's single current wheel entry is the one whose due time equals armedNs; older
// entries are skipped when they come round.
void LoadThread::arm(uint32_t local, int64_t nowNs) {
  SimSession& s = sessions_[local];
  const int64_t due = std::min(s.actionAtNs, s.nextDeadline());
  if (due == INT64_MAX) return;
  if (s.armedNs != INT64_MAX && s.armedNs <= due && s.armedNs > nowNs - kTickNs) return;  // an earlier entry stands
  s.armedNs = due;
  const int64_t tick = std::max(due / kTickNs, wheelTick_);
  wheel_[static_cast<size_t>(tick) % kWheelSlots].push_back({local, due});
}

void LoadThread::runTimers(int64_t nowNs) {
  const int64_t nowTick = nowNs / kTickNs;
  // After a long stall, one turn of the wheel is all there is to visit.
  wheelTick_ = std::max(wheelTick_, nowTick - static_cast<int64_t>(kWheelSlots) + 1);
  for (; wheelTick_ <= nowTick; ++wheelTick_) {
    auto& slot = wheel_[static_cast<size_t>(wheelTick_) % kWheelSlots];
    if (slot.empty()) continue;
    firing_.swap(slot);
    for (const TimerEntry& e : firing_) {
      SimSession& s = sessions_[e.local];
      if (s.armedNs != e.dueNs) continue;  // superseded
      if (e.dueNs > nowNs) {               // a later turn
        wheel_[static_cast<size_t>(e.dueNs / kTickNs) % kWheelSlots].push_back(e);
        continue;
      }
      s.armedNs = INT64_MAX;
      fire(e.local, nowNs);
      arm(e.local, nowNs);
    }
    firing_.clear();
  }
  wheelTick_ = nowTick;
}

void LoadThread::fire(uint32_t local, int64_t nowNs) {
  SimSession& s = sessions_[local];
  const int64_t rto = options_.rtoMs * 1'000'000;
  s.expire(
      nowNs, rto, options_.maxTries,
      [&](const Outstanding& o) {
        auto out = slotFor(socketOf(local));
        const size_t n = s.rebuild(o, out, rng_, options_.password.c_str());
        if (n == 0) return;
        commit(n);
        stats_.bump(Counter::retransmits);
      },
      [&](Kind kind) {
        stats_.bump(Counter::gave_up);
        const Phase was = s.phase();
        // A login or logoff nobody answered leaves the session unknown: start from scratch
        // (the server expires whatever it may still hold).
        if (kind == Kind::login || kind == Kind::logoff) s.reset();
        noteTransition(local, was);
        onGaveUp(local, kind, nowNs);
      });
  if (s.reloginAtNs <= nowNs) {
    s.reloginAtNs = INT64_MAX;
    const bool endingRun = phase_ == RunPhase::drain || phase_ == RunPhase::logoff;
    if (s.phase() == Phase::offline && !endingRun) request(local, Kind::login, 0, nowNs);
  }
  if (s.actionAtNs > nowNs) return;
  const int64_t due = s.actionAtNs;
  s.actionAtNs = INT64_MAX;
  if (phase_ == RunPhase::settle) {
    s.actionAtNs = std::max(due + kSettlePollNs, nowNs);
    return settle(local, nowNs);
  }
  if (!measuring()) return;
  // Open loop: the next action keeps its schedule whatever the server does (no coordinated
  // omission); a thread that fell behind catches up one action per session per tick.
  if (intervalNs_ > 0 && isActor(firstSession_ + local)) s.actionAtNs = std::max(due + intervalNs_, nowNs);
  act(local, nowNs);
}

void LoadThread::enterPhase(RunPhase phase, int64_t nowNs) {
  phase_ = phase;
  switch (phase) {
    case RunPhase::connect:
      for (uint32_t l = 0; l < sessions_.size(); ++l)
        if (onlineAtConnect(firstSession_ + l)) loginQueue_.push_back(l);
      std::reverse(loginQueue_.begin(), loginQueue_.end());  // the ramp pops from the back
      break;
    case RunPhase::measure:
      beginMeasure(nowNs);
      break;
    case RunPhase::offlineLogin:
      beginOfflineLogins();
      break;
    case RunPhase::settle:
      beginSettle(nowNs);
      break;
    case RunPhase::drain:
      if (options_.scenario == Scenario::storm) closeKeepAliveSecond(nowNs);
      loginQueue_.clear();
      for (auto& s : sessions_) s.actionAtNs = INT64_MAX;
      break;
    case RunPhase::logoff:
      loginQueue_.clear();
      loginsInFlight_ = 0;
      for (uint32_t l = 0; l < sessions_.size(); ++l)
        if (sessions_[l].phase() == Phase::online) loginQueue_.push_back(l);
      break;
    case RunPhase::stop:
      break;
  }
}

// Logins (connect, offline recipients) and logoffs go out at most loginWindow at a time per
// thread: a flood of argon2id checks would only be answered busy.
void LoadThread::ramp(int64_t nowNs) {
  while (!loginQueue_.empty() && loginsInFlight_ < options_.loginWindow) {
    const uint32_t local = loginQueue_.back();
    loginQueue_.pop_back();
    SimSession& s = sessions_[local];
    if (phase_ == RunPhase::logoff) {
      if (s.phase() != Phase::online) continue;
      if (!request(local, Kind::logoff, 0, nowNs)) continue;
      loginsInFlight_++;  // logoffs share the window
    } else if (s.phase() == Phase::offline) {
      request(local, Kind::login, 0, nowNs);
    }
  }
}

}  // namespace icq::loadgen
