// Loading and validating configuration; see config.hpp for the precedence rules.
#include "common/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/config/keys.hpp"

namespace icq::config {
namespace {

std::string describeExpected(const KeyDef& def) {
  switch (def.type) {
    case KeyType::Integer:
      return "an integer in " + std::to_string(def.min) + ".." + std::to_string(def.max);
    case KeyType::Boolean:
      return "true or false";
    case KeyType::String:
      return "a string";
    case KeyType::Choice:
      return "one of " + std::string(def.choices);
  }
  return "";
}

bool parseInteger(const std::string& text, int64_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool parseBoolean(const std::string& text, bool& out) {
  if (text == "true" || text == "yes" || text == "on" || text == "1") return out = true, true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return out = false, true;
  return false;
}

bool isChoice(const KeyDef& def, const std::string& text) {
  std::string_view rest = def.choices;
  while (!rest.empty()) {
    auto bar = rest.find('|');
    if (rest.substr(0, bar) == text) return true;
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return false;
}

bool isValid(const KeyDef& def, const std::string& text) {
  int64_t n = 0;
  bool b = false;
  switch (def.type) {
    case KeyType::Integer:
      return parseInteger(text, n) && n >= def.min && n <= def.max;
    case KeyType::Boolean:
      return parseBoolean(text, b);
    case KeyType::String:
      return true;
    case KeyType::Choice:
      return isChoice(def, text);
  }
  return false;
}

// Flattens nested maps into "a.b" keys; a sequence or a null leaf is an error, and so is a key
// that is not a plain name (YAML allows a mapping or a sequence as a key: "? a: b").
void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (!node.IsMap()) throw ConfigError("config file " + file + ": expected a mapping of sections to keys");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar())
      throw ConfigError("config file " + file + ": line " + std::to_string(entry.first.Mark().line + 1) + ": a key " +
                        (prefix.empty() ? std::string("at the top") : "under '" + prefix + "'") +
                        " is not a plain name");
    std::string key = prefix.empty() ? entry.first.Scalar() : prefix + "." + entry.first.Scalar();
    if (entry.second.IsMap()) {
      flatten(entry.second, key, file, out);
    } else if (entry.second.IsScalar()) {
      out.emplace_back(key, entry.second.Scalar());
    } else {
      throw ConfigError("config file " + file + ": key '" + key + "' must be a single value");
    }
  }
}

}  // namespace

void Config::set(const std::string& key, const std::string& text, const std::string& source) {
  const KeyDef* def = findKey(key);
  if (!def) throw ConfigError(source + ": unknown key '" + key + "'");
  if (!isValid(*def, text))
    throw ConfigError(source + ": key '" + key + "' must be " + describeExpected(*def) + ", got '" + text + "'");
  values_[key] = Value{text, source};
}

Config Config::defaults() {
  Config config;
  for (const KeyDef& def : allKeys())
    config.values_[std::string(def.key)] = Value{std::string(def.defaultValue), "default"};
  return config;
}

Config Config::load(const Sources& sources) {
  Config config = defaults();
  if (!sources.file.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(sources.file);
    } catch (const YAML::Exception& e) {
      throw ConfigError("config file " + sources.file + ": " + e.what());
    }
    std::vector<std::pair<std::string, std::string>> entries;
    if (!root.IsNull()) flatten(root, "", sources.file, entries);
    for (const auto& [key, text] : entries) config.set(key, text, "config file " + sources.file);
  }
  if (sources.env) {
    for (const KeyDef& def : allKeys()) {
      std::string name = envNameFor(def.key);
      if (const char* text = sources.env(name.c_str())) config.set(std::string(def.key), text, "environment " + name);
    }
  }
  for (const auto& [key, text] : sources.flags) config.set(key, text, "flag --set " + key);
  return config;
}

Config Config::with(const std::string& key, const std::string& value) const {
  Config copy = *this;
  copy.set(key, value, "override");
  return copy;
}

const Config::Value& Config::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("configuration key '" + key + "' is not declared in keys.cpp");
  return it->second;
}

int64_t Config::integer(const std::string& key) const {
  int64_t n = 0;
  parseInteger(get(key).text, n);
  return n;
}

bool Config::boolean(const std::string& key) const {
  bool b = false;
  parseBoolean(get(key).text, b);
  return b;
}

const std::string& Config::sourceOf(const std::string& key) const { return get(key).source; }

const std::string& Config::string(const std::string& key) const { return get(key).text; }

std::string Config::describe() const {
  std::ostringstream out;
  for (const auto& [key, value] : values_) {
    const KeyDef* def = findKey(key);
    out << key << " = " << (def && def->secret && value.source != "default" ? "<redacted>" : value.text) << " ("
        << value.source << ")\n";
  }
  return out.str();
}

std::string renderReference() {
  std::ostringstream out;
  std::string section;
  for (const KeyDef& def : allKeys()) {
    std::string_view keySection = def.key.substr(0, def.key.find('.'));
    if (keySection != section) {
      section = keySection;
      out << "\n### `" << section
          << "`\n\n| key | default | environment | used by | meaning |\n|---|---|---|---|---|\n";
    }
    std::string choices(def.choices);
    std::replace(choices.begin(), choices.end(), '|', '/');  // a bare | would split the Markdown cell
    std::string range = def.type == KeyType::Integer
                            ? " (" + std::to_string(def.min) + ".." + std::to_string(def.max) + ")"
                        : def.type == KeyType::Choice ? " (" + choices + ")"
                                                      : "";
    out << "| `" << def.key << "` | `" << def.defaultValue << "`" << range << " | `" << envNameFor(def.key) << "` | "
        << def.usedBy << " | " << def.help << " |\n";
  }
  return out.str();
}

}  // namespace icq::config
