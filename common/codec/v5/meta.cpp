// The server side of meta.hpp: parsers for every client request of protocol-v5.md §6.2–§6.21
// and §7 that carries user information, and builders for the bodies of §8.4–§8.22 that answer
// them. The client side (request builders, reply parsers) is in meta_client.cpp.
#include "common/codec/v5/meta.hpp"

#include <algorithm>
#include <limits>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"

namespace icq::codec::v5 {

namespace {

constexpr size_t kCountryAndTimezone = 3;           // u16 + i8 after the home ZIP (§7.2)
constexpr uint16_t kBackgroundTrailer1 = 0x0001;    // IServerd's 0x00FA trailer: 0, 1, 0 (§8.21.7)
constexpr uint16_t kYearBase = 1900;                // the u8 year counts from 1900 (§7.4)
constexpr uint32_t kGetDepsCheckcode = 0x8FFCACBF;  // §6.16
constexpr uint8_t kNewUser1Marker = 0x0A;           // §6.15
constexpr uint16_t kNewUser1Trailer = 0x0001;
constexpr uint8_t kPrintable = 0x20;
// The META_LOGIN reply data (§8.22): u16 0x07D0, u16 0, u16 0x0046.
constexpr uint16_t kMetaLoginReplyTail = 0x0046;

/// The common ending of every parser: a packet that does not hold its fields is truncated,
/// whatever they say; one that does but has an over-long field is too_long.
ParseError verdict(const ByteReader& reader) noexcept {
  if (reader.overrun()) return ParseError::truncated;
  if (reader.tooLong()) return ParseError::too_long;
  return ParseError::none;
}

size_t finish(const ByteWriter& writer) noexcept { return writer.overflow() ? 0 : writer.size(); }

uint8_t authByte(bool authRequired) noexcept { return authRequired ? 0 : 1; }  // §9.5

/// §7.2's string test: u16 L ≥ 1, L bytes present, NUL last, the others printable.
bool looksLikeTextZip(std::span<const uint8_t> rest, size_t& fieldSize) noexcept {
  ByteReader reader(rest);
  const size_t length = reader.u16();
  if (reader.overrun() || length < 1 || length > reader.remaining()) return false;
  const auto text = rest.subspan(2, length);
  if (text.back() != 0) return false;
  if (!std::all_of(text.begin(), text.end() - 1, [](uint8_t b) { return b >= kPrintable; })) return false;
  fieldSize = 2 + length;
  return true;
}

/// The fields SET_WORK has after its ZIP (§7.3), consuming exactly `rest`.
bool workTailFitsExactly(std::span<const uint8_t> rest) noexcept {
  ByteReader reader(rest);
  reader.u16();
  for (int i = 0; i < 3; ++i) reader.lnts(std::numeric_limits<uint16_t>::max());
  reader.u16();
  reader.lnts(std::numeric_limits<uint16_t>::max());
  return !reader.overrun() && reader.remaining() == 0;
}

template <size_t N>
void readEntries(ByteReader& reader, size_t n, CategoryFields<N>& out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    out.entries[i].code = reader.u16();
    out.entries[i].keywords = reader.lnts(kMaxKeywordsLength);
  }
}

/// Keeps `count` entries (0 when out of range, as IServerd stores it) and clears the rest.
template <size_t N>
void keepCounted(uint8_t count, CategoryFields<N>& out) noexcept {
  out.count = count <= N ? count : 0;
  for (size_t i = out.count; i < N; ++i) out.entries[i] = CategoryField{};
}

/// The counted layout of one list: u8 count (≤ N) and that many entries.
template <size_t N>
bool readCounted(ByteReader& reader, CategoryFields<N>& out) noexcept {
  const uint8_t count = reader.u8();
  if (count > N) return false;
  readEntries(reader, count, out);
  keepCounted(count, out);
  return true;
}

void writeCategories(ByteWriter& writer, uint8_t count, std::span<const CategoryField> entries) noexcept {
  const size_t n = std::min<size_t>(count, entries.size());
  writer.u8(static_cast<uint8_t>(n));
  for (size_t i = 0; i < n; ++i) {
    writer.u16(entries[i].code);
    writer.lnts(entries[i].keywords);
  }
}

void writeMetaPrefix(ByteWriter& writer, uint16_t reply, uint8_t result) noexcept {
  writer.u16(reply);
  writer.u8(result);
}

void writeZip(ByteWriter& writer, std::string_view zip, InfoLayout layout) noexcept {
  if (layout == InfoLayout::icq99a) {
    writer.u32(numericZip(zip));
  } else {
    writer.lnts(zip);
  }
}

void writeNames(ByteWriter& writer, const SearchHitFields& hit) noexcept {
  writer.lnts(hit.nick);
  writer.lnts(hit.firstName);
  writer.lnts(hit.lastName);
  writer.lnts(hit.email);
}

/// A search result record: uin, 4 names, auth, then `tail` bytes; the sized form prefixes
/// the record's length (§8.21.9: 19 + the text lengths for the sized tail of 3 bytes).
void writeFound(ByteWriter& writer, const SearchHitFields& hit, ResultFormat format,
                std::span<const uint8_t> tail) noexcept {
  if (format == ResultFormat::sized) {
    const size_t record =
        4 + 4 * 3 + hit.nick.size() + hit.firstName.size() + hit.lastName.size() + hit.email.size() + 1 + tail.size();
    writer.u16(static_cast<uint16_t>(std::min<size_t>(record, std::numeric_limits<uint16_t>::max())));
  }
  writer.u32(hit.uin);
  writeNames(writer, hit);
  writer.u8(authByte(hit.authRequired));
  writer.bytes(tail);
}

size_t encodeWithRng(const ServerHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out,
                     CheckcodeRng& rng) noexcept {
  const uint8_t r1 = rng.serverR1();
  const uint8_t r2 = rng.r2();
  return encodeServerPacket(header, data, out, r1, r2);
}

/// Writes `data` via `fill` behind a V5 header in `out` and encodes it.
template <class Fill>
size_t buildDatagram(const ServerHeader& header, std::span<uint8_t> out, CheckcodeRng& rng, Fill&& fill) noexcept {
  if (out.size() < kServerHeaderSize) return 0;
  ByteWriter writer(out.subspan(kServerHeaderSize));
  fill(writer);
  if (writer.overflow()) return 0;
  return encodeWithRng(header, out.subspan(kServerHeaderSize, writer.size()), out, rng);
}

}  // namespace

// ---- parsers ------------------------------------------------------------------------------

ParseError parseMetaUser(std::span<const uint8_t> data, uint16_t& subcommand,
                         std::span<const uint8_t>& params) noexcept {
  ByteReader reader(data);
  subcommand = reader.u16();
  params = reader.overrun() ? std::span<const uint8_t>{} : data.subspan(2);
  return verdict(reader);
}

ParseError parseSetBasic(std::span<const uint8_t> params, SetBasicRequest& out) noexcept {
  out = SetBasicRequest{};
  BasicFields& f = out.fields;
  ByteReader reader(params);
  f.nick = reader.lnts(kMaxNameLength);
  f.firstName = reader.lnts(kMaxNameLength);
  f.lastName = reader.lnts(kMaxNameLength);
  f.email = reader.lnts(kMaxLongFieldLength);
  f.email2 = reader.lnts(kMaxLongFieldLength);
  f.email3 = reader.lnts(kMaxLongFieldLength);
  f.homeCity = reader.lnts(kMaxNameLength);
  f.homeState = reader.lnts(kMaxNameLength);
  f.homePhone = reader.lnts(kMaxNameLength);
  f.homeFax = reader.lnts(kMaxNameLength);
  f.homeStreet = reader.lnts(kMaxLongFieldLength);
  f.homeCell = reader.lnts(kMaxNameLength);
  if (reader.overrun()) return ParseError::truncated;

  const std::span<const uint8_t> rest = params.subspan(reader.position());
  size_t zipSize = 0;
  const bool text =
      looksLikeTextZip(rest, zipSize) && rest.size() >= zipSize + kCountryAndTimezone &&
      (rest.size() - zipSize - kCountryAndTimezone == 1 || rest.size() - zipSize - kCountryAndTimezone == 3);
  if (text) {
    f.homeZip = reader.lnts(kMaxNameLength);
  } else {
    out.zipIsNumber = true;
    out.numericZip = reader.u32();
  }
  f.homeCountry = reader.u16();
  f.timezone = static_cast<int8_t>(reader.u8());
  const ParseError error = verdict(reader);
  if (error != ParseError::none) return error;

  if (reader.remaining() == 1) {
    out.hasHideEmail = true;
    f.hideEmail = reader.u8() != 0;
  } else if (reader.remaining() >= 3) {
    out.hasHideEmail = out.hasAuthAndWebAware = true;
    f.authRequired = reader.u8() == 0;
    f.webAware = reader.u8() != 0;
    f.hideEmail = reader.u8() != 0;
  }
  return ParseError::none;
}

ParseError parseSetWork(std::span<const uint8_t> params, SetWorkRequest& out) noexcept {
  out = SetWorkRequest{};
  WorkFields& f = out.fields;
  ByteReader reader(params);
  f.city = reader.lnts(kMaxNameLength);
  f.state = reader.lnts(kMaxNameLength);
  f.phone = reader.lnts(kMaxLongFieldLength);
  f.fax = reader.lnts(kMaxLongFieldLength);
  f.street = reader.lnts(kMaxLongFieldLength);
  if (reader.overrun()) return ParseError::truncated;

  const std::span<const uint8_t> rest = params.subspan(reader.position());
  size_t zipSize = 0;
  if (looksLikeTextZip(rest, zipSize) && workTailFitsExactly(rest.subspan(zipSize))) {
    f.zip = reader.lnts(kMaxNameLength);
  } else {
    out.zipIsNumber = true;
    out.numericZip = reader.u32();
  }
  f.country = reader.u16();
  f.company = reader.lnts(kMaxLongFieldLength);
  f.department = reader.lnts(kMaxLongFieldLength);
  f.position = reader.lnts(kMaxLongFieldLength);
  f.occupation = reader.u16();
  f.homepage = reader.lnts(kMaxUrlLength);
  return verdict(reader);
}

ParseError parseSetMore(uint16_t subcommand, std::span<const uint8_t> params, MoreFields& out) noexcept {
  out = MoreFields{};
  ByteReader reader(params);
  out.age = reader.u16();
  out.gender = reader.u8();
  out.homepage = reader.lnts(kMaxUrlLength);
  if (subcommand == META_SET_MORE2) {
    out.birthYear = reader.u16();
  } else {
    const uint8_t year = reader.u8();
    out.birthYear = year == 0 ? 0 : static_cast<uint16_t>(kYearBase + year);  // 0 = unspecified (§9.7)
  }
  out.birthMonth = reader.u8();
  out.birthDay = reader.u8();
  for (uint8_t& language : out.languages) language = reader.u8();
  return verdict(reader);
}

ParseError parseSetAbout(std::span<const uint8_t> params, std::string_view& about) noexcept {
  ByteReader reader(params);
  about = reader.lnts(kMaxAboutLength);
  return verdict(reader);
}

ParseError parseSetInterests(std::span<const uint8_t> params, InterestFields& out) noexcept {
  out = InterestFields{};
  ByteReader fixed(params);
  const uint8_t count = fixed.u8();
  readEntries(fixed, 4, out);
  if (!fixed.overrun()) {
    keepCounted(count, out);
    return verdict(fixed);
  }
  out = InterestFields{};
  ByteReader counted(params);
  if (!readCounted(counted, out)) return ParseError::truncated;
  return verdict(counted);
}

ParseError parseSetAffiliations(std::span<const uint8_t> params, BackgroundFields& past,
                                BackgroundFields& affiliations) noexcept {
  past = affiliations = BackgroundFields{};
  ByteReader fixed(params);
  const uint8_t pastCount = fixed.u8();
  readEntries(fixed, 3, past);
  const uint8_t affiliationCount = fixed.u8();
  readEntries(fixed, 3, affiliations);
  if (!fixed.overrun()) {
    keepCounted(pastCount, past);
    keepCounted(affiliationCount, affiliations);
    return verdict(fixed);
  }
  past = affiliations = BackgroundFields{};
  ByteReader counted(params);
  if (!readCounted(counted, past) || !readCounted(counted, affiliations)) return ParseError::truncated;
  return verdict(counted);
}

ParseError parseSetSecurity(std::span<const uint8_t> params, SecurityFields& out) noexcept {
  out = SecurityFields{};
  ByteReader reader(params);
  out.authRequired = reader.u8() == 0;
  out.webAware = reader.u8() != 0;
  out.hideIp = reader.u8() != 0;  // values above 1 are clamped to 1 (§7.6)
  return verdict(reader);
}

ParseError parseNewPassword(std::span<const uint8_t> params, std::string_view& password) noexcept {
  ByteReader reader(params);
  password = reader.lnts(kMaxNewPasswordLength);
  return verdict(reader);
}

ParseError parseSetHpcat(std::span<const uint8_t> params, HomepageCategoryFields& out) noexcept {
  out = HomepageCategoryFields{};
  ByteReader reader(params);
  out.enabled = reader.u8() != 0;
  out.code = reader.u16();
  out.keywords = reader.lnts(kMaxUrlLength);
  return verdict(reader);
}

ParseError parseUinRequest(std::span<const uint8_t> data, uint32_t& uin) noexcept {
  ByteReader reader(data);
  uin = reader.u32();
  return verdict(reader);
}

ParseError parseUnregister(std::span<const uint8_t> params, UnregisterRequest& out) noexcept {
  out = UnregisterRequest{};
  ByteReader reader(params);
  out.uin = reader.u32();
  out.password = reader.lnts(kMaxNewPasswordLength);
  return verdict(reader);
}

ParseError parseSearchName(std::span<const uint8_t> params, NameQuery& out) noexcept {
  out = NameQuery{};
  ByteReader reader(params);
  out.firstName = reader.lnts(kMaxSearchFieldLength);
  out.lastName = reader.lnts(kMaxSearchFieldLength);
  out.nick = reader.lnts(kMaxSearchFieldLength);
  return verdict(reader);
}

ParseError parseSearchEmail(std::span<const uint8_t> params, std::string_view& email) noexcept {
  ByteReader reader(params);
  email = reader.lnts(kMaxSearchEmailLength);
  return verdict(reader);
}

ParseError parseSearchWhite(uint16_t subcommand, std::span<const uint8_t> params, WhitePagesRequest& out) noexcept {
  out = WhitePagesRequest{};
  ByteReader reader(params);
  out.firstName = reader.lnts(kMaxSearchFieldLength);
  out.lastName = reader.lnts(kMaxSearchFieldLength);
  out.nick = reader.lnts(kMaxSearchFieldLength);
  out.email = reader.lnts(kMaxLongFieldLength);
  out.minAge = reader.u16();
  out.maxAge = reader.u16();
  out.gender = reader.u8();
  out.language = reader.u8();  // mICQ's SEARCH_WHITE2 sends a u16 here; IServerd reads a u8 (§7.11)
  out.city = reader.lnts(kMaxSearchFieldLength);
  out.state = reader.lnts(kMaxSearchFieldLength);
  out.country = reader.u16();
  out.company = reader.lnts(kMaxSearchFieldLength);
  out.department = reader.lnts(kMaxSearchFieldLength);
  out.position = reader.lnts(kMaxSearchFieldLength);
  out.occupation = reader.u8();
  for (CategoryQuery* query : {&out.past, &out.interests, &out.affiliations}) {
    query->code = reader.u16();
    query->keywords = reader.lnts(kMaxUrlLength);
  }
  if (subcommand == META_SEARCH_WHITE2) {
    out.homepageCategory.code = reader.u16();
    out.homepageCategory.keywords = reader.lnts(kMaxUrlLength);
  }
  const ParseError error = verdict(reader);
  if (error != ParseError::none) return error;
  out.onlineOnly = reader.remaining() > 0 && reader.u8() != 0;
  return ParseError::none;
}

ParseError parseSearchUser(std::span<const uint8_t> data, NameQuery& out) noexcept {
  out = NameQuery{};
  ByteReader reader(data);
  out.nick = reader.lnts(kMaxSearchFieldLength);
  out.firstName = reader.lnts(kMaxSearchFieldLength);
  out.lastName = reader.lnts(kMaxSearchFieldLength);
  out.email = reader.lnts(kMaxSearchFieldLength);
  return verdict(reader);
}

ParseError parseRegNewUser(std::span<const uint8_t> data, RegNewUserRequest& out) noexcept {
  out = RegNewUserRequest{};
  ByteReader reader(data);
  out.password = reader.lnts(kMaxPasswordLength);
  out.x1 = reader.u32();
  out.x2 = reader.u32();
  const ParseError error = verdict(reader);
  if (error != ParseError::none) return error;
  // IServerd's e-mail is optional: missing or cut short, it is empty (§1.1).
  ByteReader email(data.subspan(reader.position()));
  out.email = email.lnts(kMaxRegistrationEmail);
  if (email.tooLong()) return ParseError::too_long;
  if (email.overrun()) out.email = {};
  return ParseError::none;
}

ParseError parseNewUser1(std::span<const uint8_t> data, uint32_t& x) noexcept { return parseUinRequest(data, x); }

ParseError parseGetDeps(std::span<const uint8_t> data, GetDepsRequest& out) noexcept {
  out = GetDepsRequest{};
  ByteReader reader(data);
  out.uin = reader.u32();
  out.password = reader.lnts(kMaxPasswordLength);
  const ParseError error = verdict(reader);
  if (error != ParseError::none) return error;
  out.version = reader.u32();  // informational; 0 when missing
  return ParseError::none;
}

ParseError parseUpdateInfo(std::span<const uint8_t> data, UpdateInfoRequest& out) noexcept {
  out = UpdateInfoRequest{};
  ByteReader reader(data);
  out.nick = reader.lnts(kMaxNameLength);
  out.firstName = reader.lnts(kMaxNameLength);
  out.lastName = reader.lnts(kMaxNameLength);
  out.email = reader.lnts(kMaxLongFieldLength);
  const ParseError error = verdict(reader);
  if (error != ParseError::none) return error;
  if (reader.remaining() > 0) {  // licq's authorisation byte (§6.21)
    out.hasAuth = true;
    out.authRequired = reader.u8() == 0;
  }
  return ParseError::none;
}

ParseError parseAuthUpdate(std::span<const uint8_t> data, bool& authRequired) noexcept {
  ByteReader reader(data);
  authRequired = reader.u32() == 0;
  return verdict(reader);
}

ParseError parseUpdateExtInfo(std::span<const uint8_t> data, UpdateExtInfoRequest& out) noexcept {
  out = UpdateExtInfoRequest{};
  ByteReader reader(data);
  out.city = reader.lnts(kMaxNameLength);
  out.country = reader.u16();
  out.timezone = static_cast<int8_t>(reader.u8());
  out.state = reader.lnts(kMaxNameLength);
  out.age = reader.u16();
  out.gender = reader.u8();
  out.phone = reader.lnts(kMaxNameLength);
  out.homepage = reader.lnts(kMaxUrlLength);
  out.about = reader.lnts(kMaxAboutLength);
  out.zip = reader.u32();
  return verdict(reader);
}

// ---- SRV_META_USER bodies -----------------------------------------------------------------

size_t buildMetaResultBody(uint16_t reply, uint8_t result, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, reply, result);
  return finish(writer);
}

size_t buildMetaBasicBody(const BasicFields& f, InfoLayout layout, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_BASIC_INFO, kMetaSuccess);
  for (std::string_view text : {f.nick, f.firstName, f.lastName, f.email, f.email2, f.email3, f.homeCity, f.homeState,
                                f.homePhone, f.homeFax, f.homeStreet, f.homeCell})
    writer.lnts(text);
  writeZip(writer, f.homeZip, layout);
  writer.u16(f.homeCountry);
  writer.u8(static_cast<uint8_t>(f.timezone));  // one byte, as clients read it (D13)
  writer.u8(authByte(f.authRequired));
  writer.u8(f.webAware ? 1 : 0);
  writer.u8(f.hideEmail ? 1 : 0);
  writer.u16(0);
  return finish(writer);
}

size_t buildMetaMoreBody(const MoreFields& f, InfoLayout layout, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_MORE_INFO, kMetaSuccess);
  writer.u16(f.age);
  writer.u8(f.gender);
  writer.lnts(f.homepage);
  if (layout == InfoLayout::icq99a) {
    const unsigned year = f.birthYear >= kYearBase ? f.birthYear - kYearBase : f.birthYear;
    writer.u8(static_cast<uint8_t>(std::min(year, 255u)));
  } else {
    writer.u16(f.birthYear);
  }
  writer.u8(f.birthMonth);
  writer.u8(f.birthDay);
  for (uint8_t language : f.languages) writer.u8(language);
  return finish(writer);
}

size_t buildMetaWorkBody(const WorkFields& f, InfoLayout layout, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_WORK_INFO, kMetaSuccess);
  for (std::string_view text : {f.city, f.state, f.phone, f.fax, f.street}) writer.lnts(text);
  writeZip(writer, f.zip, layout);
  writer.u16(f.country);
  for (std::string_view text : {f.company, f.department, f.position}) writer.lnts(text);
  writer.u16(f.occupation);
  writer.lnts(f.homepage);
  return finish(writer);
}

size_t buildMetaAboutBody(std::string_view about, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_ABOUT_INFO, kMetaSuccess);
  writer.lnts(about);
  return finish(writer);
}

size_t buildMetaInterestsBody(const InterestFields& interests, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_INTERESTS_INFO, kMetaSuccess);
  writeCategories(writer, interests.count, interests.entries);
  return finish(writer);
}

size_t buildMetaAffiliationsBody(const BackgroundFields& past, const BackgroundFields& affiliations,
                                 std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_AFFILIATIONS_INFO, kMetaSuccess);
  writeCategories(writer, past.count, past.entries);
  writeCategories(writer, affiliations.count, affiliations.entries);
  writer.u16(0);
  writer.u16(kBackgroundTrailer1);
  writer.u8(0);
  return finish(writer);
}

size_t buildMetaHpcatBody(const HomepageCategoryFields& category, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_HPCAT_INFO, kMetaSuccess);
  writer.u8(category.enabled ? 1 : 0);
  writer.u16(category.code);
  writer.lnts(category.keywords);
  writer.u8(0);
  return finish(writer);
}

size_t buildMetaShortInfoBody(const BasicFields& f, uint8_t gender, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, META_SHORT_INFO, kMetaSuccess);
  for (std::string_view text : {f.nick, f.firstName, f.lastName, f.email}) writer.lnts(text);
  writer.u8(authByte(f.authRequired));
  writer.u8(gender);
  writer.u8(0);
  return finish(writer);
}

size_t buildMetaFoundBody(const SearchHitFields& hit, ResultFormat format, bool last, uint32_t usersLeft,
                          std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, last ? META_LAST_FOUND : META_FOUND, kMetaSuccess);
  if (format == ResultFormat::plain) {
    const uint8_t tail[] = {0x01};  // a constant in the plain form (§8.21.9)
    writeFound(writer, hit, format, tail);
  } else {
    const uint8_t tail[] = {static_cast<uint8_t>(hit.webAware ? 1 : 0), 0x00};
    writeFound(writer, hit, format, tail);
  }
  if (last) writer.u32(usersLeft);
  return finish(writer);
}

size_t buildMetaWhiteFoundBody(const SearchHitFields& hit, ResultFormat format, bool last, uint32_t usersLeft,
                               std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeMetaPrefix(writer, last ? META_WHITE_LAST_FOUND : META_WHITE_FOUND, kMetaSuccess);
  const uint8_t webAware = hit.webAware ? 1 : 0;
  if (format == ResultFormat::plain) {
    const uint8_t tail[] = {webAware};
    writeFound(writer, hit, format, tail);
  } else {
    const uint8_t tail[] = {webAware, 0x00};
    writeFound(writer, hit, format, tail);
  }
  if (last) writer.u32(usersLeft);
  return finish(writer);
}

size_t buildMetaLoginReplyBody(std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(META_LOGIN);
  writer.u16(0);
  writer.u16(kMetaLoginReplyTail);
  return finish(writer);
}

// ---- older bodies ---------------------------------------------------------------------------

size_t buildUserFoundBody(const SearchHitFields& hit, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(hit.uin);
  writeNames(writer, hit);
  writer.u8(authByte(hit.authRequired));
  writer.u8(0);
  return finish(writer);
}

size_t buildEndOfSearchBody(bool more, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u8(more ? 1 : 0);
  return finish(writer);
}

size_t buildInfoReplyBody(const SearchHitFields& user, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(user.uin);
  writeNames(writer, user);
  writer.u8(authByte(user.authRequired));
  return finish(writer);
}

size_t buildExtInfoReplyBody(uint32_t uin, const BasicFields& basic, const MoreFields& more, std::string_view about,
                             std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(uin);
  writer.lnts(basic.homeCity);
  writer.u16(basic.homeCountry);
  writer.u8(static_cast<uint8_t>(basic.timezone));
  writer.lnts(basic.homeState);
  writer.u16(more.age);
  writer.u8(more.gender);
  writer.lnts(basic.homePhone);
  writer.lnts(more.homepage);
  writer.lnts(about);
  writer.u32(numericZip(basic.homeZip));
  return finish(writer);
}

size_t buildInvalidUinBody(uint32_t uin, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(uin);
  return finish(writer);
}

// ---- unreliable datagrams -------------------------------------------------------------------

size_t buildSrvRegistrationAck(const ClientHeader& req, bool success, uint32_t x2, std::span<uint8_t> out,
                               CheckcodeRng& rng) noexcept {
  const ServerHeader header{req.sessionId, SRV_ACK, req.seq1, req.seq2, 0};
  return buildDatagram(header, out, rng, [&](ByteWriter& writer) {
    writer.u8(success ? kMetaSuccess : kMetaFailure);
    writer.u32(x2);
  });
}

size_t buildSrvNewUin(const ClientHeader& req, uint32_t newUin, uint32_t x2, bool v3Layout, std::span<uint8_t> out,
                      CheckcodeRng& rng) noexcept {
  if (v3Layout) {
    ByteWriter writer(out);
    writer.u16(kVersion3);
    writer.u16(SRV_NEW_UIN);
    writer.u16(0);
    writer.u16(req.seq2);
    writer.u32(newUin);
    writer.u32(0);  // the V3 checkcode slot
    writer.u32(x2);
    return finish(writer);
  }
  const ServerHeader header{req.sessionId, SRV_NEW_UIN, 0, req.seq2, newUin};
  return buildDatagram(header, out, rng, [&](ByteWriter& writer) { writer.u32(x2); });
}

size_t buildSrvNewUser1Ack(const ClientHeader& req, uint32_t x, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  const ServerHeader header{req.sessionId, SRV_ACK, req.seq1, req.seq2, req.uin};
  return buildDatagram(header, out, rng, [&](ByteWriter& writer) {
    writer.u8(kNewUser1Marker);
    writer.u32(x);
    writer.u16(kNewUser1Trailer);
  });
}

size_t buildSrvGetDepsReply(const ClientHeader& req, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(kVersion3);
  writer.u16(SRV_GET_DEPS_REPLY);
  writer.u16(0);
  writer.u16(req.seq2);
  writer.u32(req.uin);
  writer.u32(kGetDepsCheckcode);
  return finish(writer);
}

uint32_t numericZip(std::string_view zip) noexcept {
  uint64_t value = 0;
  for (char c : zip) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > std::numeric_limits<uint32_t>::max()) return std::numeric_limits<uint32_t>::max();
  }
  return static_cast<uint32_t>(value);
}

}  // namespace icq::codec::v5
