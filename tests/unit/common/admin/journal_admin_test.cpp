// The times an operator types into icqctl journal and the admin API, and how the journal
// prints them: dates and times in UTC, spans before now, and everything else refused.
#include <catch2/catch.hpp>

#include "common/admin/journal_admin.hpp"

namespace icq::admin {

constexpr int64_t kDec6 = 1796515200000;  // 2026-12-06T00:00:00Z
constexpr int64_t kNow = kDec6 + 13 * 3'600'000 + 5 * 60'000;

TEST_CASE("journal times: a date or a date and time in UTC", "[admin][journal]") {
  CHECK(parseJournalTime("2026-12-06", kNow) == kDec6);
  CHECK(parseJournalTime("2026-12-06T13:05", kNow) == kNow);
  CHECK(parseJournalTime("2026-12-06T13:05:00Z", kNow) == kNow);
  CHECK(parseJournalTime("2026-12-06T13:05:07", kNow) == kNow + 7000);
  CHECK(parseJournalTime("1970-01-01", kNow) == 0);
}

TEST_CASE("journal times: a span before now", "[admin][journal]") {
  CHECK(parseJournalTime("-24h", kNow) == kNow - 86'400'000);
  CHECK(parseJournalTime("-30m", kNow) == kNow - 1'800'000);
  CHECK(parseJournalTime("-7d", kNow) == kNow - 7 * 86'400'000LL);
  CHECK(parseJournalTime("-90s", kNow) == kNow - 90'000);
}

TEST_CASE("journal times: anything else is no time", "[admin][journal]") {
  for (const char* text : {"", "yesterday", "24h", "-h", "-24x", "-1.5h", "2026-13-01", "2026-02-30", "2026-12-06T24:00",
                           "2026-12-06 13:05", "2026-12-6", "2026-12-06T13:05:07+01:00", "-99999999d"})
    CHECK_FALSE(parseJournalTime(text, kNow).has_value());
}

TEST_CASE("journal times print in UTC to the millisecond and read back", "[admin][journal]") {
  CHECK(formatJournalTime(kDec6) == "2026-12-06T00:00:00.000Z");
  CHECK(formatJournalTime(kNow + 7123) == "2026-12-06T13:05:07.123Z");
  CHECK(formatJournalTime(0) == "1970-01-01T00:00:00.000Z");
}

}  // namespace icq::admin
