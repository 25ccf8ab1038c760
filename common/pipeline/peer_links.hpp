// Links to every worker that owns sessions, from a worker, a scheduler or the admin API: one
// DEALER per owner of the membership view, connected to its peer ROUTER (envelope/peer.hpp).
// Reliable packets for UINs this process does not own go to their owner in one Deliver per
// owner per flush; the scheduler's timeouts go as Nudges; the admin's disconnect as a Kick.
//
// Waiting: a producer that needs to know whether a packet was queued (a message is
// acknowledged to its sender only then) waits for the owners' Results, at most `timeout`. A
// worker must go on serving its own peers' requests while it waits — two workers waiting on
// each other would otherwise never answer — so it hands in a `serve` callback that the wait
// calls whenever its own ROUTER is readable. Owned by one thread.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/envelope/peer.hpp"
#include "common/store/membership.hpp"
#include "common/store/session_store.hpp"

namespace icq::pipeline {

class PeerLinks {
public:
  /// `timeout`: how long a waiting call waits for the owners' answers (worker.peer_timeout_ms).
  PeerLinks(zmq::context_t& context, std::string selfId, std::chrono::milliseconds timeout);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  /// Brings the links in line with the view's owners (this process itself excepted).
  void follow(const store::MembershipView& view);
  const store::OwnerTable& owners() const { return owners_; }
  /// The owner of `uin` under the followed view is this process.
  bool ownedHere(uint32_t uin) const { return owners_.owns(selfId_, uin); }

  /// What a waiting call runs while its own ROUTER (`server`) is readable.
  struct Serving {
    zmq::socket_t* server = nullptr;
    std::function<void()> serve;
  };
  void setServing(Serving serving) { serving_ = std::move(serving); }

  /// Hands each packet to its owner. With `outcomes` (one per packet) waits for the answers;
  /// a packet whose owner is unknown, unreachable or silent gets retry. Without, sends and
  /// forgets (late answers are drained by drainReplies()).
  void deliver(std::span<const store::ReliablePacket> packets, std::span<envelope::PeerResult> outcomes);
  /// Ends a session at its owner (the admin's disconnect), waiting for the answer.
  envelope::PeerResult kick(const envelope::KickItem& kick);
  /// Queues a nudge for the owner of `nudge.uin`; sent by flushOneWay().
  void nudge(const envelope::Nudge& nudge);
  /// Queues a client message for the owner of `relay.to`, which delivers or stores it and
  /// acknowledges it to its sender; sent by flushOneWay(). False when `relay.to` has no owner
  /// to take it (the caller leaves the packet unanswered: the client retransmits).
  bool relay(const envelope::RelayItem& relay);
  /// Sends the queued nudges and relays, one message per owner and kind.
  void flushOneWay();
  /// Hands an ingress batch that came through `gateway` to worker `owner` (an owners() index).
  bool forward(size_t owner, std::string_view gateway, std::span<const uint8_t> ingressBatch);
  /// Reads and discards Results nobody waits for any more (from the worker loop).
  void drainReplies();

  size_t size() const { return links_.size(); }
  /// Requests that got no answer in time, and messages that could not be sent.
  uint64_t timeouts() const { return timeouts_; }
  uint64_t unsent() const { return unsent_; }

private:
  struct Link {
    store::WorkerRecord record;
    zmq::socket_t socket;
    envelope::PeerWriter nudges, relays;
  };
  struct Pending {  // one request in flight
    uint64_t id = 0;
    Link* link = nullptr;
    std::vector<size_t> items;  // outcome indices, in the request's item order
  };
  Link* linkFor(size_t owner);
  bool send(Link& link, std::span<const uint8_t> message);
  /// Waits until every pending request is answered or `timeout` passes.
  void await(std::span<envelope::PeerResult> outcomes, std::chrono::milliseconds timeout);
  bool readReply(Link& link, std::span<envelope::PeerResult> outcomes);

  zmq::context_t& context_;
  std::string selfId_;
  std::chrono::milliseconds timeout_;
  store::OwnerTable owners_;
  std::vector<std::unique_ptr<Link>> links_;
  std::vector<Link*> byOwner_;  // owners_ index → link (nullptr for ourselves)
  Serving serving_;
  uint64_t nextId_ = 1;
  std::vector<Pending> pending_;
  std::vector<envelope::PeerWriter> writers_;  // per owner index, reused
  std::vector<zmq::pollitem_t> pollItems_;
  uint64_t timeouts_ = 0;
  uint64_t unsent_ = 0;
};

/// Binds a worker's peer ROUTER and returns the endpoint it bound (a wildcard port resolved).
zmq::socket_t bindPeerServer(zmq::context_t& context, const std::string& endpoint, std::string& bound);

/// The PeerPacket form of a reliable packet, and back (views into the same bytes).
envelope::PeerPacket toPeerPacket(const store::ReliablePacket& packet);
store::ReliablePacket fromPeerPacket(const envelope::PeerPacket& packet);

}  // namespace icq::pipeline
