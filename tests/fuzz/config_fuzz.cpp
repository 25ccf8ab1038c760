// Fuzz target: the configuration loader with any file, environment and --set flags. Whatever
// the input, loading either succeeds — and then every key reads back and describes — or
// throws ConfigError, whose message names the key or the file. Any other exception, or a crash
// in the YAML walk, fails the run.
//
// Input: the YAML file, then NUL, then "NAME=value" lines for the environment, then NUL, then
// "key=value" lines for --set.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.hpp"
#include "tests/fuzz/input_parts.hpp"

namespace {

using icq::config::Config;
using icq::config::ConfigError;

std::vector<std::pair<std::string, std::string>> assignments(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

// The file the YAML part is written to, made once per fuzzing process: an anonymous memory
// file, so that a run, however it ends, leaves nothing in /tmp.
int scratchFile() {
  static const int fd = [] {
    const int made = memfd_create("icq-config-fuzz", 0);
    if (made < 0) std::abort();
    return made;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view yaml = icq::fuzz::takeUntilNul(rest);
  std::map<std::string, std::string> environment;
  for (auto& [name, value] : assignments(icq::fuzz::takeUntilNul(rest))) environment[name] = value;
  const int fd = scratchFile();
  const bool written = ftruncate(fd, 0) == 0 && pwrite(fd, yaml.data(), yaml.size(), 0) == ssize_t(yaml.size());
  if (!written) std::abort();

  Config::Sources sources;
  sources.file = "/proc/self/fd/" + std::to_string(fd);
  sources.env = [&environment](const char* name) -> const char* {
    auto it = environment.find(name);
    return it == environment.end() ? nullptr : it->second.c_str();
  };
  sources.flags = assignments(rest);
  try {
    const Config config = Config::load(sources);
    config.describe();
  } catch (const ConfigError&) {
  }
  return 0;
}
