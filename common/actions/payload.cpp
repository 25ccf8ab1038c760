// The forms of an event that actions send; see payload.hpp.
#include "common/actions/payload.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <ctime>

namespace icq::actions {
namespace {

std::string isoTime(int64_t ms, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &utc));
}

std::string valueOf(std::string_view name, const events::Event& event, std::string_view rule) {
  if (name == "id") return event.id;
  if (name == "kind") return std::string(events::kindName(event.kind));
  if (name == "at") return isoTime(event.atMs, "%Y-%m-%dT%H:%M:%SZ");
  if (name == "uin") return std::to_string(event.uin);
  if (name == "session") return event.session;
  if (name == "rule") return std::string(rule);
  const std::string* field = event.field(name);
  return field ? *field : std::string();
}

bool isName(std::string_view text) {
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return !text.empty();
}

/// ICQ_EVENT_ and `name` in upper case, anything but letters and digits as '_'.
std::string variableName(std::string_view name) {
  std::string out = "ICQ_EVENT_";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                                       : '_';
  return out;
}

/// A header value cannot hold a line break: an event's text must not add headers.
std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  return text;
}

}  // namespace

std::string expand(std::string_view text, const events::Event& event, std::string_view rule) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('{', at);
    const size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos || !isName(text.substr(open + 1, close - open - 1))) {
      const size_t upTo = open == std::string_view::npos ? text.size() : open + 1;
      out.append(text.substr(at, upTo - at));
      at = upTo;
      continue;
    }
    out.append(text.substr(at, open - at));
    out += valueOf(text.substr(open + 1, close - open - 1), event, rule);
    at = close + 1;
  }
  return out;
}

std::string eventJson(const events::Event& event, std::string_view rule) {
  nlohmann::json fields = nlohmann::json::object();
  for (const events::Field& field : event.fields) fields[field.name] = field.value;
  const nlohmann::json body = {{"id", event.id},   {"kind", events::kindName(event.kind)},
                               {"at", event.atMs}, {"time", valueOf("at", event, rule)},
                               {"uin", event.uin}, {"session", event.session},
                               {"rule", rule},     {"fields", std::move(fields)}};
  // Invalid UTF-8 (a message text in a client's code page) becomes U+FFFD, not an exception.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string signature(std::string_view key, std::string_view body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "sha256=" + std::string(hex);
}

std::vector<std::string> programEnvironment(const events::Event& event, std::string_view rule) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  for (std::string_view name : {"id", "kind", "at", "uin", "session", "rule"})
    env.push_back(variableName(name) + "=" + valueOf(name, event, rule));
  for (const events::Field& field : event.fields) env.push_back(variableName(field.name) + "=" + field.value);
  return env;
}

std::string mailMessage(const std::string& from, const std::vector<std::string>& to, const std::string& subject,
                        const std::string& text, const events::Event& event) {
  std::string recipients;
  for (const std::string& address : to) recipients += (recipients.empty() ? "" : ", ") + address;
  const std::string domain = from.substr(from.find('@') + 1);
  return "From: " + from + "\r\nTo: " + recipients + "\r\nSubject: " + oneLine(subject) +
         "\r\nDate: " + isoTime(event.atMs, "%a, %d %b %Y %H:%M:%S +0000") + "\r\nMessage-ID: <" + event.id + "@" +
         domain + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n";
}

}  // namespace icq::actions
