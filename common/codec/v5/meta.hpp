// User information, searches and registration on the wire: CMD_META_USER and its sub-commands
// (protocol-v5.md §7), the older info/search commands (§6.4, §6.5, §6.11, §6.12), registration
// (§6.2, §6.15, §6.16), the §6.21 legacy updates, and every server body they are answered with
// (§8.4, §8.8, §8.9, §8.13–§8.15, §8.17, §8.21, §8.22).
//
// Parsers return views into the datagram and never read past it; a field longer than its
// limit is too_long (§7.3: the caller answers "failure"), a packet that does not hold its
// fields is truncated. Body builders write the data part of a reliable packet (the outbox adds
// the header) and return its size, 0 if `out` is too small; the few unreliable replies are
// built as whole datagrams, like messages.hpp's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v5/messages.hpp"

namespace icq::codec::v5 {

// META sub-commands (§7.1), IServerd's names with a META_ prefix.
inline constexpr uint16_t META_SET_BASIC = 0x03E8;
inline constexpr uint16_t META_SET_BASIC2 = 0x03E9;
inline constexpr uint16_t META_SET_WORK = 0x03F2;
inline constexpr uint16_t META_SET_WORK2 = 0x03F3;
inline constexpr uint16_t META_SET_MORE = 0x03FC;
inline constexpr uint16_t META_SET_MORE2 = 0x03FD;
inline constexpr uint16_t META_SET_ABOUT = 0x0406;
inline constexpr uint16_t META_SET_INTERESTS = 0x0410;
inline constexpr uint16_t META_SET_AFFILIATIONS = 0x041A;
inline constexpr uint16_t META_SET_SECURITY = 0x0424;
inline constexpr uint16_t META_SET_PASS = 0x042E;
inline constexpr uint16_t META_SET_HPCAT = 0x0442;
inline constexpr uint16_t META_USER_FULLINFO = 0x04B0;
inline constexpr uint16_t META_USER_INFO2 = 0x04B1;
inline constexpr uint16_t META_USER_INFO = 0x04BA;
inline constexpr uint16_t META_USER_UNREGISTER = 0x04C4;
inline constexpr uint16_t META_USER_LOGININFO = 0x04CE;
inline constexpr uint16_t META_USER_LOGININFO2 = 0x04CF;
inline constexpr uint16_t META_SEARCH_NAME = 0x0514;
inline constexpr uint16_t META_SEARCH_NAME2 = 0x0515;
inline constexpr uint16_t META_SEARCH_UIN = 0x051E;
inline constexpr uint16_t META_SEARCH_UIN2 = 0x051F;
inline constexpr uint16_t META_SEARCH_EMAIL = 0x0528;
inline constexpr uint16_t META_SEARCH_EMAIL2 = 0x0529;
inline constexpr uint16_t META_SEARCH_WHITE = 0x0532;
inline constexpr uint16_t META_SEARCH_WHITE2 = 0x0533;
inline constexpr uint16_t META_USAGE_STATS = 0x06B8;
inline constexpr uint16_t META_LOGIN = 0x07D0;

// SRV_META_USER reply sub-codes (§7.1). The "saved" replies carry only the result byte.
inline constexpr uint16_t META_BASIC_SAVED = 0x0064;
inline constexpr uint16_t META_WORK_SAVED = 0x006E;
inline constexpr uint16_t META_MORE_SAVED = 0x0078;
inline constexpr uint16_t META_ABOUT_SAVED = 0x0082;
inline constexpr uint16_t META_INTERESTS_SAVED = 0x008C;
inline constexpr uint16_t META_AFFILIATIONS_SAVED = 0x0096;
inline constexpr uint16_t META_SECURITY_SAVED = 0x00A0;
inline constexpr uint16_t META_PASS_SAVED = 0x00AA;
inline constexpr uint16_t META_UNREGISTERED = 0x00B4;
inline constexpr uint16_t META_HPCAT_SAVED = 0x00BE;
inline constexpr uint16_t META_BASIC_INFO = 0x00C8;
inline constexpr uint16_t META_WORK_INFO = 0x00D2;
inline constexpr uint16_t META_MORE_INFO = 0x00DC;
inline constexpr uint16_t META_ABOUT_INFO = 0x00E6;
inline constexpr uint16_t META_INTERESTS_INFO = 0x00F0;
inline constexpr uint16_t META_AFFILIATIONS_INFO = 0x00FA;
inline constexpr uint16_t META_SHORT_INFO = 0x0104;
inline constexpr uint16_t META_HPCAT_INFO = 0x010E;
inline constexpr uint16_t META_FOUND = 0x0190;
inline constexpr uint16_t META_LAST_FOUND = 0x019A;
inline constexpr uint16_t META_WHITE_FOUND = 0x01A4;
inline constexpr uint16_t META_WHITE_LAST_FOUND = 0x01AE;

// RESULT byte of SRV_META_USER (§7.0) and of the registration ACK (§6.2).
inline constexpr uint8_t kMetaSuccess = 0x0A;
inline constexpr uint8_t kMetaFailure = 0x32;

// Field limits: IServerd's (§6.2, §6.5, §7.2–§7.11), so a value a real server kept is kept.
inline constexpr size_t kMaxNameLength = 31;          // nick, first, last; home/work city, state, …
inline constexpr size_t kMaxLongFieldLength = 63;     // e-mails, streets, work phone/fax, company, …
inline constexpr size_t kMaxUrlLength = 127;          // homepages, long keyword lists
inline constexpr size_t kMaxKeywordsLength = 63;      // one interest/past/affiliation entry
inline constexpr size_t kMaxAboutLength = 1024;       // IServerd stores ≤ 1024 (§8.21.5)
inline constexpr size_t kMaxNewPasswordLength = 32;   // SET_PASS, USER_UNREGISTER (§7.1, §7.9)
inline constexpr size_t kMaxSearchFieldLength = 32;   // search criteria (§6.5, §7.10, §7.11)
inline constexpr size_t kMaxSearchEmailLength = 64;   // SEARCH_EMAIL (§7.10)
inline constexpr size_t kMaxRegistrationEmail = 128;  // CMD_REG_NEW_USER (§6.2)

/// The "home" block: SET_BASIC's fields (§7.2) and the 0x00C8 reply's (§8.21.2). The flags
/// feed only the reply; a parsed SET_BASIC says which of them it carried (SetBasicRequest).
struct BasicFields {
  std::string_view nick, firstName, lastName, email, email2, email3;
  std::string_view homeCity, homeState, homePhone, homeFax, homeStreet, homeCell, homeZip;
  uint16_t homeCountry = 0;
  int8_t timezone = 0;
  bool authRequired = false, webAware = true, hideEmail = false;
};

struct SetBasicRequest {
  BasicFields fields;
  bool zipIsNumber = false;  // the ZIP came as a u32 (fields.homeZip is then empty)
  uint32_t numericZip = 0;
  bool hasHideEmail = false;        // a tail of 1 byte, or of 3 or more
  bool hasAuthAndWebAware = false;  // a tail of 3 bytes or more (licq ≤ 0.84, mICQ; D10)
};

/// §7.4 and the 0x00DC reply (§8.21.3); birthYear is the full year, 0 = unspecified.
struct MoreFields {
  uint16_t age = 0;
  uint8_t gender = 0;
  std::string_view homepage;
  uint16_t birthYear = 0;
  uint8_t birthMonth = 0, birthDay = 0;
  std::array<uint8_t, 3> languages{};
};

/// §7.3 and the 0x00D2 reply (§8.21.4).
struct WorkFields {
  std::string_view city, state, phone, fax, street, zip;
  uint16_t country = 0;
  std::string_view company, department, position;
  uint16_t occupation = 0;
  std::string_view homepage;
};

struct SetWorkRequest {
  WorkFields fields;
  bool zipIsNumber = false;  // the ZIP came as a u32 (fields.zip is then empty)
  uint32_t numericZip = 0;
};

/// Interests, past background, affiliations (§7.5): `count` entries are meaningful, the
/// parsers clear the rest.
struct CategoryField {
  uint16_t code = 0;
  std::string_view keywords;
};

template <size_t N>
struct CategoryFields {
  uint8_t count = 0;
  std::array<CategoryField, N> entries{};
};

using InterestFields = CategoryFields<4>;
using BackgroundFields = CategoryFields<3>;

struct HomepageCategoryFields {
  bool enabled = false;
  uint16_t code = 0;
  std::string_view keywords;
};

/// SET_SECURITY (§7.6) in IServerd's byte order (D36), converted to meanings (§9.5).
struct SecurityFields {
  bool authRequired = false, webAware = true, hideIp = false;
};

/// One user as searches and SRV_INFO_REPLY show it.
struct SearchHitFields {
  uint32_t uin = 0;
  std::string_view nick, firstName, lastName, email;
  bool authRequired = false, webAware = true;
};

/// Name criteria: CMD_SEARCH_USER (§6.5: nick, first, last, e-mail) and META SEARCH_NAME
/// (§7.10: first, last, nick — D12; no e-mail).
struct NameQuery {
  std::string_view nick, firstName, lastName, email;
};

/// A category criterion of the white pages: code and comma-separated keywords (§7.11).
struct CategoryQuery {
  uint16_t code = 0;
  std::string_view keywords;
};

/// SEARCH_WHITE / SEARCH_WHITE2 (§7.11), raw values; which are applied is the caller's rule.
struct WhitePagesRequest {
  std::string_view firstName, lastName, nick, email;
  uint16_t minAge = 0, maxAge = 0;
  uint8_t gender = 0, language = 0;
  std::string_view city, state;
  uint16_t country = 0;
  std::string_view company, department, position;
  uint8_t occupation = 0;
  CategoryQuery past, interests, affiliations;
  CategoryQuery homepageCategory;  // SEARCH_WHITE2 only
  bool onlineOnly = false;
};

struct UnregisterRequest {
  uint32_t uin = 0;
  std::string_view password;
};

/// CMD_REG_NEW_USER (§6.2). licq and mICQ send two dwords where IServerd reads the e-mail;
/// they parse as an empty string.
struct RegNewUserRequest {
  std::string_view password;
  uint32_t x1 = 0, x2 = 0;
  std::string_view email;
};

/// CMD_GET_DEPS (§6.16).
struct GetDepsRequest {
  uint32_t uin = 0;
  std::string_view password;
  uint32_t version = 0;
};

/// CMD_UPDATE_INFO (§6.21): four names and licq's optional authorisation byte.
struct UpdateInfoRequest {
  std::string_view nick, firstName, lastName, email;
  bool hasAuth = false;
  bool authRequired = false;
};

/// CMD_UPDATE_EXT_INFO (§6.21), licq's V4 "update detail".
struct UpdateExtInfoRequest {
  std::string_view city;
  uint16_t country = 0;
  int8_t timezone = 0;
  std::string_view state;
  uint16_t age = 0;
  uint8_t gender = 0;
  std::string_view phone, homepage, about;
  uint32_t zip = 0;
};

// ---- client → server ----------------------------------------------------------------------

/// CMD_META_USER framing (§7.0): the sub-command and its parameters.
ParseError parseMetaUser(std::span<const uint8_t> data, uint16_t& subcommand,
                         std::span<const uint8_t>& params) noexcept;

/// SET_BASIC / SET_BASIC2 (§7.2) with the D10 heuristic, whatever the sub-command: the ZIP is a
/// string if its u16 length L ≥ 1, its L bytes fit, end with a NUL, are otherwise printable
/// (≥ 0x20), and exactly 1 or 3 bytes would remain after the country and time zone; else a
/// u32. Then a tail of exactly 1 byte is hide-e-mail, of 3 or more auth, web-aware,
/// hide-e-mail; a tail of 0 or 2 bytes carries no flags. Truncated unless the time zone is there.
ParseError parseSetBasic(std::span<const uint8_t> params, SetBasicRequest& out) noexcept;
/// SET_WORK / SET_WORK2 (§7.3): a string ZIP passes §7.2's string test and the fields after it
/// end exactly at the end of the packet; else the ZIP is a u32.
ParseError parseSetWork(std::span<const uint8_t> params, SetWorkRequest& out) noexcept;
/// SET_MORE (u8 year − 1900; 0 stays 0) / SET_MORE2 (u16 year) (§7.4), by `subcommand`.
ParseError parseSetMore(uint16_t subcommand, std::span<const uint8_t> params, MoreFields& out) noexcept;
ParseError parseSetAbout(std::span<const uint8_t> params, std::string_view& about) noexcept;
/// §7.5, D43: when the packet holds the fixed 4 entries they are read (IServerd; a count
/// above 4 then means 0), else exactly `count` entries. Entries past the count are cleared.
ParseError parseSetInterests(std::span<const uint8_t> params, InterestFields& out) noexcept;
/// §7.5, D43: the fixed 3 + 3 entries when the packet holds them, else the counted ones.
ParseError parseSetAffiliations(std::span<const uint8_t> params, BackgroundFields& past,
                                BackgroundFields& affiliations) noexcept;
/// §7.6: auth, web-aware, hide-IP (IServerd's order, D36); all three bytes are required.
ParseError parseSetSecurity(std::span<const uint8_t> params, SecurityFields& out) noexcept;
/// SET_PASS (§7.1) and CMD_CHANGE_PW (§6.21): the new password, ≤ kMaxNewPasswordLength.
ParseError parseNewPassword(std::span<const uint8_t> params, std::string_view& password) noexcept;
ParseError parseSetHpcat(std::span<const uint8_t> params, HomepageCategoryFields& out) noexcept;
/// One uin: CMD_SEARCH_UIN, CMD_INFO_REQ, CMD_EXT_INFO_REQ, the META info requests and
/// SEARCH_UIN (§6.4, §6.11, §6.12, §7.8, §7.10). Trailing bytes are ignored.
ParseError parseUinRequest(std::span<const uint8_t> data, uint32_t& uin) noexcept;
ParseError parseUnregister(std::span<const uint8_t> params, UnregisterRequest& out) noexcept;
/// SEARCH_NAME / SEARCH_NAME2 (§7.10): first, last, nick (D12); `out.email` stays empty.
ParseError parseSearchName(std::span<const uint8_t> params, NameQuery& out) noexcept;
ParseError parseSearchEmail(std::span<const uint8_t> params, std::string_view& email) noexcept;
/// SEARCH_WHITE / SEARCH_WHITE2 (§7.11); the trailing online-only byte may be missing.
ParseError parseSearchWhite(uint16_t subcommand, std::span<const uint8_t> params, WhitePagesRequest& out) noexcept;
/// CMD_SEARCH_USER (§6.5): nick, first, last, e-mail.
ParseError parseSearchUser(std::span<const uint8_t> data, NameQuery& out) noexcept;
/// CMD_REG_NEW_USER (§6.2): password and both dwords are required, the e-mail is optional.
ParseError parseRegNewUser(std::span<const uint8_t> data, RegNewUserRequest& out) noexcept;
/// CMD_NEW_USER_1 (§6.15): the u32 to echo.
ParseError parseNewUser1(std::span<const uint8_t> data, uint32_t& x) noexcept;
/// CMD_GET_DEPS (§6.16): uin and password required, the version optional.
ParseError parseGetDeps(std::span<const uint8_t> data, GetDepsRequest& out) noexcept;
ParseError parseUpdateInfo(std::span<const uint8_t> data, UpdateInfoRequest& out) noexcept;
/// CMD_AUTH_UPDATE (§6.21): u32, 0 = authorisation required (§9.5).
ParseError parseAuthUpdate(std::span<const uint8_t> data, bool& authRequired) noexcept;
ParseError parseUpdateExtInfo(std::span<const uint8_t> data, UpdateExtInfoRequest& out) noexcept;

// ---- server → client: SRV_META_USER bodies (§8.21) ------------------------------------------

/// The 99a layouts write the ZIP as a u32 and the birth year as one byte, the 99b ones a
/// string and a u16 (§7.8): USER_FULLINFO/USER_LOGININFO vs USER_INFO2/USER_LOGININFO2.
enum class InfoLayout : uint8_t { icq99a, icq99b };

/// Search results (§8.21.9, §8.21.10): `plain` answers the even sub-commands, `sized` (a u16
/// record length first) the odd "2" ones.
enum class ResultFormat : uint8_t { plain, sized };

/// Sub-code and RESULT only: every "saved" reply, and the failure replies (§7.0, D34).
size_t buildMetaResultBody(uint16_t reply, uint8_t result, std::span<uint8_t> out) noexcept;
/// 0x00C8 (§8.21.2, D13): one-byte time zone, then auth, web-aware, hide-e-mail and two zeros.
size_t buildMetaBasicBody(const BasicFields& fields, InfoLayout layout, std::span<uint8_t> out) noexcept;
/// 0x00DC (§8.21.3): the 99a year is year − 1900 from 1900 on, else the stored value.
size_t buildMetaMoreBody(const MoreFields& fields, InfoLayout layout, std::span<uint8_t> out) noexcept;
size_t buildMetaWorkBody(const WorkFields& fields, InfoLayout layout, std::span<uint8_t> out) noexcept;
size_t buildMetaAboutBody(std::string_view about, std::span<uint8_t> out) noexcept;
/// 0x00F0 (§8.21.6): the count and only that many entries.
size_t buildMetaInterestsBody(const InterestFields& interests, std::span<uint8_t> out) noexcept;
/// 0x00FA (§8.21.7): the stored counts, only that many entries, IServerd's 5-byte trailer.
size_t buildMetaAffiliationsBody(const BackgroundFields& past, const BackgroundFields& affiliations,
                                 std::span<uint8_t> out) noexcept;
/// 0x010E (§8.21.8): every field even when disabled, then a zero byte.
size_t buildMetaHpcatBody(const HomepageCategoryFields& category, std::span<uint8_t> out) noexcept;
/// 0x0104 (§8.21.1): nick, first, last, e-mail, auth, gender, a zero byte.
size_t buildMetaShortInfoBody(const BasicFields& fields, uint8_t gender, std::span<uint8_t> out) noexcept;
/// 0x0190 / 0x019A (§8.21.9): `last` picks 0x019A and appends `usersLeft`.
size_t buildMetaFoundBody(const SearchHitFields& hit, ResultFormat format, bool last, uint32_t usersLeft,
                          std::span<uint8_t> out) noexcept;
/// 0x01A4 / 0x01AE (§8.21.10).
size_t buildMetaWhiteFoundBody(const SearchHitFields& hit, ResultFormat format, bool last, uint32_t usersLeft,
                               std::span<uint8_t> out) noexcept;
/// The data of command 0x001E, IServerd's answer to META_LOGIN (§8.22): D0 07 00 00 46 00.
size_t buildMetaLoginReplyBody(std::span<uint8_t> out) noexcept;

// ---- server → client: the older bodies --------------------------------------------------------

/// SRV_USER_FOUND (§8.8): uin, nick, first, last, e-mail, auth, a zero byte.
size_t buildUserFoundBody(const SearchHitFields& hit, std::span<uint8_t> out) noexcept;
/// SRV_END_OF_SEARCH (§8.9): 1 = more users matched than were sent.
size_t buildEndOfSearchBody(bool more, std::span<uint8_t> out) noexcept;
/// SRV_INFO_REPLY (§8.13): uin, nick, first, last, e-mail, auth.
size_t buildInfoReplyBody(const SearchHitFields& user, std::span<uint8_t> out) noexcept;
/// SRV_EXT_INFO_REPLY (§8.14): the real time zone and a trailing numeric ZIP (decisions).
size_t buildExtInfoReplyBody(uint32_t uin, const BasicFields& basic, const MoreFields& more, std::string_view about,
                             std::span<uint8_t> out) noexcept;
/// SRV_INVALID_UIN (§8.15).
size_t buildInvalidUinBody(uint32_t uin, std::span<uint8_t> out) noexcept;

// ---- server → client: unreliable datagrams -----------------------------------------------------

/// The registration "extended ACK" (§6.2): SRV_ACK with header UIN 0, SEQ1/SEQ2 echoed, data
/// RESULT + X2.
size_t buildSrvRegistrationAck(const ClientHeader& req, bool success, uint32_t x2, std::span<uint8_t> out,
                               CheckcodeRng& rng) noexcept;
/// SRV_NEW_UIN (§8.4): V5 layout (session echoed, SEQ1 0, SEQ2 echoed, UIN = the new one, data
/// X2), or IServerd's 20-byte V3 layout behind v5.new_uin_v3_layout (D7).
size_t buildSrvNewUin(const ClientHeader& req, uint32_t newUin, uint32_t x2, bool v3Layout, std::span<uint8_t> out,
                      CheckcodeRng& rng) noexcept;
/// The CMD_NEW_USER_1 ACK (§6.15, D8): header echoed, data 0A, X, u16 1.
size_t buildSrvNewUser1Ack(const ClientHeader& req, uint32_t x, std::span<uint8_t> out, CheckcodeRng& rng) noexcept;
/// The CMD_GET_DEPS reply (§6.16): 16-byte V3 packet 0x0032 with the request's SEQ2 and UIN
/// and the constant 0x8FFCACBF in the checkcode slot.
size_t buildSrvGetDepsReply(const ClientHeader& req, std::span<uint8_t> out) noexcept;

/// The u32 form of a text ZIP for the 99a layouts (§11.2): its leading digits, 0 if none,
/// 0xFFFFFFFF if they do not fit.
uint32_t numericZip(std::string_view zip) noexcept;

// ---- client side (test client, load generator): request data, sub-command included -----------

enum class ZipForm : uint8_t { number, text };
/// What follows SET_BASIC's time zone (§7.2, D10).
enum class BasicTail : uint8_t { none, hide_email, auth_web_hide };

size_t buildSetBasicData(uint16_t subcommand, const BasicFields& fields, ZipForm zip, BasicTail tail,
                         std::span<uint8_t> out) noexcept;
size_t buildSetWorkData(uint16_t subcommand, const WorkFields& fields, ZipForm zip, std::span<uint8_t> out) noexcept;
/// SET_MORE writes the year as year − 1900 (0 for 0), SET_MORE2 as a u16.
size_t buildSetMoreData(uint16_t subcommand, const MoreFields& fields, std::span<uint8_t> out) noexcept;
size_t buildSetAboutData(std::string_view about, std::span<uint8_t> out) noexcept;
/// `padded`: all 4 (3 + 3) slots, empty ones as 00 00 01 00 00, as ICQ 99 sends them.
size_t buildSetInterestsData(const InterestFields& interests, bool padded, std::span<uint8_t> out) noexcept;
size_t buildSetAffiliationsData(const BackgroundFields& past, const BackgroundFields& affiliations, bool padded,
                                std::span<uint8_t> out) noexcept;
size_t buildSetSecurityData(const SecurityFields& security, std::span<uint8_t> out) noexcept;
size_t buildSetPassData(std::string_view password, std::span<uint8_t> out) noexcept;
size_t buildSetHpcatData(const HomepageCategoryFields& category, std::span<uint8_t> out) noexcept;
/// A META request whose parameter is one uin (info requests, SEARCH_UIN, SEARCH_UIN2).
size_t buildMetaUinData(uint16_t subcommand, uint32_t uin, std::span<uint8_t> out) noexcept;
size_t buildUnregisterData(const UnregisterRequest& request, std::span<uint8_t> out) noexcept;
size_t buildSearchNameData(uint16_t subcommand, const NameQuery& query, std::span<uint8_t> out) noexcept;
size_t buildSearchEmailData(uint16_t subcommand, std::string_view email, std::span<uint8_t> out) noexcept;
size_t buildSearchWhiteData(uint16_t subcommand, const WhitePagesRequest& request, std::span<uint8_t> out) noexcept;
/// META_LOGIN with the u32 IServerd reads and ignores.
size_t buildMetaLoginData(std::span<uint8_t> out) noexcept;
/// The top-level commands.
size_t buildSearchUserData(const NameQuery& query, std::span<uint8_t> out) noexcept;
size_t buildRegNewUserData(const RegNewUserRequest& request, std::span<uint8_t> out) noexcept;
size_t buildNewUser1Data(uint32_t x, std::span<uint8_t> out) noexcept;
size_t buildGetDepsData(const GetDepsRequest& request, std::span<uint8_t> out) noexcept;
size_t buildChangePasswordData(std::string_view password, std::span<uint8_t> out) noexcept;
size_t buildUpdateInfoData(const UpdateInfoRequest& request, std::span<uint8_t> out) noexcept;
size_t buildAuthUpdateData(bool authRequired, std::span<uint8_t> out) noexcept;
size_t buildUpdateExtInfoData(const UpdateExtInfoRequest& request, std::span<uint8_t> out) noexcept;

/// Client side: SRV_META_USER's sub-code and RESULT, and the data after them.
bool parseMetaReply(std::span<const uint8_t> data, uint16_t& reply, uint8_t& result,
                    std::span<const uint8_t>& rest) noexcept;
/// Client side: one search result (0x0190/0x019A/0x01A4/0x01AE, `rest` as parseMetaReply left
/// it); `usersLeft` is read for the "last" sub-codes. False if it does not hold its fields.
bool parseMetaFound(uint16_t reply, std::span<const uint8_t> rest, ResultFormat format, SearchHitFields& hit,
                    uint32_t& usersLeft) noexcept;

}  // namespace icq::codec::v5
