// The client side of meta.hpp (test client, load generator): the request data of
// protocol-v5.md §6.2–§6.21 and §7 as the clients of §12.5 send them, and the two reply
// parsers a client needs to read search results.
#include <algorithm>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/meta.hpp"

namespace icq::codec::v5 {

namespace {

constexpr uint16_t kYearBase = 1900;
// An unused category slot as ICQ 99 pads it (§7.5): code 0, empty keywords.
constexpr uint8_t kEmptySlot[] = {0x00, 0x00, 0x01, 0x00, 0x00};

size_t finish(const ByteWriter& writer) noexcept { return writer.overflow() ? 0 : writer.size(); }

void writeZip(ByteWriter& writer, std::string_view zip, ZipForm form) noexcept {
  if (form == ZipForm::number) {
    writer.u32(numericZip(zip));
  } else {
    writer.lnts(zip);
  }
}

template <size_t N>
void writeSlots(ByteWriter& writer, const CategoryFields<N>& list, bool padded) noexcept {
  writer.u8(list.count);
  const size_t used = std::min<size_t>(list.count, N);
  for (size_t i = 0; i < used; ++i) {
    writer.u16(list.entries[i].code);
    writer.lnts(list.entries[i].keywords);
  }
  if (padded)
    for (size_t i = used; i < N; ++i) writer.bytes(kEmptySlot);
}

}  // namespace

size_t buildSetBasicData(uint16_t subcommand, const BasicFields& f, ZipForm zip, BasicTail tail,
                         std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  for (std::string_view text : {f.nick, f.firstName, f.lastName, f.email, f.email2, f.email3, f.homeCity, f.homeState,
                                f.homePhone, f.homeFax, f.homeStreet, f.homeCell})
    writer.lnts(text);
  writeZip(writer, f.homeZip, zip);
  writer.u16(f.homeCountry);
  writer.u8(static_cast<uint8_t>(f.timezone));
  if (tail == BasicTail::auth_web_hide) {
    writer.u8(f.authRequired ? 0 : 1);
    writer.u8(f.webAware ? 1 : 0);
  }
  if (tail != BasicTail::none) writer.u8(f.hideEmail ? 1 : 0);
  return finish(writer);
}

size_t buildSetWorkData(uint16_t subcommand, const WorkFields& f, ZipForm zip, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  for (std::string_view text : {f.city, f.state, f.phone, f.fax, f.street}) writer.lnts(text);
  writeZip(writer, f.zip, zip);
  writer.u16(f.country);
  for (std::string_view text : {f.company, f.department, f.position}) writer.lnts(text);
  writer.u16(f.occupation);
  writer.lnts(f.homepage);
  return finish(writer);
}

size_t buildSetMoreData(uint16_t subcommand, const MoreFields& f, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  writer.u16(f.age);
  writer.u8(f.gender);
  writer.lnts(f.homepage);
  if (subcommand == META_SET_MORE2) {
    writer.u16(f.birthYear);
  } else {
    writer.u8(static_cast<uint8_t>(f.birthYear >= kYearBase ? f.birthYear - kYearBase : 0));
  }
  writer.u8(f.birthMonth);
  writer.u8(f.birthDay);
  for (uint8_t language : f.languages) writer.u8(language);
  return finish(writer);
}

size_t buildSetAboutData(std::string_view about, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_ABOUT);
  writer.lnts(about);
  return finish(writer);
}

size_t buildSetInterestsData(const InterestFields& interests, bool padded, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_INTERESTS);
  writeSlots(writer, interests, padded);
  return finish(writer);
}

size_t buildSetAffiliationsData(const BackgroundFields& past, const BackgroundFields& affiliations, bool padded,
                                std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_AFFILIATIONS);
  writeSlots(writer, past, padded);
  writeSlots(writer, affiliations, padded);
  return finish(writer);
}

size_t buildSetSecurityData(const SecurityFields& security, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_SECURITY);
  writer.u8(security.authRequired ? 0 : 1);
  writer.u8(security.webAware ? 1 : 0);
  writer.u8(security.hideIp ? 1 : 0);
  return finish(writer);
}

size_t buildSetPassData(std::string_view password, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_PASS);
  writer.lnts(password);
  return finish(writer);
}

size_t buildSetHpcatData(const HomepageCategoryFields& category, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_SET_HPCAT);
  writer.u8(category.enabled ? 1 : 0);
  writer.u16(category.code);
  writer.lnts(category.keywords);
  return finish(writer);
}

size_t buildMetaUinData(uint16_t subcommand, uint32_t uin, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  writer.u32(uin);
  return finish(writer);
}

size_t buildUnregisterData(const UnregisterRequest& request, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_USER_UNREGISTER);
  writer.u32(request.uin);
  writer.lnts(request.password);
  return finish(writer);
}

size_t buildSearchNameData(uint16_t subcommand, const NameQuery& query, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  writer.lnts(query.firstName);
  writer.lnts(query.lastName);
  writer.lnts(query.nick);
  return finish(writer);
}

size_t buildSearchEmailData(uint16_t subcommand, std::string_view email, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  writer.lnts(email);
  return finish(writer);
}

size_t buildSearchWhiteData(uint16_t subcommand, const WhitePagesRequest& r, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(subcommand);
  for (std::string_view text : {r.firstName, r.lastName, r.nick, r.email}) writer.lnts(text);
  writer.u16(r.minAge);
  writer.u16(r.maxAge);
  writer.u8(r.gender);
  writer.u8(r.language);
  writer.lnts(r.city);
  writer.lnts(r.state);
  writer.u16(r.country);
  for (std::string_view text : {r.company, r.department, r.position}) writer.lnts(text);
  writer.u8(r.occupation);
  for (const CategoryQuery* query : {&r.past, &r.interests, &r.affiliations}) {
    writer.u16(query->code);
    writer.lnts(query->keywords);
  }
  if (subcommand == META_SEARCH_WHITE2) {
    writer.u16(r.homepageCategory.code);
    writer.lnts(r.homepageCategory.keywords);
  }
  writer.u8(r.onlineOnly ? 1 : 0);
  return finish(writer);
}

size_t buildMetaLoginData(std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_LOGIN);
  writer.u32(0);
  return finish(writer);
}

size_t buildSearchUserData(const NameQuery& query, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  for (std::string_view text : {query.nick, query.firstName, query.lastName, query.email}) writer.lnts(text);
  return finish(writer);
}

size_t buildRegNewUserData(const RegNewUserRequest& request, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.lnts(request.password);
  writer.u32(request.x1);
  writer.u32(request.x2);
  writer.lnts(request.email);
  return finish(writer);
}

size_t buildNewUser1Data(uint32_t x, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(x);
  return finish(writer);
}

size_t buildGetDepsData(const GetDepsRequest& request, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(request.uin);
  writer.lnts(request.password);
  writer.u32(request.version);
  return finish(writer);
}

size_t buildChangePasswordData(std::string_view password, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.lnts(password);
  return finish(writer);
}

size_t buildUpdateInfoData(const UpdateInfoRequest& request, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  for (std::string_view text : {request.nick, request.firstName, request.lastName, request.email}) writer.lnts(text);
  if (request.hasAuth) writer.u8(request.authRequired ? 0 : 1);
  return finish(writer);
}

size_t buildAuthUpdateData(bool authRequired, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(authRequired ? 0 : 1);
  return finish(writer);
}

size_t buildUpdateExtInfoData(const UpdateExtInfoRequest& r, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.lnts(r.city);
  writer.u16(r.country);
  writer.u8(static_cast<uint8_t>(r.timezone));
  writer.lnts(r.state);
  writer.u16(r.age);
  writer.u8(r.gender);
  writer.lnts(r.phone);
  writer.lnts(r.homepage);
  writer.lnts(r.about);
  writer.u32(r.zip);
  return finish(writer);
}

bool parseMetaReply(std::span<const uint8_t> data, uint16_t& reply, uint8_t& result,
                    std::span<const uint8_t>& rest) noexcept {
  ByteReader reader(data);
  reply = reader.u16();
  result = reader.u8();
  if (reader.overrun()) return false;
  rest = data.subspan(reader.position());
  return true;
}

bool parseMetaFound(uint16_t reply, std::span<const uint8_t> rest, ResultFormat format, SearchHitFields& hit,
                    uint32_t& usersLeft) noexcept {
  hit = SearchHitFields{};
  usersLeft = 0;
  ByteReader reader(rest);
  if (format == ResultFormat::sized) reader.u16();
  hit.uin = reader.u32();
  hit.nick = reader.lnts(0xFFFF);
  hit.firstName = reader.lnts(0xFFFF);
  hit.lastName = reader.lnts(0xFFFF);
  hit.email = reader.lnts(0xFFFF);
  hit.authRequired = reader.u8() == 0;
  const bool white = reply == META_WHITE_FOUND || reply == META_WHITE_LAST_FOUND;
  const uint8_t afterAuth = reader.u8();
  // The plain META_FOUND form has a constant 0x01 where the others carry web-aware (§8.21.9).
  hit.webAware = (white || format == ResultFormat::sized) ? afterAuth != 0 : true;
  if (format == ResultFormat::sized) reader.u8();
  if (reply == META_LAST_FOUND || reply == META_WHITE_LAST_FOUND) usersLeft = reader.u32();
  return !reader.overrun();
}

}  // namespace icq::codec::v5
