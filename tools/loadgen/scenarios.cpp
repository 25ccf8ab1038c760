// loadgen: what each scenario does with its sessions — who is online from the start, what one
// unit of offered load is (act), and how each server event moves a session on. The loop that
// calls these is in load_thread.cpp.
//
// Pacing. With --rate R each actor acts every actors/R seconds from a random offset, whatever
// the server answers (open loop, so a slow server shows up as latency, not as a politely lower
// offered load). Without it ("flat out") each thread keeps --inflight operations outstanding and
// hands every completed one to the next actor in turn, so all sessions take part evenly.
//
// The storm. The sessions log in during the connect phase and keep alive at --rate from the
// window's start; at that start every client of the storm sends CMD_LOGIN at once, as after
// a server restart or a network outage. A storm client that gets no answer retransmits with
// the back-off of every request and, after its last try, starts a new login, as real clients
// do. Once online it keeps alive on the sessions' interval (its keep-alives are not part of the
// figures: those are the already-online sessions'). The window ends when the whole storm is
// online, or at the duration bound.
#include <algorithm>

#include "tools/loadgen/load_thread.hpp"

namespace icq::loadgen {
namespace {

constexpr uint32_t kStatusOnline = 0x0000;
constexpr uint32_t kStatusAway = 0x0001;

// A cheap, stable spread of first actions over one interval.
uint64_t spread(uint32_t global) { return (global * 0x9E3779B97F4A7C15ull) >> 11; }

}  // namespace

bool LoadThread::onlineAtConnect(uint32_t global) const {
  switch (options_.scenario) {
    case Scenario::raw:
    case Scenario::churn:
      return false;
    case Scenario::offline:
      return global % 2 == 0;  // senders; their partners stay offline until they are written to
    case Scenario::storm:
      return !isStormClient(global);
    default:
      return true;
  }
}

// Settle (--verify): who must be online for the messages addressed to it to arrive — everyone
// who was online for the window.
bool LoadThread::wantsOnline(uint32_t global) const {
  return onlineAtConnect(global) || options_.scenario == Scenario::offline;
}

bool LoadThread::isActor(uint32_t global) const {
  switch (options_.scenario) {
    case Scenario::presence:
      return global % (options_.fanout + 1) == 0;
    case Scenario::offline:
      return global % 2 == 0;
    default:
      return true;
  }
}

uint32_t LoadThread::actorCount() const {
  switch (options_.scenario) {
    case Scenario::presence:
      return (options_.sessions + options_.fanout) / (options_.fanout + 1);
    case Scenario::offline:
      return (options_.sessions + 1) / 2;
    default:
      return options_.sessions;
  }
}

void LoadThread::beginMeasure(int64_t nowNs) {
  // Storm: the interval is the sessions' (actorCount() leaves the storm out), so --rate is
  // what the already-online sessions offer.
  intervalNs_ = options_.rate > 0 ? static_cast<int64_t>(actorCount() * 1e9 / options_.rate) : 0;
  stormStartNs_ = nowNs;
  secondStartNs_ = nowNs;
  uint32_t actors = 0;
  for (uint32_t l = 0; l < sessions_.size(); ++l) {
    const uint32_t global = firstSession_ + l;
    if (isStormClient(global)) request(l, Kind::login, 0, nowNs);  // all at once
    if (!isActor(global)) continue;
    actors++;
    SimSession& s = sessions_[l];
    if (options_.scenario == Scenario::offline) s.remaining = options_.offlineMessages;
    if (intervalNs_ > 0) {
      s.actionAtNs = nowNs + static_cast<int64_t>(spread(global) % static_cast<uint64_t>(intervalNs_));
      arm(l, nowNs);
    } else if (options_.scenario == Scenario::churn) {
      act(l, nowNs);  // every session runs its own closed loop of cycles
    }
  }
  if (intervalNs_ > 0 || options_.scenario == Scenario::churn || options_.scenario == Scenario::storm) return;
  for (uint32_t t = 0; t < std::min(options_.inflight, actors); ++t) opDone(nowNs);
}

void LoadThread::beginOfflineLogins() {
  for (uint32_t l = 0; l < sessions_.size(); ++l)
    if (!isActor(firstSession_ + l)) loginQueue_.push_back(l);
}

void LoadThread::beginSettle(int64_t nowNs) {
  loginQueue_.clear();
  for (uint32_t l = 0; l < sessions_.size(); ++l) {
    sessions_[l].actionAtNs = nowNs + static_cast<int64_t>(spread(firstSession_ + l) % kSettlePollNs);
    arm(l, nowNs);
  }
}

bool LoadThread::act(uint32_t local, int64_t nowNs) {
  SimSession& s = sessions_[local];
  const bool online = s.phase() == Phase::online;
  switch (options_.scenario) {
    case Scenario::raw:
      if (intervalNs_ == 0) {
        if (s.remaining) {  // the echo of the last one never came: the token moves on
          stats_.bump(Counter::gave_up);
          s.remaining = 0;
          opDone(nowNs);
          return false;
        }
        s.remaining = 1;
        s.actionAtNs = nowNs + options_.rtoMs * 1'000'000;
        arm(local, nowNs);
      }
      sendRaw(local, nowNs);
      return true;
    case Scenario::keepalive:
    case Scenario::storm:  // a storm client keeps alive once it is online
      return online && !s.hasOutstanding(Kind::keepAlive) && request(local, Kind::keepAlive, 0, nowNs);
    case Scenario::messaging:
    case Scenario::offline:
      if (!online || s.hasOutstanding(Kind::message)) return false;
      if (options_.scenario == Scenario::offline && s.remaining == 0) return false;
      if (!request(local, Kind::message, static_cast<uint64_t>(nowNs), nowNs)) return false;
      if (options_.scenario == Scenario::offline) s.remaining--;
      stats_.bump(Counter::messages_sent);
      return true;
    case Scenario::presence: {
      if (!online || s.hasOutstanding(Kind::status)) return false;
      s.done = !s.done;  // alternate between online and away, so every change is a change
      shared_.statusChangedNs[firstSession_ + local].store(nowNs, std::memory_order_relaxed);
      if (!request(local, Kind::status, s.done ? kStatusAway : kStatusOnline, nowNs)) return false;
      stats_.bump(Counter::status_changes);
      return true;
    }
    case Scenario::churn:
      // Still online at its next turn: SRV_END_OFFLINE_MESSAGES never came (the server could
      // not read the offline store), and a client does not wait for it forever.
      if (online) return !s.hasOutstanding(Kind::logoff) && request(local, Kind::logoff, 0, nowNs);
      return s.phase() == Phase::offline && request(local, Kind::login, 0, nowNs);
  }
  return false;
}

// Settle's step, every kSettlePollNs per session: a keep-alive for an online session (a session
// the server no longer knows hears SRV_NOT_CONNECTED and logs in again), a login for one that
// should be online and is not.
void LoadThread::settle(uint32_t local, int64_t nowNs) {
  SimSession& s = sessions_[local];
  if (s.phase() == Phase::online) {
    if (!s.hasOutstanding(Kind::keepAlive)) request(local, Kind::keepAlive, 0, nowNs);
  } else if (s.phase() == Phase::offline && wantsOnline(firstSession_ + local)) {
    request(local, Kind::login, 0, nowNs);
  }
}

void LoadThread::opDone(int64_t nowNs) {
  if (phase_ != RunPhase::measure || intervalNs_ > 0 || options_.scenario == Scenario::churn) return;
  for (size_t scanned = 0; scanned < sessions_.size(); ++scanned) {
    const uint32_t local = cursor_++ % static_cast<uint32_t>(sessions_.size());
    if (isActor(firstSession_ + local) && act(local, nowNs)) return;
  }
}

void LoadThread::onLoggedIn(uint32_t local, int64_t nowNs) {
  switch (options_.scenario) {
    case Scenario::churn:
      request(local, Kind::contactList, 0, nowNs);  // SRV_END_OFFLINE_MESSAGES follows the list
      break;
    case Scenario::keepalive:
      if (options_.contacts > 0) request(local, Kind::contactList, 0, nowNs);
      break;
    case Scenario::presence:
      if (!isActor(firstSession_ + local)) request(local, Kind::contactList, 0, nowNs);
      break;
    case Scenario::offline:
    case Scenario::messaging:
      // CMD_LOGIN_1 asks for offline messages: the offline scenario's recipients, and with
      // --verify everyone, as clients do after every login.
      if (options_.verify || (options_.scenario == Scenario::offline && !isActor(firstSession_ + local)))
        request(local, Kind::login1, 0, nowNs);
      break;
    case Scenario::storm: {
      SimSession& s = sessions_[local];
      if (!isStormClient(firstSession_ + local) || !measuring() || s.done) break;
      s.done = true;  // counted once, however often it had to start over
      stats_.bump(Counter::storm_logins);
      record(Latency::storm_login, nowNs - stormStartNs_);
      finished_.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    default:
      break;
  }
}

void LoadThread::onEvent(uint32_t local, const ServerEvent& event, int64_t nowNs) {
  using T = ServerEvent::Type;
  SimSession& s = sessions_[local];
  switch (event.type) {
    case T::acked:
      return onAcked(local, event, nowNs);
    case T::staleAck:
      return stats_.bump(Counter::stale_acks);
    case T::loginAccepted:
      stats_.bump(Counter::logins);
      record(Latency::login, event.latencyNs);
      return onLoggedIn(local, nowNs);
    case T::loginRefused:
      return stats_.bump(Counter::login_refused);
    case T::tryAgain:
      stats_.bump(Counter::busy);
      // A busy answer to a login (its SRV_ACK came first, so nothing is left to retransmit):
      // like a real client, log in again a retransmission timeout later.
      if (s.phase() == Phase::loggingIn && !s.hasOutstanding(Kind::login)) {
        s.reset();
        noteTransition(local, Phase::loggingIn);
        s.reloginAtNs = nowNs + options_.rtoMs * 1'000'000;
      }
      return;
    case T::notConnected:
    case T::goAway:
      stats_.bump(event.type == T::goAway ? Counter::go_away : Counter::not_connected);
      // The protocol's recovery (§4.7): log in again, if this session should be online.
      if ((phase_ == RunPhase::settle && wantsOnline(firstSession_ + local)) ||
          (measuring() && (onlineAtConnect(firstSession_ + local) || options_.scenario == Scenario::churn ||
                           options_.scenario == Scenario::storm)))
        request(local, Kind::login, 0, nowNs);
      return;
    case T::message:
      stats_.bump(Counter::messages_delivered);
      if (options_.verify) ledger_.received({event.from, s.uin(), event.stamp});
      return record(Latency::delivery, nowNs - event.stamp);
    case T::offlineMessage:
      if (options_.verify) ledger_.received({event.from, s.uin(), event.stamp});
      return stats_.bump(Counter::offline_delivered);
    case T::endOffline: {
      if (options_.scenario == Scenario::churn) {
        if (intervalNs_ == 0) s.actionAtNs = INT64_MAX;  // the list's fallback is not needed
        return (void)request(local, Kind::logoff, 0, nowNs);
      }
      const bool recipient = options_.scenario == Scenario::offline && !isActor(firstSession_ + local);
      if (recipient && !s.done) {
        s.done = true;
        record(Latency::offline_login, nowNs - s.loginSentNs);
        stats_.bump(Counter::offline_logins_done);
        finished_.fetch_add(1, std::memory_order_relaxed);
        request(local, Kind::ackMessages, 0, nowNs);
      } else if (options_.verify) {
        request(local, Kind::ackMessages, 0, nowNs);  // they arrived: the server may delete them
      }
      return;
    }
    case T::statusUpdate: {
      stats_.bump(Counter::status_updates);
      const uint32_t star = event.from - options_.firstUin;
      if (star < options_.sessions)
        record(Latency::presence, nowNs - shared_.statusChangedNs[star].load(std::memory_order_relaxed));
      return;
    }
    case T::userOnline:
      return stats_.bump(Counter::users_online_seen);
    case T::malformed:
      return stats_.bump(Counter::malformed);
    case T::late:
      return stats_.bump(Counter::late_packets);
    default:
      return;
  }
}

void LoadThread::onAcked(uint32_t local, const ServerEvent& event, int64_t nowNs) {
  SimSession& s = sessions_[local];
  switch (event.kind) {
    case Kind::keepAlive:
      if (isStormClient(firstSession_ + local)) return;  // the figures are the already-online sessions'
      stats_.bump(Counter::keepalives_acked);
      record(Latency::keepalive_ack, event.latencyNs);
      if (options_.scenario == Scenario::storm) noteKeepAliveSecond(event.latencyNs, nowNs);
      return opDone(nowNs);
    case Kind::message:
      stats_.bump(Counter::messages_acked);
      if (options_.verify) ledger_.acked({s.uin(), s.partner(), event.stamp}, nowNs);
      record(Latency::message_ack, event.latencyNs);
      if (options_.scenario == Scenario::offline && s.remaining == 0 && !s.done) {
        s.done = true;
        finished_.fetch_add(1, std::memory_order_relaxed);
      }
      return opDone(nowNs);
    case Kind::status:
      return opDone(nowNs);
    case Kind::contactList:
      // Churn, flat out: the cycle goes on at the list's SRV_END_OFFLINE_MESSAGES, or without
      // it a few retransmission timeouts later (act()).
      if (options_.scenario == Scenario::churn && measuring() && intervalNs_ == 0)
        s.actionAtNs = nowNs + 3 * options_.rtoMs * 1'000'000;
      return;
    case Kind::logoff:
      stats_.bump(Counter::logoffs);
      if (phase_ == RunPhase::logoff) return loginOver(local);
      if (options_.scenario == Scenario::churn && measuring()) {
        stats_.bump(Counter::cycles);
        record(Latency::cycle, nowNs - s.loginSentNs);
        if (intervalNs_ == 0) act(local, nowNs);
      }
      return;
    default:
      return;
  }
}

void LoadThread::onGaveUp(uint32_t local, Kind kind, int64_t nowNs) {
  switch (kind) {
    case Kind::login:
      if (phase_ == RunPhase::connect || phase_ == RunPhase::offlineLogin) loginQueue_.push_back(local);
      if (phase_ == RunPhase::measure && options_.scenario == Scenario::churn && intervalNs_ == 0) act(local, nowNs);
      // A storm client that got no answer starts over with a new login (a new session id).
      if (phase_ == RunPhase::measure && options_.scenario == Scenario::storm && isStormClient(firstSession_ + local))
        request(local, Kind::login, 0, nowNs);
      return;
    case Kind::logoff:
      if (phase_ == RunPhase::logoff) loginOver(local);
      if (phase_ == RunPhase::measure && options_.scenario == Scenario::churn && intervalNs_ == 0) act(local, nowNs);
      return;
    case Kind::keepAlive:
    case Kind::message:
    case Kind::status:
      return opDone(nowNs);
    default:
      return;
  }
}

}  // namespace icq::loadgen
