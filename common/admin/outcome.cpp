// Admin outcomes; see outcome.hpp.
#include "common/admin/outcome.hpp"

namespace icq::admin {

std::string_view statusName(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::created: return "created";
    case Status::bad_input: return "bad_input";
    case Status::not_found: return "not_found";
    case Status::conflict: return "conflict";
    case Status::unavailable: return "unavailable";
  }
  return "unknown";
}

Outcome Outcome::error(Status status, std::string message) {
  return {status, {{"error", {{"code", statusName(status)}, {"message", std::move(message)}}}}};
}

Outcome Outcome::badInput(std::string field, std::string message) {
  Outcome outcome = error(Status::bad_input, field + ": " + message);
  outcome.body["error"]["field"] = std::move(field);
  return outcome;
}

std::string Outcome::message() const {
  if (succeeded() || !body.contains("error")) return "";
  return body["error"].value("message", "");
}

}  // namespace icq::admin
