// Effective configuration of one process: key defaults, overridden by the YAML file,
// overridden by ICQ_* environment variables, overridden by --set flags. Everything is
// validated at load time, so a bad value stops the process with a message naming the
// key and where it came from; after load, reads cannot fail.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace icq::config {

/// A configuration problem; what() names the key and the source (file, variable or flag).
class ConfigError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Looks an environment variable up; nullptr when unset. Tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;

class Config {
public:
  struct Sources {
    std::string file;                                        // empty: no file
    EnvLookup env;                                           // empty: no environment
    std::vector<std::pair<std::string, std::string>> flags;  // --set key=value
  };

  /// Throws ConfigError on an unknown key, a malformed file or an invalid value.
  static Config load(const Sources& sources);
  /// Defaults only.
  static Config defaults();

  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;

  /// Where a key's value came from ("file /etc/icq.yaml", "env ICQ_X", "flag --set",
  /// "default"), for errors found after loading.
  const std::string& sourceOf(const std::string& key) const;

  /// Returns a copy with one key replaced and validated (tests, icqd role wiring).
  Config with(const std::string& key, const std::string& value) const;

  /// One "key = value (source)" line per key; secrets redacted.
  std::string describe() const;

private:
  struct Value {
    std::string text;
    std::string source;  // "default", "file /etc/icq.yaml", "env ICQ_X", "flag --set"
  };
  void set(const std::string& key, const std::string& text, const std::string& source);
  const Value& get(const std::string& key) const;

  std::map<std::string, Value> values_;
};

/// Markdown table of every key, its default, environment variable and meaning.
std::string renderReference();

}  // namespace icq::config
