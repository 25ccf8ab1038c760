// The answer of every admin operation (common/admin): a status both front ends map — the
// HTTP API to a status code, icqctl to an exit code — and a JSON body, the result or the
// error. One value, so the two front ends cannot drift apart in what they report.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace icq::admin {

enum class Status {
  ok,
  created,
  bad_input,    // the request names a field that is wrong (`body.error.field`)
  not_found,    // no such user, or the user is not online
  conflict,     // the UIN exists already
  unavailable,  // Redis or PostgreSQL could not be reached; nothing or part was done
};

/// The name of a status in error bodies ("bad_input", ...).
std::string_view statusName(Status status);

struct Outcome {
  Status status = Status::ok;
  /// The result (ok, created), or {"error": {"code", "message"[, "field"]}}.
  nlohmann::json body = nlohmann::json::object();

  static Outcome ok(nlohmann::json body) { return {Status::ok, std::move(body)}; }
  static Outcome created(nlohmann::json body) { return {Status::created, std::move(body)}; }
  static Outcome error(Status status, std::string message);
  /// `field` is the request field at fault, as the API spells it.
  static Outcome badInput(std::string field, std::string message);
  static Outcome unavailable(std::string_view what) { return error(Status::unavailable, std::string(what) + " unreachable"); }

  bool succeeded() const { return status == Status::ok || status == Status::created; }
  /// The error message of a failed outcome ("" for a success).
  std::string message() const;
};

}  // namespace icq::admin
