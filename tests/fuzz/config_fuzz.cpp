// Fuzz target: the configuration loader with any file, environment and --set flags. Whatever
// the input, loading either succeeds — and then every key reads back and describes — or
// throws ConfigError, whose message names the key or the file. Any other exception, or a crash
// in the YAML walk, fails the run.
//
// Input: the YAML file, then NUL, then "NAME=value" lines for the environment, then NUL, then
// "key=value" lines for --set.
#include <unistd.h>

#include <cstdio>
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

// The file the YAML part is written to, made once per fuzzing process.
const std::string& scratchFile() {
  static const std::string path = [] {
    char name[] = "/tmp/icq-config-fuzz-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view yaml = icq::fuzz::takeUntilNul(rest);
  std::map<std::string, std::string> environment;
  for (auto& [name, value] : assignments(icq::fuzz::takeUntilNul(rest))) environment[name] = value;
  FILE* file = std::fopen(scratchFile().c_str(), "wb");
  if (!file) std::abort();
  std::fwrite(yaml.data(), 1, yaml.size(), file);
  std::fclose(file);

  Config::Sources sources;
  sources.file = scratchFile();
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
