// Presence rules of protocol-v5.md §10; see presence.hpp.
//
// Every notification is queued in both protocols' forms (Outbox::queueEither): whoever the
// watcher is when the packet is numbered — a V5 or a V3 session — gets its own, and the
// session store picks, in the same atomic step that numbers it (protocol-v3.md §9.1). The
// direct-connection data of a user never reaches a client of the other version: V3
// clients crash when a V5 client connects to them, and the protocols differ (rule 7).
#include "common/presence/presence.hpp"

#include <array>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v5/constants.hpp"

namespace icq::presence {
namespace v5 = codec::v5;
namespace v3 = codec::v3;

codec::v5::OnlineContact onlineContactFor(const store::PresenceData& user) {
  v5::OnlineContact c;
  c.uin = user.uin;
  c.status = user.status;
  c.tcpVersion = user.tcpVersion;
  c.webPort = user.webPort;
  c.features = user.features;
  if (user.protocol == 3) return c;  // a V3 user's address stays hidden from V5 clients
  c.externalIp = user.externalIp;
  c.tcpPort = user.tcpPort;
  c.internalIp = user.internalIp;
  c.dcType = user.dcType;
  return c;
}

codec::v3::OnlineContact v3ContactFor(const store::PresenceData& user) {
  v3::OnlineContact c;
  c.uin = user.uin;
  c.ip = user.externalIp;
  c.tcpPort = user.tcpPort;
  c.realIp = user.internalIp;
  c.dcType = user.dcType;
  c.status = static_cast<uint16_t>(user.status);  // a V5 user's flags word is V3's estat (§9.1)
  c.estat = static_cast<uint16_t>(user.status >> 16);
  c.tcpVersion = user.tcpVersion;
  return user.protocol == 3 ? c : v3::hideDirectConnection(c);
}

void tellOnline(pipeline::Outbox& outbox, uint32_t viewer, const store::PresenceData& user) {
  std::array<uint8_t, v5::kUserOnlineBodySize> body{};
  size_t n = v5::buildUserOnlineBody(onlineContactFor(user), body);
  std::array<uint8_t, v3::kUserOnlineBodySize> v3Body{};
  size_t m = v3::buildUserOnlineBody(v3ContactFor(user), v3Body);
  outbox.queueEither(viewer, v5::SRV_USER_ONLINE, std::span(body).first(n), v3::SRV_USER_ONLINE,
                     std::span(v3Body).first(m));
}

void tellOffline(pipeline::Outbox& outbox, uint32_t viewer, uint32_t uin) {
  std::array<uint8_t, 4> body{};
  size_t n = v5::buildUserOfflineBody(uin, body);
  std::array<uint8_t, 4> v3Body{};
  size_t m = v3::buildU32Body(uin, v3Body);
  outbox.queueEither(viewer, v5::SRV_USER_OFFLINE, std::span(body).first(n), v3::SRV_USER_OFFLINE,
                     std::span(v3Body).first(m));
}

void announceArrival(pipeline::Outbox& outbox, const store::PresenceData& user,
                     std::span<const store::Watcher> watchers) {
  for (const store::Watcher& w : watchers)
    if (w.uin != user.uin && store::visibleTo(user.status, w)) tellOnline(outbox, w.uin, user);
}

bool addContacts(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin,
                 std::span<const uint32_t> contacts) {
  std::vector<store::PresenceData> visible;
  if (!presence.addContacts(uin, contacts, visible)) return false;
  for (const store::PresenceData& contact : visible) tellOnline(outbox, uin, contact);
  return true;
}

bool editList(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin, store::PrivacyList list,
              bool add, std::span<const uint32_t> uins) {
  store::PresenceData self;
  std::vector<store::VisibilityChange> changes;
  if (!presence.editList(uin, list, add, uins, self, changes)) return false;
  announceVisibilityChanges(outbox, self, changes);
  return true;
}

bool announceLogin(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin) {
  store::PresenceData self;
  bool found = false;
  std::vector<store::Watcher> watchers;
  if (!presence.watchers(uin, self, found, watchers)) return false;
  if (found) announceArrival(outbox, self, watchers);
  return true;
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
  std::array<uint8_t, 8> v3Update{};
  size_t m = v3::buildUserStatusBody(
      {user.uin, static_cast<uint16_t>(user.status), static_cast<uint16_t>(user.status >> 16)}, v3Update);
  for (const store::Watcher& w : watchers) {
    if (w.uin == user.uin) continue;
    bool before = store::visibleTo(previous, w);
    bool after = store::visibleTo(user.status, w);
    if (before && after)
      outbox.queueEither(w.uin, v5::SRV_STATUS_UPDATE, std::span(update).first(n), v3::SRV_USER_STATUS,
                         std::span(v3Update).first(m));
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
