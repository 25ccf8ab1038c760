// worker: V3 user information — GET_INFO 0x05FA (protocol-v3.md §5.17: five replies in a
// fixed order), GET_INFO1 0x0460 (§5.18: INFO_SINGLE), GET_NOTES 0x05AA (§5.19: NOTES), each
// answered INVALID_UIN for an unknown UIN, and SEARCH 0x05C8 (§5.27). Every reply is reliable
// and carries the request's seq2, by which Miranda files it (§3.1). They read the profile
// record V5 users write too (§9.3).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "common/codec/v3/login.hpp"
#include "common/codec/v3/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"
#include "worker/v3/profile_wire.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

Outcome storeFailed(V3Context& ctx) {
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

/// The profile a request's u32 names; false after answering INVALID_UIN or on a bad body.
/// `failed` is set when the store could not be reached.
bool profileOf(V3Context& ctx, const V3Inbound& in, std::optional<store::UserProfile>& profile, bool& failed) {
  failed = false;
  uint32_t uin = 0;
  if (v3::parseU32Body(in.body(), uin) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return false;
  }
  if (!ctx.users.findProfile(uin, profile)) {
    failed = true;
    return false;
  }
  if (profile) return true;
  std::array<uint8_t, 4> body{};
  ctx.replyReliable(in, v3::SRV_INVALID_UIN, std::span(body).first(v3::buildU32Body(uin, body)));
  return false;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The searched column of a hit, for the modes the store's substring match cannot express.
std::string_view columnOf(const store::SearchHit& hit, uint8_t field) {
  switch (field) {
    case v3::kSearchByNick: return hit.nick;
    case v3::kSearchByFirst: return hit.firstName;
    case v3::kSearchByLast: return hit.lastName;
    case v3::kSearchByEmail: return hit.email;
    default: return {};
  }
}

/// Modes "is", "begins with", "ends with" (§5.27, decision 28: begin/end the right way
/// round), applied to the store's case-insensitive "contains" hits.
bool matchesMode(const store::SearchHit& hit, const v3::Search& search) {
  if (search.mode == v3::kSearchContains) return true;
  const std::string value = lowered(search.text), column = lowered(columnOf(hit, search.field));
  switch (search.mode) {
    case v3::kSearchIs: return column == value;
    case v3::kSearchBeginsWith: return column.starts_with(value);
    case v3::kSearchEndsWith: return column.ends_with(value);
    default: return false;
  }
}

/// The store criteria for a V3 search; false for what they cannot express (the negated
/// modes, work city, department): such a search finds nothing.
bool criteriaFor(const v3::Search& search, store::SearchCriteria& c) {
  if (search.mode == v3::kSearchNotContains || search.mode == v3::kSearchIsNot || search.mode > v3::kSearchEndsWith)
    return false;
  const std::string text(search.text);
  switch (search.field) {
    case v3::kSearchByUin:
    case v3::kSearchByAge: {
      uint32_t number = 0;
      const auto parsed = std::from_chars(text.data(), text.data() + text.size(), number);
      if (parsed.ec != std::errc() || number == 0) return false;
      if (search.field == v3::kSearchByUin) {
        c.uin = number;
      } else {
        c.minAge = c.maxAge = static_cast<uint16_t>(std::min<uint32_t>(number, 0xFFFF));
      }
      return true;
    }
    case v3::kSearchByNick: c.nick = text; break;
    case v3::kSearchByFirst: c.firstName = text; break;
    case v3::kSearchByLast: c.lastName = text; break;
    case v3::kSearchByEmail: c.email = text; break;
    case v3::kSearchByHomeCity: c.city = text; break;
    case v3::kSearchByWorkState:
    case v3::kSearchByHomeState: c.state = text; break;
    case v3::kSearchByCompany: c.company = text; break;
    case v3::kSearchByTitle: c.position = text; break;
    case v3::kSearchByWorkCountry:
    case v3::kSearchByHomeCountry: c.country = search.number; break;
    default: return false;
  }
  return !c.empty();
}

}  // namespace

Outcome handleV3GetInfo(V3Context& ctx, const V3Inbound& in) {
  std::optional<store::UserProfile> profile;
  bool failed = false;
  if (!profileOf(ctx, in, profile, failed)) return failed ? storeFailed(ctx) : Outcome::done;
  std::array<uint8_t, 1024> body{};
  ctx.replyReliable(in, v3::SRV_INFO_BASIC, std::span(body).first(v3::buildInfoBasicBody(v3BasicOf(*profile), body)));
  ctx.replyReliable(in, v3::SRV_INFO_HOME, std::span(body).first(v3::buildHomeBody(v3HomeOf(*profile), body)));
  ctx.replyReliable(in, v3::SRV_INFO_HOME_PAGE, std::span(body).first(v3::buildTextBody(profile->more.homepage, body)));
  ctx.replyReliable(in, v3::SRV_INFO_WORK, std::span(body).first(v3::buildWorkBody(v3WorkOf(*profile), body)));
  ctx.replyReliable(in, v3::SRV_INFO_WORK_PAGE, std::span(body).first(v3::buildTextBody(profile->work.homepage, body)));
  return Outcome::done;
}

Outcome handleV3GetInfo1(V3Context& ctx, const V3Inbound& in) {
  std::optional<store::UserProfile> profile;
  bool failed = false;
  if (!profileOf(ctx, in, profile, failed)) return failed ? storeFailed(ctx) : Outcome::done;
  std::array<uint8_t, 512> body{};
  ctx.replyReliable(in, v3::SRV_INFO_SINGLE, std::span(body).first(v3::buildInfoBasicBody(v3BasicOf(*profile), body)));
  return Outcome::done;
}

Outcome handleV3GetNotes(V3Context& ctx, const V3Inbound& in) {
  std::optional<store::UserProfile> profile;
  bool failed = false;
  if (!profileOf(ctx, in, profile, failed)) return failed ? storeFailed(ctx) : Outcome::done;
  // The shared record's "about" text is V3's notes. Last login and last IP are not part of
  // the profile read; they go out as 0 (unknown).
  v3::Notes notes{profile->about, static_cast<uint32_t>(profile->aboutChangedMs / 1000), 0, 0};
  std::array<uint8_t, 512> body{};
  ctx.replyReliable(in, v3::SRV_NOTES, std::span(body).first(v3::buildNotesBody(notes, body)));
  return Outcome::done;
}

Outcome handleV3Search(V3Context& ctx, const V3Inbound& in) {
  v3::Search search;
  if (v3::parseSearch(in.body(), search) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  store::SearchRequest request;
  request.limit = ctx.settings.maxSearchResults;  // every search is capped, UIN ones too
  store::SearchResult result;
  if (criteriaFor(search, request.criteria)) {
    if (!ctx.users.search(request, result)) return storeFailed(ctx);
    ctx.events.record(core::searchEvent(core::actorOf(ctx.sessions, in.header().uin), request.criteria,
                                        result.hits.size() + result.notReturned, ctx.clock.nowMs()));
  }
  std::array<uint8_t, 512> body{};
  for (const store::SearchHit& hit : result.hits) {
    if (!matchesMode(hit, search)) continue;
    const v3::BasicInfo info{hit.nick, hit.firstName, hit.lastName, hit.email,
                             static_cast<uint8_t>(hit.authRequired ? 0 : 1)};
    ctx.replyReliable(in, v3::SRV_SEARCH_FOUND, std::span(body).first(v3::buildSearchFoundBody(hit.uin, info, body)));
  }
  const size_t n = v3::buildSearchDoneBody(result.notReturned > 0, body);
  ctx.replyReliable(in, v3::SRV_SEARCH_DONE, std::span(body).first(n));
  return Outcome::done;
}

}  // namespace icq::worker::v3
