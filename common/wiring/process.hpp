// The opening every server binary shares: load the configuration (file, ICQ_* environment,
// --set), resolve the role's identity, start JSON logging under it, and route SIGINT and
// SIGTERM to a stop token.
#pragma once

#include <optional>
#include <string>

#include "common/config/config.hpp"
#include "common/util/shutdown.hpp"

namespace icq::wiring {

struct RoleStart {
  std::string binary;     // "icq-worker": for --help and configuration errors
  std::string role;       // "worker": the log component and the section holding `id`
  /// What follows the host name when neither <role>.id nor POD_NAME is set: the value of
  /// configuration key `idSuffixKey` if given, else `idSuffix`.
  std::string idSuffix;
  std::string idSuffixKey = {};
};

/// The configuration with `<role>.id` resolved, or nullopt when the process should exit
/// with `exitCode` (help, reference, configuration error).
std::optional<config::Config> startRole(int argc, char** argv, const RoleStart& start, util::StopToken& stop,
                                        int& exitCode);

}  // namespace icq::wiring
