// The command line every binary shares: --config FILE, --set key=value, --print-config,
// --config-reference. Keeps each main.cpp down to "load, then run".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/config/config.hpp"

namespace icq::config {

/// Loads `file` (may be empty), then the ICQ_* environment, then `sets` ("key=value").
/// Throws ConfigError naming the key and its source.
Config loadConfig(const std::string& file, const std::vector<std::string>& sets);

/// Parses argv and loads the configuration (file, then ICQ_* environment, then --set).
/// Returns nullopt when the process should exit with `exitCode` (help, reference, error);
/// errors are printed to stderr naming the key and its source.
std::optional<Config> loadFromCommandLine(int argc, char** argv, const std::string& role, int& exitCode);

}  // namespace icq::config
