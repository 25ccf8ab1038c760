// ClusterAdmin: the admin operations that touch the running cluster — online sessions
// (list, show, disconnect), broadcasts, the web pager, and the server's status and counts.
// Sessions are read from the shared directory; whatever changes one goes to the worker that
// owns it (ARCHITECTURE.md "Ownership"): messages as reliable packets through an Outbox that
// owns no session (each is numbered, recorded and resent by its owner), a disconnect as a
// Kick, which the owner answers once the session is gone.
//
// Owned by one thread at a time (the admin API serialises its requests): the stores, the
// outbox and the peer links it is given are single-threaded objects.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/admin/outcome.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/config/config.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/membership.hpp"
#include "common/store/message_store.hpp"
#include "common/store/session_directory.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"

namespace icq::admin {

/// Server-generated messages come from UIN 10, as the web pager's and e-mail express's do
/// on the real network (protocol-v5.md §9.1); clients show it as a system sender.
inline constexpr uint32_t kServerUin = 10;
/// Most UINs one broadcast or session page names.
inline constexpr size_t kMaxRecipients = 1000;

struct ClusterAdminSettings {
  std::string codepage = "CP1252";                        // text.codepage
  size_t maxMsgChunk = 450;                               // v5.max_msg_chunk
  codec::v5::SplitOrder splitOrder = codec::v5::SplitOrder::backward;  // v5.split_order
  std::chrono::milliseconds registrationTtl{5000};       // gateway.registration_ttl_ms
  static ClusterAdminSettings from(const config::Config& config);
};

struct ClusterStores {
  store::SessionDirectory& sessions;
  store::MessageStore& messages;
  store::UserStore& users;
  store::GatewayRegistry& registry;
  store::Membership& membership;
};

/// A web-pager message (IServerd's "WWP"); text in UTF-8.
struct PagerMessage {
  uint32_t to = 0;
  std::string name, email, text;
};

class ClusterAdmin {
public:
  ClusterAdmin(const ClusterStores& stores, pipeline::PeerLinks& peers, ClusterAdminSettings settings,
               const util::Clock& clock, std::string auditSource);

  /// ok {"sessions": [...], "next_cursor"} — one step of a walk over the online index;
  /// cursor 0 starts it, next_cursor null ends it | bad_input | unavailable
  Outcome listSessions(uint64_t cursor, size_t limit);
  /// ok {session} | not_found | unavailable
  Outcome showSession(uint32_t uin);
  /// Ends `uin`'s session as IServerd's disconnect did: the client gets the protocol's
  /// forced-logout packet, its watchers are told it went offline, and every message it
  /// had not confirmed is kept offline. ok {"uin", "forced_logout_sent",
  /// "messages_kept_offline"} | not_found | unavailable
  Outcome disconnect(uint32_t uin);
  /// A system message (type 0x0009, from kServerUin) to everyone online (`uins` empty) or
  /// to the UINs named, stored offline for those of them who are not online.
  /// ok {"online", "stored_offline", "unknown": [uins]} | bad_input | unavailable
  Outcome broadcast(const std::string& text, const std::vector<uint32_t>& uins);
  /// The web pager: a type 0x000D message from kServerUin, delivered live or stored
  /// offline like any message. ok {"uin", "delivered": "online"|"offline"} | bad_input |
  /// not_found | unavailable
  Outcome page(const PagerMessage& message);
  /// ok {"online_sessions", "registered_users", "offline_messages", "gateways": [...],
  /// "workers": [...], "membership_epoch"} | unavailable
  Outcome status();

private:
  struct Recipient {
    uint32_t uin;
    size_t firstPacket, pieces;
  };
  /// Brings the peer links in line with the membership view; false when it is unreadable.
  bool followMembership();
  /// Queues `text` (client code page) for `to`'s current session as SRV_SYS_DELIVERED_MESS
  /// pieces (§6.10 split; SYSMSG_ONLINE for a V3 session), remembering where they sit in the outbox.
  void queueMessage(uint32_t to, uint16_t type, const std::string& text);
  /// Hands the queued messages to their owners and waits for their answers.
  void flushQueued();
  bool allQueued(const Recipient& recipient) const;
  /// Some piece's owner could not say whether it was queued.
  bool anyUnsettled(const Recipient& recipient) const;
  nlohmann::json sessionJson(const store::Session& session) const;
  std::optional<Outcome> toClientText(const std::string& field, const std::string& value, std::string& out) const;

  ClusterStores stores_;
  pipeline::PeerLinks& peers_;
  codec::v5::CheckcodeRng rng_;
  pipeline::Outbox outbox_;
  ClusterAdminSettings settings_;
  const util::Clock& clock_;
  std::string auditSource_;
  std::vector<store::GatewayRecord> gateways_;
  store::MembershipView view_;
  std::vector<Recipient> recipients_;
};

}  // namespace icq::admin
