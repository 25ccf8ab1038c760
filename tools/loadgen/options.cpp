// loadgen: scenario names on the command line and in reports.
#include "tools/loadgen/options.hpp"

#include <array>
#include <utility>

namespace icq::loadgen {
namespace {

constexpr std::array<std::pair<Scenario, const char*>, 7> kNames{{{Scenario::raw, "raw"},
                                                                   {Scenario::keepalive, "keepalive"},
                                                                   {Scenario::churn, "churn"},
                                                                   {Scenario::messaging, "messaging"},
                                                                   {Scenario::presence, "presence"},
                                                                   {Scenario::offline, "offline"},
                                                                   {Scenario::storm, "storm"}}};

}  // namespace

std::optional<Scenario> scenarioFromName(std::string_view name) {
  for (const auto& [scenario, text] : kNames)
    if (name == text) return scenario;
  return std::nullopt;
}

const char* scenarioName(Scenario scenario) {
  for (const auto& [s, text] : kNames)
    if (s == scenario) return text;
  return "?";
}

}  // namespace icq::loadgen
