// What an action sends about an event: its text with placeholders filled, its JSON (a
// webhook's body) and the body's signature, a program's environment, a mail's message.
// Pure functions, so each form is tested without a receiver.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/events/event.hpp"

namespace icq::actions {

/// `text` with each "{name}" replaced: id, kind, at (UTC, ISO 8601), uin, session, rule, or
/// the event's field of that name (empty when it has none). Other braces stay as they are.
std::string expand(std::string_view text, const events::Event& event, std::string_view rule);

/// {"id", "kind", "at" (ms), "time" (ISO 8601), "uin", "session", "rule", "fields": {…}}.
std::string eventJson(const events::Event& event, std::string_view rule);

/// "sha256=" and the hex HMAC-SHA256 of `body` under `key`: the X-Icq-Signature header.
std::string signature(std::string_view key, std::string_view body);

/// "NAME=value" for a program: ICQ_EVENT_ID, _KIND, _AT, _UIN, _SESSION, _RULE, and
/// ICQ_EVENT_<FIELD> for each field (upper case), with a PATH and nothing else inherited.
std::vector<std::string> programEnvironment(const events::Event& event, std::string_view rule);

/// An RFC 5322 message: From, To, Subject, Date, Message-ID (from the event id, so a
/// retried send is recognisably the same mail), UTF-8 text.
std::string mailMessage(const std::string& from, const std::vector<std::string>& to, const std::string& subject,
                        const std::string& text, const events::Event& event);

}  // namespace icq::actions
