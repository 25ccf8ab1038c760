// JournalAdmin: the session journal's views for operators, one library for icqctl journal
// and the admin API: the sessions matching a UIN, a network and a time window (who was
// online from where, on which client, for how long and why it ended), and one session's
// timeline. Times in and out are UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/admin/outcome.hpp"
#include "common/store/journal_store.hpp"

namespace icq::admin {

/// A time an operator types: "2026-12-06", "2026-12-06T13:00", "2026-12-06T13:00:05Z" (UTC),
/// or a span before `nowMs`: "-24h", "-30m", "-7d", "-90s". Empty when it is neither.
std::optional<int64_t> parseJournalTime(std::string_view text, int64_t nowMs);
/// "2026-12-06T13:00:05.123Z".
std::string formatJournalTime(int64_t ms);

class JournalAdmin {
public:
  explicit JournalAdmin(store::JournalStore& journal) : journal_(journal) {}

  /// {"sessions": [...]}, latest start first. A network that is not an address or a CIDR
  /// block is bad input ("network").
  Outcome sessions(const store::JournalQuery& query);
  /// {"session": id, "events": [...]} in the order they happened; not_found if it has none.
  Outcome timeline(const std::string& sessionId);

private:
  store::JournalStore& journal_;
};

}  // namespace icq::admin
