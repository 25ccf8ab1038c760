// Operations on the running cluster; see cluster_admin.hpp.
//
// Disconnect is a Kick to the session's owner (worker/sessions/session_endings.cpp), which
// ends the session the way a retransmit give-up does: the messages it had not confirmed are
// stored offline before the session is gone, the client hears the protocol's forced logout
// — V5 SRV_GO_AWAY with the SEQ1 it expects next, as a replaced login's old session does
// (§4.7) — and its watchers hear it went offline (§10.4).
#include "common/admin/cluster_admin.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_set>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/log/log.hpp"
#include "common/presence/presence.hpp"
#include "common/util/codepage.hpp"

namespace icq::admin {
namespace {

namespace v5 = codec::v5;

// Web-pager fields: longer than any web form's, short enough to leave room for the text.
constexpr size_t kMaxPagerName = 64;
constexpr size_t kMaxPagerEmail = 128;
// A sessions page or a broadcast slice: one ZSCAN step and one outbox round trip.
constexpr size_t kMaxSessionsPage = 500;
constexpr size_t kBroadcastSlice = 500;
// The field separator of structured message texts (§9.2).
constexpr char kFieldSeparator = '\xFE';

Outcome notOnline(uint32_t uin) {
  return Outcome::error(Status::not_found, "UIN " + std::to_string(uin) + " is not online");
}

std::span<const uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

ClusterAdminSettings ClusterAdminSettings::from(const config::Config& config) {
  ClusterAdminSettings s;
  s.codepage = config.string("text.codepage");
  s.maxMsgChunk = static_cast<size_t>(config.integer("v5.max_msg_chunk"));
  s.splitOrder =
      config.string("v5.split_order") == "forward" ? codec::v5::SplitOrder::forward : codec::v5::SplitOrder::backward;
  s.registrationTtl = std::chrono::milliseconds(config.integer("gateway.registration_ttl_ms"));
  try {
    util::toUtf8("", s.codepage);  // an unknown code page is a configuration error: say so at start
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("configuration error: text.codepage: ") + e.what());
  }
  return s;
}

ClusterAdmin::ClusterAdmin(const ClusterStores& stores, pipeline::PeerLinks& peers, ClusterAdminSettings settings,
                           const util::Clock& clock, std::string auditSource)
    : stores_(stores),
      peers_(peers),
      rng_(static_cast<uint64_t>(clock.nowMs())),
      outbox_(nullptr, &peers, nullptr, rng_),
      settings_(std::move(settings)),
      clock_(clock),
      auditSource_(std::move(auditSource)) {}

// ---------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------

bool ClusterAdmin::followMembership() {
  if (!stores_.membership.view(view_)) return false;
  peers_.follow(view_);
  return true;
}

void ClusterAdmin::queueMessage(uint32_t to, uint16_t type, const std::string& text) {
  std::array<uint8_t, 14 + v5::kMaxMessageText + 1> body{}, v3Body{};
  Recipient recipient{to, 0, 0};
  // As the worker relays a V5 message: a V3 session gets each piece as SYSMSG_ONLINE of the
  // V3 delivery type (protocol-v3.md §9.2); a piece of at most 450 bytes fits one V3 datagram.
  v5::forEachMessagePiece(bytesOf(text), settings_.maxMsgChunk, settings_.splitOrder,
                          [&](std::span<const uint8_t> piece) {
                            const size_t n = v5::buildOnlineMessageBody(kServerUin, type, piece, body);
                            const size_t m = codec::v3::buildOnlineMessageBody(
                                {kServerUin, 0, codec::v3::deliveryType(type), piece}, v3Body);
                            const size_t index =
                                outbox_.queueEither(to, v5::SRV_SYS_DELIVERED_MESS, std::span(body).first(n),
                                                    codec::v3::SRV_SYSMSG_ONLINE, std::span(v3Body).first(m));
                            if (recipient.pieces++ == 0) recipient.firstPacket = index;
                          });
  recipients_.push_back(recipient);
}

void ClusterAdmin::flushQueued() { outbox_.flushForRoutes(); }

bool ClusterAdmin::allQueued(const Recipient& recipient) const {
  for (size_t i = 0; i < recipient.pieces; ++i)
    if (!outbox_.routeOf(recipient.firstPacket + i).queued) return false;
  return recipient.pieces > 0;
}

bool ClusterAdmin::anyUnsettled(const Recipient& recipient) const {
  for (size_t i = 0; i < recipient.pieces; ++i)
    if (outbox_.routeOf(recipient.firstPacket + i).retry) return true;
  return false;
}

std::optional<Outcome> ClusterAdmin::toClientText(const std::string& field, const std::string& value,
                                                  std::string& out) const {
  try {
    out = util::fromUtf8(value, settings_.codepage);
  } catch (const std::invalid_argument& e) {
    return Outcome::badInput(field, e.what());
  }
  if (out.find('\0') != std::string::npos) return Outcome::badInput(field, "contains a NUL character");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

nlohmann::json ClusterAdmin::sessionJson(const store::Session& s) const {
  char status[11];
  std::snprintf(status, sizeof status, "0x%08X", s.status);
  return {{"uin", s.uin},
          {"protocol", s.protocol},
          {"session_id", s.sessionId},
          {"client", util::formatEndpoint(s.client)},
          {"gateway", s.gateway},
          {"status", status},
          {"login_at_ms", s.loginMs},
          {"last_seen_ms", s.lastSeenMs},
          {"idle_ms", std::max<int64_t>(0, clock_.nowMs() - s.lastSeenMs)}};
}

Outcome ClusterAdmin::listSessions(uint64_t cursor, size_t limit) {
  if (limit == 0 || limit > kMaxSessionsPage)
    return Outcome::badInput("limit", "must be 1 to " + std::to_string(kMaxSessionsPage));
  std::vector<store::SessionHome> homes;
  size_t removed = 0;
  // staleBeforeMs -1: a listing only looks, it never removes index entries.
  if (!stores_.sessions.walkOnline(cursor, limit, -1, homes, removed)) return Outcome::unavailable("Redis");
  nlohmann::json sessions = nlohmann::json::array();
  for (const store::SessionHome& home : homes) {
    std::optional<store::Session> session;
    if (!stores_.sessions.find(home.uin, session)) return Outcome::unavailable("Redis");
    if (session) sessions.push_back(sessionJson(*session));
  }
  nlohmann::json next = cursor == 0 ? nlohmann::json(nullptr) : nlohmann::json(std::to_string(cursor));
  return Outcome::ok({{"sessions", std::move(sessions)}, {"next_cursor", std::move(next)}});
}

Outcome ClusterAdmin::showSession(uint32_t uin) {
  std::optional<store::Session> session;
  if (!stores_.sessions.find(uin, session)) return Outcome::unavailable("Redis");
  if (!session) return notOnline(uin);
  return Outcome::ok(sessionJson(*session));
}

Outcome ClusterAdmin::disconnect(uint32_t uin) {
  if (!followMembership()) return Outcome::unavailable("Redis");
  // A login may replace the session between the read and the kick; then look again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<store::Session> session;
    if (!stores_.sessions.find(uin, session)) return Outcome::unavailable("Redis");
    if (!session) return notOnline(uin);
    const envelope::PeerResult result = peers_.kick({uin, session->sessionId, session->client});
    if (result.outcome == envelope::PeerOutcome::absent) continue;
    if (result.outcome == envelope::PeerOutcome::retry)
      return Outcome::error(Status::unavailable, "the worker that owns UIN " + std::to_string(uin) +
                                                     " did not answer; try again");
    stores_.users.audit(uin, store::AuditEvent::logoff, auditSource_ + " disconnect");
    return Outcome::ok({{"uin", uin}, {"forced_logout_sent", session->protocol != 3},
                        {"messages_kept_offline", result.detail}});
  }
  return Outcome::error(Status::unavailable, "UIN " + std::to_string(uin) + " kept logging in again; try again");
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

Outcome ClusterAdmin::broadcast(const std::string& text, const std::vector<uint32_t>& uins) {
  std::string wire;
  if (auto bad = toClientText("text", text, wire)) return *bad;
  if (wire.empty()) return Outcome::badInput("text", "must not be empty");
  if (wire.size() > v5::kMaxMessageText)
    return Outcome::badInput("text", "longer than " + std::to_string(v5::kMaxMessageText) + " bytes");
  if (uins.size() > kMaxRecipients)
    return Outcome::badInput("uins", "at most " + std::to_string(kMaxRecipients) + " recipients");
  if (std::find(uins.begin(), uins.end(), 0u) != uins.end()) return Outcome::badInput("uins", "UIN 0 does not exist");
  if (!followMembership()) return Outcome::unavailable("Redis");

  size_t online = 0, storedOffline = 0;
  nlohmann::json unknown = nlohmann::json::array();
  std::unordered_set<uint32_t> sent;
  auto sendSlice = [&](const std::vector<uint32_t>& slice, bool storeTheRest) -> bool {
    recipients_.clear();
    for (uint32_t uin : slice)
      if (sent.insert(uin).second) queueMessage(uin, v5::kMsgSystem, wire);
    flushQueued();
    for (const Recipient& r : recipients_) {
      if (allQueued(r)) {
        online++;
        continue;
      }
      if (!storeTheRest) continue;  // went offline during the walk: a broadcast is for those online
      bool stored = false;
      if (!stores_.messages.storeOffline(kServerUin, r.uin, v5::kMsgSystem, bytesOf(wire), clock_.nowMs(), stored))
        return false;
      if (stored)
        storedOffline++;
      else
        unknown.push_back(r.uin);
    }
    return true;
  };

  if (!uins.empty()) {
    if (!sendSlice(uins, true)) return Outcome::unavailable("Redis or the database");
  } else {
    uint64_t cursor = 0;
    std::vector<store::SessionHome> homes;
    std::vector<uint32_t> slice;
    do {
      size_t removed = 0;
      // staleBeforeMs -1: a broadcast only looks, it never removes index entries.
      if (!stores_.sessions.walkOnline(cursor, kBroadcastSlice, -1, homes, removed))
        return Outcome::unavailable("Redis");
      slice.clear();
      for (const store::SessionHome& home : homes) slice.push_back(home.uin);
      if (!sendSlice(slice, false)) return Outcome::unavailable("Redis");
    } while (cursor != 0);
  }
  log::info("admin_broadcast", {{"online", online}, {"stored_offline", storedOffline}});
  return Outcome::ok({{"online", online}, {"stored_offline", storedOffline}, {"unknown", std::move(unknown)}});
}

Outcome ClusterAdmin::page(const PagerMessage& message) {
  if (message.to == 0) return Outcome::badInput("uin", "UIN 0 does not exist");
  std::string name, email, text;
  for (auto [field, value, limit, out] : {std::tuple{"name", &message.name, kMaxPagerName, &name},
                                          std::tuple{"email", &message.email, kMaxPagerEmail, &email},
                                          std::tuple{"text", &message.text, v5::kMaxMessageText, &text}}) {
    if (auto bad = toClientText(field, *value, *out)) return *bad;
    if (out->size() > limit) return Outcome::badInput(field, "longer than " + std::to_string(limit) + " bytes");
    if (out->find(kFieldSeparator) != std::string::npos)
      return Outcome::badInput(field, "contains the field separator 0xFE (U+00FE in most code pages)");
  }
  if (text.empty()) return Outcome::badInput("text", "must not be empty");
  // §9.1 type 0x000D: name FE FE FE email FE 3 FE text.
  const std::string sep(1, kFieldSeparator);
  const std::string wire = name + sep + sep + sep + email + sep + "3" + sep + text;
  if (wire.size() > v5::kMaxMessageText)
    return Outcome::badInput("text", "name, e-mail and text together exceed " +
                                         std::to_string(v5::kMaxMessageText) + " bytes");
  if (!followMembership()) return Outcome::unavailable("Redis");

  recipients_.clear();
  queueMessage(message.to, v5::kMsgWebPager, wire);
  flushQueued();
  if (allQueued(recipients_.front())) return Outcome::ok({{"uin", message.to}, {"delivered", "online"}});
  if (anyUnsettled(recipients_.front()))
    return Outcome::error(Status::unavailable, "the worker that owns UIN " + std::to_string(message.to) +
                                                   " did not answer; try again");
  // Offline, or gone between two pieces: the whole text is stored, as the worker does.
  bool stored = false;
  if (!stores_.messages.storeOffline(kServerUin, message.to, v5::kMsgWebPager, bytesOf(wire), clock_.nowMs(), stored))
    return Outcome::unavailable("database");
  if (!stored) return Outcome::error(Status::not_found, "no user with UIN " + std::to_string(message.to));
  return Outcome::ok({{"uin", message.to}, {"delivered", "offline"}});
}

// ---------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------

Outcome ClusterAdmin::status() {
  int64_t online = 0, users = 0, messages = 0;
  if (!stores_.sessions.countOnline(online) || !stores_.registry.list(gateways_) || !stores_.membership.view(view_))
    return Outcome::unavailable("Redis");
  if (!stores_.users.countUsers(users) || !stores_.messages.countStored(messages))
    return Outcome::unavailable("database");
  nlohmann::json gateways = nlohmann::json::array();
  for (const store::GatewayRecord& g : gateways_) {
    nlohmann::json heartbeat = nullptr;
    if (g.ttlLeft.count() >= 0)
      heartbeat = std::max<int64_t>(0, (settings_.registrationTtl - g.ttlLeft).count());
    gateways.push_back({{"id", g.id}, {"endpoint", g.endpoint}, {"last_heartbeat_ms_ago", heartbeat}});
  }
  nlohmann::json workers = nlohmann::json::array();
  for (const store::WorkerRecord& w : view_.owners) workers.push_back({{"id", w.id}, {"endpoint", w.endpoint}});
  return Outcome::ok({{"online_sessions", online},
                      {"registered_users", users},
                      {"offline_messages", messages},
                      {"gateways", std::move(gateways)},
                      {"workers", std::move(workers)},
                      {"membership_epoch", view_.epoch}});
}

}  // namespace icq::admin
