// Links to the session owners; see peer_links.hpp.
#include "common/pipeline/peer_links.hpp"

#include <algorithm>

#include "common/log/log.hpp"
#include "common/util/pipeline_socket.hpp"

namespace icq::pipeline {
namespace {

using envelope::PeerOutcome;
using envelope::PeerResult;

// How long a wait polls before it looks at the clock again.
constexpr std::chrono::milliseconds kWaitSlice{5};

}  // namespace

zmq::socket_t bindPeerServer(zmq::context_t& context, const std::string& endpoint, std::string& bound) {
  zmq::socket_t router(context, zmq::socket_type::router);
  // An answer to a requester that went away must fail, not pile up.
  router.set(zmq::sockopt::router_mandatory, 1);
  router.set(zmq::sockopt::router_handover, 1);
  util::setPipelineOptions(router, envelope::kMaxPeerMessage);
  router.bind(endpoint);
  bound = router.get(zmq::sockopt::last_endpoint);
  return router;
}

envelope::PeerPacket toPeerPacket(const store::ReliablePacket& packet) {
  envelope::PeerPacket out;
  out.uin = packet.uin;
  out.sessionId = packet.sessionId;
  out.protocol = packet.protocol;
  out.command = packet.command;
  out.seq2 = packet.seq2;
  out.body = packet.body;
  if (packet.v3Form) {
    out.hasV3Form = true;
    out.v3Command = packet.v3Form->command;
    out.v3Body = packet.v3Form->body;
  }
  return out;
}

store::ReliablePacket fromPeerPacket(const envelope::PeerPacket& packet) {
  store::ReliablePacket out;
  out.uin = packet.uin;
  out.command = packet.command;
  out.seq2 = packet.seq2;
  out.body = packet.body;
  out.sessionId = packet.sessionId;
  out.protocol = packet.protocol;
  if (packet.hasV3Form) out.v3Form = store::ReliablePacket::V3Form{packet.v3Command, packet.v3Body};
  return out;
}

PeerLinks::PeerLinks(zmq::context_t& context, std::string selfId, std::chrono::milliseconds timeout)
    : context_(context), selfId_(std::move(selfId)), timeout_(timeout) {}

PeerLinks::~PeerLinks() = default;

void PeerLinks::follow(const store::MembershipView& view) {
  owners_ = store::OwnerTable(view);
  // Keep the links to owners that are still there as they were (same endpoint and instance).
  std::erase_if(links_, [&](const std::unique_ptr<Link>& link) {
    auto it = std::find_if(view.owners.begin(), view.owners.end(),
                           [&](const store::WorkerRecord& r) { return r.id == link->record.id; });
    return it == view.owners.end() || it->endpoint != link->record.endpoint ||
           it->instance != link->record.instance;
  });
  byOwner_.assign(owners_.size(), nullptr);
  for (size_t i = 0; i < view.owners.size(); ++i) {
    const store::WorkerRecord& record = view.owners[i];
    if (record.id == selfId_) continue;
    auto it = std::find_if(links_.begin(), links_.end(), [&](const auto& l) { return l->record.id == record.id; });
    if (it != links_.end()) {
      byOwner_[i] = it->get();
      continue;
    }
    try {
      auto link = std::make_unique<Link>(Link{record, zmq::socket_t(context_, zmq::socket_type::dealer), {}, {}});
      link->socket.set(zmq::sockopt::routing_id, selfId_);
      util::setPipelineOptions(link->socket, envelope::kMaxPeerMessage);  // Results
      link->socket.set(zmq::sockopt::reconnect_ivl, 100);
      link->socket.set(zmq::sockopt::reconnect_ivl_max, 2000);
      link->socket.connect(record.endpoint);
      link->nudges.startNudges();
      link->relays.startRelays();
      byOwner_[i] = link.get();
      links_.push_back(std::move(link));
    } catch (const zmq::error_t& e) {
      log::warn("peer_link_failed", {{"worker", record.id}, {"endpoint", record.endpoint}, {"error", e.what()}});
    }
  }
  // Requests to links that went away will never be answered.
  std::erase_if(pending_, [&](const Pending& p) {
    return std::none_of(links_.begin(), links_.end(), [&](const auto& l) { return l.get() == p.link; });
  });
}

PeerLinks::Link* PeerLinks::linkFor(size_t owner) { return owner < byOwner_.size() ? byOwner_[owner] : nullptr; }

bool PeerLinks::send(Link& link, std::span<const uint8_t> message) {
  try {
    if (link.socket.send(zmq::buffer(message.data(), message.size()), zmq::send_flags::dontwait)) return true;
  } catch (const zmq::error_t&) {
  }
  ++unsent_;
  return false;
}

void PeerLinks::deliver(std::span<const store::ReliablePacket> packets, std::span<PeerResult> outcomes) {
  const bool wait = !outcomes.empty();
  std::fill(outcomes.begin(), outcomes.end(), PeerResult{});
  if (writers_.size() < owners_.size()) writers_.resize(owners_.size());
  const size_t firstPending = pending_.size();
  // One request per owner: the Pending's item list maps its answers back to `outcomes`.
  std::vector<size_t> requestOf(owners_.size(), SIZE_MAX);
  for (size_t i = 0; i < packets.size(); ++i) {
    const size_t owner = owners_.owner(packets[i].uin);
    Link* link = linkFor(owner);
    if (!link) continue;  // no owner, or ourselves (the caller handles those): stays retry
    if (requestOf[owner] == SIZE_MAX) {
      requestOf[owner] = pending_.size();
      pending_.push_back({nextId_++, link, {}});
      writers_[owner].startDeliver(pending_.back().id);
    }
    if (writers_[owner].add(toPeerPacket(packets[i]))) pending_[requestOf[owner]].items.push_back(i);
  }
  for (size_t owner = 0; owner < requestOf.size(); ++owner) {
    if (requestOf[owner] == SIZE_MAX) continue;
    Pending& request = pending_[requestOf[owner]];
    if (!send(*request.link, writers_[owner].message())) request.items.clear();
  }
  if (!wait) {
    pending_.resize(firstPending);  // answers come back; drainReplies() drops them
    return;
  }
  await(outcomes, timeout_);
}

PeerResult PeerLinks::kick(const envelope::KickItem& kick) {
  Link* link = linkFor(owners_.owner(kick.uin));
  if (!link) return PeerResult{};
  envelope::PeerWriter writer;
  const uint64_t id = nextId_++;
  writer.startKick(id);
  writer.add(kick);
  if (!send(*link, writer.message())) return PeerResult{};
  pending_.push_back({id, link, {0}});
  PeerResult outcome;
  await(std::span(&outcome, 1), timeout_);
  return outcome;
}

void PeerLinks::nudge(const envelope::Nudge& nudge) {
  Link* link = linkFor(owners_.owner(nudge.uin));
  if (!link) return;  // no owner yet: the next sweep asks again
  if (!link->nudges.add(nudge)) {
    flushOneWay();
    link->nudges.add(nudge);
  }
}

bool PeerLinks::relay(const envelope::RelayItem& relay) {
  Link* link = linkFor(owners_.owner(relay.to));
  if (!link) return false;
  if (link->relays.add(relay)) return true;
  flushOneWay();
  return link->relays.add(relay);
}

void PeerLinks::flushOneWay() {
  for (auto& link : links_) {
    if (!link->nudges.empty()) {
      send(*link, link->nudges.message());
      link->nudges.startNudges();
    }
    if (!link->relays.empty()) {
      send(*link, link->relays.message());
      link->relays.startRelays();
    }
  }
}

bool PeerLinks::forward(size_t owner, std::string_view gateway, std::span<const uint8_t> ingressBatch) {
  Link* link = linkFor(owner);
  if (!link) return false;
  writers_.resize(std::max(writers_.size(), owners_.size()));
  envelope::PeerWriter& writer = writers_[owner];
  writer.forward(gateway, ingressBatch);
  return send(*link, writer.message());
}

void PeerLinks::await(std::span<PeerResult> outcomes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto unanswered = [&] {
    return std::any_of(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.items.empty(); });
  };
  while (unanswered()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    pollItems_.clear();
    for (auto& link : links_) pollItems_.push_back({static_cast<void*>(link->socket), 0, ZMQ_POLLIN, 0});
    if (serving_.server) pollItems_.push_back({static_cast<void*>(*serving_.server), 0, ZMQ_POLLIN, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    util::pollIgnoringSignals(pollItems_.data(), pollItems_.size(), std::min(left, kWaitSlice));
    for (size_t i = 0; i < links_.size(); ++i)
      if (pollItems_[i].revents & ZMQ_POLLIN)
        while (readReply(*links_[i], outcomes)) {
        }
    if (serving_.server && (pollItems_.back().revents & ZMQ_POLLIN)) serving_.serve();
  }
  for (const Pending& p : pending_)
    if (!p.items.empty()) ++timeouts_;
  pending_.clear();
}

// One Result from `link`, matched to its pending request; false when nothing was there.
bool PeerLinks::readReply(Link& link, std::span<PeerResult> outcomes) {
  zmq::message_t message;
  if (!link.socket.recv(message, zmq::recv_flags::dontwait)) return false;
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(message.data()), message.size());
  auto reader = envelope::PeerReader::open(bytes);
  if (!reader || reader->kind() != envelope::PeerKind::Result) return true;
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Pending& p) { return p.id == reader->requestId() && p.link == &link; });
  if (it == pending_.end()) return true;  // a late answer to a request given up on
  PeerResult outcome;
  for (size_t k = 0; k < it->items.size() && reader->next(outcome); ++k)
    if (it->items[k] < outcomes.size()) outcomes[it->items[k]] = outcome;
  it->items.clear();
  return true;
}

void PeerLinks::drainReplies() {
  for (auto& link : links_) {
    zmq::message_t message;
    while (link->socket.recv(message, zmq::recv_flags::dontwait)) {
    }
  }
}

}  // namespace icq::pipeline
