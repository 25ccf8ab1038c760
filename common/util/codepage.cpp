// Code page conversion with glibc's iconv; see codepage.hpp.
#include "common/util/codepage.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace icq::util {

std::string toUtf8(std::string_view bytes, const std::string& codepage) {
  iconv_t cd = ::iconv_open("UTF-8", codepage.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::invalid_argument("unknown code page '" + codepage + "'");
  std::unique_ptr<void, int (*)(iconv_t)> guard(cd, ::iconv_close);
  std::string out;
  out.reserve(bytes.size() * 2);
  char buffer[256];
  char* in = const_cast<char*>(bytes.data());
  size_t inLeft = bytes.size();
  while (inLeft > 0) {
    char* outPtr = buffer;
    size_t outLeft = sizeof buffer;
    size_t rc = ::iconv(cd, &in, &inLeft, &outPtr, &outLeft);
    out.append(buffer, static_cast<size_t>(outPtr - buffer));
    if (rc != static_cast<size_t>(-1) || errno == E2BIG) continue;
    // A byte the code page does not define (e.g. 0x81 in CP1252): replace it, go on.
    out += "\xEF\xBF\xBD";
    ++in;
    --inLeft;
  }
  return out;
}

}  // namespace icq::util
