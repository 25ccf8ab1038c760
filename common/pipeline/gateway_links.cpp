// Connections to gateways; see gateway_links.hpp.
#include "common/pipeline/gateway_links.hpp"

#include <algorithm>

#include "common/log/log.hpp"
#include "common/util/pipeline_socket.hpp"

namespace icq::pipeline {

GatewayLink::GatewayLink(zmq::context_t& context, const store::GatewayRecord& record, const std::string& workerId)
    : record_(record), socket_(context, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::routing_id, workerId);
  util::setPipelineOptions(socket_, envelope::kMaxBatchMessage);  // ingress batches
  // A restarted gateway is found again within a fraction of a second.
  socket_.set(zmq::sockopt::reconnect_ivl, 100);
  socket_.set(zmq::sockopt::reconnect_ivl_max, 2000);
  socket_.connect(record.endpoint);
}

bool GatewayLink::send(std::span<const uint8_t> message) {
  try {
    return socket_.send(zmq::buffer(message.data(), message.size()), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool GatewayLink::sendControl(envelope::Kind kind, uint32_t credits) {
  auto message = envelope::encodeControl({kind, credits});
  return send(message);
}

GatewayLinks::GatewayLinks(zmq::context_t& context, std::string workerId, uint32_t creditWindow)
    : context_(context), workerId_(std::move(workerId)), creditWindow_(creditWindow) {}

GatewayLink* GatewayLinks::find(std::string_view gatewayId) {
  for (auto& link : links_)
    if (link->id() == gatewayId) return link.get();
  return nullptr;
}

bool GatewayLinks::deliver(std::string_view gateway, std::span<const uint8_t> message) {
  GatewayLink* link = find(gateway);
  return link && link->send(message);
}

void GatewayLinks::follow(const std::vector<store::GatewayRecord>& records) {
  // Drop links to gateways that left the registry or restarted (new instance/endpoint).
  std::erase_if(links_, [&](const std::unique_ptr<GatewayLink>& link) {
    auto it = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r.id == link->id(); });
    bool keep =
        it != records.end() && it->instance == link->record().instance && it->endpoint == link->record().endpoint;
    if (!keep) log::info("gateway_link_closed", {{"gateway", link->id()}});
    return !keep;
  });
  for (const store::GatewayRecord& record : records) {
    if (find(record.id)) continue;
    try {
      auto link = std::make_unique<GatewayLink>(context_, record, workerId_);
      // The Hello is queued until the connection is up; ZeroMQ delivers it first.
      if (creditWindow_ > 0) link->sendControl(envelope::Kind::Hello, creditWindow_);
      log::info("gateway_link_opened", {{"gateway", record.id}, {"endpoint", record.endpoint}});
      links_.push_back(std::move(link));
    } catch (const zmq::error_t& e) {
      log::warn("gateway_link_failed", {{"gateway", record.id}, {"endpoint", record.endpoint}, {"error", e.what()}});
    }
  }
}

void GatewayLinks::goodbyeAll() {
  if (creditWindow_ == 0) return;  // never enlisted for hand-outs
  for (auto& link : links_) link->sendControl(envelope::Kind::Goodbye, 0);
}

}  // namespace icq::pipeline
