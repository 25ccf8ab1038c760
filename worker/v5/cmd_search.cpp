// worker: user searches — CMD_SEARCH_UIN and CMD_SEARCH_USER (protocol-v5.md §6.4, §6.5),
// answered with SRV_USER_FOUND × n and SRV_END_OF_SEARCH (§8.8, §8.9), and the META searches
// by name, UIN, e-mail and white pages (§7.10, §7.11), answered with one SRV_META_USER per hit,
// the last one carrying the count of matches not sent (§8.21.9, §8.21.10).
//
// Every search is one UserStore::search capped at v5.max_search_results. IServerd's pacing
// (200 ms after every 25 results) is not reproduced: a worker never sleeps, and the results
// are reliable packets the scheduler retransmits if the client misses some. The white pages'
// "online only" criterion filters the first kOnlineCandidates matches through the session
// store; on its own it is no criterion, because only Redis knows who is online and it cannot
// be searched by profile.
#include <string>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/meta.hpp"
#include "common/codec/v5/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/profile_wire.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;
using v5::ParseError;

// Matches examined for an "online only" white-pages search: each costs a session lookup.
constexpr size_t kOnlineCandidates = 100;
// §7.11: keywords of a category criterion count from 2 characters, at most 6 of them.
constexpr size_t kMinKeywordLength = 2;
constexpr size_t kMaxKeywords = 6;
// §7.11 "criterion applied when": the ranges a code must lie in to be a criterion.
constexpr uint16_t kMaxAge = 19999;
constexpr uint8_t kMaxGender = 15;
constexpr uint8_t kMaxLanguage = 126;
constexpr uint16_t kMaxCountry = 19999;
constexpr uint8_t kMaxOccupation = 126;
constexpr uint16_t kMaxCategoryCode = 59999;

/// The odd "2" sub-commands want the sized result format (§8.21.9).
v5::ResultFormat formatFor(uint16_t subcommand) {
  return (subcommand & 1) != 0 ? v5::ResultFormat::sized : v5::ResultFormat::plain;
}

std::vector<std::string> keywordsOf(std::string_view list) {
  std::vector<std::string> keywords;
  while (!list.empty() && keywords.size() < kMaxKeywords) {
    const size_t comma = list.find(',');
    std::string_view keyword = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!keyword.empty() && keyword.front() == ' ') keyword.remove_prefix(1);
    while (!keyword.empty() && keyword.back() == ' ') keyword.remove_suffix(1);
    if (keyword.size() >= kMinKeywordLength) keywords.emplace_back(keyword);
  }
  return keywords;
}

store::CategoryCriterion categoryCriterion(const v5::CategoryQuery& query) {
  if (query.code < 1 || query.code > kMaxCategoryCode) return {};
  return {query.code, keywordsOf(query.keywords)};
}

store::SearchCriteria whitePagesCriteria(const v5::WhitePagesRequest& r) {
  store::SearchCriteria c;
  c.firstName = r.firstName;
  c.lastName = r.lastName;
  c.nick = r.nick;
  c.email = r.email;
  if (r.minAge != 0 && r.maxAge != 0 && r.minAge <= kMaxAge && r.maxAge <= kMaxAge) {
    c.minAge = r.minAge;
    c.maxAge = r.maxAge;
  }
  if (r.gender >= 1 && r.gender <= kMaxGender) c.gender = r.gender;
  if (r.language >= 1 && r.language <= kMaxLanguage) c.language = r.language;
  c.city = r.city;
  c.state = r.state;
  if (r.country >= 1 && r.country <= kMaxCountry) c.country = r.country;
  c.company = r.company;
  c.position = r.position;  // the department is parsed but, as in IServerd, not searched
  if (r.occupation >= 1 && r.occupation <= kMaxOccupation) c.occupation = r.occupation;
  c.past = categoryCriterion(r.past);
  c.interests = categoryCriterion(r.interests);
  c.affiliations = categoryCriterion(r.affiliations);
  c.homepageCategory = categoryCriterion(r.homepageCategory);
  return c;
}

/// Online and not invisible: an invisible user is never revealed by a search (§10.2).
bool keepOnline(CommandContext& ctx, store::SearchResult& candidates, store::SearchResult& out) {
  out = store::SearchResult{};
  for (store::SearchHit& hit : candidates.hits) {
    std::optional<store::Session> session;
    if (!ctx.sessions.find(hit.uin, session)) return false;
    if (!session || v5::isInvisible(session->status)) continue;
    if (out.hits.size() < ctx.settings.maxSearchResults) {
      out.hits.push_back(std::move(hit));
    } else {
      out.notReturned++;
    }
  }
  return true;
}

bool search(CommandContext& ctx, store::SearchRequest& request, bool onlineOnly, store::SearchResult& out) {
  if (!onlineOnly) return ctx.users.search(request, out);
  request.limit = kOnlineCandidates;
  request.countRest = false;
  store::SearchResult candidates;
  return ctx.users.search(request, candidates) && keepOnline(ctx, candidates, out);
}

/// The search of `in`'s sender, on the journal as a search event once it has run.
bool find(CommandContext& ctx, const Inbound& in, store::SearchCriteria criteria, bool onlineOnly,
          store::SearchResult& out) {
  store::SearchRequest request{std::move(criteria), ctx.settings.maxSearchResults, true};
  if (!search(ctx, request, onlineOnly, out)) return false;
  ctx.events.record(core::searchEvent(core::actorOf(ctx.sessions, in.header().uin), request.criteria,
                                      out.hits.size() + out.notReturned, ctx.clock.nowMs()));
  return true;
}

/// §8.21.9 / §8.21.10: one packet per hit, the last with "users left"; none → failure.
void replyMetaHits(CommandContext& ctx, const Inbound& in, const store::SearchResult& result, v5::ResultFormat format,
                   bool whitePages) {
  if (result.hits.empty()) {
    replyMetaResult(ctx, in, whitePages ? v5::META_WHITE_LAST_FOUND : v5::META_LAST_FOUND, false);
    return;
  }
  for (size_t i = 0; i < result.hits.size(); ++i) {
    const bool last = i + 1 == result.hits.size();
    const uint32_t usersLeft = last ? result.notReturned : 0;
    const v5::SearchHitFields hit = hitFields(result.hits[i]);
    replyBuilt(ctx, in, v5::SRV_META_USER, [&](std::span<uint8_t> out) {
      return whitePages ? v5::buildMetaWhiteFoundBody(hit, format, last, usersLeft, out)
                        : v5::buildMetaFoundBody(hit, format, last, usersLeft, out);
    });
  }
}

/// The common path of the META searches: nothing to search for (or a criterion over its
/// limit) is a failure reply; otherwise the hits.
Outcome metaSearch(CommandContext& ctx, const Inbound& in, const MetaRequest& request, ParseError parsed,
                   store::SearchCriteria criteria, bool onlineOnly, bool whitePages) {
  if (parsed == ParseError::truncated) return malformed(ctx);
  store::SearchResult result;
  if (parsed == ParseError::none && !criteria.empty() && !find(ctx, in, std::move(criteria), onlineOnly, result))
    return storeFailed(ctx);
  replyMetaHits(ctx, in, result, formatFor(request.subcommand), whitePages);
  return Outcome::done;
}

/// §6.4, §6.5: SRV_USER_FOUND per hit, then SRV_END_OF_SEARCH saying whether more matched.
void replyFoundAndEnd(CommandContext& ctx, const Inbound& in, const store::SearchResult& result) {
  for (const store::SearchHit& stored : result.hits) {
    const v5::SearchHitFields hit = hitFields(stored);
    replyBuilt(ctx, in, v5::SRV_USER_FOUND, [&](std::span<uint8_t> out) { return v5::buildUserFoundBody(hit, out); });
  }
  replyBuilt(ctx, in, v5::SRV_END_OF_SEARCH,
             [&](std::span<uint8_t> out) { return v5::buildEndOfSearchBody(result.notReturned > 0, out); });
}

}  // namespace

Outcome handleSearchUin(CommandContext& ctx, const Inbound& in) {
  store::SearchCriteria criteria;
  if (v5::parseUinRequest(in.packet.data, criteria.uin) != ParseError::none) return malformed(ctx);
  store::SearchResult result;
  if (!criteria.empty() && !find(ctx, in, std::move(criteria), false, result)) return storeFailed(ctx);
  replyFoundAndEnd(ctx, in, result);
  return Outcome::done;
}

Outcome handleSearchUser(CommandContext& ctx, const Inbound& in) {
  v5::NameQuery query;
  const ParseError parsed = v5::parseSearchUser(in.packet.data, query);
  if (parsed == ParseError::truncated) return malformed(ctx);
  store::SearchCriteria criteria;
  criteria.nick = query.nick;
  criteria.firstName = query.firstName;
  criteria.lastName = query.lastName;
  criteria.email = query.email;
  store::SearchResult result;
  // No criteria (or one over its limit): just the end of the search, as §6.5 decides.
  if (parsed == ParseError::none && !criteria.empty() && !find(ctx, in, std::move(criteria), false, result))
    return storeFailed(ctx);
  replyFoundAndEnd(ctx, in, result);
  return Outcome::done;
}

Outcome handleMetaSearchName(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::NameQuery query;
  const ParseError parsed = v5::parseSearchName(request.params, query);
  store::SearchCriteria criteria;
  criteria.nick = query.nick;
  criteria.firstName = query.firstName;
  criteria.lastName = query.lastName;
  return metaSearch(ctx, in, request, parsed, std::move(criteria), false, false);
}

Outcome handleMetaSearchUin(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  store::SearchCriteria criteria;
  const ParseError parsed = v5::parseUinRequest(request.params, criteria.uin);
  return metaSearch(ctx, in, request, parsed, std::move(criteria), false, false);
}

Outcome handleMetaSearchEmail(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  std::string_view email;
  const ParseError parsed = v5::parseSearchEmail(request.params, email);
  store::SearchCriteria criteria;
  criteria.email = email;
  return metaSearch(ctx, in, request, parsed, std::move(criteria), false, false);
}

Outcome handleMetaSearchWhite(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::WhitePagesRequest query;
  const ParseError parsed = v5::parseSearchWhite(request.subcommand, request.params, query);
  return metaSearch(ctx, in, request, parsed, whitePagesCriteria(query), query.onlineOnly, true);
}

}  // namespace icq::worker::v5
