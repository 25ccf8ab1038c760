// An online session as the cluster shares it (protocol-v5.md §10.1; V3 sessions too,
// protocol-v3.md §11.4, with `protocol` 3 and `sessionId` 0): who the client is,
// where its packets come from, which gateway last heard it, and the server's sequence
// counter. Owned by the SessionStore; workers and the scheduler hold copies.
#pragma once

#include <cstdint>
#include <string>

#include "common/util/endpoint.hpp"

namespace icq::store {

struct Session {
  uint32_t uin = 0;
  uint32_t sessionId = 0;  // the client's, from its CMD_LOGIN header; 0 for V3, which has none
  util::Endpoint client;   // source address of the login; every reply goes there
  std::string gateway;     // id of the gateway that last heard from the client
  uint64_t serial = 0;     // server-side, random per login: tells sessions of one UIN apart
  uint32_t status = 0;     // low word state, high word flags (§9.4)
  uint16_t nextSeq1 = 0;   // next server SEQ1 for a reliable packet (§4.2)
  uint16_t loginSeq1 = 0;  // SEQ1/SEQ2 of the CMD_LOGIN that created the session (§4.5)
  uint16_t loginSeq2 = 0;
  int64_t loginMs = 0;
  int64_t lastSeenMs = 0;
  uint32_t tcpPort = 0;     // direct-connection data from the login (§8.7)
  uint32_t internalIp = 0;  // network order
  uint8_t dcType = 0;
  uint16_t tcpVersion = 0;
  uint32_t webPort = 0;
  uint32_t features = 0;
  uint8_t protocol = 5;  // 5 or 3: the header of every packet the session gets

  /// Same client socket and session id: the test for "this packet belongs to this session" (§5.1).
  bool sameClient(uint32_t otherSessionId, const util::Endpoint& from) const {
    return sessionId == otherSessionId && client == from;
  }
};

}  // namespace icq::store
