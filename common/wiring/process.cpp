// Shared opening of the server binaries; see process.hpp.
#include "common/wiring/process.hpp"

#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/util/identity.hpp"

namespace icq::wiring {

std::optional<config::Config> startRole(int argc, char** argv, const RoleStart& start, util::StopToken& stop,
                                        int& exitCode) {
  auto config = config::loadFromCommandLine(argc, argv, start.binary, exitCode);
  if (!config) return std::nullopt;
  const std::string idKey = start.role + ".id";
  std::string suffix = start.idSuffixKey.empty() ? start.idSuffix : config->string(start.idSuffixKey);
  std::string id = util::processIdentity(config->string(idKey), suffix);
  log::init(start.role, id, config->string("log.level"));
  util::stopOnSignals(stop);
  return config->with(idKey, id);
}

}  // namespace icq::wiring
