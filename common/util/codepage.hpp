// 8-bit client text to UTF-8, for people: logs and admin tools. V5 text travels and is
// stored in the client's Windows code page, unconverted (protocol-v5.md §1.1); only what
// is shown to an operator is converted, with the configured text.codepage.
#pragma once

#include <string>
#include <string_view>

namespace icq::util {

/// `bytes` in `codepage` (an iconv name: "CP1252", "CP1251", "KOI8-R", …) as UTF-8.
/// Bytes the code page does not define become U+FFFD; an unknown code page name throws
/// std::invalid_argument naming it (a configuration error, caught at start).
std::string toUtf8(std::string_view bytes, const std::string& codepage);

/// UTF-8 `text` (what an operator types) in `codepage`, for text the server sends to clients
/// (admin broadcasts, the web pager). A character the code page lacks becomes '?'; invalid
/// UTF-8 or an unknown code page throws std::invalid_argument.
std::string fromUtf8(std::string_view text, const std::string& codepage);

}  // namespace icq::util
