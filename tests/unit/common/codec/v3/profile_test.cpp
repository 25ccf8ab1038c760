// Tests for common/codec/v3/profile.hpp: TV14 (SEARCH), TV15 (SEARCH_FOUND), TV16 (SEARCH_DONE)
// and TV18 (GET_INFO and INFO_BASIC) of protocol-v3.md §12; the SET_* commands and INFO_*
// replies, SET_WORK's zip from the end, SET_AUTH's two layouts, NOTES; limits, truncation, garbage.
#include "common/codec/v3/profile.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/presence.hpp"
#include "tests/support/hex.hpp"
#include "tests/unit/common/codec/v3/garbage.hpp"
#include "tests/unit/common/codec/v3/vectors.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;
using icq::test::v3::built;
using icq::test::v3::decoded;
using icq::test::v3::requireTruncationsFail;
using icq::test::v3::survivesGarbage;
using icq::test::v3::withHeader;

namespace {

constexpr uint32_t kOwnUin = 6218895;
constexpr uint32_t kPeerUin = 6218894;

constexpr std::string_view kTv14 = "03 00 c8 05 09 00 00 00 8f e4 5e 00 00 00 00 00 ff 00 00 00 08 00 36 32 31 38 38 39 34 00";
constexpr std::string_view kTv15 =
    "03 00 8c 00 08 00 00 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 05 00 70 65 65 72 00 04 00 41 6e 6e"
    "00 04 00 4c 65 65 00 10 00 61 6e 6e 40 65 78 61 6d 70 6c 65 2e 6f 72 67 00 00";
constexpr std::string_view kTv16 = "03 00 a0 00 09 00 00 00 8f e4 5e 00 00 00 00 00 00";
constexpr std::string_view kTv18Request = "03 00 fa 05 0a 00 0a 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00";
constexpr std::string_view kTv18Reply =
    "03 00 e4 02 0b 00 0a 00 8f e4 5e 00 00 00 00 00 05 00 70 65 65 72 00 04 00 41 6e 6e 00 04 00 4c"
    "65 65 00 10 00 61 6e 6e 40 65 78 61 6d 70 6c 65 2e 6f 72 67 00 00";

const BasicInfo kPeer{.nick = "peer", .first = "Ann", .last = "Lee", .email = "ann@example.org", .auth = 0};

const HomeInfo kHome{.address = "1 Main St",
                     .city = "Omaha",
                     .state = "NE",
                     .country = 1,
                     .phone = "555-1234",
                     .fax = "",
                     .cellular = "555-9876",
                     .zip = 68004,
                     .gender = 2,
                     .age = 45,
                     .birthDay = 7,
                     .birthMonth = 3,
                     .birthYear = 79};

const WorkInfo kWork{.address = "2 Work Rd",
                     .city = "Omaha",
                     .state = "NE",
                     .country = 1,
                     .company = "Acme",
                     .title = "Engineer",
                     .department = 20,
                     .phone = "555-0000",
                     .fax = "555-0001",
                     .pager = "",
                     .zip = 68005};

void checkSameBasic(const BasicInfo& a, const BasicInfo& b) {
  CHECK(a.nick == b.nick);
  CHECK(a.first == b.first);
  CHECK(a.last == b.last);
  CHECK(a.email == b.email);
}

}  // namespace

TEST_CASE("v3 TV14: Miranda's basic search by UIN parses to field 0, mode 0, the decimal UIN", "[codec][v3]") {
  const auto tv14 = fromHex(kTv14);
  const auto packet = decoded(tv14);
  CHECK(packet.header.command == CMD_SEARCH);
  Search search;
  REQUIRE(parseSearch(packet.body, search) == ParseError::none);
  CHECK(search.field == kSearchByUin);
  CHECK(search.mode == kSearchContains);
  CHECK(search.text == "6218894");
  CHECK(withHeader(packet.header, built([&](auto out) { return buildSearchBody(search, out); })) == tv14);
}

TEST_CASE("v3 SEARCH: numeric fields carry a bare u16 - limits, truncation, garbage", "[codec][v3]") {
  const Search byCountry{.field = kSearchByHomeCountry, .mode = kSearchIs, .text = {}, .number = 7};
  const auto body = built([&](auto out) { return buildSearchBody(byCountry, out); });
  CHECK(body == fromHex("ff 0e 00 02 07 00"));
  Search parsed;
  REQUIRE(parseSearch(body, parsed) == ParseError::none);
  CHECK(parsed.number == 7);
  CHECK(parsed.text.empty());
  const std::string longValue(kMaxSearchValueLength + 1, 'x');
  const auto tooLong = built([&](auto out) { return buildSearchBody(Search{.field = kSearchByNick, .mode = 0, .text = longValue}, out); });
  CHECK(parseSearch(tooLong, parsed) == ParseError::too_long);
  auto parse = [](auto input) {
    Search out;
    return parseSearch(input, out);
  };
  const auto tv14 = fromHex(kTv14);
  requireTruncationsFail(decoded(tv14).body, decoded(tv14).body.size(), parse);
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(decoded(tv14).body, parse);
}

TEST_CASE("v3 TV15: SEARCH_FOUND has the uin before the strings", "[codec][v3]") {
  const auto body = built([](auto out) { return buildSearchFoundBody(kPeerUin, kPeer, out); });
  const auto tv15 = fromHex(kTv15);
  CHECK(withHeader(Header{.command = SRV_SEARCH_FOUND, .seq1 = 8, .seq2 = 0, .uin = kOwnUin}, body) == tv15);
  uint32_t uin = 0;
  BasicInfo parsed;
  REQUIRE(parseSearchFound(decoded(tv15).body, uin, parsed) == ParseError::none);
  CHECK(uin == kPeerUin);
  checkSameBasic(parsed, kPeer);
  auto parse = [](auto input) {
    uint32_t u = 0;
    BasicInfo out;
    return parseSearchFound(input, u, out);
  };
  requireTruncationsFail(decoded(tv15).body, decoded(tv15).body.size(), parse);
  survivesGarbage(decoded(tv15).body, parse);
}

TEST_CASE("v3 TV16: SEARCH_DONE with more = 0 - a missing byte reads as 0", "[codec][v3]") {
  const auto tv16 = fromHex(kTv16);
  const auto body = built([](auto out) { return buildSearchDoneBody(false, out); });
  CHECK(withHeader(Header{.command = SRV_SEARCH_DONE, .seq1 = 9, .seq2 = 0, .uin = kOwnUin}, body) == tv16);
  CHECK_FALSE(parseSearchDone(decoded(tv16).body));
  CHECK(parseSearchDone(built([](auto out) { return buildSearchDoneBody(true, out); })));
  CHECK_FALSE(parseSearchDone({}));
}

TEST_CASE("v3 TV18: GET_INFO names the peer - INFO_BASIC has no uin before the strings", "[codec][v3]") {
  const auto request = fromHex(kTv18Request);
  const auto packet = decoded(request);
  CHECK(packet.header.command == CMD_GET_INFO);
  uint32_t target = 0;
  REQUIRE(parseU32Body(packet.body, target) == ParseError::none);
  CHECK(target == kPeerUin);

  const auto body = built([](auto out) { return buildInfoBasicBody(kPeer, out); });
  Header reply = replyHeader(packet.header, SRV_INFO_BASIC);
  reply.seq1 = 11;  // the servseq it was stamped with
  const auto tv18 = fromHex(kTv18Reply);
  CHECK(withHeader(reply, body) == tv18);
  BasicInfo parsed;
  REQUIRE(parseInfoBasic(decoded(tv18).body, parsed) == ParseError::none);
  checkSameBasic(parsed, kPeer);
  auto parse = [](auto input) {
    BasicInfo out;
    return parseInfoBasic(input, out);
  };
  requireTruncationsFail(decoded(tv18).body, decoded(tv18).body.size(), parse);
  survivesGarbage(decoded(tv18).body, parse);
}

TEST_CASE("v3 SET_BASIC round-trips and refuses a nick above 32 or an e-mail above 128", "[codec][v3]") {
  const auto body = built([](auto out) { return buildSetBasicBody(kPeer, out); });
  BasicInfo parsed;
  REQUIRE(parseSetBasic(body, parsed) == ParseError::none);
  checkSameBasic(parsed, kPeer);
  const std::string longNick(kMaxNameLength + 1, 'n');
  BasicInfo tooLong = kPeer;
  tooLong.nick = longNick;
  CHECK(parseSetBasic(built([&](auto out) { return buildSetBasicBody(tooLong, out); }), parsed) == ParseError::too_long);
  const std::string longEmail(kMaxEmailLength + 1, 'e');
  tooLong = kPeer;
  tooLong.email = longEmail;
  CHECK(parseSetBasic(built([&](auto out) { return buildSetBasicBody(tooLong, out); }), parsed) == ParseError::too_long);
  auto parse = [](auto input) {
    BasicInfo out;
    return parseSetBasic(input, out);
  };
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(body, parse);
}

TEST_CASE("v3 SET_HOME and INFO_HOME share one layout (§5.22, §6.17)", "[codec][v3]") {
  const auto body = built([](auto out) { return buildHomeBody(kHome, out); });
  HomeInfo parsed;
  REQUIRE(parseSetHome(body, parsed) == ParseError::none);
  CHECK(parsed.address == "1 Main St");
  CHECK(parsed.country == 1);
  CHECK(parsed.cellular == "555-9876");
  CHECK(parsed.zip == 68004);
  CHECK(parsed.gender == 2);
  CHECK(parsed.birthYear == 79);
  HomeInfo reply;
  REQUIRE(parseInfoHome(body, reply) == ParseError::none);
  CHECK(reply.birthDay == 7);
  auto parse = [](auto input) {
    HomeInfo out;
    return parseSetHome(input, out);
  };
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(body, parse);
  const std::string longAddress(kMaxAddressLength + 1, 'a');
  HomeInfo tooLong = kHome;
  tooLong.address = longAddress;
  CHECK(parseSetHome(built([&](auto out) { return buildHomeBody(tooLong, out); }), parsed) == ParseError::too_long);
}

TEST_CASE("v3 SET_WORK reads three strings and takes the zip from the last four bytes", "[codec][v3]") {
  const auto body = built([](auto out) { return buildWorkBody(kWork, out); });
  WorkInfo parsed;
  REQUIRE(parseSetWork(body, parsed) == ParseError::none);
  CHECK(parsed.company == "Acme");
  CHECK(parsed.department == 20);
  CHECK(parsed.fax == "555-0001");
  CHECK(parsed.zip == 68005);
  // The Mirabilis capture: a fourth string between the pager and the zip (decision 17).
  std::vector<uint8_t> capture(body.begin(), body.end() - 4);
  for (uint8_t byte : fromHex("04 00 78 79 7a 00 05 0a 01 00")) capture.push_back(byte);
  REQUIRE(parseSetWork(capture, parsed) == ParseError::none);
  CHECK(parsed.pager.empty());
  CHECK(parsed.zip == 68101);
  WorkInfo reply;
  REQUIRE(parseInfoWork(body, reply) == ParseError::none);
  CHECK(reply.zip == 68005);
  auto parse = [](auto input) {
    WorkInfo out;
    return parseSetWork(input, out);
  };
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(body, parse);
}

TEST_CASE("v3 SET_AUTH: the byte at 20 in the capture's layout, else the one at 16 (decision 18)", "[codec][v3]") {
  uint8_t mode = 0xAA;
  const auto capture = fromHex("24 11 00 00 01");
  REQUIRE(parseSetAuth(capture, mode) == ParseError::none);
  CHECK(mode == 1);
  const auto iserverd = built([](auto out) { return buildSetAuthBody(0, false, out); });
  REQUIRE(parseSetAuth(iserverd, mode) == ParseError::none);
  CHECK(mode == 0);
  const auto mine = built([](auto out) { return buildSetAuthBody(1, true, out); });
  CHECK(mine == fromHex("00 00 00 00 01"));
  CHECK(parseSetAuth({}, mode) == ParseError::truncated);
}

TEST_CASE("v3 NOTES reply round-trips its text, times and last IP", "[codec][v3]") {
  const Notes notes{.text = "on leave", .updatedAt = 1000000000, .lastLogin = 1000000600, .lastIp = 0x010AA8C0};
  const auto body = built([&](auto out) { return buildNotesBody(notes, out); });
  Notes parsed;
  REQUIRE(parseNotes(body, parsed) == ParseError::none);
  CHECK(parsed.text == "on leave");
  CHECK(parsed.lastLogin == 1000000600);
  CHECK(parsed.lastIp == 0x010AA8C0);
  auto parse = [](auto input) {
    Notes out;
    return parseNotes(input, out);
  };
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(body, parse);
}

TEST_CASE("v3 one-text commands: SET_NOTES, SET_PASSWORD, SET_HOME_PAGE limits", "[codec][v3]") {
  std::string_view text;
  const std::string notes(kMaxNotesLength, 'n');
  CHECK(parseTextBody(built([&](auto out) { return buildTextBody(notes, out); }), text, kMaxNotesLength) ==
        ParseError::none);
  const std::string longNotes(kMaxNotesLength + 1, 'n');
  CHECK(parseTextBody(built([&](auto out) { return buildTextBody(longNotes, out); }), text, kMaxNotesLength) ==
        ParseError::too_long);
  const std::string longUrl(kMaxUrlLength + 1, 'u');
  CHECK(parseTextBody(built([&](auto out) { return buildTextBody(longUrl, out); }), text, kMaxUrlLength) ==
        ParseError::too_long);
  const std::string password(kMaxPasswordLength, 'p');
  CHECK(parseTextBody(built([&](auto out) { return buildTextBody(password, out); }), text, kMaxPasswordLength) ==
        ParseError::none);
}
