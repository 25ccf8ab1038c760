// The session hash icq:{uin}:sess (keys.hpp) field by field, and the duplicate window's
// triple: the one description the ledger (which writes sessions) and the directory (which
// reads them for everyone else) share.
//
// Fields besides the Session members: "dpos" (the duplicate ring's next slot), "ix" (the
// expiry-index score last written for the session), "ofd" (offline delivery claimed), "ofb"
// (the offline batch's highest id), "rg" (random-chat group, presence_store_impl.cpp). The
// presence scripts read st, ip, tcp, iip, dct, tcv, web, feat, pv and sid by name.
#pragma once

#include <array>
#include <cassert>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/redis/connection.hpp"
#include "common/store/session.hpp"

namespace icq::redis {

template <class S, class Visit>
void forEachSessionField(S& session, Visit&& visit) {
  visit("sid", session.sessionId);
  visit("ip", session.client.ip);  // network byte order, as a number
  visit("port", session.client.port);
  visit("gw", session.gateway);
  visit("ser", session.serial);
  visit("st", session.status);
  visit("ls1", session.loginSeq1);
  visit("ls2", session.loginSeq2);
  visit("lms", session.loginMs);
  visit("seen", session.lastSeenMs);
  visit("tcp", session.tcpPort);
  visit("iip", session.internalIp);
  visit("dct", session.dcType);
  visit("tcv", session.tcpVersion);
  visit("web", session.webPort);
  visit("feat", session.features);
  visit("pv", session.protocol);
}
inline constexpr size_t kSessionFieldCount = 17;

/// Command arguments on the stack: numbers are formatted into `text_`; views point there or
/// at bytes the caller keeps alive until the command is appended.
class StackArgs {
public:
  void add(std::string_view bytes) {
    assert(count_ < views_.size());
    views_[count_++] = bytes;
  }
  template <std::integral T>
  void addNumber(T value) {
    char* begin = text_.data() + used_;
    char* end = std::to_chars(begin, text_.data() + text_.size(), value).ptr;
    used_ = static_cast<size_t>(end - text_.data());
    add({begin, static_cast<size_t>(end - begin)});
  }
  void addValue(const std::string& value) { add(value); }
  template <std::integral T>
  void addValue(T value) {
    addNumber(value);
  }
  std::span<const std::string_view> view() const { return {views_.data(), count_}; }

private:
  // Sized for the largest call, a login: 8 fixed arguments and 2 × (kSessionFieldCount + 3)
  // field/value pairs, at most 24 numbers of at most 20 digits.
  std::array<char, 512> text_{};
  size_t used_ = 0;
  std::array<std::string_view, 8 + 2 * (kSessionFieldCount + 3)> views_{};
  size_t count_ = 0;
};

/// A client (SEQ1, SEQ2, COMMAND) triple as stored in the duplicate window: 6 bytes, big-endian.
class Triple {
public:
  Triple(uint16_t seq1, uint16_t seq2, uint16_t command)
      : bytes_{static_cast<char>(seq1 >> 8), static_cast<char>(seq1),         static_cast<char>(seq2 >> 8),
               static_cast<char>(seq2),      static_cast<char>(command >> 8), static_cast<char>(command)} {}
  operator std::string_view() const { return {bytes_.data(), bytes_.size()}; }

private:
  std::array<char, 6> bytes_;
};

/// A session from the flat field/value array HGETALL returns. Unknown fields are skipped;
/// `visitOther(name, value)` sees them (ix, dpos, ofd, ofb).
template <class VisitOther>
store::Session decodeSessionFields(ReplyView fields, uint32_t uin, VisitOther&& visitOther) {
  store::Session session;
  session.uin = uin;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view name = fields[i].str();
    const std::string_view value = fields[i + 1].str();
    bool known = false;
    forEachSessionField(session, [&](std::string_view field, auto& member) {
      if (field != name) return;
      known = true;
      if constexpr (std::is_same_v<std::decay_t<decltype(member)>, std::string>)
        member = value;
      else
        parseInteger(value, member);
    });
    if (!known) visitOther(name, value);
  }
  return session;
}

inline store::Session decodeSessionFields(ReplyView fields, uint32_t uin) {
  return decodeSessionFields(fields, uin, [](std::string_view, std::string_view) {});
}

}  // namespace icq::redis
