// Profile blocks of an account (protocol-v5.md §11.2) and the search criteria of §6.4, §6.5,
// §7.10 and §7.11, as the UserStore reads and writes them. Text is the client's 8-bit code page
// kept as bytes in std::string; flags carry this project's meaning (auth_required, §9.5), not
// the wire byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icq::store {

/// The "home" block (§7.2, §8.21.2). email is the primary address, email2 the secondary,
/// email3 the old one.
struct BasicInfo {
  std::string nick, firstName, lastName, email, email2, email3;
  std::string homeCity, homeState, homePhone, homeFax, homeStreet, homeCell, homeZip;
  uint16_t homeCountry = 0;
  int8_t timezone = 0;  // half hours, positive west of UTC (§9.6)
};

/// Who may see and add the user (§7.6, §9.5); hideEmail hides the primary e-mail (§7.8).
struct PrivacyFlags {
  bool authRequired = false;
  bool webAware = true;  // IServerd's column default
  bool hideIp = false;
  bool hideEmail = false;
};

/// What SET_BASIC writes (§7.2, D10): the block, and those flags the packet's tail carried.
struct BasicUpdate {
  BasicInfo basic;
  std::optional<bool> hideEmail;
  std::optional<bool> authRequired, webAware;  // only the long tail carries these
};

/// §7.4, §8.21.3; birthYear is the full year, 0 = unspecified.
struct MoreInfo {
  uint16_t age = 0;
  uint8_t gender = 0;
  std::string homepage;
  uint16_t birthYear = 0;
  uint8_t birthMonth = 0, birthDay = 0;
  std::array<uint8_t, 3> languages{};
};

/// §7.3, §8.21.4.
struct WorkInfo {
  std::string city, state, phone, fax, street, zip;
  uint16_t country = 0;
  std::string company, department, position;
  uint16_t occupation = 0;
  std::string homepage;
};

/// One interest, past-background or affiliation entry (§7.5): category code and keywords.
struct CategoryEntry {
  uint16_t code = 0;
  std::string keywords;
};

/// `count` entries are meaningful; the rest are empty.
template <size_t N>
struct CategoryList {
  uint8_t count = 0;
  std::array<CategoryEntry, N> entries{};
};

using Interests = CategoryList<4>;  // §7.5, §8.21.6

/// SET_AFFILIATIONS writes both lists (§7.5, §8.21.7).
struct Background {
  CategoryList<3> past, affiliations;
};

/// §7.7, §8.21.8.
struct HomepageCategory {
  bool enabled = false;
  uint16_t code = 0;
  std::string keywords;
};

/// SET_SECURITY (§7.6).
struct SecurityUpdate {
  bool authRequired = false, webAware = true, hideIp = false;
};

/// CMD_UPDATE_INFO (§6.21): the four names and, from licq, the authorisation byte.
struct NameUpdate {
  std::string nick, firstName, lastName, email;
  std::optional<bool> authRequired;
};

/// CMD_UPDATE_EXT_INFO (§6.21), licq's V4 "update detail" packet.
struct ExtInfoUpdate {
  std::string homeCity, homeState, homePhone, homepage, about, homeZip;
  uint16_t homeCountry = 0, age = 0;
  int8_t timezone = 0;
  uint8_t gender = 0;
};

/// Everything the info replies need, read in one query.
struct UserProfile {
  uint32_t uin = 0;
  BasicInfo basic;
  PrivacyFlags flags;
  MoreInfo more;
  WorkInfo work;
  std::string about;
  int64_t aboutChangedMs = 0;  // 0: never set
  Interests interests;
  Background background;
  HomepageCategory homepageCategory;
};

/// A category criterion of the white pages (§7.11): an entry with `code` whose keywords
/// contain any of `keywords` (none: the code alone). code 0: not applied.
struct CategoryCriterion {
  uint16_t code = 0;
  std::vector<std::string> keywords;
};

/// The AND of every applied criterion. Text criteria are case-insensitive substrings and are
/// applied when non-empty; numbers when non-zero. The protocol's ranges (§7.11 "criterion
/// applied when") are the caller's to enforce.
struct SearchCriteria {
  uint32_t uin = 0;  // exact
  std::string nick, firstName, lastName;
  std::string email;  // the primary (unless hidden) or the secondary address (§6.5 decision)
  std::string city;   // home
  std::string state;  // home or work
  std::string company, position;
  uint16_t minAge = 0, maxAge = 0;  // applied when maxAge != 0
  uint8_t gender = 0, language = 0;
  uint16_t country = 0;  // home or work
  uint16_t occupation = 0;
  CategoryCriterion past, interests, affiliations, homepageCategory;

  bool empty() const {
    return uin == 0 && nick.empty() && firstName.empty() && lastName.empty() && email.empty() && city.empty() &&
           state.empty() && company.empty() && position.empty() && maxAge == 0 && gender == 0 && language == 0 &&
           country == 0 && occupation == 0 && past.code == 0 && interests.code == 0 && affiliations.code == 0 &&
           homepageCategory.code == 0;
  }
};

struct SearchRequest {
  SearchCriteria criteria;
  size_t limit = 50;
  bool countRest = true;  // fill SearchResult::notReturned
};

/// A found account as search replies show it: `email` is the primary address, empty when
/// the user hides it.
struct SearchHit {
  uint32_t uin = 0;
  std::string nick, firstName, lastName, email;
  bool authRequired = false, webAware = true;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // at most SearchRequest::limit, in no particular order
  uint32_t notReturned = 0;     // matches beyond `hits`, at most kMaxNotReturned
};

/// "users left" is a u16 count in the replies' eyes (§7.10 decision: clamped to 65535), so
/// counting stops there.
inline constexpr uint32_t kMaxNotReturned = 65535;

}  // namespace icq::store
