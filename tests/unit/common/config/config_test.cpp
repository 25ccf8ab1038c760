// Configuration loading (common/config): defaults < file < environment < --set, the errors that
// name the key and its source, the key table itself, and docs/CONFIGURATION.md against it.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "common/config/command_line.hpp"
#include "common/config/config.hpp"
#include "common/config/keys.hpp"

namespace icq::config {
namespace {

// A YAML file in the temp directory, removed when the test ends. The name carries the pid:
// CTest may run several test cases of this binary at once.
class TempYaml {
public:
  explicit TempYaml(const std::string& text) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("icq_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".yaml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempYaml() { std::filesystem::remove(path_); }
  TempYaml(const TempYaml&) = delete;
  TempYaml& operator=(const TempYaml&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

using Vars = std::map<std::string, std::string>;

// An environment made of `vars` only; the real environment is never consulted.
EnvLookup envFrom(const Vars& vars) {
  return [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// The ConfigError message of loading `sources`; fails the test if loading succeeds.
std::string loadError(const Config::Sources& sources) {
  try {
    Config::load(sources);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("Config::load accepted the sources");
  return "";
}

std::string fileError(const std::string& yaml, std::string& path) {
  TempYaml file(yaml);
  path = file.path();
  return loadError(Config::Sources{file.path(), {}, {}});
}

std::string trim(const std::string& text) {
  const char* space = " \t\r\n";
  auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace

// ---- precedence ---------------------------------------------------------------------

TEST_CASE("config defaults come from the key table", "[config]") {
  for (const Config& config : {Config::defaults(), Config::load(Config::Sources{})}) {
    CHECK(config.integer("gateway.udp_port") == 4000);
    CHECK(config.integer("redis.port") == 6379);
    CHECK(config.string("redis.host") == "127.0.0.1");
    CHECK(config.string("gateway.id").empty());
    CHECK(config.boolean("v5.enabled"));
    CHECK_FALSE(config.boolean("v5.bad_pass_v3_layout"));
    CHECK(config.string("v5.verify_checkcode") == "log");
  }
}

TEST_CASE("config file values override defaults and leave other keys alone", "[config]") {
  TempYaml file(
      "gateway:\n"
      "  udp_port: 4001\n"
      "  udp_bind: 127.0.0.1\n"
      "redis:\n"
      "  host: 10.0.0.5\n"
      "v5:\n"
      "  enabled: false\n"
      "  verify_checkcode: drop\n");
  Config config = Config::load(Config::Sources{file.path(), {}, {}});
  CHECK(config.integer("gateway.udp_port") == 4001);
  CHECK(config.string("gateway.udp_bind") == "127.0.0.1");
  CHECK(config.string("redis.host") == "10.0.0.5");
  CHECK_FALSE(config.boolean("v5.enabled"));
  CHECK(config.string("v5.verify_checkcode") == "drop");
  CHECK(config.integer("redis.port") == 6379);
  CHECK(config.integer("gateway.rate_per_s") == 200);
}

TEST_CASE("config accepts an empty file as all defaults", "[config]") {
  TempYaml file("");
  Config config = Config::load(Config::Sources{file.path(), {}, {}});
  CHECK(config.integer("gateway.udp_port") == 4000);
}

TEST_CASE("config environment overrides the file", "[config]") {
  TempYaml file("gateway:\n  udp_port: 4001\n  rate_per_s: 50\n");
  Vars vars{{"ICQ_GATEWAY_UDP_PORT", "4002"}, {"ICQ_REDIS_HOST", "redis.internal"}, {"UNRELATED", "x"}};
  Config config = Config::load(Config::Sources{file.path(), envFrom(vars), {}});
  CHECK(config.integer("gateway.udp_port") == 4002);
  CHECK(config.string("redis.host") == "redis.internal");
  CHECK(config.integer("gateway.rate_per_s") == 50);  // file value the environment did not touch
}

TEST_CASE("config --set flags override the environment", "[config]") {
  TempYaml file("gateway:\n  udp_port: 4001\n  rate_per_s: 50\n");
  Vars vars{{"ICQ_GATEWAY_UDP_PORT", "4002"}, {"ICQ_REDIS_HOST", "redis.internal"}};
  Config config =
      Config::load(Config::Sources{file.path(), envFrom(vars), {{"gateway.udp_port", "4003"}, {"v5.enabled", "off"}}});
  CHECK(config.integer("gateway.udp_port") == 4003);
  CHECK_FALSE(config.boolean("v5.enabled"));
  CHECK(config.string("redis.host") == "redis.internal");
  CHECK(config.integer("gateway.rate_per_s") == 50);
}

TEST_CASE("config describe names the source of every value", "[config]") {
  TempYaml file("gateway:\n  rate_per_s: 50\n");
  Vars vars{{"ICQ_REDIS_HOST", "redis.internal"}};
  Config config = Config::load(Config::Sources{file.path(), envFrom(vars), {{"gateway.udp_port", "4003"}}});
  std::string text = config.describe();
  CHECK_THAT(text, Catch::Contains("gateway.rate_per_s = 50 (config file " + file.path() + ")"));
  CHECK_THAT(text, Catch::Contains("redis.host = redis.internal (environment ICQ_REDIS_HOST)"));
  CHECK_THAT(text, Catch::Contains("gateway.udp_port = 4003 (flag --set gateway.udp_port)"));
  CHECK_THAT(text, Catch::Contains("redis.port = 6379 (default)"));
}

TEST_CASE("config describe redacts postgres.url when it was set from a non-default source", "[config]") {
  const std::string url = "postgresql://icq:hunter2@db:5432/icq";
  SECTION("from the environment") {
    Vars vars{{"ICQ_POSTGRES_URL", url}};
    Config config = Config::load(Config::Sources{"", envFrom(vars), {}});
    CHECK(config.string("postgres.url") == url);
    CHECK_THAT(config.describe(), !Catch::Contains("hunter2"));
    CHECK_THAT(config.describe(), Catch::Contains("postgres.url = <redacted> (environment ICQ_POSTGRES_URL)"));
  }
  SECTION("from the file") {
    TempYaml file("postgres:\n  url: " + url + "\n");
    Config config = Config::load(Config::Sources{file.path(), {}, {}});
    CHECK_THAT(config.describe(), !Catch::Contains("hunter2"));
    CHECK_THAT(config.describe(), Catch::Contains("postgres.url = <redacted>"));
  }
  SECTION("through with()") {
    CHECK_THAT(Config::defaults().with("postgres.url", url).describe(), !Catch::Contains("hunter2"));
  }
  SECTION("the default is shown as it is") {
    const std::string defaultUrl(findKey("postgres.url")->defaultValue);
    CHECK_THAT(Config::defaults().describe(), Catch::Contains("postgres.url = " + defaultUrl + " (default)"));
  }
}

TEST_CASE("config with() replaces one key and validates it", "[config]") {
  Config base = Config::defaults();
  Config changed = base.with("gateway.udp_port", "0");
  CHECK(changed.integer("gateway.udp_port") == 0);
  CHECK(base.integer("gateway.udp_port") == 4000);
  CHECK_THROWS_AS(base.with("gateway.udp_port", "-1"), ConfigError);
  CHECK_THROWS_AS(base.with("gateway.nope", "1"), ConfigError);
}

// ---- errors name the key, the source and what was expected --------------------------

TEST_CASE("config rejects an unknown key in the file, naming the key and the file", "[config]") {
  std::string path;
  std::string message = fileError("gateway:\n  udp_prot: 4001\n", path);
  CHECK_THAT(message, Catch::Contains("gateway.udp_prot"));
  CHECK_THAT(message, Catch::Contains(path));
}

TEST_CASE("config rejects a bad file value, naming the key, the file and what is expected", "[config]") {
  std::string path;
  SECTION("an integer out of range") {
    std::string message = fileError("gateway:\n  udp_port: 70000\n", path);
    CHECK_THAT(message, Catch::Contains("gateway.udp_port"));
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("0..65535"));
    CHECK_THAT(message, Catch::Contains("70000"));
  }
  SECTION("text where an integer belongs") {
    std::string message = fileError("gateway:\n  udp_port: abc\n", path);
    CHECK_THAT(message, Catch::Contains("gateway.udp_port"));
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("an integer in 0..65535"));
  }
  SECTION("an integer with trailing text") {
    std::string message = fileError("gateway:\n  udp_port: 4000x\n", path);
    CHECK_THAT(message, Catch::Contains("gateway.udp_port"));
  }
  SECTION("a value outside the choices") {
    std::string message = fileError("v5:\n  verify_checkcode: maybe\n", path);
    CHECK_THAT(message, Catch::Contains("v5.verify_checkcode"));
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("off|log|drop"));
  }
  SECTION("a boolean that is not one") {
    std::string message = fileError("v5:\n  enabled: maybe\n", path);
    CHECK_THAT(message, Catch::Contains("v5.enabled"));
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("true or false"));
  }
}

TEST_CASE("config rejects a bad environment value, naming the variable and the key", "[config]") {
  Vars vars{{"ICQ_GATEWAY_UDP_PORT", "70000"}};
  std::string message = loadError(Config::Sources{"", envFrom(vars), {}});
  CHECK_THAT(message, Catch::Contains("ICQ_GATEWAY_UDP_PORT"));
  CHECK_THAT(message, Catch::Contains("gateway.udp_port"));
  CHECK_THAT(message, Catch::Contains("0..65535"));
}

TEST_CASE("config rejects a bad --set flag, naming the key and the flag", "[config]") {
  SECTION("a bad value") {
    std::string message = loadError(Config::Sources{"", {}, {{"log.level", "loud"}}});
    CHECK_THAT(message, Catch::Contains("log.level"));
    CHECK_THAT(message, Catch::Contains("--set"));
    CHECK_THAT(message, Catch::Contains("trace|debug|info|warn|error"));
  }
  SECTION("an unknown key") {
    std::string message = loadError(Config::Sources{"", {}, {{"log.levle", "info"}}});
    CHECK_THAT(message, Catch::Contains("log.levle"));
    CHECK_THAT(message, Catch::Contains("--set"));
  }
  SECTION("a flag without '='") {
    try {
      loadConfig("", {"gateway.udp_port"});
      FAIL("loadConfig accepted a --set without '='");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains("gateway.udp_port"));
      CHECK_THAT(e.what(), Catch::Contains("key=value"));
    }
  }
}

TEST_CASE("config reports malformed YAML naming the file", "[config]") {
  std::string path;
  std::string message = fileError("gateway:\n  udp_port: [4000\n", path);
  CHECK_THAT(message, Catch::Contains(path));
}

TEST_CASE("config reports a missing file naming the file", "[config]") {
  const std::string path = "/nonexistent/icq-config-test.yaml";
  CHECK_THAT(loadError(Config::Sources{path, {}, {}}), Catch::Contains(path));
}

TEST_CASE("config rejects a YAML list value naming the key", "[config]") {
  std::string path;
  std::string message = fileError("redis:\n  host:\n    - a\n    - b\n", path);
  CHECK_THAT(message, Catch::Contains("redis.host"));
  CHECK_THAT(message, Catch::Contains(path));
}

// Found by tests/fuzz/config_fuzz (tests/fuzz/regressions/config): a mapping used as a key made
// yaml-cpp throw its own conversion error past Config::load, ending the process unexplained.
TEST_CASE("config rejects a key that is not a plain name, naming the file and the line", "[config]") {
  std::string path;
  std::string message = fileError("redis:\n  ? port: 6380\n  : 1\n", path);
  CHECK_THAT(message, Catch::Contains(path));
  CHECK_THAT(message, Catch::Contains("line 2"));
  CHECK_THAT(message, Catch::Contains("under 'redis'"));
  message = fileError("[a, b]: 1\n", path);
  CHECK_THAT(message, Catch::Contains("at the top"));
}

TEST_CASE("config rejects a file that is not a mapping, naming the file", "[config]") {
  std::string path;
  std::string message = fileError("- gateway\n- redis\n", path);
  CHECK_THAT(message, Catch::Contains(path));
}

// ---- the key table ------------------------------------------------------------------

TEST_CASE("config envNameFor prefixes ICQ_ and upper-cases the key with underscores", "[config]") {
  CHECK(envNameFor("gateway.udp_port") == "ICQ_GATEWAY_UDP_PORT");
  CHECK(envNameFor("log.level") == "ICQ_LOG_LEVEL");
  CHECK(envNameFor("auth.argon2_memlimit_kib") == "ICQ_AUTH_ARGON2_MEMLIMIT_KIB");
}

TEST_CASE("config keys each have a valid default, help text and a unique name", "[config]") {
  const Config defaults = Config::defaults();
  std::set<std::string> names;
  std::set<std::string> envNames;
  REQUIRE_FALSE(allKeys().empty());
  for (const KeyDef& def : allKeys()) {
    const std::string key(def.key);
    INFO("key " << key);
    CHECK(names.insert(key).second);
    CHECK(envNames.insert(envNameFor(key)).second);
    CHECK(findKey(key) == &def);
    auto dot = key.find('.');
    CHECK(dot != std::string::npos);
    CHECK(dot > 0);
    CHECK(dot + 1 < key.size());
    CHECK_FALSE(def.help.empty());
    CHECK_FALSE(def.usedBy.empty());
    // The default passes the same validation a file value would.
    CHECK_NOTHROW(defaults.with(key, std::string(def.defaultValue)));
    switch (def.type) {
      case KeyType::Integer: {
        CHECK(def.min <= def.max);
        int64_t parsed = -1;
        const char* end = def.defaultValue.data() + def.defaultValue.size();
        auto [ptr, ec] = std::from_chars(def.defaultValue.data(), end, parsed);
        CHECK(ec == std::errc());
        CHECK(ptr == end);
        CHECK(defaults.integer(key) == parsed);
        CHECK(defaults.integer(key) >= def.min);
        CHECK(defaults.integer(key) <= def.max);
        break;
      }
      case KeyType::Boolean:
        CHECK((def.defaultValue == "true" || def.defaultValue == "false"));
        CHECK(defaults.boolean(key) == (def.defaultValue == "true"));
        break;
      case KeyType::String:
        CHECK(defaults.string(key) == def.defaultValue);
        break;
      case KeyType::Choice:
        CHECK_FALSE(def.choices.empty());
        CHECK(defaults.string(key) == def.defaultValue);
        break;
    }
  }
  CHECK(findKey("gateway.no_such_key") == nullptr);
}

TEST_CASE("config renderReference lists every key with its default and environment variable", "[config]") {
  const std::string reference = renderReference();
  for (const KeyDef& def : allKeys()) {
    INFO("key " << def.key);
    const std::string row = "| `" + std::string(def.key) + "` | `" + std::string(def.defaultValue) + "`";
    CHECK_THAT(reference, Catch::Contains(row));
    std::string env = "`";
    env += envNameFor(def.key);
    env += '`';
    CHECK_THAT(reference, Catch::Contains(env));
  }
}

TEST_CASE("config reference in docs/CONFIGURATION.md matches renderReference", "[config][docs]") {
  const std::string path = std::string(ICQ_SOURCE_DIR) + "/docs/CONFIGURATION.md";
  std::ifstream in(path);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();

  const std::string begin = "<!-- BEGIN GENERATED: icq-gateway --config-reference -->";
  const std::string end = "<!-- END GENERATED -->";
  auto from = doc.find(begin);
  REQUIRE(from != std::string::npos);
  from += begin.size();
  auto to = doc.find(end, from);
  REQUIRE(to != std::string::npos);
  INFO("regenerate the block with: icq-gateway --config-reference");
  CHECK(trim(doc.substr(from, to - from)) == trim(renderReference()));
}

}  // namespace icq::config
