// An in-memory store::SessionStore for unit tests of the worker (STYLE.md §4 "Fakes and
// mocks"): the same rules as RedisSessionStore (common/redis/session_store_impl.cpp) without
// Redis — the session check on session id and address, the duplicate window of (SEQ1, SEQ2,
// COMMAND) triples as a ring with its four dedupe modes, client ACKs clearing unconfirmed
// packets, SEQ1 numbering of reliable packets (the login reply is SEQ1 0; V5 stops at 0xFFFF,
// V3 wraps), the V3 form of a packet for a V3 session, the pre-login claims and the
// offline-message marks. Each operation can be made to fail ("store unreachable", nothing
// changed) through `fail`. Time comes from the clock given to the constructor.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "common/store/session_store.hpp"
#include "common/util/clock.hpp"

namespace icq::test {

class FakeSessionStore final : public store::SessionStore {
public:
  /// An unconfirmed server packet as the store keeps it: without its header.
  struct Unconfirmed {
    uint16_t command = 0, seq2 = 0;
    std::vector<uint8_t> body;
  };
  using Triple = std::array<uint16_t, 3>;  // SEQ1, SEQ2, COMMAND
  struct Entry {
    store::Session session;
    uint32_t nextSeq1 = 0;  // may pass 0xFFFF, as the Redis field does
    std::vector<std::optional<Triple>> window;
    size_t dpos = 0;
    std::map<uint16_t, Unconfirmed> unconfirmed;  // by server SEQ1
    bool offlineClaimed = false;
    int64_t offlineBatch = 0;
  };
  /// Operations that report "store unreachable" (and change nothing) while set.
  struct Failures {
    bool touch = false, queue = false, forget = false, find = false, replace = false, end = false,
         preLogin = false, offline = false;
  };

  explicit FakeSessionStore(const util::Clock& clock, size_t dedupeWindow = 64)
      : clock_(clock), window_(dedupeWindow == 0 ? 1 : dedupeWindow) {}

  Failures fail;
  size_t touchCalls = 0;  // SessionStore::touch calls (one per batch round, plus the records)

  // --- Test helpers -------------------------------------------------------------------

  /// Puts `session` online as a login would, without a login reply: nothing unconfirmed,
  /// an empty duplicate window, its nextSeq1 as given.
  void put(const store::Session& session);
  /// The UIN's session entry, or nullptr.
  const Entry* entry(uint32_t uin) const;
  Entry* entry(uint32_t uin);
  /// The UIN's unconfirmed packets (empty when offline).
  std::map<uint16_t, Unconfirmed> unconfirmed(uint32_t uin) const;

  // --- store::SessionStore ------------------------------------------------------------

  bool touch(std::span<const store::TouchRequest> requests, std::span<store::TouchResult> results) override;
  bool claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) override;
  bool finishPreLogin(const store::TouchRequest& request, uint32_t result) override;
  bool forgetDuplicate(const store::TouchRequest& request) override;
  bool find(uint32_t uin, std::optional<store::Session>& out) override;
  bool replace(const store::Session& fresh, const store::ReliablePacket& loginReply,
               std::optional<store::Session>& replaced) override;
  bool queueReliable(std::span<const store::ReliablePacket> packets, std::span<store::ReliableRoute> routes) override;
  bool end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
           std::optional<store::Session>& ended) override;
  bool countOnline(int64_t& out) override;
  bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<store::SessionHome>& homes,
                  size_t& removed) override;
  bool claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) override;
  bool setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) override;
  bool offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) override;

private:
  using PreLoginKey = std::tuple<uint32_t, uint16_t, uint16_t, uint16_t, uint16_t>;
  static PreLoginKey preLoginKey(const store::TouchRequest& request);
  store::Session withNextSeq(const Entry& entry) const;
  store::TouchResult touchOne(const store::TouchRequest& request);
  void record(Entry& entry, const Triple& triple);

  const util::Clock& clock_;
  size_t window_;
  std::map<uint32_t, Entry> sessions_;
  std::map<PreLoginKey, uint32_t> preLogins_;
};

}  // namespace icq::test
