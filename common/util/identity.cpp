// Identity helpers; see identity.hpp.
#include "common/util/identity.hpp"

#include <unistd.h>

#include <cstdlib>
#include <random>

namespace icq::util {

std::string processIdentity(std::string_view configured, std::string_view suffix) {
  if (!configured.empty()) return std::string(configured);
  if (const char* pod = std::getenv("POD_NAME"); pod && *pod) return pod;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(*host ? host : "localhost") + "-" + std::string(suffix);
}

std::string randomInstanceId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  uint64_t value = (uint64_t{device()} << 32) | device();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kHex[value & 0xF];
  return out;
}

}  // namespace icq::util
