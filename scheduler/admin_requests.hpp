// What an admin API request carries, read and checked: the UIN in its path, its query
// parameters and its JSON body. Each reader either fills typed values or refuses with an
// Outcome that names the first bad field (400). They are apart from the routes and the
// stores (admin_api.cpp) so that what an HTTP client sends can be tested and fuzzed
// (tests/fuzz/admin_request_fuzz.cpp) without a backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/admin/cluster_admin.hpp"
#include "common/admin/outcome.hpp"
#include "common/admin/user_admin.hpp"
#include "common/ops/http_server.hpp"
#include "common/store/journal_store.hpp"

namespace icq::scheduler {

/// Page size when a list request names none.
inline constexpr uint64_t kDefaultPage = 50;

/// Why a request is refused before any operation runs; nullopt: it is well-formed.
using Refusal = std::optional<admin::Outcome>;

enum class PathMatch { no, yes, bad_uin };

/// Whether `path` fits `pattern` segment by segment, reading "{uin}" into `uin`.
PathMatch matchPath(std::string_view pattern, std::string_view path, uint32_t& uin);

/// GET /users: a page of accounts after a UIN, or a search when any name field is given.
struct UserListQuery {
  uint64_t after = 0, limit = kDefaultPage;
  admin::AccountQuery search;
};
Refusal readUserListQuery(const ops::HttpRequest& request, UserListQuery& out);

/// GET /sessions: a cursor and a page size.
struct SessionPage {
  uint64_t cursor = 0, limit = kDefaultPage;
};
Refusal readSessionPage(const ops::HttpRequest& request, SessionPage& out);

/// GET /journal/sessions: uin, network, from and until (times as icqctl journal takes them,
/// spans counted back from `nowMs`), limit.
Refusal readJournalQuery(const ops::HttpRequest& request, int64_t nowMs, store::JournalQuery& out);
/// GET /journal/timeline: the session's id, required.
Refusal readJournalSession(const ops::HttpRequest& request, std::string& sessionId);

// The bodies, one per operation that takes one (`body` is null for a request without one).
Refusal readNewAccount(const nlohmann::json& body, admin::NewAccount& out);
Refusal readNewPassword(const nlohmann::json& body, std::string& password);
Refusal readMayBroadcast(const nlohmann::json& body, bool& mayBroadcast);
Refusal readBroadcast(const nlohmann::json& body, std::string& text, std::vector<uint32_t>& uins);
Refusal readPagerMessage(const nlohmann::json& body, admin::PagerMessage& out);

}  // namespace icq::scheduler
