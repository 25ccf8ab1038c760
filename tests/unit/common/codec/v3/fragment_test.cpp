// Tests for common/codec/v3/fragment.hpp: TV19 (a 625-byte SYSMSG_ONLINE split at MTU 500) of
// protocol-v3.md §12, and the §4.6 assembly rules for client fragments in either byte order,
// out of order, repeated, incomplete, inconsistent, oversized or carrying a bad inner packet.
#include "common/codec/v3/fragment.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "tests/support/hex.hpp"
#include "tests/unit/common/codec/v3/vectors.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;
using icq::test::v3::decoded;
using icq::test::v3::withHeader;

namespace {

constexpr uint32_t kOwnUin = 6218895;
constexpr uint32_t kPeerUin = 6218894;

// TV19's inner packet: SYSMSG_ONLINE from the peer, seq2 5, 600 × "A".
std::vector<uint8_t> tv19Inner() {
  const std::string text(600, 'A');
  const DeliveredMessage message{
      .from = kPeerUin, .sentAt = 0, .type = kMsgText, .text = {reinterpret_cast<const uint8_t*>(text.data()), text.size()}};
  std::vector<uint8_t> body(700);
  body.resize(buildOnlineMessageBody(message, body));
  return withHeader(Header{.command = SRV_SYSMSG_ONLINE, .seq1 = 0, .seq2 = 5, .uin = kOwnUin}, body);
}

std::vector<uint8_t> serverFragment(const std::vector<uint8_t>& inner, size_t index, uint16_t servseq) {
  std::vector<uint8_t> out(kDefaultMtu);
  out.resize(buildServerFragment(inner, kDefaultMtu, index, kOwnUin, packetSeq2(inner), out));
  REQUIRE(!out.empty());
  stampSeq1(out, servseq);
  return out;
}

// A client's inner packet: THRU_SERVER to the peer with `length` text bytes.
std::vector<uint8_t> clientInner(size_t length, uint32_t uin = kOwnUin, uint16_t command = CMD_THRU_SERVER) {
  const std::string text(length, 'm');
  const ThruServer message{kPeerUin, kMsgText, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}};
  std::vector<uint8_t> body(length + 16);
  body.resize(buildThruServerBody(message, body));
  return withHeader(Header{.command = command, .seq1 = 9, .seq2 = 9, .uin = uin}, body);
}

// The client's fragments of `inner` at `mtu`, as parsed pieces over datagrams kept in `storage`.
std::vector<FragmentPiece> clientPieces(const std::vector<uint8_t>& inner, size_t mtu, FragmentOrder order,
                                        bool oneBased, std::vector<std::vector<uint8_t>>& storage) {
  const size_t count = fragmentCount(inner.size(), mtu);
  REQUIRE(count > 0);
  storage.clear();
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> out(mtu + kFragmentHeaderSize);
    const Header header{.command = CMD_FRAGMENT, .seq1 = static_cast<uint16_t>(20 + i), .seq2 = 9, .uin = kOwnUin};
    out.resize(buildFragment(header, static_cast<uint8_t>(i + (oneBased ? 1 : 0)), static_cast<uint8_t>(count), order,
                             fragmentSlice(inner, mtu, i), out));
    storage.push_back(std::move(out));
  }
  std::vector<FragmentPiece> pieces;
  for (const auto& datagram : storage) {
    FragmentPiece piece;
    REQUIRE(parseFragment(decoded(datagram).body, piece) == ParseError::none);
    pieces.push_back(piece);
  }
  return pieces;
}

Assembly assemble(std::span<const FragmentPiece> group, std::vector<uint8_t>& out, uint32_t sender = kOwnUin) {
  out.assign(kMaxReassembled, 0);
  const Assembly assembly = assembleFragments(group, sender, out);
  out.resize(assembly.status == AssemblyStatus::complete ? assembly.length : 0);
  return assembly;
}

}  // namespace

TEST_CASE("v3 TV19: a 625-byte SYSMSG_ONLINE goes out as two fragments sharing seq2 5", "[codec][v3]") {
  const auto inner = tv19Inner();
  REQUIRE(inner.size() == 625);
  REQUIRE(fragmentChunk(kDefaultMtu) == 482);
  REQUIRE(fragmentCount(inner.size(), kDefaultMtu) == 2);
  const auto first = serverFragment(inner, 0, 20);
  const auto second = serverFragment(inner, 1, 21);
  CHECK(first.size() == 500);
  CHECK(second.size() == 161);
  CHECK(std::vector<uint8_t>(first.begin(), first.begin() + 26) ==
        fromHex("03 00 66 03 14 00 05 00 8f e4 5e 00 00 00 00 00 00 02 03 00 04 01 00 00 05 00"));
  CHECK(std::vector<uint8_t>(second.begin(), second.begin() + 26) ==
        fromHex("03 00 66 03 15 00 05 00 8f e4 5e 00 00 00 00 00 01 02 41 41 41 41 41 41 41 41"));
  std::vector<uint8_t> out(600);
  CHECK(buildServerFragment(inner, kDefaultMtu, 2, kOwnUin, 5, out) == 0);
}

TEST_CASE("v3 TV19: the client reassembles the two fragments into the inner packet", "[codec][v3]") {
  const auto inner = tv19Inner();
  const auto first = serverFragment(inner, 0, 20);
  const auto second = serverFragment(inner, 1, 21);
  FragmentPiece pieces[2];
  REQUIRE(parseFragment(decoded(second).body, pieces[0]) == ParseError::none);  // out of order
  REQUIRE(parseFragment(decoded(first).body, pieces[1]) == ParseError::none);
  std::vector<uint8_t> out;
  const Assembly assembly = assemble(pieces, out);
  REQUIRE(assembly.status == AssemblyStatus::complete);
  CHECK(assembly.order == FragmentOrder::index_count);
  CHECK_FALSE(assembly.oneBased);
  CHECK(out == inner);
}

TEST_CASE("v3 fragment counts: fits as is, splits above the MTU, refuses what cannot be split", "[codec][v3]") {
  CHECK(fragmentCount(500, 500) == 1);
  CHECK(fragmentCount(501, 500) == 2);
  CHECK(fragmentCount(964, 500) == 2);
  CHECK(fragmentCount(965, 500) == 3);
  CHECK(fragmentCount(255 * 482, 500) == 255);
  CHECK(fragmentCount(255 * 482 + 1, 500) == 0);
  CHECK(fragmentCount(100, 18) == 0);
  CHECK(fragmentChunk(18) == 0);
  CHECK(fragmentSlice(tv19Inner(), 500, 2).empty());
  // A packet that fits is sent as is, never as a lone fragment.
  const auto small = clientInner(10);
  std::vector<uint8_t> out(600);
  CHECK(buildServerFragment(small, kDefaultMtu, 0, kOwnUin, 9, out) == 0);
}

TEST_CASE("v3 client fragments assemble in both byte orders, 0- and 1-based, any arrival order", "[codec][v3]") {
  const auto inner = clientInner(2025);
  std::vector<std::vector<uint8_t>> storage;
  std::mt19937 rng(3);
  for (const FragmentOrder order : {FragmentOrder::index_count, FragmentOrder::count_index}) {
    for (const bool oneBased : {false, true}) {
      auto pieces = clientPieces(inner, 500, order, oneBased, storage);
      REQUIRE(pieces.size() == 5);
      std::shuffle(pieces.begin(), pieces.end(), rng);
      std::vector<uint8_t> out;
      const Assembly assembly = assemble(pieces, out);
      INFO("order " << static_cast<int>(order) << " one-based " << oneBased);
      REQUIRE(assembly.status == AssemblyStatus::complete);
      CHECK(assembly.order == order);
      CHECK(assembly.oneBased == oneBased);
      CHECK(out == inner);
      // Every strict subset waits for the rest.
      CHECK(assemble(std::span(pieces).first(4), out).status == AssemblyStatus::incomplete);
    }
  }
}

TEST_CASE("v3 a lone fragment assembles whichever byte it puts first", "[codec][v3]") {
  const auto inner = clientInner(10);
  std::vector<std::vector<uint8_t>> storage;
  for (const FragmentOrder order : {FragmentOrder::index_count, FragmentOrder::count_index}) {
    for (const bool oneBased : {false, true}) {
      const auto pieces = clientPieces(inner, 500, order, oneBased, storage);
      std::vector<uint8_t> out;
      CHECK(assemble(pieces, out).status == AssemblyStatus::complete);
      CHECK(out == inner);
    }
  }
}

TEST_CASE("v3 a retransmitted fragment is ignored - the first copy stands", "[codec][v3]") {
  const auto inner = clientInner(1000);
  std::vector<std::vector<uint8_t>> storage;
  auto pieces = clientPieces(inner, 500, FragmentOrder::index_count, false, storage);
  pieces.insert(pieces.begin() + 1, pieces[0]);
  std::vector<uint8_t> out;
  REQUIRE(assemble(pieces, out).status == AssemblyStatus::complete);
  CHECK(out == inner);
}

TEST_CASE("v3 inconsistent fragment groups are invalid (§4.6)", "[codec][v3]") {
  const std::vector<uint8_t> payload{3, 0, 1, 2};
  auto piece = [&](uint8_t first, uint8_t second) { return FragmentPiece{first, second, payload}; };
  std::vector<uint8_t> out;
  const std::vector<FragmentPiece> countZero{piece(0, 0)};
  CHECK(assemble(countZero, out).status == AssemblyStatus::invalid);
  const std::vector<FragmentPiece> countVaries{piece(0, 3), piece(1, 2), piece(2, 4)};
  CHECK(assemble(countVaries, out).status == AssemblyStatus::invalid);
  const std::vector<FragmentPiece> outOfRange{piece(0, 2), piece(5, 2)};
  CHECK(assemble(outOfRange, out).status == AssemblyStatus::invalid);
  const std::vector<FragmentPiece> zeroAndN{piece(0, 2), piece(2, 2)};
  CHECK(assemble(zeroAndN, out).status == AssemblyStatus::invalid);
  const std::vector<FragmentPiece> emptyPayload{FragmentPiece{0, 2, {}}, piece(1, 2)};
  CHECK(assemble(emptyPayload, out).status == AssemblyStatus::invalid);
  CHECK(assemble({}, out).status == AssemblyStatus::invalid);
}

TEST_CASE("v3 an assembled packet over 8192 bytes is too_large", "[codec][v3]") {
  const std::vector<uint8_t> payload(3000, 'x');
  const std::vector<FragmentPiece> group{{0, 3, payload}, {1, 3, payload}, {2, 3, payload}};
  std::vector<uint8_t> out;
  CHECK(assemble(group, out).status == AssemblyStatus::too_large);
  std::vector<uint8_t> small(100);
  CHECK(assembleFragments(std::span(group).first(1), kOwnUin, small).status == AssemblyStatus::incomplete);
}

TEST_CASE("v3 the inner packet must be V3, from the sender, and not a fragment (§4.6)", "[codec][v3]") {
  std::vector<std::vector<uint8_t>> storage;
  std::vector<uint8_t> out;
  const auto foreign = clientInner(600, kPeerUin);
  CHECK(assemble(clientPieces(foreign, 500, FragmentOrder::index_count, false, storage), out).status ==
        AssemblyStatus::bad_inner);
  const auto nested = clientInner(600, kOwnUin, CMD_FRAGMENT);
  CHECK(assemble(clientPieces(nested, 500, FragmentOrder::index_count, false, storage), out).status ==
        AssemblyStatus::bad_inner);
  auto v5 = clientInner(600);
  v5[0] = 5;
  CHECK(assemble(clientPieces(v5, 500, FragmentOrder::index_count, false, storage), out).status ==
        AssemblyStatus::bad_inner);
}

TEST_CASE("v3 fragment parse: two bytes and a payload - an empty payload is malformed", "[codec][v3]") {
  FragmentPiece piece;
  const auto good = fromHex("01 02 aa");
  REQUIRE(parseFragment(good, piece) == ParseError::none);
  CHECK(piece.first == 1);
  CHECK(piece.second == 2);
  CHECK(piece.payload.size() == 1);
  CHECK(parseFragment(fromHex("01 02"), piece) == ParseError::malformed);
  CHECK(parseFragment(fromHex("01"), piece) == ParseError::truncated);
  CHECK(parseFragment({}, piece) == ParseError::truncated);
}

TEST_CASE("v3 random fragment groups always get a status and never write past the output", "[codec][v3]") {
  std::mt19937 rng(11);
  std::vector<std::vector<uint8_t>> payloads(40);
  for (int round = 0; round < 3000; ++round) {
    std::vector<FragmentPiece> group(rng() % 12);
    for (size_t i = 0; i < group.size(); ++i) {
      payloads[i].resize(rng() % 40);
      for (auto& byte : payloads[i]) byte = static_cast<uint8_t>(rng());
      if (!payloads[i].empty() && rng() % 2) payloads[i][0] = 3;
      group[i] = FragmentPiece{static_cast<uint8_t>(rng() % 6), static_cast<uint8_t>(rng() % 6), payloads[i]};
    }
    std::vector<uint8_t> out(rng() % 200);
    const Assembly assembly = assembleFragments(group, kOwnUin, out);
    if (assembly.status == AssemblyStatus::complete) REQUIRE(assembly.length <= out.size());
  }
}
