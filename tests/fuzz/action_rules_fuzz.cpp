// Fuzz target: the event-actions file reader and what the rules then do with an event. Any
// text either reads — and then every rule matches, expands and renders against an event
// without a crash — or is refused with ConfigError naming where. Any other exception, or a
// crash in the YAML walk, fails the run.
//
// Input: the rules file, then NUL, then "name=value" lines: the event's fields (the
// environment the secrets are read from holds every variable).
#include <string>
#include <string_view>

#include "common/actions/payload.hpp"
#include "common/actions/rules_file.hpp"
#include "tests/fuzz/input_parts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string text(icq::fuzz::takeUntilNul(rest));
  icq::events::Event event;
  event.id = "fuzz-1";
  event.uin = 100001;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) event.with(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  try {
    for (const icq::actions::Rule& rule :
         icq::actions::parseRules(text, "fuzz", [](const char*) -> const char* { return "secret"; })) {
      for (auto kind : {icq::events::EventKind::login, rule.on}) {
        event.kind = kind;
        if (!rule.matches(event)) continue;
        icq::actions::eventJson(event, rule.name);
        for (const icq::actions::Action& action : rule.actions) {
          icq::actions::expand(action.text, event, rule.name);
          for (const std::string& arg : action.argv) icq::actions::expand(arg, event, rule.name);
          icq::actions::programEnvironment(event, rule.name);
        }
      }
    }
  } catch (const icq::config::ConfigError&) {
  }
  return 0;
}
