// PresenceStore: the session lists of protocol-v5.md §10 — each online user's contact,
// visible and invisible lists — and the reverse "who watches this UIN" index that makes
// a presence change cost as much as its watchers, not as much as everyone online. Every
// operation that reads a user's lists and changes them is one atomic step. Failures are
// values: false means the store could not be reached.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace icq::store {

enum class PrivacyList : uint8_t { visible, invisible };

/// One watcher of a user, with what that user's privacy lists say about it.
struct Watcher {
  uint32_t uin = 0;
  bool onVisible = false;
  bool onInvisible = false;
};

/// What a viewer needs to be told a user is online (SRV_USER_ONLINE, §8.7).
struct PresenceData {
  uint32_t uin = 0;
  uint32_t status = 0;
  uint32_t externalIp = 0;  // network order
  uint32_t tcpPort = 0;
  uint32_t internalIp = 0;  // network order
  uint8_t dcType = 0;
  uint16_t tcpVersion = 0;
  uint32_t webPort = 0;
  uint32_t features = 0;
  uint8_t protocol = 5;  // of the user's session: direct-connection data never crosses versions
};

/// A watcher whose view of a user changed with a list edit (§10.8).
struct VisibilityChange {
  uint32_t uin = 0;
  bool before = false;
  bool after = false;
};

/// "User visible to viewer" (§10.2) given the user's status and its lists' verdict on the viewer.
inline bool visibleTo(uint32_t status, const Watcher& viewer) {
  return (status & 0x0100) != 0 ? viewer.onVisible : !viewer.onInvisible;
}

class PresenceStore {
public:
  virtual ~PresenceStore() = default;

  /// Adds `contacts` to `owner`'s contact list and `owner` to each contact's watchers;
  /// `visible` receives the contacts that are online and visible to `owner` (§10.6, §10.7).
  virtual bool addContacts(uint32_t owner, std::span<const uint32_t> contacts, std::vector<PresenceData>& visible) = 0;

  /// Everyone watching `uin`, with `uin`'s lists' verdict on each, and `uin`'s own
  /// presence data (`found` false when `uin` has no session).
  virtual bool watchers(uint32_t uin, PresenceData& self, bool& found, std::vector<Watcher>& out) = 0;

  /// CMD_STATUS_CHANGE (§6.13): sets the status of `uin`'s session `sessionId`; returns
  /// the previous status, the new presence data and the watchers, in one atomic step.
  virtual bool changeStatus(uint32_t uin, uint32_t sessionId, uint32_t status, uint32_t& previous, PresenceData& self,
                            bool& found, std::vector<Watcher>& watchers) = 0;

  /// Adds `uins` to (or removes them from) one of `owner`'s privacy lists; for each of
  /// them that watches `owner`, whether `owner` was and is visible to it (§10.8).
  virtual bool editList(uint32_t owner, PrivacyList list, bool add, std::span<const uint32_t> uins, PresenceData& self,
                        std::vector<VisibilityChange>& changes) = 0;

  /// CMD_RAND_SET (§6.21): puts `uin`'s session `sessionId` in random-chat group
  /// `group` (0 = none). `found` is false when that session does not exist.
  virtual bool joinRandomGroup(uint32_t uin, uint32_t sessionId, uint32_t group, bool& found) = 0;

  /// CMD_RAND_SEARCH (§6.21): a random online member of `group`, other than `viewer`
  /// and visible to it; `found` is false when there is none.
  virtual bool randomGroupMember(uint32_t group, uint32_t viewer, PresenceData& member, bool& found) = 0;

  /// The session of `owner` is over (§10.4): drops its lists and its place in others'
  /// watcher sets, and returns its watchers with its lists' verdicts as they were.
  virtual bool depart(uint32_t owner, std::vector<Watcher>& watchers) = 0;
};

}  // namespace icq::store
