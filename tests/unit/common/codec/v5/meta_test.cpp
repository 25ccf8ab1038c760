// Tests for common/codec/v5/meta.hpp: byte-exact SRV_META_USER layouts (protocol-v5.md §8.21,
// §8.22), the older info/search bodies (§8.8–§8.15), the registration replies (§6.2, §6.15,
// §6.16, §8.4), the tolerant parsers of §7 (D10, D12, D36, D43), every truncation of every
// parser and random garbage.
#include "common/codec/v5/meta.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/packet.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v5;

namespace {

using icq::test::fromHex;
using Bytes = std::vector<uint8_t>;

template <class Build>
Bytes built(Build&& build) {
  std::array<uint8_t, 2048> out{};
  const size_t n = build(std::span<uint8_t>(out));
  REQUIRE(n > 0);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// The parameters of a META request: its data without the sub-command.
std::span<const uint8_t> paramsOf(const Bytes& data) { return std::span(data).subspan(2); }
Bytes paramsCopy(const Bytes& data) { return {data.begin() + 2, data.end()}; }

BasicFields sampleBasic() {
  BasicFields f;
  f.nick = "Nick";
  f.firstName = "F";
  f.lastName = "L";
  f.email = "e@x";
  f.homeCity = "C";
  f.homeZip = "12345";
  f.homeCountry = 49;
  f.timezone = -2;
  f.authRequired = true;
  f.webAware = true;
  f.hideEmail = false;
  return f;
}

// sampleBasic() up to the ZIP (§8.21.2 fields 1–12).
constexpr std::string_view kBasicStrings =
    "05004E69636B00 02004600 02004C00 0400654078 00 010000 010000 02004300 010000 010000 010000 010000 010000";

SearchHitFields sampleHit() {
  SearchHitFields hit;
  hit.uin = 100001;  // A1 86 01 00
  hit.nick = "N";
  hit.authRequired = false;
  hit.webAware = true;
  return hit;
}

struct Decoded {
  ServerHeader header;
  Bytes data;
};

Decoded decode(const Bytes& datagram) {
  Decoded d;
  std::span<const uint8_t> data;
  bool valid = false;
  REQUIRE(decodeServerPacket(datagram, d.header, data, valid) == DecodeError::none);
  CHECK(valid);
  d.data.assign(data.begin(), data.end());
  return d;
}

bool inside(std::string_view view, const Bytes& buffer) {
  if (view.empty()) return true;
  const auto* begin = reinterpret_cast<const char*>(buffer.data());
  return view.data() >= begin && view.data() + view.size() <= begin + buffer.size();
}

}  // namespace

// ---- SRV_META_USER layouts ----------------------------------------------------------------------

TEST_CASE("meta saved and failure replies are sub-code plus result", "[codec][v5][meta]") {
  CHECK(built([](auto out) { return buildMetaResultBody(META_BASIC_SAVED, kMetaSuccess, out); }) == fromHex("64000A"));
  CHECK(built([](auto out) { return buildMetaResultBody(META_LAST_FOUND, kMetaFailure, out); }) == fromHex("9A0132"));
}

TEST_CASE("meta basic info has a one-byte time zone and the auth/web-aware/hide tail (D13)", "[codec][v5][meta]") {
  const BasicFields f = sampleBasic();
  const Bytes tail = fromHex("3100 FE 00 01 00 0000");
  Bytes expected99a = fromHex(std::string("C8000A") + std::string(kBasicStrings) + "39300000");
  expected99a.insert(expected99a.end(), tail.begin(), tail.end());
  CHECK(built([&](auto out) { return buildMetaBasicBody(f, InfoLayout::icq99a, out); }) == expected99a);
  Bytes expected99b = fromHex(std::string("C8000A") + std::string(kBasicStrings) + "0600313233343500");
  expected99b.insert(expected99b.end(), tail.begin(), tail.end());
  CHECK(built([&](auto out) { return buildMetaBasicBody(f, InfoLayout::icq99b, out); }) == expected99b);
}

TEST_CASE("meta more info writes the 99a year from 1900 and the 99b year whole", "[codec][v5][meta]") {
  MoreFields f;
  f.age = 30;
  f.gender = 2;
  f.homepage = "h";
  f.birthYear = 1975;
  f.birthMonth = 6;
  f.birthDay = 9;
  f.languages = {12, 0, 0};
  CHECK(built([&](auto out) { return buildMetaMoreBody(f, InfoLayout::icq99a, out); }) ==
        fromHex("DC000A 1E00 02 02006800 4B 06 09 0C0000"));
  CHECK(built([&](auto out) { return buildMetaMoreBody(f, InfoLayout::icq99b, out); }) ==
        fromHex("DC000A 1E00 02 02006800 B707 06 09 0C0000"));
  f.birthYear = 0;  // unspecified stays 0 in both layouts
  CHECK(built([&](auto out) { return buildMetaMoreBody(f, InfoLayout::icq99a, out); })[10] == 0);
}

TEST_CASE("meta work info writes the ZIP as u32 (99a) or string (99b)", "[codec][v5][meta]") {
  WorkFields f;
  f.city = "W";
  f.zip = "100";
  f.country = 1;
  f.company = "Co";
  f.occupation = 7;
  f.homepage = "u";
  const std::string head = "D2000A 02005700 010000 010000 010000 010000";
  const std::string rest = "0100 0300436F00 010000 010000 0700 02007500";
  CHECK(built([&](auto out) { return buildMetaWorkBody(f, InfoLayout::icq99a, out); }) ==
        fromHex(head + "64000000" + rest));
  CHECK(built([&](auto out) { return buildMetaWorkBody(f, InfoLayout::icq99b, out); }) ==
        fromHex(head + "0400313030 00" + rest));
}

TEST_CASE("meta about, interests, affiliations and homepage category layouts", "[codec][v5][meta]") {
  CHECK(built([](auto out) { return buildMetaAboutBody("hi", out); }) == fromHex("E6000A 0300686900"));

  InterestFields interests;
  interests.count = 2;
  interests.entries[0] = {100, "ab"};
  interests.entries[1] = {200, ""};
  interests.entries[2] = {300, "ignored past the count"};
  CHECK(built([&](auto out) { return buildMetaInterestsBody(interests, out); }) ==
        fromHex("F0000A 02 6400 0300616200 C800 010000"));

  BackgroundFields past, affiliations;
  past.count = 1;
  past.entries[0] = {300, "x"};
  CHECK(built([&](auto out) { return buildMetaAffiliationsBody(past, affiliations, out); }) ==
        fromHex("FA000A 01 2C01 02007800 00 0000 0100 00"));

  const HomepageCategoryFields category{true, 0x1234, "kw"};
  CHECK(built([&](auto out) { return buildMetaHpcatBody(category, out); }) == fromHex("0E010A 01 3412 03006B7700 00"));
  const HomepageCategoryFields disabled{false, 0, ""};
  CHECK(built([&](auto out) { return buildMetaHpcatBody(disabled, out); }) == fromHex("0E010A 00 0000 010000 00"));
}

TEST_CASE("meta short info carries auth, gender and a zero byte", "[codec][v5][meta]") {
  BasicFields f;
  f.nick = "A";
  f.authRequired = false;
  CHECK(built([&](auto out) { return buildMetaShortInfoBody(f, 1, out); }) ==
        fromHex("04010A 02004100 010000 010000 010000 01 01 00"));
}

TEST_CASE("meta search results: plain, sized, last with users left (§8.21.9)", "[codec][v5][meta]") {
  const SearchHitFields hit = sampleHit();
  const std::string record = "A1860100 02004E00 010000 010000 010000 01";
  CHECK(built([&](auto out) { return buildMetaFoundBody(hit, ResultFormat::plain, false, 0, out); }) ==
        fromHex("90010A" + record + "01"));
  CHECK(built([&](auto out) { return buildMetaFoundBody(hit, ResultFormat::plain, true, 3, out); }) ==
        fromHex("9A010A" + record + "01 03000000"));
  // L = 19 + the text lengths (1): 20; users left outside L.
  CHECK(built([&](auto out) { return buildMetaFoundBody(hit, ResultFormat::sized, true, 65535, out); }) ==
        fromHex("9A010A 1400" + record + "01 00 FFFF0000"));
  SearchHitFields hidden = hit;
  hidden.webAware = false;
  hidden.authRequired = true;
  CHECK(built([&](auto out) { return buildMetaFoundBody(hidden, ResultFormat::sized, false, 0, out); }) ==
        fromHex("90010A 1400 A1860100 02004E00 010000 010000 010000 00 00 00"));
}

TEST_CASE("meta white-pages results carry web-aware (§8.21.10)", "[codec][v5][meta]") {
  SearchHitFields hit = sampleHit();
  hit.webAware = false;
  const std::string record = "A1860100 02004E00 010000 010000 010000 01";
  CHECK(built([&](auto out) { return buildMetaWhiteFoundBody(hit, ResultFormat::plain, false, 0, out); }) ==
        fromHex("A4010A" + record + "00"));
  CHECK(built([&](auto out) { return buildMetaWhiteFoundBody(hit, ResultFormat::plain, true, 2, out); }) ==
        fromHex("AE010A" + record + "00 02000000"));
  CHECK(built([&](auto out) { return buildMetaWhiteFoundBody(hit, ResultFormat::sized, true, 0, out); }) ==
        fromHex("AE010A 1400" + record + "00 00 00000000"));
}

TEST_CASE("meta login reply is IServerd's six bytes (§8.22)", "[codec][v5][meta]") {
  CHECK(built([](auto out) { return buildMetaLoginReplyBody(out); }) == fromHex("D0070000 4600"));
}

// ---- older bodies ---------------------------------------------------------------------------

TEST_CASE("SRV_USER_FOUND, SRV_END_OF_SEARCH, SRV_INFO_REPLY and SRV_INVALID_UIN layouts", "[codec][v5][meta]") {
  const SearchHitFields hit = sampleHit();
  CHECK(built([&](auto out) { return buildUserFoundBody(hit, out); }) ==
        fromHex("A1860100 02004E00 010000 010000 010000 01 00"));
  CHECK(built([](auto out) { return buildEndOfSearchBody(true, out); }) == fromHex("01"));
  CHECK(built([](auto out) { return buildEndOfSearchBody(false, out); }) == fromHex("00"));
  CHECK(built([&](auto out) { return buildInfoReplyBody(hit, out); }) ==
        fromHex("A1860100 02004E00 010000 010000 010000 01"));
  CHECK(built([](auto out) { return buildInvalidUinBody(0x01020304, out); }) == fromHex("04030201"));
}

TEST_CASE("SRV_EXT_INFO_REPLY sends the real time zone and a numeric ZIP (§8.14)", "[codec][v5][meta]") {
  BasicFields basic;
  basic.homeCity = "C";
  basic.homeCountry = 7;
  basic.timezone = -20;
  basic.homeState = "S";
  basic.homePhone = "P";
  basic.homeZip = "630 099";
  MoreFields more;
  more.age = 20;
  more.gender = 1;
  more.homepage = "H";
  CHECK(built([&](auto out) { return buildExtInfoReplyBody(5, basic, more, "A", out); }) ==
        fromHex("05000000 02004300 0700 EC 02005300 1400 01 02005000 02004800 02004100 76020000"));
}

TEST_CASE("numeric ZIP is the leading digits, 0 without, saturated when too big", "[codec][v5][meta]") {
  CHECK(numericZip("12345") == 12345);
  CHECK(numericZip("630 099") == 630);
  CHECK(numericZip("AB-1") == 0);
  CHECK(numericZip("") == 0);
  CHECK(numericZip("99999999999") == 0xFFFFFFFF);
}

// ---- unreliable datagrams ------------------------------------------------------------------------

TEST_CASE("registration ACK and SRV_NEW_UIN (V5 and V3 layouts, §6.2, §8.4)", "[codec][v5][meta]") {
  CheckcodeRng rng(7);
  const ClientHeader req{0, 0x11223344, CMD_REG_NEW_USER, 0x0102, 0x0304};
  const Decoded ack = decode(built([&](auto out) { return buildSrvRegistrationAck(req, true, 0x2461, out, rng); }));
  CHECK(ack.header.command == SRV_ACK);
  CHECK(ack.header.sessionId == 0x11223344);
  CHECK(ack.header.seq1 == 0x0102);
  CHECK(ack.header.seq2 == 0x0304);
  CHECK(ack.header.uin == 0);
  CHECK(ack.data == fromHex("0A 61240000"));
  CHECK(decode(built([&](auto out) { return buildSrvRegistrationAck(req, false, 0x2461, out, rng); })).data ==
        fromHex("32 61240000"));

  const Decoded v5 = decode(built([&](auto out) { return buildSrvNewUin(req, 10005, 0x2461, false, out, rng); }));
  CHECK(v5.header.command == SRV_NEW_UIN);
  CHECK(v5.header.sessionId == 0x11223344);
  CHECK(v5.header.seq1 == 0);
  CHECK(v5.header.seq2 == 0x0304);
  CHECK(v5.header.uin == 10005);
  CHECK(v5.data == fromHex("61240000"));
  CHECK(built([&](auto out) { return buildSrvNewUin(req, 10005, 0x2461, true, out, rng); }) ==
        fromHex("0300 4600 0000 0403 15270000 00000000 61240000"));
}

TEST_CASE("CMD_NEW_USER_1 ACK carries 0A, X and u16 1 (§6.15, D8)", "[codec][v5][meta]") {
  CheckcodeRng rng(3);
  const ClientHeader req{4242, 0xAABBCCDD, CMD_NEW_USER_1, 9, 8};
  const Decoded ack = decode(built([&](auto out) { return buildSrvNewUser1Ack(req, 0xCAFEBABE, out, rng); }));
  CHECK(ack.header.command == SRV_ACK);
  CHECK(ack.header.uin == 4242);
  CHECK(ack.header.sessionId == 0xAABBCCDD);
  CHECK(ack.header.seq1 == 9);
  CHECK(ack.header.seq2 == 8);
  CHECK(ack.data == fromHex("0A BEBAFECA 0100"));
}

TEST_CASE("CMD_GET_DEPS reply is a V3 0x0032 with the constant checkcode (§6.16)", "[codec][v5][meta]") {
  const ClientHeader req{100001, 1, CMD_GET_DEPS, 5, 0x0201};
  const Bytes reply = built([&](auto out) { return buildSrvGetDepsReply(req, out); });
  CHECK(reply == fromHex("0300 3200 0000 0102 A1860100 BFACFC8F"));
  CHECK(isV3Layout(reply));
}

// ---- parsers --------------------------------------------------------------------------------

TEST_CASE("SET_BASIC reads licq 0.85's string ZIP and one-byte tail", "[codec][v5][meta]") {
  BasicFields f = sampleBasic();
  f.hideEmail = true;
  const Bytes data =
      built([&](auto out) { return buildSetBasicData(META_SET_BASIC2, f, ZipForm::text, BasicTail::hide_email, out); });
  SetBasicRequest parsed;
  REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
  CHECK_FALSE(parsed.zipIsNumber);
  CHECK(parsed.fields.homeZip == "12345");
  CHECK(parsed.fields.nick == "Nick");
  CHECK(parsed.fields.email == "e@x");
  CHECK(parsed.fields.homeCity == "C");
  CHECK(parsed.fields.homeCountry == 49);
  CHECK(parsed.fields.timezone == -2);
  CHECK(parsed.hasHideEmail);
  CHECK(parsed.fields.hideEmail);
  CHECK_FALSE(parsed.hasAuthAndWebAware);
}

TEST_CASE("SET_BASIC reads licq 0.84's and mICQ's u32 ZIP and three-byte tail", "[codec][v5][meta]") {
  BasicFields f = sampleBasic();
  f.authRequired = false;
  f.webAware = false;
  f.hideEmail = true;
  for (uint16_t sub : {META_SET_BASIC, META_SET_BASIC2}) {
    const Bytes data =
        built([&](auto out) { return buildSetBasicData(sub, f, ZipForm::number, BasicTail::auth_web_hide, out); });
    SetBasicRequest parsed;
    REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
    CHECK(parsed.zipIsNumber);
    CHECK(parsed.numericZip == 12345);
    CHECK(parsed.fields.homeZip.empty());
    CHECK(parsed.hasAuthAndWebAware);
    CHECK_FALSE(parsed.fields.authRequired);
    CHECK_FALSE(parsed.fields.webAware);
    CHECK(parsed.fields.hideEmail);
  }
}

TEST_CASE("SET_BASIC heuristic reads u32 ZIPs 1, 2 and 999999 as numbers and printable ZIPs as text (D10)",
          "[codec][v5][meta]") {
  BasicFields f = sampleBasic();
  for (BasicTail tail : {BasicTail::hide_email, BasicTail::auth_web_hide}) {
    for (std::string_view zip : {"1", "2", "0", "999999", "65535"}) {
      f.homeZip = zip;
      const Bytes data =
          built([&](auto out) { return buildSetBasicData(META_SET_BASIC2, f, ZipForm::number, tail, out); });
      SetBasicRequest parsed;
      INFO("u32 ZIP " << zip);
      REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
      CHECK(parsed.zipIsNumber);
      CHECK(parsed.numericZip == numericZip(zip));
    }
    for (std::string_view zip : {"1", "12345", "AB-1 X", "\xC0\xE1"}) {
      f.homeZip = zip;
      const Bytes data =
          built([&](auto out) { return buildSetBasicData(META_SET_BASIC, f, ZipForm::text, tail, out); });
      SetBasicRequest parsed;
      INFO("text ZIP " << zip);
      REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
      CHECK_FALSE(parsed.zipIsNumber);
      CHECK(parsed.fields.homeZip == zip);
    }
  }
}

TEST_CASE("SET_BASIC without a tail, or with two bytes, carries no flags", "[codec][v5][meta]") {
  const BasicFields f = sampleBasic();
  Bytes data =
      built([&](auto out) { return buildSetBasicData(META_SET_BASIC, f, ZipForm::number, BasicTail::none, out); });
  SetBasicRequest parsed;
  REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
  CHECK_FALSE(parsed.hasHideEmail);
  CHECK_FALSE(parsed.hasAuthAndWebAware);
  data.push_back(1);
  data.push_back(1);
  REQUIRE(parseSetBasic(paramsOf(data), parsed) == ParseError::none);
  CHECK_FALSE(parsed.hasHideEmail);
}

TEST_CASE("SET_BASIC with a nick over 31 bytes is too_long", "[codec][v5][meta]") {
  BasicFields f = sampleBasic();
  const std::string nick(32, 'n');
  f.nick = nick;
  const Bytes data =
      built([&](auto out) { return buildSetBasicData(META_SET_BASIC2, f, ZipForm::text, BasicTail::hide_email, out); });
  SetBasicRequest parsed;
  CHECK(parseSetBasic(paramsOf(data), parsed) == ParseError::too_long);
}

TEST_CASE("SET_WORK reads a string ZIP only when the fields after it end the packet (§7.3)", "[codec][v5][meta]") {
  WorkFields f;
  f.city = "W";
  f.zip = "54321";
  f.country = 1;
  f.company = "Co";
  f.department = "D";
  f.position = "P";
  f.occupation = 7;
  f.homepage = "u";
  SetWorkRequest parsed;
  const Bytes text = built([&](auto out) { return buildSetWorkData(META_SET_WORK2, f, ZipForm::text, out); });
  REQUIRE(parseSetWork(paramsOf(text), parsed) == ParseError::none);
  CHECK_FALSE(parsed.zipIsNumber);
  CHECK(parsed.fields.zip == "54321");
  CHECK(parsed.fields.company == "Co");
  CHECK(parsed.fields.position == "P");
  CHECK(parsed.fields.occupation == 7);
  CHECK(parsed.fields.homepage == "u");
  // licq sends a constant u32 0x100 and country 0xFFFF (§7.3).
  f.zip = "256";
  f.country = 0xFFFF;
  const Bytes number = built([&](auto out) { return buildSetWorkData(META_SET_WORK, f, ZipForm::number, out); });
  REQUIRE(parseSetWork(paramsOf(number), parsed) == ParseError::none);
  CHECK(parsed.zipIsNumber);
  CHECK(parsed.numericZip == 256);
  CHECK(parsed.fields.country == 0xFFFF);
  CHECK(parsed.fields.homepage == "u");
}

TEST_CASE("SET_MORE reads a u8 year from 1900 and SET_MORE2 a u16 year", "[codec][v5][meta]") {
  MoreFields f;
  f.age = 30;
  f.gender = 1;
  f.homepage = "hp";
  f.birthYear = 1980;
  f.birthMonth = 12;
  f.birthDay = 31;
  f.languages = {1, 2, 3};
  for (uint16_t sub : {META_SET_MORE, META_SET_MORE2}) {
    const Bytes data = built([&](auto out) { return buildSetMoreData(sub, f, out); });
    MoreFields parsed;
    REQUIRE(parseSetMore(sub, paramsOf(data), parsed) == ParseError::none);
    CHECK(parsed.birthYear == 1980);
    CHECK(parsed.age == 30);
    CHECK(parsed.homepage == "hp");
    CHECK(parsed.languages == std::array<uint8_t, 3>{1, 2, 3});
  }
  MoreFields parsed;
  REQUIRE(parseSetMore(META_SET_MORE, fromHex("0000 00 010000 00 00 00 000000"), parsed) == ParseError::none);
  CHECK(parsed.birthYear == 0);
}

TEST_CASE("SET_INTERESTS reads ICQ 99's padded entries and exactly-counted ones (D43)", "[codec][v5][meta]") {
  InterestFields interests;
  interests.count = 2;
  interests.entries[0] = {100, "chess"};
  interests.entries[1] = {150, "go"};
  for (bool padded : {true, false}) {
    const Bytes data = built([&](auto out) { return buildSetInterestsData(interests, padded, out); });
    InterestFields parsed;
    REQUIRE(parseSetInterests(paramsOf(data), parsed) == ParseError::none);
    CHECK(parsed.count == 2);
    CHECK(parsed.entries[0].code == 100);
    CHECK(parsed.entries[0].keywords == "chess");
    CHECK(parsed.entries[1].keywords == "go");
    CHECK(parsed.entries[2].code == 0);
  }
  InterestFields parsed;
  // Four full entries but a count of 5: IServerd stores 0.
  REQUIRE(parseSetInterests(fromHex("05 0100010000 0100010000 0100010000 0100010000"), parsed) == ParseError::none);
  CHECK(parsed.count == 0);
  CHECK(parsed.entries[0].code == 0);
  // A count of 5 in a packet that does not hold four entries cannot be read.
  CHECK(parseSetInterests(fromHex("05 0100010000"), parsed) == ParseError::truncated);
  // Padded entries beyond the count are dropped even when they carry data.
  REQUIRE(parseSetInterests(fromHex("01 010002006100 020002006200 0300010000 0400010000"), parsed) == ParseError::none);
  CHECK(parsed.count == 1);
  CHECK(parsed.entries[1].code == 0);
  CHECK(parsed.entries[1].keywords.empty());
}

TEST_CASE("SET_AFFILIATIONS reads padded 3 + 3 and counted lists (D43)", "[codec][v5][meta]") {
  BackgroundFields past, affiliations;
  past.count = 1;
  past.entries[0] = {300, "school"};
  affiliations.count = 2;
  affiliations.entries[0] = {200, "club"};
  affiliations.entries[1] = {201, ""};
  for (bool padded : {true, false}) {
    const Bytes data = built([&](auto out) { return buildSetAffiliationsData(past, affiliations, padded, out); });
    BackgroundFields p, a;
    REQUIRE(parseSetAffiliations(paramsOf(data), p, a) == ParseError::none);
    CHECK(p.count == 1);
    CHECK(p.entries[0].keywords == "school");
    CHECK(a.count == 2);
    CHECK(a.entries[0].code == 200);
    CHECK(a.entries[1].code == 201);
  }
}

TEST_CASE("SET_SECURITY is auth, web-aware, hide-IP in IServerd's order (D36)", "[codec][v5][meta]") {
  SecurityFields parsed;
  REQUIRE(parseSetSecurity(fromHex("00 01 05"), parsed) == ParseError::none);
  CHECK(parsed.authRequired);
  CHECK(parsed.webAware);
  CHECK(parsed.hideIp);  // values above 1 clamp to "hide"
  REQUIRE(parseSetSecurity(fromHex("01 00 00"), parsed) == ParseError::none);
  CHECK_FALSE(parsed.authRequired);
  CHECK_FALSE(parsed.webAware);
  CHECK_FALSE(parsed.hideIp);
  CHECK(parseSetSecurity(fromHex("01 00"), parsed) == ParseError::truncated);
}

TEST_CASE("SEARCH_NAME reads first, last, nick (D12) and CMD_SEARCH_USER nick, first, last, e-mail",
          "[codec][v5][meta]") {
  NameQuery query{"nick", "first", "last", ""};
  NameQuery parsed;
  const Bytes meta = built([&](auto out) { return buildSearchNameData(META_SEARCH_NAME, query, out); });
  CHECK(meta == fromHex("1405 0600666972737400 05006C61737400 05006E69636B00"));
  REQUIRE(parseSearchName(paramsOf(meta), parsed) == ParseError::none);
  CHECK(parsed.nick == "nick");
  CHECK(parsed.firstName == "first");
  CHECK(parsed.lastName == "last");
  query.email = "e";
  const Bytes old = built([&](auto out) { return buildSearchUserData(query, out); });
  CHECK(old == fromHex("05006E69636B00 0600666972737400 05006C61737400 02006500"));
  REQUIRE(parseSearchUser(old, parsed) == ParseError::none);
  CHECK(parsed.email == "e");
}

TEST_CASE("SEARCH_WHITE2 round-trips every field and the online byte is optional", "[codec][v5][meta]") {
  WhitePagesRequest r;
  r.firstName = "f";
  r.lastName = "l";
  r.nick = "n";
  r.email = "e";
  r.minAge = 18;
  r.maxAge = 30;
  r.gender = 2;
  r.language = 12;
  r.city = "c";
  r.state = "s";
  r.country = 49;
  r.company = "co";
  r.department = "d";
  r.position = "p";
  r.occupation = 5;
  r.past = {300, "a,b"};
  r.interests = {100, "x"};
  r.affiliations = {200, "y"};
  r.homepageCategory = {400, "z"};
  r.onlineOnly = true;
  Bytes data = built([&](auto out) { return buildSearchWhiteData(META_SEARCH_WHITE2, r, out); });
  WhitePagesRequest parsed;
  REQUIRE(parseSearchWhite(META_SEARCH_WHITE2, paramsOf(data), parsed) == ParseError::none);
  CHECK(parsed.firstName == "f");
  CHECK(parsed.email == "e");
  CHECK(parsed.maxAge == 30);
  CHECK(parsed.language == 12);
  CHECK(parsed.state == "s");
  CHECK(parsed.country == 49);
  CHECK(parsed.department == "d");
  CHECK(parsed.occupation == 5);
  CHECK(parsed.past.keywords == "a,b");
  CHECK(parsed.affiliations.code == 200);
  CHECK(parsed.homepageCategory.code == 400);
  CHECK(parsed.onlineOnly);
  data.pop_back();
  REQUIRE(parseSearchWhite(META_SEARCH_WHITE2, paramsOf(data), parsed) == ParseError::none);
  CHECK_FALSE(parsed.onlineOnly);
  // SEARCH_WHITE has no homepage fields: the same request is shorter.
  const Bytes plain = built([&](auto out) { return buildSearchWhiteData(META_SEARCH_WHITE, r, out); });
  REQUIRE(parseSearchWhite(META_SEARCH_WHITE, paramsOf(plain), parsed) == ParseError::none);
  CHECK(parsed.homepageCategory.code == 0);
  CHECK(parsed.onlineOnly);
}

TEST_CASE("CMD_REG_NEW_USER reads licq's dwords as an empty e-mail and IServerd's e-mail", "[codec][v5][meta]") {
  RegNewUserRequest parsed;
  // licq/mICQ: password, X1 0xA0, X2 0x2461, then u32 0x00A00000 and u32 0 (§6.2).
  const Bytes licq = fromHex("0300707700 A0000000 61240000 0000A000 00000000");
  REQUIRE(parseRegNewUser(licq, parsed) == ParseError::none);
  CHECK(parsed.password == "pw");
  CHECK(parsed.x1 == 0xA0);
  CHECK(parsed.x2 == 0x2461);
  CHECK(parsed.email.empty());
  const Bytes data = built([](auto out) { return buildRegNewUserData({"pw", 0xA0, 0x2461, "a@b"}, out); });
  REQUIRE(parseRegNewUser(data, parsed) == ParseError::none);
  CHECK(parsed.email == "a@b");
  REQUIRE(parseRegNewUser(fromHex("0300707700 A0000000 61240000"), parsed) == ParseError::none);
  CHECK(parsed.email.empty());
  const std::string longPassword(21, 'p');
  const Bytes tooLong = built([&](auto out) { return buildRegNewUserData({longPassword, 0, 7, ""}, out); });
  CHECK(parseRegNewUser(tooLong, parsed) == ParseError::too_long);
  CHECK(parsed.x2 == 7);  // still there for the failure ACK
}

TEST_CASE("legacy update commands parse their optional tails (§6.21)", "[codec][v5][meta]") {
  UpdateInfoRequest info;
  REQUIRE(parseUpdateInfo(built([](auto out) {
                            return buildUpdateInfoData({"n", "f", "l", "e", true, true}, out);
                          }),
                          info) == ParseError::none);
  CHECK(info.hasAuth);
  CHECK(info.authRequired);
  REQUIRE(parseUpdateInfo(built([](auto out) {
                            return buildUpdateInfoData({"n", "f", "l", "e", false, false}, out);
                          }),
                          info) == ParseError::none);
  CHECK_FALSE(info.hasAuth);
  bool authRequired = false;
  REQUIRE(parseAuthUpdate(fromHex("00000000"), authRequired) == ParseError::none);
  CHECK(authRequired);
  REQUIRE(parseAuthUpdate(fromHex("01000000"), authRequired) == ParseError::none);
  CHECK_FALSE(authRequired);
  GetDepsRequest deps;
  const Bytes depsData = fromHex("A1860100 0300706100");
  REQUIRE(parseGetDeps(depsData, deps) == ParseError::none);
  CHECK(deps.uin == 100001);
  CHECK(deps.password == "pa");
  CHECK(deps.version == 0);
}

// ---- every parser on every truncation, and on garbage -------------------------------------

namespace {

struct ParserCase {
  const char* name;
  Bytes valid;      // a complete body
  size_t required;  // shortest prefix that parses
  std::function<ParseError(std::span<const uint8_t>)> parse;
};

std::vector<ParserCase> parserCases() {
  std::vector<ParserCase> cases;
  const auto add = [&](const char* name, Bytes valid, size_t optionalTail, auto parse) {
    const size_t required = valid.size() - optionalTail;
    cases.push_back({name, std::move(valid), required, parse});
  };
  const BasicFields basic = sampleBasic();
  add("SET_BASIC", paramsCopy(built([&](auto out) {
        return buildSetBasicData(META_SET_BASIC2, basic, ZipForm::number, BasicTail::auth_web_hide, out);
      })),
      3, [](auto d) {
        SetBasicRequest r;
        return parseSetBasic(d, r);
      });
  WorkFields work;
  work.zip = "1";
  work.company = "c";
  add("SET_WORK",
      paramsCopy(built([&](auto out) { return buildSetWorkData(META_SET_WORK2, work, ZipForm::text, out); })), 0,
      [](auto d) {
        SetWorkRequest r;
        return parseSetWork(d, r);
      });
  MoreFields more;
  more.homepage = "h";
  add("SET_MORE2", paramsCopy(built([&](auto out) { return buildSetMoreData(META_SET_MORE2, more, out); })), 0,
      [](auto d) {
        MoreFields r;
        return parseSetMore(META_SET_MORE2, d, r);
      });
  add("SET_ABOUT", paramsCopy(built([](auto out) { return buildSetAboutData("about me", out); })), 0, [](auto d) {
    std::string_view r;
    return parseSetAbout(d, r);
  });
  InterestFields interests;
  interests.count = 4;
  for (auto& e : interests.entries) e = {1, "k"};
  add("SET_INTERESTS", paramsCopy(built([&](auto out) { return buildSetInterestsData(interests, true, out); })), 0,
      [](auto d) {
        InterestFields r;
        return parseSetInterests(d, r);
      });
  BackgroundFields three;
  three.count = 3;
  for (auto& e : three.entries) e = {2, "kk"};
  add("SET_AFFILIATIONS",
      paramsCopy(built([&](auto out) { return buildSetAffiliationsData(three, three, true, out); })), 0, [](auto d) {
        BackgroundFields p, a;
        return parseSetAffiliations(d, p, a);
      });
  add("SET_SECURITY", paramsCopy(built([](auto out) { return buildSetSecurityData({}, out); })), 0, [](auto d) {
    SecurityFields r;
    return parseSetSecurity(d, r);
  });
  add("SET_PASS", paramsCopy(built([](auto out) { return buildSetPassData("newpass", out); })), 0, [](auto d) {
    std::string_view r;
    return parseNewPassword(d, r);
  });
  add("SET_HPCAT", paramsCopy(built([](auto out) {
        return buildSetHpcatData({true, 5, "kw"}, out);
      })),
      0, [](auto d) {
        HomepageCategoryFields r;
        return parseSetHpcat(d, r);
      });
  add("uin", paramsCopy(built([](auto out) { return buildMetaUinData(META_USER_INFO2, 100001, out); })), 0, [](auto d) {
    uint32_t r;
    return parseUinRequest(d, r);
  });
  add("UNREGISTER", paramsCopy(built([](auto out) {
        return buildUnregisterData({5, "pw"}, out);
      })),
      0, [](auto d) {
        UnregisterRequest r;
        return parseUnregister(d, r);
      });
  add("SEARCH_NAME", paramsCopy(built([](auto out) {
        return buildSearchNameData(META_SEARCH_NAME, {"n", "f", "l", ""}, out);
      })),
      0, [](auto d) {
        NameQuery r;
        return parseSearchName(d, r);
      });
  add("SEARCH_EMAIL", paramsCopy(built([](auto out) { return buildSearchEmailData(META_SEARCH_EMAIL, "a@b", out); })),
      0, [](auto d) {
        std::string_view r;
        return parseSearchEmail(d, r);
      });
  WhitePagesRequest white;
  white.nick = "n";
  white.homepageCategory = {1, "k"};
  add("SEARCH_WHITE2",
      paramsCopy(built([&](auto out) { return buildSearchWhiteData(META_SEARCH_WHITE2, white, out); })), 1, [](auto d) {
        WhitePagesRequest r;
        return parseSearchWhite(META_SEARCH_WHITE2, d, r);
      });
  add("CMD_SEARCH_USER", built([](auto out) {
        return buildSearchUserData({"n", "f", "l", "e"}, out);
      }),
      0, [](auto d) {
        NameQuery r;
        return parseSearchUser(d, r);
      });
  add("CMD_REG_NEW_USER", built([](auto out) {
        return buildRegNewUserData({"pw", 1, 2, "e@x"}, out);
      }),
      6, [](auto d) {
        RegNewUserRequest r;
        return parseRegNewUser(d, r);
      });
  add("CMD_NEW_USER_1", built([](auto out) { return buildNewUser1Data(7, out); }), 0, [](auto d) {
    uint32_t r;
    return parseNewUser1(d, r);
  });
  add("CMD_GET_DEPS", built([](auto out) {
        return buildGetDepsData({5, "pw", 3}, out);
      }),
      4, [](auto d) {
        GetDepsRequest r;
        return parseGetDeps(d, r);
      });
  add("CMD_CHANGE_PW", built([](auto out) { return buildChangePasswordData("pw", out); }), 0, [](auto d) {
    std::string_view r;
    return parseNewPassword(d, r);
  });
  add("CMD_UPDATE_INFO", built([](auto out) {
        return buildUpdateInfoData({"n", "f", "l", "e", true, false}, out);
      }),
      1, [](auto d) {
        UpdateInfoRequest r;
        return parseUpdateInfo(d, r);
      });
  add("CMD_AUTH_UPDATE", built([](auto out) { return buildAuthUpdateData(true, out); }), 0, [](auto d) {
    bool r;
    return parseAuthUpdate(d, r);
  });
  add("CMD_UPDATE_EXT_INFO", built([](auto out) {
        return buildUpdateExtInfoData({"c", 1, 2, "s", 3, 1, "p", "h", "a", 4}, out);
      }),
      0, [](auto d) {
        UpdateExtInfoRequest r;
        return parseUpdateExtInfo(d, r);
      });
  return cases;
}

}  // namespace

TEST_CASE("every meta parser is truncated by every cut before its required fields", "[codec][v5][meta]") {
  for (const ParserCase& c : parserCases()) {
    INFO(c.name);
    REQUIRE(c.parse(c.valid) == ParseError::none);
    for (size_t length = 0; length <= c.valid.size(); ++length) {
      INFO("length " << length << " of " << c.valid.size());
      const Bytes prefix(c.valid.begin(),
                         c.valid.begin() + static_cast<std::ptrdiff_t>(length));  // exact size: ASan sees overreads
      CHECK(c.parse(prefix) == (length < c.required ? ParseError::truncated : ParseError::none));
    }
  }
}

TEST_CASE("the META framing needs its sub-command", "[codec][v5][meta]") {
  uint16_t subcommand = 0;
  std::span<const uint8_t> params;
  CHECK(parseMetaUser(fromHex("E8"), subcommand, params) == ParseError::truncated);
  REQUIRE(parseMetaUser(fromHex("E903 AABB"), subcommand, params) == ParseError::none);
  CHECK(subcommand == META_SET_BASIC2);
  CHECK(params.size() == 2);
}

TEST_CASE("meta parsers survive random garbage and only return views into it", "[codec][v5][meta]") {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 3000; ++round) {
    Bytes data(rng() % 300);
    for (uint8_t& b : data) b = static_cast<uint8_t>(rng() % 4 == 0 ? rng() % 4 : rng());  // many short lengths
    SetBasicRequest basic;
    parseSetBasic(data, basic);
    CHECK(inside(basic.fields.homeZip, data));
    CHECK(inside(basic.fields.homeCell, data));
    SetWorkRequest work;
    parseSetWork(data, work);
    CHECK(inside(work.fields.homepage, data));
    MoreFields more;
    parseSetMore(META_SET_MORE, data, more);
    InterestFields interests;
    parseSetInterests(data, interests);
    CHECK(interests.count <= 4);
    for (const CategoryField& e : interests.entries) CHECK(inside(e.keywords, data));
    BackgroundFields past, affiliations;
    parseSetAffiliations(data, past, affiliations);
    CHECK(past.count <= 3);
    CHECK(affiliations.count <= 3);
    WhitePagesRequest white;
    parseSearchWhite(META_SEARCH_WHITE2, data, white);
    CHECK(inside(white.homepageCategory.keywords, data));
    RegNewUserRequest reg;
    parseRegNewUser(data, reg);
    CHECK(inside(reg.email, data));
    UpdateExtInfoRequest ext;
    parseUpdateExtInfo(data, ext);
    CHECK(inside(ext.about, data));
    for (const ParserCase& c : parserCases()) c.parse(data);
  }
}

TEST_CASE("meta builders refuse a short output instead of writing a partial body", "[codec][v5][meta]") {
  const BasicFields f = sampleBasic();
  std::array<uint8_t, 20> small{};
  CHECK(buildMetaBasicBody(f, InfoLayout::icq99b, small) == 0);
  CHECK(buildMetaFoundBody(sampleHit(), ResultFormat::sized, true, 0, std::span(small).first(10)) == 0);
  const std::string about(1024, 'a');
  std::array<uint8_t, 1030> fits{};
  CHECK(buildMetaAboutBody(about, fits) == 3 + 2 + 1025);
  CHECK(buildMetaAboutBody(about, std::span(fits).first(1029)) == 0);
}

TEST_CASE("client builders round-trip through the server parsers", "[codec][v5][meta]") {
  const Bytes hpcat = built([](auto out) { return buildSetHpcatData({true, 300, "web"}, out); });
  HomepageCategoryFields category;
  REQUIRE(parseSetHpcat(paramsOf(hpcat), category) == ParseError::none);
  CHECK(category.enabled);
  CHECK(category.code == 300);
  CHECK(category.keywords == "web");
  const Bytes unregisterData = built([](auto out) { return buildUnregisterData({42, "secret"}, out); });
  UnregisterRequest unregister;
  REQUIRE(parseUnregister(paramsOf(unregisterData), unregister) == ParseError::none);
  CHECK(unregister.uin == 42);
  CHECK(unregister.password == "secret");
  const Bytes extData = built([](auto out) {
    return buildUpdateExtInfoData({"c", 1, -3, "s", 33, 2, "p", "h", "about", 1234}, out);
  });
  UpdateExtInfoRequest ext;
  REQUIRE(parseUpdateExtInfo(extData, ext) == ParseError::none);
  CHECK(ext.timezone == -3);
  CHECK(ext.age == 33);
  CHECK(ext.about == "about");
  CHECK(ext.zip == 1234);
  CHECK(built([](auto out) { return buildMetaLoginData(out); }) == fromHex("D007 00000000"));
}

TEST_CASE("client reply parsers read what the server builders write", "[codec][v5][meta]") {
  SearchHitFields hit = sampleHit();
  hit.email = "e@x";
  hit.webAware = false;
  for (ResultFormat format : {ResultFormat::plain, ResultFormat::sized}) {
    for (bool white : {false, true}) {
      const Bytes body = built([&](auto out) {
        return white ? buildMetaWhiteFoundBody(hit, format, true, 9, out)
                     : buildMetaFoundBody(hit, format, true, 9, out);
      });
      uint16_t reply = 0;
      uint8_t result = 0;
      std::span<const uint8_t> rest;
      REQUIRE(parseMetaReply(body, reply, result, rest));
      CHECK(reply == (white ? META_WHITE_LAST_FOUND : META_LAST_FOUND));
      CHECK(result == kMetaSuccess);
      SearchHitFields parsed;
      uint32_t left = 0;
      REQUIRE(parseMetaFound(reply, rest, format, parsed, left));
      CHECK(parsed.uin == hit.uin);
      CHECK(parsed.email == "e@x");
      CHECK(left == 9);
      if (white || format == ResultFormat::sized) CHECK_FALSE(parsed.webAware);
    }
  }
}
