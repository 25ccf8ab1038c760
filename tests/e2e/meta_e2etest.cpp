// User information, searches, META and registration through the whole cluster, over UDP
// (protocol-v5.md §6.2, §6.4, §6.5, §6.11, §6.12, §6.15, §6.16, §6.21, §7, §8.4, §8.8–§8.22):
// the reply bytes and headers, and the state each command leaves behind.
#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/codec/v5/meta.hpp"
#include "common/codec/v5/presence.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Test-sized argon2id, so that password changes and registrations cost milliseconds.
const std::vector<std::string> kCheapHashes = {"auth.argon2_opslimit=1", "auth.argon2_memlimit_kib=8"};

ClusterOptions options(std::vector<std::string> extra = {}) {
  ClusterOptions o;
  o.settings = kCheapHashes;
  o.settings.insert(o.settings.end(), extra.begin(), extra.end());
  return o;
}

template <class Build>
Bytes built(Build&& build) {
  std::array<uint8_t, 2048> out{};
  const size_t n = build(std::span<uint8_t>(out));
  REQUIRE(n > 0);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// The next `command` packet, checked to be the reliable answer to `request` (§4.2: the
/// request's SEQ2 echoed, a SEQ1 of the session's sequence, a valid checkcode).
Bytes answer(V5Client& client, uint16_t command, const v5::ClientHeader& request) {
  auto packet = client.expect(command);
  REQUIRE(packet);
  CHECK(packet->header.seq2 == request.seq2);
  CHECK(packet->header.seq1 != 0);
  CHECK(packet->header.uin == client.uin());
  CHECK(packet->header.sessionId == client.sessionId());
  CHECK(packet->checkcodeValid);
  return packet->data;
}

Bytes metaAnswer(V5Client& client, const v5::ClientHeader& request) {
  return answer(client, v5::SRV_META_USER, request);
}

/// Sends a META request and returns the one reply it gets, after checking the request's ACK.
Bytes meta(V5Client& client, const Bytes& data) {
  const v5::ClientHeader request = client.send(v5::CMD_META_USER, data);
  REQUIRE(client.expectAckOf(request));
  return metaAnswer(client, request);
}

Bytes saved(uint16_t reply) { return {static_cast<uint8_t>(reply), static_cast<uint8_t>(reply >> 8), 0x0A}; }
Bytes failed(uint16_t reply) { return {static_cast<uint8_t>(reply), static_cast<uint8_t>(reply >> 8), 0x32}; }

Bytes uinData(uint32_t uin) {
  return built([&](auto out) { return v5::buildUinData(uin, out); });
}

/// The UINs of a META search answer (one packet per hit, §8.21.9–10) and the last packet's
/// "users left"; empty for the failure reply.
struct MetaHits {
  std::vector<uint32_t> uins;
  uint32_t usersLeft = 0;
  bool failed = false;
};

MetaHits metaHits(V5Client& client, const Bytes& data, v5::ResultFormat format) {
  const v5::ClientHeader request = client.send(v5::CMD_META_USER, data);
  MetaHits hits;
  for (;;) {
    const Bytes reply = metaAnswer(client, request);
    uint16_t code = 0;
    uint8_t result = 0;
    std::span<const uint8_t> rest;
    REQUIRE(v5::parseMetaReply(reply, code, result, rest));
    if (result == v5::kMetaFailure) {
      CHECK(rest.empty());  // the 3-byte failure packet (D34)
      hits.failed = true;
      return hits;
    }
    v5::SearchHitFields hit;
    REQUIRE(v5::parseMetaFound(code, rest, format, hit, hits.usersLeft));
    hits.uins.push_back(hit.uin);
    if (code == v5::META_LAST_FOUND || code == v5::META_WHITE_LAST_FOUND) return hits;
  }
}

/// CMD_SEARCH_USER / CMD_SEARCH_UIN: the UINs of the SRV_USER_FOUNDs and the "more" byte.
std::pair<std::vector<uint32_t>, uint8_t> oldSearch(V5Client& client, uint16_t command, const Bytes& data) {
  const v5::ClientHeader request = client.send(command, data);
  std::vector<uint32_t> uins;
  for (const ServerPacket& p : client.receiveUntil(v5::SRV_END_OF_SEARCH)) {
    CHECK(p.header.seq2 == request.seq2);
    if (p.header.command == v5::SRV_USER_FOUND) {
      uins.push_back(static_cast<uint32_t>(p.data[0] | p.data[1] << 8 | p.data[2] << 16 | p.data[3] << 24));
    } else if (p.header.command == v5::SRV_END_OF_SEARCH) {
      REQUIRE(p.data.size() == 1);
      return {uins, p.data[0]};
    }
  }
  FAIL("no SRV_END_OF_SEARCH");
  return {};
}

v5::BasicFields aliceBasic() {
  v5::BasicFields f;
  f.nick = "Alpha";
  f.firstName = "Alice";
  f.lastName = "Liddell";
  f.email = "alice@wonder.land";
  f.email2 = "al@second.example";
  f.email3 = "old@x.example";
  f.homeCity = "Oxford";
  f.homeState = "Oxon";
  f.homePhone = "+44 1865";
  f.homeFax = "fax";
  f.homeStreet = "Christ Church";
  f.homeCell = "07700";
  f.homeZip = "OX1 1DP";
  f.homeCountry = 44;
  f.timezone = 0;
  f.hideEmail = true;
  return f;
}

}  // namespace

TEST_CASE("META setters are saved and the full info returns them in both layouts", "[e2e][meta]") {
  E2E e2e(options());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.51");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.52");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());

  v5::BasicFields basic = aliceBasic();
  CHECK(meta(alice, built([&](auto out) {
               return v5::buildSetBasicData(v5::META_SET_BASIC2, basic, v5::ZipForm::text, v5::BasicTail::hide_email,
                                            out);
             })) == saved(v5::META_BASIC_SAVED));
  const v5::MoreFields more{27, 1, "http://alice.example", 1972, 5, 4, {12, 0, 0}};
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetMoreData(v5::META_SET_MORE2, more, out); })) ==
        saved(v5::META_MORE_SAVED));
  v5::WorkFields work;
  work.city = "London";
  work.state = "Greater London";
  work.zip = "12345";
  work.country = 44;
  work.company = "Looking Glass Ltd";
  work.department = "Chess";
  work.position = "Queen";
  work.occupation = 9;
  work.homepage = "http://glass.example";
  CHECK(meta(alice, built([&](auto out) {
               return v5::buildSetWorkData(v5::META_SET_WORK, work, v5::ZipForm::number, out);
             })) == saved(v5::META_WORK_SAVED));
  CHECK(meta(alice, built([](auto out) { return v5::buildSetAboutData("Curiouser and curiouser", out); })) ==
        saved(v5::META_ABOUT_SAVED));
  v5::InterestFields interests;
  interests.count = 2;
  interests.entries[0] = {137, "chess"};
  interests.entries[1] = {150, "croquet"};
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetInterestsData(interests, true, out); })) ==
        saved(v5::META_INTERESTS_SAVED));
  v5::BackgroundFields past, affiliations;
  past.count = 1;
  past.entries[0] = {300, "Oxford"};
  affiliations.count = 1;
  affiliations.entries[0] = {200, "Wonderland"};
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetAffiliationsData(past, affiliations, true, out); })) ==
        saved(v5::META_AFFILIATIONS_SAVED));
  const v5::HomepageCategoryFields category{true, 4000, "tea parties"};
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetHpcatData(category, out); })) ==
        saved(v5::META_HPCAT_SAVED));
  const v5::SecurityFields security{true, false, true};
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetSecurityData(security, out); })) ==
        saved(v5::META_SECURITY_SAVED));

  basic.authRequired = true;  // from SET_SECURITY
  basic.webAware = false;
  const auto expectFullInfo = [&](V5Client& asker, uint16_t subcommand, v5::InfoLayout layout, bool emailShown) {
    v5::BasicFields shown = basic;
    if (!emailShown) shown.email = "";
    const std::vector<Bytes> expected = {
        built([&](auto out) { return v5::buildMetaBasicBody(shown, layout, out); }),
        built([&](auto out) { return v5::buildMetaMoreBody(more, layout, out); }),
        built([&](auto out) { return v5::buildMetaHpcatBody(category, out); }),
        built([&](auto out) { return v5::buildMetaWorkBody(work, layout, out); }),  // the u32 ZIP came back as text
        built([&](auto out) { return v5::buildMetaAboutBody("Curiouser and curiouser", out); }),
        built([&](auto out) { return v5::buildMetaInterestsBody(interests, out); }),
        built([&](auto out) { return v5::buildMetaAffiliationsBody(past, affiliations, out); }),
    };
    const v5::ClientHeader request =
        asker.send(v5::CMD_META_USER, built([&](auto out) { return v5::buildMetaUinData(subcommand, kAlice, out); }));
    uint16_t previousSeq1 = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("packet " << i);
      auto packet = asker.expect(v5::SRV_META_USER);
      REQUIRE(packet);
      CHECK(packet->header.seq2 == request.seq2);
      if (i > 0) CHECK(packet->header.seq1 == previousSeq1 + 1);  // consecutive, in this order (§7.8)
      previousSeq1 = packet->header.seq1;
      CHECK(packet->data == expected[i]);
    }
  };
  expectFullInfo(alice, v5::META_USER_INFO2, v5::InfoLayout::icq99b, true);
  expectFullInfo(bob, v5::META_USER_FULLINFO, v5::InfoLayout::icq99a, false);    // hidden from others (§7.8)
  expectFullInfo(bob, v5::META_USER_LOGININFO2, v5::InfoLayout::icq99b, false);  // any UIN, not only one's own

  v5::BasicFields shortShown = basic;
  shortShown.email = "";
  CHECK(meta(bob, built([](auto out) { return v5::buildMetaUinData(v5::META_USER_INFO, kAlice, out); })) ==
        built([&](auto out) { return v5::buildMetaShortInfoBody(shortShown, 1, out); }));
  CHECK(meta(bob, built([](auto out) { return v5::buildMetaUinData(v5::META_USER_INFO2, 999999, out); })) ==
        failed(v5::META_BASIC_INFO));
  CHECK(meta(bob, built([](auto out) { return v5::buildMetaUinData(v5::META_USER_INFO, 999999, out); })) ==
        failed(v5::META_SHORT_INFO));
}

TEST_CASE("CMD_INFO_REQ, CMD_EXT_INFO_REQ and the legacy updates (§6.11, §6.12, §6.21)", "[e2e][meta][info]") {
  E2E e2e(options());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.53");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());

  // CMD_UPDATE_INFO with licq's auth byte, then the info reply shows it.
  v5::ClientHeader request =
      alice.send(v5::CMD_UPDATE_INFO, built([](auto out) {
                   return v5::buildUpdateInfoData({"Al", "Alice", "L", "a@b.c", true, true}, out);
                 }));
  CHECK(answer(alice, v5::SRV_UPDATE_SUCCESS, request).empty());
  request = alice.send(v5::CMD_INFO_REQ, uinData(kAlice));
  REQUIRE(alice.expectAckOf(request));
  CHECK(answer(alice, v5::SRV_INFO_REPLY, request) == built([](auto out) {
          return v5::buildInfoReplyBody({kAlice, "Al", "Alice", "L", "a@b.c", true, true}, out);
        }));

  request = alice.send(v5::CMD_AUTH_UPDATE, built([](auto out) { return v5::buildAuthUpdateData(false, out); }));
  CHECK(answer(alice, v5::SRV_AUTH_UPDATED, request).empty());
  request = alice.send(v5::CMD_INFO_REQ, uinData(kAlice));
  CHECK(answer(alice, v5::SRV_INFO_REPLY, request).back() == 1);  // 1 = anyone may add (§9.5)

  const v5::UpdateExtInfoRequest ext{"Oxford", 44, -2, "Oxon", 27, 1, "+44", "http://a", "about", 1234};
  request = alice.send(v5::CMD_UPDATE_EXT_INFO, built([&](auto out) { return v5::buildUpdateExtInfoData(ext, out); }));
  CHECK(answer(alice, v5::SRV_UPDATE_EXT, request).empty());
  request = alice.send(v5::CMD_EXT_INFO_REQ, uinData(kAlice));
  v5::BasicFields basic;
  basic.homeCity = "Oxford";
  basic.homeCountry = 44;
  basic.timezone = -2;
  basic.homeState = "Oxon";
  basic.homePhone = "+44";
  basic.homeZip = "1234";
  v5::MoreFields more;
  more.age = 27;
  more.gender = 1;
  more.homepage = "http://a";
  CHECK(answer(alice, v5::SRV_EXT_INFO_REPLY, request) ==
        built([&](auto out) { return v5::buildExtInfoReplyBody(kAlice, basic, more, "about", out); }));

  // Unknown UINs: SRV_INVALID_UIN naming the UIN, with the request's SEQ2 (D30).
  for (uint16_t command : {v5::CMD_INFO_REQ, v5::CMD_EXT_INFO_REQ}) {
    request = alice.send(command, uinData(424242));
    CHECK(answer(alice, v5::SRV_INVALID_UIN, request) == uinData(424242));
  }
  // An over-long name is refused, not truncated.
  const std::string longNick(40, 'n');
  request = alice.send(v5::CMD_UPDATE_INFO, built([&](auto out) {
                         return v5::buildUpdateInfoData({longNick, "", "", "", false, false}, out);
                       }));
  CHECK(answer(alice, v5::SRV_UPDATE_FAIL, request).empty());
}

TEST_CASE("searches find what a META update just wrote, by every route", "[e2e][meta][search]") {
  E2E e2e(options());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.54");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.55");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());

  v5::BasicFields basic = aliceBasic();
  basic.hideEmail = false;
  REQUIRE(meta(alice, built([&](auto out) {
                 return v5::buildSetBasicData(v5::META_SET_BASIC, basic, v5::ZipForm::number,
                                              v5::BasicTail::auth_web_hide, out);
               })) == saved(v5::META_BASIC_SAVED));
  const v5::MoreFields more{27, 1, "", 0, 0, 0, {12, 0, 0}};
  REQUIRE(meta(alice, built([&](auto out) { return v5::buildSetMoreData(v5::META_SET_MORE, more, out); })) ==
          saved(v5::META_MORE_SAVED));

  using v5::ResultFormat;
  // META by name (first, last, nick order, D12), both result formats; case-insensitive substrings.
  MetaHits hits = metaHits(bob, built([](auto out) {
                             return v5::buildSearchNameData(v5::META_SEARCH_NAME, {"LPH", "ali", "", ""}, out);
                           }),
                           ResultFormat::plain);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  CHECK(hits.usersLeft == 0);
  hits = metaHits(bob, built([](auto out) {
                    return v5::buildSearchNameData(v5::META_SEARCH_NAME2, {"", "", "liddell", ""}, out);
                  }),
                  ResultFormat::sized);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  hits = metaHits(bob, built([](auto out) { return v5::buildMetaUinData(v5::META_SEARCH_UIN2, kAlice, out); }),
                  ResultFormat::sized);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  hits = metaHits(bob, built([](auto out) { return v5::buildSearchEmailData(v5::META_SEARCH_EMAIL, "WONDER", out); }),
                  ResultFormat::plain);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  hits =
      metaHits(bob, built([](auto out) { return v5::buildSearchEmailData(v5::META_SEARCH_EMAIL2, "second.ex", out); }),
               ResultFormat::sized);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  hits = metaHits(bob, built([](auto out) {
                    return v5::buildSearchNameData(v5::META_SEARCH_NAME, {"zzz", "", "", ""}, out);
                  }),
                  ResultFormat::plain);
  CHECK(hits.failed);

  // White pages: age range + language + country; the odd sub-command uses the sized format.
  v5::WhitePagesRequest white;
  white.minAge = 20;
  white.maxAge = 30;
  white.language = 12;
  white.country = 44;
  hits = metaHits(bob, built([&](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE2, white, out); }),
                  ResultFormat::sized);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
  white.maxAge = 25;
  hits = metaHits(bob, built([&](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE, white, out); }),
                  ResultFormat::plain);
  CHECK(hits.failed);
  hits = metaHits(bob, built([](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE, {}, out); }),
                  ResultFormat::plain);
  CHECK(hits.failed);  // no criterion at all (§7.11 decision)

  // The pre-META searches.
  auto [found, moreFlag] = oldSearch(bob, v5::CMD_SEARCH_USER, built([](auto out) {
                                       return v5::buildSearchUserData({"alp", "", "", "wonder"}, out);
                                     }));
  CHECK(found == std::vector<uint32_t>{kAlice});
  CHECK(moreFlag == 0);
  std::tie(found, moreFlag) = oldSearch(bob, v5::CMD_SEARCH_UIN, uinData(kAlice));
  CHECK(found == std::vector<uint32_t>{kAlice});
  std::tie(found, moreFlag) = oldSearch(bob, v5::CMD_SEARCH_UIN, uinData(424242));
  CHECK(found.empty());
  std::tie(found, moreFlag) =
      oldSearch(bob, v5::CMD_SEARCH_USER, built([](auto out) { return v5::buildSearchUserData({}, out); }));
  CHECK(found.empty());  // no criteria: only the end of the search (§6.5)

  // A change is visible to the very next search.
  basic.nick = "Renamed";
  REQUIRE(meta(alice, built([&](auto out) {
                 return v5::buildSetBasicData(v5::META_SET_BASIC2, basic, v5::ZipForm::text, v5::BasicTail::hide_email,
                                              out);
               })) == saved(v5::META_BASIC_SAVED));
  hits = metaHits(bob, built([](auto out) {
                    return v5::buildSearchNameData(v5::META_SEARCH_NAME, {"renamed", "", "", ""}, out);
                  }),
                  ResultFormat::plain);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
}

TEST_CASE("search results stop at v5.max_search_results and say how many are left", "[e2e][meta][search]") {
  E2E e2e(options({"v5.max_search_results=2"}));
  for (uint32_t uin = 100010; uin < 100013; ++uin) e2e.cluster.createUser(uin, "pw");  // nick "user<uin>"
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.56");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.57");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());

  // Five accounts are "user…": two sent, the last of them says three more.
  MetaHits hits = metaHits(alice, built([](auto out) {
                             return v5::buildSearchNameData(v5::META_SEARCH_NAME, {"user", "", "", ""}, out);
                           }),
                           v5::ResultFormat::plain);
  CHECK(hits.uins.size() == 2);
  CHECK(hits.usersLeft == 3);
  v5::WhitePagesRequest white;
  white.nick = "USER";
  hits = metaHits(alice, built([&](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE2, white, out); }),
                  v5::ResultFormat::sized);
  CHECK(hits.uins.size() == 2);
  CHECK(hits.usersLeft == 3);
  auto [found, more] = oldSearch(alice, v5::CMD_SEARCH_USER, built([](auto out) {
                                   return v5::buildSearchUserData({"user", "", "", ""}, out);
                                 }));
  CHECK(found.size() == 2);
  CHECK(more == 1);

  // Online only: of the five, alice and bob are online; bob turns invisible and drops out.
  white.onlineOnly = true;
  hits = metaHits(alice, built([&](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE, white, out); }),
                  v5::ResultFormat::plain);
  std::sort(hits.uins.begin(), hits.uins.end());
  CHECK(hits.uins == std::vector<uint32_t>{kAlice, kBob});
  CHECK(hits.usersLeft == 0);
  REQUIRE(bob.expectAckOf(
      bob.send(v5::CMD_STATUS_CHANGE, built([](auto out) { return v5::buildStatusData(v5::kStatusInvisible, out); }))));
  hits = metaHits(alice, built([&](auto out) { return v5::buildSearchWhiteData(v5::META_SEARCH_WHITE, white, out); }),
                  v5::ResultFormat::plain);
  CHECK(hits.uins == std::vector<uint32_t>{kAlice});
}

TEST_CASE("registration is acknowledged only while v5.registration is off", "[e2e][register]") {
  E2E e2e(options());
  V5Client newcomer(e2e.cluster.udpPort(0), 0, "", "127.0.0.58");
  const v5::ClientHeader request = newcomer.send(v5::CMD_REG_NEW_USER, built([](auto out) {
                                                   return v5::buildRegNewUserData({"newpw", 0xA0, 0x2461, ""}, out);
                                                 }));
  auto ack = newcomer.expectAckOf(request);
  REQUIRE(ack);
  CHECK(ack->data.empty());
  CHECK(newcomer.silentFor(std::chrono::milliseconds(500)));
}

TEST_CASE("registration hands out distinct UINs that can log in, with the first-login and pseudo-login replies",
          "[e2e][register]") {
  E2E e2e(options({"v5.registration=true"}));
  INFO(e2e.cluster.logs());
  std::vector<uint32_t> uins;
  for (const char* localIp : {"127.0.0.59", "127.0.0.60"}) {
    V5Client newcomer(e2e.cluster.udpPort(0), 0, "", localIp);
    const v5::ClientHeader request =
        newcomer.send(v5::CMD_REG_NEW_USER, built([](auto out) {
                        return v5::buildRegNewUserData({"newpw", 0xA0, 0x2461, "n@x"}, out);
                      }));
    // The extended ACK (UIN 0, RESULT + X2) comes first, then the new UIN in V5 layout (§6.2).
    auto extended = newcomer.expectAckOf(request);
    REQUIRE(extended);
    CHECK(extended->header.uin == 0);
    CHECK(extended->data == Bytes{0x0A, 0x61, 0x24, 0x00, 0x00});
    auto newUin = newcomer.expect(v5::SRV_NEW_UIN);
    REQUIRE(newUin);
    CHECK(newUin->header.seq1 == 0);
    CHECK(newUin->header.seq2 == request.seq2);
    CHECK(newUin->header.sessionId == request.sessionId);
    CHECK(newUin->data == Bytes{0x61, 0x24, 0x00, 0x00});
    CHECK(newcomer.silentFor(std::chrono::milliseconds(200)));  // the extended ACK was the ACK
    // The replies were lost, say: the retransmission gets the same UIN, not a second account.
    newcomer.resend(request, built([](auto out) {
                      return v5::buildRegNewUserData({"newpw", 0xA0, 0x2461, "n@x"}, out);
                    }));
    REQUIRE(newcomer.expectAckOf(request));
    auto again = newcomer.expect(v5::SRV_NEW_UIN);
    REQUIRE(again);
    CHECK(again->header.uin == newUin->header.uin);
    uins.push_back(newUin->header.uin);
  }
  REQUIRE(uins.size() == 2);
  CHECK(uins[0] != uins[1]);
  V5Client registered(e2e.cluster.udpPort(0), uins[1], "newpw", "127.0.0.61");
  CHECK(registered.login() == LoginOutcome::accepted);

  // CMD_NEW_USER_1: an ACK carrying 0A, X, u16 1 (§6.15).
  V5Client first(e2e.cluster.udpPort(0), 0, "", "127.0.0.62");
  const v5::ClientHeader hello =
      first.send(v5::CMD_NEW_USER_1, built([](auto out) { return v5::buildNewUser1Data(0xCAFEBABE, out); }));
  auto withData = first.expectAckOf(hello);
  REQUIRE(withData);
  CHECK(withData->data == Bytes{0x0A, 0xBE, 0xBA, 0xFE, 0xCA, 0x01, 0x00});
  CHECK(first.silentFor(std::chrono::milliseconds(200)));  // and no plain SRV_ACK after it

  // CMD_GET_DEPS: the V3 0x0032 reply for the right password, SRV_BAD_PASS (V3) otherwise,
  // SRV_TRY_AGAIN while the UIN is online (§6.16).
  V5Client deps(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.63");
  const auto getDeps = [&](const char* password) {
    deps.send(v5::CMD_GET_DEPS, built([&](auto out) { return v5::buildGetDepsData({kAlice, password, 3}, out); }));
    for (;;) {
      auto packet = deps.receive();
      REQUIRE(packet);
      if (packet->header.command != v5::SRV_ACK || packet->v3Layout) return *packet;
    }
  };
  ServerPacket reply = getDeps(kAlicePassword);
  CHECK(reply.v3Layout);
  CHECK(reply.raw.size() == 16);
  CHECK(reply.header.command == v5::SRV_GET_DEPS_REPLY);
  reply = getDeps("wrong");
  CHECK(reply.v3Layout);
  CHECK(reply.header.command == v5::SRV_BAD_PASS);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.64");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  reply = getDeps(kAlicePassword);
  CHECK(reply.header.command == v5::SRV_TRY_AGAIN);
}

TEST_CASE("a changed password is the one that logs in and unregistering ends the account", "[e2e][meta][account]") {
  E2E e2e(options());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.65");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());
  CHECK(meta(alice, built([](auto out) { return v5::buildSetPassData("n3wpass", out); })) ==
        saved(v5::META_PASS_SAVED));
  // Longer than CMD_LOGIN accepts: refused so that it cannot lock the user out.
  CHECK(meta(alice, built([](auto out) { return v5::buildSetPassData("123456789012345678901", out); })) ==
        failed(v5::META_PASS_SAVED));
  V5Client oldPassword(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.66");
  CHECK(oldPassword.login() == LoginOutcome::bad_password);
  V5Client newPassword(e2e.cluster.udpPort(0), kAlice, "n3wpass", "127.0.0.67");
  REQUIRE(newPassword.login() == LoginOutcome::accepted);
  // CMD_CHANGE_PW (§6.21) does the same with SRV_UPDATE_SUCCESS.
  const v5::ClientHeader change =
      newPassword.send(v5::CMD_CHANGE_PW, built([](auto out) { return v5::buildChangePasswordData("third1", out); }));
  CHECK(answer(newPassword, v5::SRV_UPDATE_SUCCESS, change).empty());

  // Unregister: another UIN or a wrong password fails; the right one deletes the account.
  CHECK(meta(newPassword, built([](auto out) {
               return v5::buildUnregisterData({kBob, kBobPassword}, out);
             })) == failed(v5::META_UNREGISTERED));
  CHECK(meta(newPassword, built([](auto out) {
               return v5::buildUnregisterData({kAlice, "%"}, out);
             })) == failed(v5::META_UNREGISTERED));
  const v5::ClientHeader unregister = newPassword.send(v5::CMD_META_USER, built([](auto out) {
                                                         return v5::buildUnregisterData({kAlice, "third1"}, out);
                                                       }));
  auto gone = newPassword.expect(v5::SRV_META_USER);
  REQUIRE(gone);
  CHECK(gone->data == saved(v5::META_UNREGISTERED));
  CHECK(gone->header.seq2 == unregister.seq2);
  CHECK(gone->header.seq1 != 0);
  CHECK_FALSE(newPassword.keepAlive());  // the session ended with the account
  V5Client again(e2e.cluster.udpPort(0), kAlice, "third1", "127.0.0.68");
  CHECK(again.login() == LoginOutcome::bad_password);
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.69");
  CHECK(bob.login() == LoginOutcome::accepted);  // nobody else's account was touched
}

TEST_CASE("malformed, truncated and oversized META bodies are acknowledged and dropped", "[e2e][meta][robust]") {
  E2E e2e(options());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.70");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  INFO(e2e.cluster.logs());

  const auto ackedOnly = [&](const Bytes& data) {
    const v5::ClientHeader request = alice.send(v5::CMD_META_USER, data);
    REQUIRE(alice.expectAckOf(request));
    CHECK(alice.silentFor(std::chrono::milliseconds(200)));
  };
  ackedOnly({0xE8});                    // not even a sub-command
  ackedOnly({0x34, 0x12, 1, 2, 3});     // unknown sub-command (D19)
  ackedOnly({0xB8, 0x06, 0, 0, 0, 0});  // USAGE_STATS, logged only
  const Bytes basic = built([](auto out) {
    return v5::buildSetBasicData(v5::META_SET_BASIC2, aliceBasic(), v5::ZipForm::text, v5::BasicTail::hide_email, out);
  });
  ackedOnly(Bytes(basic.begin(), basic.begin() + 20));  // cut inside the strings
  ackedOnly(Bytes(basic.begin(), basic.begin() + 3));

  // An over-long field is refused with a failure reply and changes nothing (§7.3).
  const std::string about(1500, 'a');
  CHECK(meta(alice, built([&](auto out) { return v5::buildSetAboutData(about, out); })) ==
        failed(v5::META_ABOUT_SAVED));

  // Garbage after every known sub-command.
  std::mt19937 rng(1234);
  for (uint16_t sub : {v5::META_SET_BASIC, v5::META_SET_WORK2, v5::META_SET_MORE, v5::META_SET_INTERESTS,
                       v5::META_SET_AFFILIATIONS, v5::META_SEARCH_WHITE2, v5::META_USER_UNREGISTER}) {
    Bytes data = {static_cast<uint8_t>(sub), static_cast<uint8_t>(sub >> 8)};
    for (size_t i = 0; i < 40; ++i) data.push_back(static_cast<uint8_t>(rng()));
    const v5::ClientHeader request = alice.send(v5::CMD_META_USER, data);
    REQUIRE(alice.expectAckOf(request));
    alice.receiveUntil(v5::SRV_META_USER, std::chrono::milliseconds(200));  // a failure reply may come
  }
  // A datagram above 2048 bytes is dropped unanswered (§1.2).
  alice.send(v5::CMD_META_USER, Bytes(2100, 0x41));
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));

  // Everything is still up: the session answers, and META_LOGIN gets IServerd's 0x001E (§8.22).
  CHECK(alice.keepAlive());
  const v5::ClientHeader login =
      alice.send(v5::CMD_META_USER, built([](auto out) { return v5::buildMetaLoginData(out); }));
  CHECK(answer(alice, v5::SRV_SILENT_TOO_LONG, login) == Bytes{0xD0, 0x07, 0x00, 0x00, 0x46, 0x00});
  CHECK(e2e.cluster.worker(0).alive());
  CHECK(e2e.cluster.gateway(0).alive());
}

}  // namespace icq::test
