// Code page conversion with glibc's iconv; see codepage.hpp.
#include "common/util/codepage.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace icq::util {
namespace {

/// `text` through iconv from `from` to `to`. Where iconv stops at bytes it cannot convert,
/// `skip(in, inLeft, out)` appends a replacement, moves past them, or throws.
template <class Skip>
std::string convert(std::string_view text, const std::string& to, const std::string& from, const std::string& codepage,
                    Skip&& skip) {
  iconv_t cd = ::iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::invalid_argument("unknown code page '" + codepage + "'");
  std::unique_ptr<void, int (*)(iconv_t)> guard(cd, ::iconv_close);
  std::string out;
  out.reserve(text.size() * 2);
  char buffer[256];
  char* in = const_cast<char*>(text.data());
  size_t inLeft = text.size();
  while (inLeft > 0) {
    char* outPtr = buffer;
    size_t outLeft = sizeof buffer;
    size_t rc = ::iconv(cd, &in, &inLeft, &outPtr, &outLeft);
    out.append(buffer, static_cast<size_t>(outPtr - buffer));
    if (rc != static_cast<size_t>(-1) || errno == E2BIG) continue;
    skip(in, inLeft, out);
  }
  return out;
}

}  // namespace

std::string toUtf8(std::string_view bytes, const std::string& codepage) {
  return convert(bytes, "UTF-8", codepage, codepage, [](char*& in, size_t& inLeft, std::string& out) {
    // A byte the code page does not define (e.g. 0x81 in CP1252): replace it, go on.
    out += "\xEF\xBF\xBD";
    ++in;
    --inLeft;
  });
}

std::string fromUtf8(std::string_view text, const std::string& codepage) {
  return convert(text, codepage, "UTF-8", codepage, [](char*& in, size_t& inLeft, std::string& out) {
    // EILSEQ: bytes that are not UTF-8, or a character the code page lacks; EINVAL: cut short.
    const auto lead = static_cast<unsigned char>(*in);
    const size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    bool wellFormed = errno == EILSEQ && length != 0 && length <= inLeft;
    for (size_t i = 1; wellFormed && i < length; ++i) wellFormed = (static_cast<unsigned char>(in[i]) & 0xC0) == 0x80;
    if (!wellFormed) throw std::invalid_argument("text is not valid UTF-8");
    out += '?';
    in += length;
    inLeft -= length;
  });
}

}  // namespace icq::util
