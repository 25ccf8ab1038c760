// Shared command-line handling; see command_line.hpp.
#include "common/config/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

namespace icq::config {

Config loadConfig(const std::string& file, const std::vector<std::string>& sets) {
  Config::Sources sources;
  sources.file = file;
  sources.env = [](const char* name) { return std::getenv(name); };
  for (const std::string& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw ConfigError("flag --set " + s + ": expected key=value");
    sources.flags.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return Config::load(sources);
}

std::optional<Config> loadFromCommandLine(int argc, char** argv, const std::string& role, int& exitCode) {
  CLI::App app{"icqcluster " + role + " — see docs/CONFIGURATION.md for every key"};
  std::string file;
  std::vector<std::string> sets;
  bool printConfig = false;
  bool reference = false;
  app.add_option("-c,--config", file, "YAML configuration file")->envname("ICQ_CONFIG");
  app.add_option("--set", sets, "Override one key: --set gateway.udp_port=4001 (repeatable)");
  app.add_flag("--print-config", printConfig, "Print the effective configuration and exit");
  app.add_flag("--config-reference", reference, "Print the table of every configuration key (Markdown) and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exitCode = app.exit(e);
    return std::nullopt;
  }
  if (reference) {
    std::cout << renderReference();
    exitCode = 0;
    return std::nullopt;
  }
  try {
    Config config = loadConfig(file, sets);
    if (printConfig) {
      std::cout << config.describe();
      exitCode = 0;
      return std::nullopt;
    }
    return config;
  } catch (const ConfigError& e) {
    std::cerr << role << ": configuration error: " << e.what() << "\n";
    exitCode = 2;
    return std::nullopt;
  }
}

}  // namespace icq::config
