// The text targets' inputs are several parts separated by NUL bytes (a file, then variables,
// then flags; a route, a path, a query, a body): this takes them off the front one by one.
#pragma once

#include <string_view>

namespace icq::fuzz {

/// The part of `rest` before its first NUL (all of it when there is none); `rest` keeps
/// what follows the NUL.
inline std::string_view takeUntilNul(std::string_view& rest) {
  const size_t end = rest.find('\0');
  const std::string_view part = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return part;
}

}  // namespace icq::fuzz
