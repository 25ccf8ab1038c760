// The worker-mesh wire format (common/envelope/peer.hpp): every kind round-trips, the layout
// is the one the header documents, the writer keeps to its limits, and the reader refuses
// truncated, oversized and garbage messages without reading past their end (every input is an
// exactly-sized heap copy: under ASan a read beyond it fails the test).
#include "common/envelope/peer.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/envelope/envelope.hpp"

namespace icq::envelope {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes copyOf(std::span<const uint8_t> message) { return {message.begin(), message.end()}; }

Bytes pattern(size_t size, uint8_t seed) {
  Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 13);
  return bytes;
}

// ---- owned copies of the items, so they outlive the message they were read from ----------

struct Packet {
  uint32_t uin = 0, sessionId = 0;
  uint8_t protocol = 0;
  uint16_t command = 0, seq2 = 0;
  Bytes body;
  bool hasV3Form = false;
  uint16_t v3Command = 0;
  Bytes v3Body;
  bool operator==(const Packet&) const = default;

  PeerPacket view() const {
    return {uin, sessionId, protocol, command, seq2, body, hasV3Form, v3Command, v3Body};
  }
  static Packet of(const PeerPacket& p) {
    return {p.uin, p.sessionId, p.protocol, p.command, p.seq2, copyOf(p.body), p.hasV3Form, p.v3Command,
            copyOf(p.v3Body)};
  }
};

bool sameKick(const KickItem& a, const KickItem& b) {
  return a.uin == b.uin && a.sessionId == b.sessionId && a.client == b.client;
}
bool sameResult(const PeerResult& a, const PeerResult& b) { return a.outcome == b.outcome && a.detail == b.detail; }
bool sameNudge(const Nudge& a, const Nudge& b) {
  return a.what == b.what && a.uin == b.uin && a.a == b.a && a.b == b.b && a.c == b.c;
}

// Packets covering the edges: no body, no V3 form, an empty V3 form, the largest values.
std::vector<Packet> samplePackets() {
  return {
      {123456, 0, 0, 0x0104, 0, {}, false, 0, {}},
      {0xFFFFFFFF, 0xFFFFFFFF, 0xFF, 0xFFFF, 0xFFFF, pattern(300, 1), true, 0xFFFF, pattern(40, 2)},
      {7, 0x0BADCAFE, 5, 0x0104, 9, pattern(1, 3), true, 0x0104, {}},
      {8, 0, 3, 0x00DC, 1, {}, true, 0x006E, pattern(2, 4)},
  };
}

std::vector<KickItem> sampleKicks() {
  return {{1, 2, {0x0100007F, 4000}}, {0xFFFFFFFF, 0xFFFFFFFF, {0xFFFFFFFF, 0xFFFF}}, {0, 0, {0, 0}}};
}

std::vector<PeerResult> sampleResults() {
  return {{PeerOutcome::absent, 0}, {PeerOutcome::done, 17}, {PeerOutcome::retry, 0xFFFFFFFF}};
}

std::vector<Nudge> sampleNudges() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  return {{NudgeKind::expire, 123456, 1'700'000'000'000, 1'700'000'060'000, 1'699'999'000'000},
          {NudgeKind::retransmit, 0xFFFFFFFF, kMax, kMin, -1},
          {NudgeKind::expire, 0, 0, 0, 0}};
}

// A relayed message as the test holds it (RelayItem's spans point into a message).
struct Relay {
  uint32_t from, to;
  uint16_t type;
  Bytes text;
  uint32_t senderSessionId;
  uint16_t seq1, seq2;
  util::Endpoint sender;
  std::string gateway;
  bool operator==(const Relay&) const = default;
  RelayItem view() const { return {from, to, type, text, senderSessionId, seq1, seq2, sender, gateway}; }
  static Relay of(const RelayItem& r) {
    return {r.from, r.to, r.type, copyOf(r.text), r.senderSessionId, r.seq1, r.seq2, r.sender, std::string(r.gateway)};
  }
};

std::vector<Relay> sampleRelays() {
  return {{100001, 100002, 0x0001, pattern(450, 7), 0x0BADCAFE, 1, 2, {0x0100007F, 4000}, "gw-0"},
          {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, {}, 0xFFFFFFFF, 0xFFFF, 0xFFFF, {0xFFFFFFFF, 0xFFFF}, std::string(255, 'g')},
          {1, 2, 4, pattern(1, 9), 0, 0, 0, {0, 0}, ""}};
}

Bytes relaysOf(const std::vector<Relay>& relays) {
  PeerWriter writer;
  writer.startRelays();
  for (const Relay& r : relays) REQUIRE(writer.add(r.view()));
  return copyOf(writer.message());
}

Bytes deliverOf(uint64_t requestId, const std::vector<Packet>& packets) {
  PeerWriter writer;
  writer.startDeliver(requestId);
  for (const Packet& p : packets) REQUIRE(writer.add(p.view()));
  return copyOf(writer.message());
}

Bytes kickOf(uint64_t requestId, const std::vector<KickItem>& kicks) {
  PeerWriter writer;
  writer.startKick(requestId);
  for (const KickItem& k : kicks) REQUIRE(writer.add(k));
  return copyOf(writer.message());
}

Bytes resultOf(uint64_t requestId, const std::vector<PeerResult>& results) {
  PeerWriter writer;
  writer.startResult(requestId);
  for (PeerResult r : results) REQUIRE(writer.add(r));
  return copyOf(writer.message());
}

Bytes nudgesOf(const std::vector<Nudge>& nudges) {
  PeerWriter writer;
  writer.startNudges();
  for (const Nudge& n : nudges) REQUIRE(writer.add(n));
  return copyOf(writer.message());
}

// What a reader made of a message: its items (of the reader's kind) and whether it was
// flagged malformed; nullopt when open() refused the message.
struct Read {
  PeerKind kind = PeerKind::Result;
  uint64_t requestId = 0;
  size_t count = 0;
  std::vector<Packet> packets;
  std::vector<KickItem> kicks;
  std::vector<PeerResult> results;
  std::vector<Nudge> nudges;
  std::vector<Relay> relays;
  std::string gateway;
  Bytes ingress;
  bool malformed = false;
  size_t items() const { return packets.size() + kicks.size() + results.size() + nudges.size() + relays.size(); }
};

std::optional<Read> readAll(std::span<const uint8_t> message) {
  auto reader = PeerReader::open(message);
  if (!reader) return std::nullopt;
  Read read;
  read.kind = reader->kind();
  read.requestId = reader->requestId();
  read.count = reader->count();
  switch (reader->kind()) {
    case PeerKind::Deliver: {
      PeerPacket p;
      while (reader->next(p)) read.packets.push_back(Packet::of(p));
      CHECK_FALSE(reader->next(p));  // once finished, it stays finished
      break;
    }
    case PeerKind::Kick: {
      KickItem k;
      while (reader->next(k)) read.kicks.push_back(k);
      CHECK_FALSE(reader->next(k));
      break;
    }
    case PeerKind::Result: {
      PeerResult r;
      while (reader->next(r)) read.results.push_back(r);
      CHECK_FALSE(reader->next(r));
      break;
    }
    case PeerKind::Nudge: {
      Nudge n;
      while (reader->next(n)) read.nudges.push_back(n);
      CHECK_FALSE(reader->next(n));
      break;
    }
    case PeerKind::Relay: {
      RelayItem r;
      while (reader->next(r)) read.relays.push_back(Relay::of(r));
      CHECK_FALSE(reader->next(r));
      break;
    }
    case PeerKind::Forward:
      read.gateway = std::string(reader->gateway());
      read.ingress = copyOf(reader->ingress());
      break;
  }
  read.malformed = reader->malformed();
  return read;
}

// One valid message of every kind, for the loops over hostile input.
std::vector<Bytes> sampleMessages() {
  BatchWriter ingress(Kind::Ingress);
  REQUIRE(ingress.add(util::Endpoint{0x0100007F, 4000}, 5, pattern(30, 9)));
  PeerWriter forward;
  forward.forward("gw-1", ingress.message());
  return {deliverOf(1, samplePackets()), kickOf(2, sampleKicks()), resultOf(3, sampleResults()),
          nudgesOf(sampleNudges()), relaysOf(sampleRelays()), copyOf(forward.message())};
}

}  // namespace

// ---- round trips ----------------------------------------------------------------------------

TEST_CASE("peer Deliver round-trips its request id and every packet field", "[envelope][peer]") {
  const uint64_t requestId = GENERATE(uint64_t{0}, uint64_t{1}, std::numeric_limits<uint64_t>::max());
  std::vector<Packet> packets;
  SECTION("none") {}
  SECTION("edge cases") { packets = samplePackets(); }
  SECTION("many") {
    std::mt19937 rng(11);
    for (int i = 0; i < 500; ++i) {
      Packet p{static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng()), static_cast<uint8_t>(rng()),
               static_cast<uint16_t>(rng()),  static_cast<uint16_t>(rng()), pattern(rng() % 200, static_cast<uint8_t>(i)),
               rng() % 2 == 0,                static_cast<uint16_t>(rng()), {}};
      if (p.hasV3Form) p.v3Body = pattern(rng() % 100, static_cast<uint8_t>(i + 1));
      packets.push_back(std::move(p));
    }
  }
  const Bytes message = deliverOf(requestId, packets);
  CHECK(peekPeerKind(message) == PeerKind::Deliver);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Deliver);
  CHECK(read->requestId == requestId);
  CHECK(read->count == packets.size());
  CHECK_FALSE(read->malformed);
  CHECK(read->packets == packets);
}

TEST_CASE("peer Relay round-trips every message field and the sender's address and gateway", "[envelope][peer]") {
  const Bytes message = relaysOf(sampleRelays());
  CHECK(peekPeerKind(message) == PeerKind::Relay);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Relay);
  CHECK(read->count == sampleRelays().size());
  CHECK_FALSE(read->malformed);
  CHECK(read->relays == sampleRelays());
}

TEST_CASE("peer Relay refuses a text or a gateway id it cannot carry", "[envelope][peer]") {
  PeerWriter writer;
  writer.startRelays();
  Relay tooLong = sampleRelays()[0];
  tooLong.gateway = std::string(256, 'g');
  CHECK_FALSE(writer.add(tooLong.view()));
  tooLong = sampleRelays()[0];
  tooLong.text = pattern(kMaxDatagram + 1, 1);
  CHECK_FALSE(writer.add(tooLong.view()));
  CHECK(writer.empty());
}

TEST_CASE("peer Deliver without a V3 form reads back with an empty V3 body", "[envelope][peer]") {
  // A V3 body the writer was given but told not to send must not appear on the other side.
  const Bytes ignored = pattern(5, 1);
  PeerPacket packet{1, 2, 5, 0x0104, 3, {}, false, 0x006E, ignored};
  PeerWriter writer;
  writer.startDeliver(9);
  REQUIRE(writer.add(packet));
  const Bytes message = copyOf(writer.message());
  auto reader = PeerReader::open(message);
  REQUIRE(reader);
  PeerPacket out;
  out.v3Body = ignored;  // a reused item: next() must clear it
  REQUIRE(reader->next(out));
  CHECK_FALSE(out.hasV3Form);
  CHECK(out.v3Body.empty());
  CHECK(out.v3Command == 0x006E);
}

TEST_CASE("peer Kick round-trips its request id and every item", "[envelope][peer]") {
  const Bytes message = kickOf(0x0102030405060708, sampleKicks());
  CHECK(peekPeerKind(message) == PeerKind::Kick);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Kick);
  CHECK(read->requestId == 0x0102030405060708);
  CHECK_FALSE(read->malformed);
  REQUIRE(read->kicks.size() == sampleKicks().size());
  for (size_t i = 0; i < read->kicks.size(); ++i) CHECK(sameKick(read->kicks[i], sampleKicks()[i]));
}

TEST_CASE("peer Result round-trips every outcome and its detail", "[envelope][peer]") {
  const Bytes message = resultOf(77, sampleResults());
  CHECK(peekPeerKind(message) == PeerKind::Result);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Result);
  CHECK(read->requestId == 77);
  CHECK_FALSE(read->malformed);
  REQUIRE(read->results.size() == sampleResults().size());
  for (size_t i = 0; i < read->results.size(); ++i) CHECK(sameResult(read->results[i], sampleResults()[i]));
}

TEST_CASE("peer Nudge round-trips both kinds and extreme times", "[envelope][peer]") {
  const Bytes message = nudgesOf(sampleNudges());
  CHECK(peekPeerKind(message) == PeerKind::Nudge);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Nudge);
  CHECK_FALSE(read->malformed);
  REQUIRE(read->nudges.size() == sampleNudges().size());
  for (size_t i = 0; i < read->nudges.size(); ++i) CHECK(sameNudge(read->nudges[i], sampleNudges()[i]));
}

TEST_CASE("peer Forward round-trips the gateway id and the ingress batch it carries", "[envelope][peer]") {
  BatchWriter ingress(Kind::Ingress);
  REQUIRE(ingress.add(util::Endpoint{0x0100007F, 4000}, 123, pattern(40, 7)));
  REQUIRE(ingress.add(util::Endpoint{0x0200007F, 4001}, 124, {}));
  const std::string gateway = GENERATE(std::string(), std::string("gw-a"), std::string(255, 'g'));
  PeerWriter writer;
  writer.forward(gateway, ingress.message());
  const Bytes message = copyOf(writer.message());
  CHECK(peekPeerKind(message) == PeerKind::Forward);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->kind == PeerKind::Forward);
  CHECK(read->gateway == gateway);
  CHECK(read->ingress == copyOf(ingress.message()));
  CHECK_FALSE(read->malformed);
  // The batch inside is an envelope batch in its own right.
  auto batch = BatchReader::open(read->ingress);
  REQUIRE(batch);
  CHECK(batch->count() == 2);
}

TEST_CASE("peer Forward cuts a gateway id longer than 255 bytes to its first 255", "[envelope][peer]") {
  const std::string longId = std::string(255, 'a') + "bcd";
  const Bytes batch = {1, 2, 3};
  PeerWriter writer;
  writer.forward(longId, batch);
  auto read = readAll(writer.message());
  REQUIRE(read);
  CHECK(read->gateway == longId.substr(0, 255));
  CHECK(read->ingress == batch);
}

TEST_CASE("peer writer starts afresh on every start", "[envelope][peer]") {
  PeerWriter writer;
  writer.startResult(1);
  REQUIRE(writer.add(PeerResult{PeerOutcome::done, 1}));
  REQUIRE(writer.add(PeerResult{PeerOutcome::done, 2}));
  writer.startKick(5);
  CHECK(writer.empty());
  CHECK(writer.count() == 0);
  REQUIRE(writer.add(sampleKicks()[0]));
  CHECK(copyOf(writer.message()) == kickOf(5, {sampleKicks()[0]}));
  writer.startNudges();
  CHECK(writer.empty());
  CHECK(copyOf(writer.message()) == nudgesOf({}));
}

// ---- the layout peer.hpp documents -----------------------------------------------------------

TEST_CASE("peer message layouts are the ones peer.hpp documents", "[envelope][peer]") {
  SECTION("Result: format, kind, request id, count, outcome and detail") {
    const Bytes expected = {kFormat, 18, 8, 7, 6, 5, 4, 3, 2, 1, 1, 0, 2, 0x44, 0x33, 0x22, 0x11};
    CHECK(resultOf(0x0102030405060708, {{PeerOutcome::retry, 0x11223344}}) == expected);
  }
  SECTION("Kick: uin, session id, ip as stored, port") {
    const Bytes expected = {kFormat, 17, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0,  //
                            0x40, 0xE2, 0x01, 0x00, 0xFE, 0xCA, 0xAD, 0x0B, 0x0A, 0x02, 0x03, 0x04, 0xA0, 0x0F};
    CHECK(kickOf(1, {{123456, 0x0BADCAFE, {0x0403020A, 4000}}}) == expected);
  }
  SECTION("Nudge: no request id; what, uin and three signed times") {
    Bytes expected = {kFormat, 20, 1, 0, 2, 0x40, 0xE2, 0x01, 0x00};
    for (int64_t v : {int64_t{1}, int64_t{-1}, int64_t{0x0102030405060708}})
      for (size_t i = 0; i < 8; ++i) expected.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
    CHECK(nudgesOf({{NudgeKind::retransmit, 123456, 1, -1, 0x0102030405060708}}) == expected);
  }
  SECTION("Deliver: the fixed item head, the body, the V3 command and 0xFFFF for no V3 form") {
    const Bytes body = {0xAA, 0xBB};
    const Bytes expected = {kFormat, 16, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0,  //
                            0x40, 0xE2, 0x01, 0x00, 0, 0, 0, 0, 5, 0x04, 0x01, 0x09, 0x00, 2, 0, 0xAA, 0xBB,
                            0x6E, 0x00, 0xFF, 0xFF};
    CHECK(deliverOf(3, {{123456, 0, 5, 0x0104, 9, body, false, 0x006E, {}}}) == expected);
  }
  SECTION("Forward: the gateway id's length and bytes, then the batch as it is") {
    PeerWriter writer;
    const Bytes batch = {9, 8, 7};
    writer.forward("gw", batch);
    CHECK(copyOf(writer.message()) == Bytes{kFormat, 19, 2, 'g', 'w', 9, 8, 7});
  }
}

// ---- the writer's limits ----------------------------------------------------------------------

TEST_CASE("peer writer refuses the 65536th item and keeps the message whole", "[envelope][peer]") {
  PeerWriter writer;
  writer.startResult(4);
  for (uint32_t i = 0; i < 65535; ++i)
    if (!writer.add(PeerResult{PeerOutcome::done, i})) FAIL("add refused result " << i);
  const size_t size = writer.message().size();
  CHECK_FALSE(writer.add(PeerResult{PeerOutcome::done, 65535}));
  CHECK(writer.count() == 65535);
  CHECK(writer.message().size() == size);
  auto read = readAll(writer.message());
  REQUIRE(read);
  CHECK(read->count == 65535);
  CHECK_FALSE(read->malformed);
  REQUIRE(read->results.size() == 65535);
  CHECK(read->results.back().detail == 65534);
}

TEST_CASE("peer writer takes bodies of kMaxDatagram bytes and refuses longer ones", "[envelope][peer]") {
  const Bytes largest = pattern(kMaxDatagram, 3), tooLarge = pattern(kMaxDatagram + 1, 3);
  PeerWriter writer;
  writer.startDeliver(1);
  const size_t emptySize = writer.message().size();
  CHECK_FALSE(writer.add(PeerPacket{1, 0, 0, 0x0104, 0, tooLarge, false, 0, {}}));
  CHECK_FALSE(writer.add(PeerPacket{1, 0, 3, 0x0104, 0, {}, true, 0x006E, tooLarge}));
  CHECK(writer.empty());
  CHECK(writer.message().size() == emptySize);
  REQUIRE(writer.add(PeerPacket{1, 0, 3, 0x0104, 0, largest, true, 0x006E, largest}));
  CHECK(writer.message().size() == emptySize + kMaxPeerItem);
  auto read = readAll(writer.message());
  REQUIRE(read);
  REQUIRE(read->packets.size() == 1);
  CHECK(read->packets[0].body == largest);
  CHECK(read->packets[0].hasV3Form);
  CHECK(read->packets[0].v3Body == largest);
  CHECK_FALSE(read->malformed);
}

TEST_CASE("peer reader stops on every truncation of a valid message of each kind", "[envelope][peer][malformed]") {
  for (const Bytes& whole : sampleMessages()) {
    const auto full = readAll(whole);
    REQUIRE(full);
    REQUIRE_FALSE(full->malformed);
    INFO("kind " << static_cast<int>(full->kind));
    for (size_t length = 0; length < whole.size(); ++length) {
      const Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length));
      auto read = readAll(cut);
      if (!read) continue;  // a header cut short: refused outright
      if (full->kind == PeerKind::Forward) {
        // No count to check against: the reader hands out the batch, whose own reader checks it.
        if (read->gateway != full->gateway) FAIL("a " << length << "-byte Forward has another gateway id");
        continue;
      }
      if (!read->malformed) FAIL("a " << length << "-byte truncation was not flagged malformed");
      if (read->items() >= full->items()) FAIL("a " << length << "-byte truncation read every item");
      for (size_t i = 0; i < read->packets.size(); ++i)
        if (!(read->packets[i] == full->packets[i])) FAIL("packet " << i << " differs in a " << length << "-byte cut");
      for (size_t i = 0; i < read->kicks.size(); ++i)
        if (!sameKick(read->kicks[i], full->kicks[i])) FAIL("kick " << i << " differs in a " << length << "-byte cut");
      for (size_t i = 0; i < read->results.size(); ++i)
        if (!sameResult(read->results[i], full->results[i])) FAIL("result " << i << " differs");
      for (size_t i = 0; i < read->nudges.size(); ++i)
        if (!sameNudge(read->nudges[i], full->nudges[i])) FAIL("nudge " << i << " differs");
    }
  }
}

TEST_CASE("peer reader refuses headers shorter than their kind's", "[envelope][peer][malformed]") {
  // A request kind needs format, kind, request id and count (12 bytes); Nudge format, kind
  // and count (4); Forward format, kind, the id's length and the id.
  for (size_t size = 0; size < 12; ++size) {
    for (uint8_t kind : {16, 17, 18}) {
      Bytes header = resultOf(1, {});
      header[1] = kind;
      header.resize(size);
      if (PeerReader::open(header)) FAIL("open accepted a " << size << "-byte header of kind " << int(kind));
    }
  }
  for (size_t size = 0; size < 4; ++size) {
    Bytes header = nudgesOf({});
    header.resize(size);
    CHECK_FALSE(PeerReader::open(header));
  }
  CHECK_FALSE(PeerReader::open(Bytes{kFormat, 19}));
  CHECK_FALSE(PeerReader::open(Bytes{kFormat, 19, 3, 'g', 'w'}));  // claims a 3-byte id, has 2
  CHECK(PeerReader::open(Bytes{kFormat, 19, 0}));                   // no id, no batch: well-formed
}

TEST_CASE("peer reader rejects an unknown format byte or kind, and envelope messages", "[envelope][peer][malformed]") {
  const size_t which = GENERATE(range(size_t{0}, size_t{6}));
  Bytes message = sampleMessages().at(which);
  SECTION("format byte") {
    const uint8_t format = GENERATE(0, 2, 0xFF);
    message[0] = format;
  }
  SECTION("kind") {
    const uint8_t kind = GENERATE(0, 1, 2, 3, 4, 5, 15, 22, 0x80, 0xFF);
    message[1] = kind;
  }
  CHECK_FALSE(peekPeerKind(message));
  CHECK_FALSE(PeerReader::open(message));
  // Peer and gateway messages share the format byte and never a kind.
  for (const Bytes& valid : sampleMessages()) CHECK_FALSE(peekKind(valid));
  BatchWriter batch(Kind::Ingress);
  CHECK_FALSE(peekPeerKind(batch.message()));
  CHECK_FALSE(PeerReader::open(encodeControl(Control{Kind::Credit, 5})));
  CHECK_FALSE(peekPeerKind(Bytes{}));
  CHECK_FALSE(peekPeerKind(Bytes{kFormat}));
}

TEST_CASE("peer reader flags a count larger than the items as malformed", "[envelope][peer][malformed]") {
  const uint16_t count = GENERATE(uint16_t{4}, uint16_t{0xFFFF});
  Bytes message = resultOf(1, sampleResults());
  message[10] = static_cast<uint8_t>(count);
  message[11] = static_cast<uint8_t>(count >> 8);
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->malformed);
  CHECK(read->results.size() == sampleResults().size());
}

TEST_CASE("peer reader flags bytes behind the last item as malformed", "[envelope][peer][malformed]") {
  SECTION("a count smaller than the items") {
    Bytes message = kickOf(1, sampleKicks());
    message[10] = 1;
    message[11] = 0;
    auto read = readAll(message);
    REQUIRE(read);
    CHECK(read->malformed);
    REQUIRE(read->kicks.size() == 1);
    CHECK(sameKick(read->kicks[0], sampleKicks()[0]));
  }
  SECTION("a byte appended") {
    Bytes message = nudgesOf(sampleNudges());
    message.push_back(0);
    auto read = readAll(message);
    REQUIRE(read);
    CHECK(read->malformed);
    CHECK(read->nudges.size() == sampleNudges().size());
  }
  SECTION("bytes behind an empty message") {
    Bytes message = deliverOf(1, {});
    message.insert(message.end(), {1, 2, 3});
    auto read = readAll(message);
    REQUIRE(read);
    CHECK(read->malformed);
    CHECK(read->packets.empty());
  }
}

TEST_CASE("peer reader flags lengths beyond the message as malformed", "[envelope][peer][malformed]") {
  const Packet packet{1, 2, 3, 0x0104, 5, pattern(10, 1), true, 0x006E, pattern(6, 2)};
  Bytes message = deliverOf(1, {packet});
  constexpr size_t kBodyLength = 12 + 13;  // header, then uin, session id, protocol, command, seq2
  REQUIRE(message[kBodyLength] == 10);
  SECTION("body length") { message[kBodyLength] = 11; }
  SECTION("body length at its largest") { message[kBodyLength] = message[kBodyLength + 1] = 0xFE; }
  SECTION("V3 body length") {
    const size_t v3Length = kBodyLength + 2 + 10 + 2;
    REQUIRE(message[v3Length] == 6);
    message[v3Length] = 7;
  }
  auto read = readAll(message);
  REQUIRE(read);
  CHECK(read->malformed);
  CHECK(read->packets.empty());
}

TEST_CASE("peer reader flags an unknown outcome or nudge kind as malformed", "[envelope][peer][malformed]") {
  SECTION("outcome") {
    Bytes message = resultOf(1, {{PeerOutcome::done, 1}, {PeerOutcome::done, 2}});
    message[12 + 5] = GENERATE(3, 0x80, 0xFF);  // the second item's outcome
    auto read = readAll(message);
    REQUIRE(read);
    CHECK(read->malformed);
    REQUIRE(read->results.size() == 1);
    CHECK(read->results[0].detail == 1);
  }
  SECTION("nudge kind") {
    Bytes message = nudgesOf({sampleNudges()[0]});
    message[4] = GENERATE(0, 3, 0xFF);
    auto read = readAll(message);
    REQUIRE(read);
    CHECK(read->malformed);
    CHECK(read->nudges.empty());
  }
}

TEST_CASE("peer reader hands out nothing for items of another kind", "[envelope][peer][malformed]") {
  const Bytes deliver = deliverOf(1, samplePackets());
  auto reader = PeerReader::open(deliver);
  REQUIRE(reader);
  KickItem kick;
  PeerResult result;
  Nudge nudge;
  CHECK_FALSE(reader->next(kick));
  CHECK_FALSE(reader->next(result));
  CHECK_FALSE(reader->next(nudge));
  // ...and asking did not consume the Deliver's own items.
  PeerPacket packet;
  size_t n = 0;
  while (reader->next(packet)) ++n;
  CHECK(n == samplePackets().size());
  CHECK_FALSE(reader->malformed());
}

TEST_CASE("peer reader survives random bytes and mutations of valid messages", "[envelope][peer][malformed]") {
  // Under ASan, a read outside an input fails here; otherwise every reader must finish, never
  // hand out more items than its count, and keep every span inside the message.
  const std::vector<Bytes> valid = sampleMessages();
  std::mt19937 rng(20240917);
  for (int round = 0; round < 20000; ++round) {
    Bytes input;
    switch (round % 4) {
      case 0:  // noise behind a valid format and kind
        input.resize(rng() % 200);
        for (auto& byte : input) byte = static_cast<uint8_t>(rng());
        if (input.size() >= 2) {
          input[0] = kFormat;
          input[1] = static_cast<uint8_t>(16 + rng() % 5);
        }
        break;
      case 1:  // one byte changed
        input = valid[rng() % valid.size()];
        input[rng() % input.size()] = static_cast<uint8_t>(rng());
        break;
      case 2:  // a few bytes changed, then cut
        input = valid[rng() % valid.size()];
        for (int k = 0; k < 4; ++k) input[2 + rng() % (input.size() - 2)] = static_cast<uint8_t>(rng());
        input.resize(rng() % (input.size() + 1));
        break;
      default:  // bytes appended
        input = valid[rng() % valid.size()];
        for (uint32_t k = rng() % 40; k > 0; --k) input.push_back(static_cast<uint8_t>(rng()));
        break;
    }
    input.shrink_to_fit();
    auto read = readAll(input);
    if (!read) continue;
    if (read->items() > read->count) FAIL("round " << round << ": more items than the count");
    const uint8_t* begin = input.data();
    const uint8_t* end = input.data() + input.size();
    if (read->kind == PeerKind::Forward) {
      auto reader = PeerReader::open(input);
      REQUIRE(reader);
      const auto* gw = reinterpret_cast<const uint8_t*>(reader->gateway().data());
      if (!reader->gateway().empty() && (gw < begin || gw + reader->gateway().size() > end))
        FAIL("round " << round << ": the gateway id lies outside the message");
      if (!reader->ingress().empty() &&
          (reader->ingress().data() < begin || reader->ingress().data() + reader->ingress().size() > end))
        FAIL("round " << round << ": the batch lies outside the message");
    }
  }
}

}  // namespace icq::envelope
