// loadgen: the final report of a run, for people (text) and for the benchmark scripts (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/loadgen/run.hpp"

namespace icq::loadgen {

std::string textReport(const RunResult& result);
nlohmann::json jsonReport(const RunResult& result);

}  // namespace icq::loadgen
