// The presence rules of protocol-v5.md §10 as actions: who is told what when a user
// arrives, leaves, changes status or edits its lists. Shared by the worker (packets) and
// the scheduler (keep-alive expiry). Notifications are reliable packets queued on the
// caller's outbox; the caller flushes it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/codec/v3/presence.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/presence_store.hpp"

namespace icq::presence {

/// SRV_USER_ONLINE body (§8.7) for `user` as a V5 viewer sees it.
codec::v5::OnlineContact onlineContactFor(const store::PresenceData& user);
/// USER_ONLINE body (protocol-v3.md §6.9) for `user` as a V3 viewer sees it.
codec::v3::OnlineContact v3ContactFor(const store::PresenceData& user);

/// Queues SRV_USER_ONLINE about `user` for `viewer` (USER_ONLINE if it is a V3 session;
/// likewise below).
void tellOnline(pipeline::Outbox& outbox, uint32_t viewer, const store::PresenceData& user);
/// Queues SRV_USER_OFFLINE about `uin` for `viewer`.
void tellOffline(pipeline::Outbox& outbox, uint32_t viewer, uint32_t uin);

/// §10.3: every watcher to whom `user` is visible learns it is online.
void announceArrival(pipeline::Outbox& outbox, const store::PresenceData& user,
                     std::span<const store::Watcher> watchers);

/// A contact-list upload or addition by `uin`, for either protocol: records `contacts` as
/// watched and tells `uin` which of them are online and visible to it (§10.6, §10.7). False
/// when the presence store failed (nothing queued).
bool addContacts(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin,
                 std::span<const uint32_t> contacts);

/// A visible/invisible list edit by `uin`, for either protocol: those whose view of `uin`
/// changed are told (§6.17). False when the presence store failed (nothing queued).
bool editList(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin, store::PrivacyList list,
              bool add, std::span<const uint32_t> uins);

/// A new session's arrival, for either protocol's login: reads `uin`'s presence and its
/// watchers and announces it. Its own lists are still empty; the uploads that follow correct
/// the picture (§6.17). False when the presence store could not be read (nothing announced).
bool announceLogin(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin);

/// §10.4 (decision: only the watchers to whom it was visible): `uin`, last seen with
/// `lastStatus`, is offline.
void announceDeparture(pipeline::Outbox& outbox, uint32_t uin, uint32_t lastStatus,
                       std::span<const store::Watcher> watchers);

/// §10.5: a status change from `previous` to `user.status`, per watcher: status update,
/// offline, online or nothing.
void announceStatusChange(pipeline::Outbox& outbox, const store::PresenceData& user, uint32_t previous,
                          std::span<const store::Watcher> watchers);

/// §10.8: a list edit changed what some watchers may see.
void announceVisibilityChanges(pipeline::Outbox& outbox, const store::PresenceData& user,
                               std::span<const store::VisibilityChange> changes);

/// Ends a user's presence: drops its lists and tells its watchers (logoff, expiry,
/// replaced session). False when the store could not be reached.
bool depart(store::PresenceStore& presence, pipeline::Outbox& outbox, uint32_t uin, uint32_t lastStatus);

}  // namespace icq::presence
