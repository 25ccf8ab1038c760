// How icqctl reports: the result on stdout (one JSON document with --json, else readable
// lines), a failure as one line on stderr, and an exit code scripts can branch on (the
// codes are listed in `icqctl --help` and tools/README.md).
#pragma once

#include <nlohmann/json.hpp>

#include "common/admin/outcome.hpp"
#include "tools/icqctl/api_client.hpp"

namespace icq::icqctl {

inline constexpr int kDone = 0;
inline constexpr int kFailed = 1;    // cluster, database or API unreachable; a server error
inline constexpr int kUsage = 2;     // bad usage, input or configuration
inline constexpr int kExists = 3;    // the account already exists
inline constexpr int kNotFound = 4;  // no such user, or not online
inline constexpr int kRefused = 5;   // the admin API refused the token, or has none configured

void printResult(bool json, const nlohmann::json& result);
/// Prints why an API call failed; with --json the error body goes to stdout as well.
void printFailure(bool json, const ApiReply& reply);
/// Prints an operation's outcome (the database path) and returns its exit code.
int printOutcome(bool json, const admin::Outcome& outcome);

}  // namespace icq::icqctl
