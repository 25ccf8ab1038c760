// Presence rules of protocol-v5.md §10; see presence.hpp.
#include "common/presence/presence.hpp"

#include <array>

#include "common/codec/v5/constants.hpp"

namespace icq::presence {
namespace v5 = codec::v5;

codec::v5::OnlineContact onlineContactFor(const store::PresenceData& user) {
  v5::OnlineContact c;
  c.uin = user.uin;
  c.externalIp = user.externalIp;
  c.tcpPort = user.tcpPort;
  c.internalIp = user.internalIp;
  c.dcType = user.dcType;
  c.status = user.status;
  c.tcpVersion = user.tcpVersion;
  c.webPort = user.webPort;
  c.features = user.features;
  return c;
}

void tellOnline(pipeline::Outbox& outbox, uint32_t viewer, const store::PresenceData& user) {
  std::array<uint8_t, v5::kUserOnlineBodySize> body{};
  size_t n = v5::buildUserOnlineBody(onlineContactFor(user), body);
  outbox.queue(viewer, v5::SRV_USER_ONLINE, 0, std::span(body).first(n));
}

void tellOffline(pipeline::Outbox& outbox, uint32_t viewer, uint32_t uin) {
  std::array<uint8_t, 4> body{};
  size_t n = v5::buildUserOfflineBody(uin, body);
  outbox.queue(viewer, v5::SRV_USER_OFFLINE, 0, std::span(body).first(n));
}

void announceArrival(pipeline::Outbox& outbox, const store::PresenceData& user,
                     std::span<const store::Watcher> watchers) {
  for (const store::Watcher& w : watchers)
    if (w.uin != user.uin && store::visibleTo(user.status, w)) tellOnline(outbox, w.uin, user);
}

void announceDeparture(pipeline::Outbox& outbox, uint32_t uin, uint32_t lastStatus,
                       std::span<const store::Watcher> watchers) {
  for (const store::Watcher& w : watchers)
    if (w.uin != uin && store::visibleTo(lastStatus, w)) tellOffline(outbox, w.uin, uin);
}

void announceStatusChange(pipeline::Outbox& outbox, const store::PresenceData& user, uint32_t previous,
                          std::span<const store::Watcher> watchers) {
  std::array<uint8_t, 8> update{};
  size_t n = v5::buildStatusUpdateBody(user.uin, user.status, update);
  for (const store::Watcher& w : watchers) {
    if (w.uin == user.uin) continue;
    bool before = store::visibleTo(previous, w);
    bool after = store::visibleTo(user.status, w);
    if (before && after)
      outbox.queue(w.uin, v5::SRV_STATUS_UPDATE, 0, std::span(update).first(n));
    else if (before)
      tellOffline(outbox, w.uin, user.uin);
    else if (after)
      tellOnline(outbox, w.uin, user);
  }
}

void announceVisibilityChanges(pipeline::Outbox& outbox, const store::PresenceData& user,
                               std::span<const store::VisibilityChange> changes) {
  for (const store::VisibilityChange& c : changes) {
    if (c.before == c.after || c.uin == user.uin) continue;
    if (c.after)
      tellOnline(outbox, c.uin, user);
    else
      tellOffline(outbox, c.uin, user.uin);
  }
}

bool depart(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin, uint32_t lastStatus) {
  std::vector<store::Watcher> watchers;
  if (!presence.depart(uin, watchers)) return false;
  announceDeparture(outbox, uin, lastStatus, watchers);
  return true;
}

}  // namespace icq::presence
