// A SessionStore fake that records the reliable packets queued through it and says every
// recipient is offline, so nothing is sent: for tests of who is told what (presence
// rules), without Redis. Every other operation reports "store unreachable".
#pragma once

#include <vector>

#include "common/store/session_store.hpp"

namespace icq::test {

class RecordingSessionStore final : public store::SessionStore {
public:
  struct Queued {
    uint32_t uin;
    uint16_t command;
    std::vector<uint8_t> body;
  };
  std::vector<Queued> queued;

  bool queueReliable(std::span<const store::ReliablePacket> packets, std::span<store::ReliableRoute> routes) override {
    for (size_t i = 0; i < packets.size(); ++i) {
      queued.push_back({packets[i].uin, packets[i].command, {packets[i].body.begin(), packets[i].body.end()}});
      routes[i] = store::ReliableRoute{};
    }
    return true;
  }
  bool touch(std::span<const store::TouchRequest>, std::span<store::TouchResult>) override { return false; }
  bool forgetDuplicate(const store::TouchRequest&) override { return false; }
  bool claimPreLogin(const store::TouchRequest&, bool&, uint32_t&) override { return false; }
  bool finishPreLogin(const store::TouchRequest&, uint32_t) override { return false; }
  bool find(uint32_t, std::optional<store::Session>&) override { return false; }
  bool replace(const store::Session&, const store::ReliablePacket&, std::optional<store::Session>&) override {
    return false;
  }
  bool end(uint32_t, uint32_t, const util::Endpoint&, std::optional<store::Session>&) override { return false; }
  bool countOnline(int64_t&) override { return false; }
  bool walkOnline(uint64_t&, size_t, int64_t, std::vector<store::SessionHome>&, size_t&) override { return false; }
  bool claimOfflineDelivery(uint32_t, uint32_t, bool&) override { return false; }
  bool setOfflineBatch(uint32_t, uint32_t, int64_t) override { return false; }
  bool offlineBatch(uint32_t, uint32_t, int64_t&) override { return false; }
};

}  // namespace icq::test
