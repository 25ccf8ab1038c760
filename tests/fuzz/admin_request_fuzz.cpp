// Fuzz target: what an HTTP client sends the admin API, read as the API reads it
// (scheduler/admin_requests.hpp) — a path against a route template, a query string
// through every query reader, and a body through the JSON parser and every body reader. The
// bearer token is checked before any of this, but a leaked token must not be a way in
// either: every reader either fills its values or refuses naming a field; none throws.
// Input: a route template (the seeds hold the real ones), NUL, the path, NUL, the query
// string, NUL, the body.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/admin_requests.hpp"
#include "tests/fuzz/input_parts.hpp"

namespace {

using namespace icq;
using nlohmann::json;

void readBody(const json& body) {
  admin::NewAccount account;
  scheduler::readNewAccount(body, account);
  std::string text;
  scheduler::readNewPassword(body, text);
  bool flag = false;
  scheduler::readMayBroadcast(body, flag);
  std::vector<uint32_t> uins;
  scheduler::readBroadcast(body, text, uins);
  admin::PagerMessage message;
  scheduler::readPagerMessage(body, message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string pattern(fuzz::takeUntilNul(rest));
  ops::HttpRequest request;
  request.path = fuzz::takeUntilNul(rest);
  request.query = fuzz::takeUntilNul(rest);
  request.body = std::string(rest);

  uint32_t uin = 0;
  if (scheduler::matchPath(pattern, request.path, uin) == scheduler::PathMatch::yes &&
      ("/" + pattern + "/").find("/{uin}/") != std::string::npos && uin == 0)
    std::abort();  // a matched "{uin}" is a UIN, never 0
  scheduler::UserListQuery users;
  scheduler::readUserListQuery(request, users);
  scheduler::SessionPage sessions;
  scheduler::readSessionPage(request, sessions);
  store::JournalQuery journal;
  scheduler::readJournalQuery(request, 1'765'000'000'000, journal);
  std::string session;
  scheduler::readJournalSession(request, session);
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_discarded()) readBody(body);
  readBody(json(nullptr));  // a request without a body
  return 0;
}
