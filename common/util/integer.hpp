// Reading an integer that must be the whole of a text: a Redis reply or hash field, an event's
// field, a number an operator typed. std::from_chars alone accepts "12abc" as 12.
#pragma once

#include <charconv>
#include <concepts>
#include <string_view>

namespace icq::util {

/// The whole of `text` as an integer; false when it is empty, not a number, out of range, or
/// has anything after the digits.
template <std::integral T>
bool parseInteger(std::string_view text, T& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace icq::util
