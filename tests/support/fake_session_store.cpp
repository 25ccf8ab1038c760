// The in-memory session store; see fake_session_store.hpp. Each method follows the Lua
// script of the same step in common/redis/session_store_impl.cpp.
#include "tests/support/fake_session_store.hpp"

#include <algorithm>

namespace icq::test {
namespace {

// CMD_LOGIN and V3 LOGON share the code 0x03E8: the login's own triple in a fresh window.
constexpr uint16_t kLoginCommand = 0x03E8;

}  // namespace

void FakeSessionStore::put(const store::Session& session) {
  Entry& e = sessions_[session.uin];
  e = Entry{};
  e.session = session;
  e.nextSeq1 = session.nextSeq1;
  e.window.assign(window_, std::nullopt);
}

const FakeSessionStore::Entry* FakeSessionStore::entry(uint32_t uin) const {
  auto it = sessions_.find(uin);
  return it == sessions_.end() ? nullptr : &it->second;
}

FakeSessionStore::Entry* FakeSessionStore::entry(uint32_t uin) {
  auto it = sessions_.find(uin);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::map<uint16_t, FakeSessionStore::Unconfirmed> FakeSessionStore::unconfirmed(uint32_t uin) const {
  const Entry* e = entry(uin);
  return e ? e->unconfirmed : std::map<uint16_t, Unconfirmed>{};
}

store::Session FakeSessionStore::withNextSeq(const Entry& e) const {
  store::Session s = e.session;
  s.nextSeq1 = static_cast<uint16_t>(e.nextSeq1);
  return s;
}

void FakeSessionStore::record(Entry& e, const Triple& triple) {
  if (e.dpos >= e.window.size()) e.dpos = 0;
  e.window[e.dpos] = triple;
  e.dpos = (e.dpos + 1) % e.window.size();
}

bool FakeSessionStore::touch(std::span<const store::TouchRequest> requests, std::span<store::TouchResult> results) {
  ++touchCalls;
  if (fail.touch || results.size() < requests.size()) return false;
  for (size_t i = 0; i < requests.size(); ++i) results[i] = touchOne(requests[i]);
  return true;
}

store::TouchResult FakeSessionStore::touchOne(const store::TouchRequest& request) {
  using Dedupe = store::TouchRequest::Dedupe;
  Entry* e = entry(request.uin);
  if (!e) return store::TouchResult::no_session;
  if (!e->session.sameClient(request.sessionId, request.client)) return store::TouchResult::mismatch;
  // Any packet of the session refreshes it and re-homes it to the gateway that heard it.
  e->session.lastSeenMs = clock_.nowMs();
  e->session.gateway = std::string(request.gateway);
  if (request.dedupe == Dedupe::off) {
    if (request.acknowledges && e->unconfirmed.erase(*request.acknowledges) > 0)
      return store::TouchResult::acknowledged;
    return store::TouchResult::ok;
  }
  const Triple triple{request.seq1, request.seq2, request.command};
  if (request.dedupe != Dedupe::record_only) {
    if (std::find(e->window.begin(), e->window.end(), std::optional<Triple>(triple)) != e->window.end())
      return store::TouchResult::duplicate;
    if (request.dedupe == Dedupe::check_only) return store::TouchResult::ok;
  }
  record(*e, triple);
  return store::TouchResult::ok;
}

FakeSessionStore::PreLoginKey FakeSessionStore::preLoginKey(const store::TouchRequest& request) {
  return {request.client.ip, request.client.port, request.seq1, request.seq2, request.command};
}

bool FakeSessionStore::claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) {
  if (fail.preLogin) return false;
  auto [it, inserted] = preLogins_.try_emplace(preLoginKey(request), 0);
  first = inserted;
  result = inserted ? 0 : it->second;
  return true;
}

bool FakeSessionStore::finishPreLogin(const store::TouchRequest& request, uint32_t result) {
  if (fail.preLogin) return false;
  if (result == 0)
    preLogins_.erase(preLoginKey(request));
  else
    preLogins_[preLoginKey(request)] = result;
  return true;
}

bool FakeSessionStore::forgetDuplicate(const store::TouchRequest& request) {
  if (fail.forget) return false;
  Entry* e = entry(request.uin);
  if (!e || e->session.sessionId != request.sessionId) return true;
  const Triple triple{request.seq1, request.seq2, request.command};
  auto it = std::find(e->window.begin(), e->window.end(), std::optional<Triple>(triple));
  if (it != e->window.end()) it->reset();
  return true;
}

bool FakeSessionStore::find(uint32_t uin, std::optional<store::Session>& out) {
  out.reset();
  if (fail.find) return false;
  if (const Entry* e = entry(uin)) out = withNextSeq(*e);
  return true;
}

bool FakeSessionStore::replace(const store::Session& fresh, const store::ReliablePacket& loginReply,
                               std::optional<store::Session>& replaced) {
  replaced.reset();
  if (fail.replace) return false;
  if (const Entry* old = entry(fresh.uin)) replaced = withNextSeq(*old);
  Entry& e = sessions_[fresh.uin];
  e = Entry{};
  e.session = fresh;
  e.session.lastSeenMs = clock_.nowMs();
  e.nextSeq1 = 1;  // the login reply took SEQ1 0
  e.unconfirmed[0] = {loginReply.command, loginReply.seq2, {loginReply.body.begin(), loginReply.body.end()}};
  e.window.assign(window_, std::nullopt);
  // A V3 LOGON is remembered by SEQ1 and command alone, as every V3 packet is.
  record(e, {fresh.loginSeq1, fresh.protocol == 3 ? uint16_t{0} : fresh.loginSeq2, kLoginCommand});
  return true;
}

bool FakeSessionStore::queueReliable(std::span<const store::ReliablePacket> packets,
                                     std::span<store::ReliableRoute> routes) {
  if (fail.queue || routes.size() < packets.size()) return false;
  for (size_t i = 0; i < packets.size(); ++i) {
    const store::ReliablePacket& packet = packets[i];
    store::ReliableRoute& route = routes[i];
    route = store::ReliableRoute{};
    Entry* e = entry(packet.uin);
    if (!e) continue;
    if (packet.sessionId != 0 && e->session.sessionId != packet.sessionId) continue;
    if (packet.protocol != 0 && e->session.protocol != packet.protocol) continue;
    uint32_t seq = e->nextSeq1;
    if (seq > 0xFFFF) {
      if (e->session.protocol != 3) continue;  // licq cannot follow a V5 wrap (§4.2)
      seq = 0;
    }
    e->nextSeq1 = seq + 1;
    const bool v3Form = e->session.protocol == 3 && packet.v3Form;
    const std::span<const uint8_t> body = v3Form ? packet.v3Form->body : packet.body;
    e->unconfirmed[static_cast<uint16_t>(seq)] = {v3Form ? packet.v3Form->command : packet.command, packet.seq2,
                                                  {body.begin(), body.end()}};
    route.queued = true;
    route.seq1 = static_cast<uint16_t>(seq);
    route.sessionId = e->session.sessionId;
    route.client = e->session.client;
    route.gateway = e->session.gateway;
    route.protocol = e->session.protocol;
  }
  return true;
}

bool FakeSessionStore::end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                           std::optional<store::Session>& ended) {
  ended.reset();
  if (fail.end) return false;
  const Entry* e = entry(uin);
  if (!e || !e->session.sameClient(sessionId, client)) return true;
  ended = withNextSeq(*e);
  sessions_.erase(uin);
  return true;
}

bool FakeSessionStore::countOnline(int64_t& out) {
  out = static_cast<int64_t>(sessions_.size());
  return true;
}

bool FakeSessionStore::walkOnline(uint64_t& cursor, size_t, int64_t, std::vector<store::SessionHome>& homes,
                                  size_t& removed) {
  homes.clear();
  removed = 0;
  for (const auto& [uin, e] : sessions_) homes.push_back({uin, e.session.gateway});
  cursor = 0;  // one step walks everything
  return true;
}

bool FakeSessionStore::claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) {
  first = false;
  if (fail.offline) return false;
  Entry* e = entry(uin);
  if (!e || e->session.sessionId != sessionId || e->offlineClaimed) return true;
  e->offlineClaimed = first = true;
  return true;
}

bool FakeSessionStore::setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) {
  if (fail.offline) return false;
  Entry* e = entry(uin);
  if (e && e->session.sessionId == sessionId) e->offlineBatch = upToId;
  return true;
}

bool FakeSessionStore::offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) {
  upToId = 0;
  if (fail.offline) return false;
  const Entry* e = entry(uin);
  if (e && e->session.sessionId == sessionId) upToId = e->offlineBatch;
  return true;
}

}  // namespace icq::test
