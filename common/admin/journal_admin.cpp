// The session journal's views; see journal_admin.hpp.
#include "common/admin/journal_admin.hpp"

#include <chrono>
#include <cstdio>

#include "common/util/endpoint.hpp"
#include "common/util/integer.hpp"

namespace icq::admin {
namespace {

using nlohmann::json;

/// "-24h" and the like: the span before `nowMs`.
std::optional<int64_t> parseSpanBefore(std::string_view text, int64_t nowMs) {
  if (text.size() < 3 || text.front() != '-') return std::nullopt;
  int64_t unitMs = 0;
  switch (text.back()) {
    case 's': unitMs = 1000; break;
    case 'm': unitMs = 60'000; break;
    case 'h': unitMs = 3'600'000; break;
    case 'd': unitMs = 86'400'000; break;
    default: return std::nullopt;
  }
  int64_t count = 0;
  if (!util::parseInteger(text.substr(1, text.size() - 2), count) || count < 0 || count > 100'000) return std::nullopt;
  return nowMs - count * unitMs;
}

/// "YYYY-MM-DD[THH:MM[:SS]][Z]", UTC.
std::optional<int64_t> parseDateTime(std::string_view text) {
  if (!text.empty() && text.back() == 'Z') text.remove_suffix(1);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const std::string copy(text);
  char extra = 0;
  int fields = 0;
  if (text.size() == 10) {
    fields = std::sscanf(copy.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &extra);
    if (fields != 3) return std::nullopt;
  } else if (text.size() == 16) {
    fields = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d%c", &year, &month, &day, &hour, &minute, &extra);
    if (fields != 5) return std::nullopt;
  } else if (text.size() == 19) {
    fields = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour, &minute, &second,
                         &extra);
    if (fields != 6) return std::nullopt;
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const auto at = sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
  return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

json timeOrNull(const std::optional<int64_t>& ms) { return ms ? json(formatJournalTime(*ms)) : json(nullptr); }

template <class T>
json valueOrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json sessionJson(const store::JournalSession& s) {
  return {{"session", s.id},
          {"uin", s.uin},
          {"protocol", valueOrNull(s.protocol)},
          {"client_version", valueOrNull(s.clientVersion)},
          {"address", s.address.empty() ? json(nullptr) : json(s.address)},
          {"port", valueOrNull(s.port)},
          {"gateway", s.gateway.empty() ? json(nullptr) : json(s.gateway)},
          {"started", timeOrNull(s.startedMs)},
          {"ended", timeOrNull(s.endedMs)},
          {"end_reason", s.endReason.empty() ? json(nullptr) : json(s.endReason)},
          {"messages", s.messages}};
}

}  // namespace

std::optional<int64_t> parseJournalTime(std::string_view text, int64_t nowMs) {
  if (auto before = parseSpanBefore(text, nowMs)) return before;
  return parseDateTime(text);
}

std::string formatJournalTime(int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds(ms)};
  const auto day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss time{at - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()), static_cast<long long>(time.subseconds().count()));
  return buf;
}

Outcome JournalAdmin::sessions(const store::JournalQuery& query) {
  if (!query.network.empty() && !util::parseNetwork(query.network))
    return Outcome::badInput("network", "not an IPv4 address or a.b.c.d/n block: " + query.network);
  std::vector<store::JournalSession> found;
  if (!journal_.sessions(query, found)) return Outcome::unavailable("the database");
  json list = json::array();
  for (const store::JournalSession& s : found) list.push_back(sessionJson(s));
  return Outcome::ok({{"sessions", std::move(list)}});
}

Outcome JournalAdmin::timeline(const std::string& sessionId) {
  std::vector<events::Event> found;
  if (!journal_.timeline(sessionId, found)) return Outcome::unavailable("the database");
  if (found.empty()) return Outcome::error(Status::not_found, "no events of session " + sessionId);
  json list = json::array();
  for (const events::Event& event : found) {
    json fields = json::object();
    for (const events::Field& field : event.fields) fields[field.name] = field.value;
    list.push_back({{"at", formatJournalTime(event.atMs)},
                    {"kind", events::kindName(event.kind)},
                    {"uin", event.uin},
                    {"fields", std::move(fields)}});
  }
  return Outcome::ok({{"session", sessionId}, {"events", std::move(list)}});
}

}  // namespace icq::admin
