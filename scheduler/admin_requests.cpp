// The admin API's request readers (admin_requests.hpp): the first bad field of a path, a
// query or a JSON body becomes a 400 naming it; nothing here throws on what a client sends.
#include "scheduler/admin_requests.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "common/admin/journal_admin.hpp"

namespace icq::scheduler {
namespace {

using nlohmann::json;

bool parseNumber(std::string_view text, uint64_t max, uint64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() && out <= max;
}

/// Reads the fields of a JSON request body; the first bad field becomes `error`.
class BodyFields {
public:
  BodyFields(const json& body, std::initializer_list<std::string_view> known) : body_(body) {
    if (!body_.is_object()) {
      error = admin::Outcome::badInput("body", "must be a JSON object");
      return;
    }
    for (const auto& [name, value] : body_.items())
      if (std::find(known.begin(), known.end(), name) == known.end() && !error)
        error = admin::Outcome::badInput(name, "is not a field of this request");
  }

  void string(const char* name, std::string& out, bool required) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      if (required) error = admin::Outcome::badInput(name, "is required");
    } else if (!it->is_string()) {
      error = admin::Outcome::badInput(name, "must be a string");
    } else {
      out = it->get<std::string>();
    }
  }

  void uin(const char* name, uint32_t& out, bool required) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      if (required) error = admin::Outcome::badInput(name, "is required");
    } else if (!isUin(*it)) {
      error = admin::Outcome::badInput(name, "must be a UIN, 1 to 4294967295");
    } else {
      out = it->get<uint32_t>();
    }
  }

  /// A required true/false field.
  void boolean(const char* name, bool& out) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      error = admin::Outcome::badInput(name, "is required");
    } else if (!it->is_boolean()) {
      error = admin::Outcome::badInput(name, "must be true or false");
    } else {
      out = it->get<bool>();
    }
  }

  void uins(const char* name, std::vector<uint32_t>& out) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) return;
    if (!it->is_array()) return void(error = admin::Outcome::badInput(name, "must be an array of UINs"));
    for (const json& value : *it) {
      if (!isUin(value)) return void(error = admin::Outcome::badInput(name, "must be an array of UINs"));
      out.push_back(value.get<uint32_t>());
    }
    if (out.empty()) error = admin::Outcome::badInput(name, "must not be empty (leave it out to reach everyone)");
  }

  Refusal error;

private:
  static bool isUin(const json& value) {
    return value.is_number_unsigned() && value.get<uint64_t>() >= 1 && value.get<uint64_t>() <= 0xFFFFFFFFu;
  }
  const json& body_;
};

/// An optional numeric query parameter within [min, max]; `error` names it when bad.
void queryNumber(const ops::HttpRequest& request, const char* name, uint64_t min, uint64_t max, uint64_t& out,
                 Refusal& error) {
  std::string text;
  if (error || !request.queryParam(name, text)) return;
  if (!parseNumber(text, max, out) || out < min)
    error =
        admin::Outcome::badInput(name, "must be a number from " + std::to_string(min) + " to " + std::to_string(max));
}

}  // namespace

PathMatch matchPath(std::string_view pattern, std::string_view path, uint32_t& uin) {
  std::string_view uinText;
  for (;;) {
    const size_t p = pattern.find('/'), q = path.find('/');
    const std::string_view expected = pattern.substr(0, p), segment = path.substr(0, q);
    if (expected == "{uin}" && !segment.empty())
      uinText = segment;
    else if (expected != segment)
      return PathMatch::no;
    if (p == std::string_view::npos || q == std::string_view::npos) {
      if (p != q) return PathMatch::no;
      break;
    }
    pattern.remove_prefix(p + 1);
    path.remove_prefix(q + 1);
  }
  if (uinText.empty()) return PathMatch::yes;
  uint64_t value = 0;
  if (!parseNumber(uinText, 0xFFFFFFFFu, value) || value == 0) return PathMatch::bad_uin;
  uin = static_cast<uint32_t>(value);
  return PathMatch::yes;
}

Refusal readUserListQuery(const ops::HttpRequest& request, UserListQuery& out) {
  Refusal error;
  queryNumber(request, "after", 0, 0xFFFFFFFFu, out.after, error);
  queryNumber(request, "limit", 1, admin::kMaxPage, out.limit, error);
  request.queryParam("nick", out.search.nick);
  request.queryParam("first_name", out.search.firstName);
  request.queryParam("last_name", out.search.lastName);
  request.queryParam("email", out.search.email);
  return error;
}

Refusal readSessionPage(const ops::HttpRequest& request, SessionPage& out) {
  Refusal error;
  queryNumber(request, "cursor", 0, UINT64_MAX, out.cursor, error);
  queryNumber(request, "limit", 1, admin::kMaxPage, out.limit, error);
  return error;
}

Refusal readJournalQuery(const ops::HttpRequest& request, int64_t nowMs, store::JournalQuery& out) {
  Refusal error;
  uint64_t number = 0;
  std::string text;
  if (request.queryParam("uin", text)) {
    queryNumber(request, "uin", 1, 0xFFFFFFFFu, number, error);
    out.uin = static_cast<uint32_t>(number);
  }
  request.queryParam("network", out.network);
  for (auto [name, into] : {std::pair{"from", &out.fromMs}, std::pair{"until", &out.untilMs}}) {
    if (error || !request.queryParam(name, text)) continue;
    *into = admin::parseJournalTime(text, nowMs);
    if (!*into)
      error = admin::Outcome::badInput(name,
                                       "must be a UTC time (2026-12-06, 2026-12-06T13:00Z) or a span "
                                       "before now (-24h, -30m, -7d)");
  }
  number = out.limit;
  queryNumber(request, "limit", 1, 1000, number, error);
  out.limit = static_cast<size_t>(number);
  return error;
}

Refusal readJournalSession(const ops::HttpRequest& request, std::string& sessionId) {
  if (!request.queryParam("session", sessionId) || sessionId.empty())
    return admin::Outcome::badInput("session", "is required");
  return std::nullopt;
}

Refusal readNewAccount(const json& body, admin::NewAccount& out) {
  BodyFields fields(body, {"uin", "password", "nick", "first_name", "last_name", "email"});
  fields.uin("uin", out.uin, false);
  fields.string("password", out.password, true);
  fields.string("nick", out.nick, false);
  fields.string("first_name", out.firstName, false);
  fields.string("last_name", out.lastName, false);
  fields.string("email", out.email, false);
  return fields.error;
}

Refusal readNewPassword(const json& body, std::string& password) {
  BodyFields fields(body, {"password"});
  fields.string("password", password, true);
  return fields.error;
}

Refusal readMayBroadcast(const json& body, bool& mayBroadcast) {
  BodyFields fields(body, {"may_broadcast"});
  fields.boolean("may_broadcast", mayBroadcast);
  return fields.error;
}

Refusal readBroadcast(const json& body, std::string& text, std::vector<uint32_t>& uins) {
  BodyFields fields(body, {"text", "uins"});
  fields.string("text", text, true);
  fields.uins("uins", uins);
  return fields.error;
}

Refusal readPagerMessage(const json& body, admin::PagerMessage& out) {
  BodyFields fields(body, {"uin", "name", "email", "text"});
  fields.uin("uin", out.to, true);
  fields.string("name", out.name, false);
  fields.string("email", out.email, false);
  fields.string("text", out.text, true);
  return fields.error;
}

}  // namespace icq::scheduler
