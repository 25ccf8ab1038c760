// The admin API's route table and its HTTP edge; see admin_api.hpp and docs/admin-api.yaml.
//
// A request goes: token check (503 while admin.api_token is empty, 401 without the right
// bearer token) → size check (413) → route match (404 no such path, 405 wrong method) →
// path and body parsing (400 naming the field) → the common/admin operation under the
// API's mutex → its Outcome as JSON with the status that Outcome names.
#include "scheduler/admin_api.hpp"

#include <charconv>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/admin/cluster_admin.hpp"
#include "common/admin/user_admin.hpp"
#include "common/log/log.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"

namespace icq::scheduler {
namespace {

using nlohmann::json;
constexpr std::string_view kPrefix = "/api/v1/";
constexpr size_t kDefaultPage = 50;

// ---------------------------------------------------------------------------------------
// Parsing what a request carries
// ---------------------------------------------------------------------------------------

bool parseNumber(std::string_view text, uint64_t max, uint64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() && out <= max;
}

/// Reads the fields of a JSON request body; the first bad field becomes `error`.
class BodyFields {
public:
  BodyFields(const json& body, std::initializer_list<std::string_view> known) : body_(body) {
    if (!body_.is_object()) {
      error = admin::Outcome::badInput("body", "must be a JSON object");
      return;
    }
    for (const auto& [name, value] : body_.items())
      if (std::find(known.begin(), known.end(), name) == known.end() && !error)
        error = admin::Outcome::badInput(name, "is not a field of this request");
  }

  void string(const char* name, std::string& out, bool required) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      if (required) error = admin::Outcome::badInput(name, "is required");
    } else if (!it->is_string()) {
      error = admin::Outcome::badInput(name, "must be a string");
    } else {
      out = it->get<std::string>();
    }
  }

  void uin(const char* name, uint32_t& out, bool required) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      if (required) error = admin::Outcome::badInput(name, "is required");
    } else if (!isUin(*it)) {
      error = admin::Outcome::badInput(name, "must be a UIN, 1 to 4294967295");
    } else {
      out = it->get<uint32_t>();
    }
  }

  /// A required true/false field.
  void boolean(const char* name, bool& out) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) {
      error = admin::Outcome::badInput(name, "is required");
    } else if (!it->is_boolean()) {
      error = admin::Outcome::badInput(name, "must be true or false");
    } else {
      out = it->get<bool>();
    }
  }

  void uins(const char* name, std::vector<uint32_t>& out) {
    if (error) return;
    auto it = body_.find(name);
    if (it == body_.end()) return;
    if (!it->is_array()) return void(error = admin::Outcome::badInput(name, "must be an array of UINs"));
    for (const json& value : *it) {
      if (!isUin(value)) return void(error = admin::Outcome::badInput(name, "must be an array of UINs"));
      out.push_back(value.get<uint32_t>());
    }
    if (out.empty()) error = admin::Outcome::badInput(name, "must not be empty (leave it out to reach everyone)");
  }

  std::optional<admin::Outcome> error;

private:
  static bool isUin(const json& value) {
    return value.is_number_unsigned() && value.get<uint64_t>() >= 1 && value.get<uint64_t>() <= 0xFFFFFFFFu;
  }
  const json& body_;
};

/// An optional numeric query parameter within [min, max]; `error` names it when bad.
void queryNumber(const ops::HttpRequest& request, const char* name, uint64_t min, uint64_t max, uint64_t& out,
                 std::optional<admin::Outcome>& error) {
  std::string text;
  if (error || !request.queryParam(name, text)) return;
  if (!parseNumber(text, max, out) || out < min)
    error = admin::Outcome::badInput(name, "must be a number from " + std::to_string(min) + " to " + std::to_string(max));
}

// ---------------------------------------------------------------------------------------
// The operations, one per route
// ---------------------------------------------------------------------------------------

/// What the API holds to serve: its own connections and links, and the operations over them.
struct Backend {
  Backend(const config::Config& config, zmq::context_t& context, const AdminApi::Shared& shared)
      : redis(config),
        postgres(config),
        peers(context, config.string("scheduler.id") + ":admin",
              std::chrono::milliseconds(config.integer("worker.peer_timeout_ms"))),
        users(*postgres.users, admin::UserAdminSettings::from(config), "admin-api"),
        cluster({redis.directory, *postgres.messages, *postgres.users,
                 shared.registry ? *shared.registry : redis.registry,
                 shared.membership ? *shared.membership : redis.membership},
                peers, admin::ClusterAdminSettings::from(config), redis.clock, "admin-api") {}

  wiring::RedisStores redis;
  wiring::PostgresStores postgres;
  pipeline::PeerLinks peers;
  admin::UserAdmin users;
  admin::ClusterAdmin cluster;
};

/// One request as an operation sees it: the UIN of the path (if its template has one)
/// and the parsed JSON body (null for a request without one).
struct Call {
  const ops::HttpRequest& request;
  uint32_t uin = 0;
  const json& body;
};

using Operation = admin::Outcome (*)(Backend&, const Call&);

admin::Outcome listUsers(Backend& b, const Call& call) {
  std::optional<admin::Outcome> error;
  uint64_t after = 0, limit = kDefaultPage;
  queryNumber(call.request, "after", 0, 0xFFFFFFFFu, after, error);
  queryNumber(call.request, "limit", 1, admin::kMaxPage, limit, error);
  admin::AccountQuery query;
  call.request.queryParam("nick", query.nick);
  call.request.queryParam("first_name", query.firstName);
  call.request.queryParam("last_name", query.lastName);
  call.request.queryParam("email", query.email);
  if (error) return *error;
  if (!query.empty()) return b.users.search(query, limit);
  return b.users.list(static_cast<uint32_t>(after), limit);
}

admin::Outcome createUser(Backend& b, const Call& call) {
  BodyFields fields(call.body, {"uin", "password", "nick", "first_name", "last_name", "email"});
  admin::NewAccount account;
  fields.uin("uin", account.uin, false);
  fields.string("password", account.password, true);
  fields.string("nick", account.nick, false);
  fields.string("first_name", account.firstName, false);
  fields.string("last_name", account.lastName, false);
  fields.string("email", account.email, false);
  if (fields.error) return *fields.error;
  return b.users.create(account);
}

/// The profile, plus the live session if there is one ("session": null when offline).
admin::Outcome showUser(Backend& b, const Call& call) {
  admin::Outcome profile = b.users.show(call.uin);
  if (!profile.succeeded()) return profile;
  admin::Outcome session = b.cluster.showSession(call.uin);
  if (session.status == admin::Status::unavailable) return session;
  profile.body["session"] = session.succeeded() ? session.body : json(nullptr);
  return profile;
}

/// The account goes first, so the user cannot log in again between the two steps; then a
/// live session is ended (its unconfirmed messages have no account left to wait in).
admin::Outcome deleteUser(Backend& b, const Call& call) {
  admin::Outcome removed = b.users.remove(call.uin);
  if (!removed.succeeded()) return removed;
  admin::Outcome ended = b.cluster.disconnect(call.uin);
  removed.body["disconnected"] = ended.succeeded();
  return removed;
}

admin::Outcome setPassword(Backend& b, const Call& call) {
  BodyFields fields(call.body, {"password"});
  std::string password;
  fields.string("password", password, true);
  if (fields.error) return *fields.error;
  return b.users.setPassword(call.uin, password);
}

admin::Outcome setMayBroadcast(Backend& b, const Call& call) {
  BodyFields fields(call.body, {"may_broadcast"});
  bool mayBroadcast = false;
  fields.boolean("may_broadcast", mayBroadcast);
  if (fields.error) return *fields.error;
  return b.users.setMayBroadcast(call.uin, mayBroadcast);
}

admin::Outcome listSessions(Backend& b, const Call& call) {
  std::optional<admin::Outcome> error;
  uint64_t cursor = 0, limit = kDefaultPage;
  queryNumber(call.request, "cursor", 0, UINT64_MAX, cursor, error);
  queryNumber(call.request, "limit", 1, admin::kMaxPage, limit, error);
  if (error) return *error;
  return b.cluster.listSessions(cursor, limit);
}

admin::Outcome showSession(Backend& b, const Call& call) { return b.cluster.showSession(call.uin); }

admin::Outcome disconnect(Backend& b, const Call& call) { return b.cluster.disconnect(call.uin); }

admin::Outcome broadcast(Backend& b, const Call& call) {
  BodyFields fields(call.body, {"text", "uins"});
  std::string text;
  std::vector<uint32_t> uins;
  fields.string("text", text, true);
  fields.uins("uins", uins);
  if (fields.error) return *fields.error;
  return b.cluster.broadcast(text, uins);
}

admin::Outcome page(Backend& b, const Call& call) {
  BodyFields fields(call.body, {"uin", "name", "email", "text"});
  admin::PagerMessage message;
  fields.uin("uin", message.to, true);
  fields.string("name", message.name, false);
  fields.string("email", message.email, false);
  fields.string("text", message.text, true);
  if (fields.error) return *fields.error;
  return b.cluster.page(message);
}

admin::Outcome status(Backend& b, const Call&) { return b.cluster.status(); }

struct Route {
  AdminRoute route;
  Operation operation;
};

constexpr Route kRoutes[] = {
    {{"GET", "/api/v1/status"}, status},
    {{"GET", "/api/v1/users"}, listUsers},
    {{"POST", "/api/v1/users"}, createUser},
    {{"GET", "/api/v1/users/{uin}"}, showUser},
    {{"DELETE", "/api/v1/users/{uin}"}, deleteUser},
    {{"PUT", "/api/v1/users/{uin}/password"}, setPassword},
    {{"PUT", "/api/v1/users/{uin}/may-broadcast"}, setMayBroadcast},
    {{"GET", "/api/v1/sessions"}, listSessions},
    {{"GET", "/api/v1/sessions/{uin}"}, showSession},
    {{"DELETE", "/api/v1/sessions/{uin}"}, disconnect},
    {{"POST", "/api/v1/broadcast"}, broadcast},
    {{"POST", "/api/v1/pager"}, page},
};

constexpr auto kRouteList = [] {
  std::array<AdminRoute, std::size(kRoutes)> list{};
  for (size_t i = 0; i < list.size(); ++i) list[i] = kRoutes[i].route;
  return list;
}();

// ---------------------------------------------------------------------------------------
// Matching and answering
// ---------------------------------------------------------------------------------------

enum class Match { no, yes, bad_uin };

/// Whether `path` fits `pattern` segment by segment, reading "{uin}" into `uin`.
Match matchPath(std::string_view pattern, std::string_view path, uint32_t& uin) {
  std::string_view uinText;
  for (;;) {
    const size_t p = pattern.find('/'), q = path.find('/');
    const std::string_view expected = pattern.substr(0, p), segment = path.substr(0, q);
    if (expected == "{uin}" && !segment.empty())
      uinText = segment;
    else if (expected != segment)
      return Match::no;
    if (p == std::string_view::npos || q == std::string_view::npos) {
      if (p != q) return Match::no;
      break;
    }
    pattern.remove_prefix(p + 1);
    path.remove_prefix(q + 1);
  }
  if (uinText.empty()) return Match::yes;
  uint64_t value = 0;
  if (!parseNumber(uinText, 0xFFFFFFFFu, value) || value == 0) return Match::bad_uin;
  uin = static_cast<uint32_t>(value);
  return Match::yes;
}

ops::HttpResponse errorResponse(int status, std::string_view code, const std::string& message) {
  return ops::HttpResponse::json(status, json{{"error", {{"code", code}, {"message", message}}}}.dump());
}

int httpStatus(admin::Status status) {
  switch (status) {
    case admin::Status::ok: return 200;
    case admin::Status::created: return 201;
    case admin::Status::bad_input: return 400;
    case admin::Status::not_found: return 404;
    case admin::Status::conflict: return 409;
    case admin::Status::unavailable: return 503;
  }
  return 500;
}

/// Compares without an early exit, so the time taken says nothing about the token.
bool sameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

struct AdminApi::Core {
  std::string token;
  std::mutex mutex;                  // one request at a time owns the backend
  std::unique_ptr<Backend> backend;  // null once the API is closed

  ops::HttpResponse handle(const ops::HttpRequest& request);
  ops::HttpResponse run(Operation operation, const ops::HttpRequest& request, uint32_t uin);
};

ops::HttpResponse AdminApi::Core::handle(const ops::HttpRequest& request) {
  if (token.empty())
    return errorResponse(503, "disabled", "the admin API is off: set admin.api_token (ICQ_ADMIN_API_TOKEN)");
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view authorization = request.header("authorization");
  if (!authorization.starts_with(kBearer) || !sameToken(authorization.substr(kBearer.size()), token)) {
    ops::HttpResponse refused = errorResponse(401, "unauthorized", "missing or wrong bearer token");
    refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"icqcluster admin\"");
    return refused;
  }
  if (request.body.size() > kMaxAdminBody)
    return errorResponse(413, "too_large", "request bodies are limited to " + std::to_string(kMaxAdminBody) + " bytes");

  std::string allowed;
  for (const Route& route : kRoutes) {
    uint32_t uin = 0;
    const Match match = matchPath(route.route.path, request.path, uin);
    if (match == Match::no) continue;
    if (match == Match::bad_uin)
      return errorResponse(400, "bad_input", "uin: must be a UIN, 1 to 4294967295");
    if (route.route.method == request.method) return run(route.operation, request, uin);
    allowed += (allowed.empty() ? "" : ", ") + std::string(route.route.method);
  }
  if (allowed.empty()) return errorResponse(404, "no_route", "no such endpoint: " + request.path);
  ops::HttpResponse refused = errorResponse(405, "method_not_allowed", request.method + " is not served here");
  refused.headers.emplace_back("Allow", allowed);
  return refused;
}

ops::HttpResponse AdminApi::Core::run(Operation operation, const ops::HttpRequest& request, uint32_t uin) {
  json body;  // null for a request without a body
  if (!request.body.empty()) {
    body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return errorResponse(400, "bad_input", "body: not valid JSON");
  }
  admin::Outcome outcome;
  {
    std::lock_guard lock(mutex);
    if (!backend) return errorResponse(503, "unavailable", "the scheduler is stopping");
    outcome = operation(*backend, Call{request, uin, body});
  }
  log::info("admin_request", {{"method", request.method}, {"path", request.path}, {"status", httpStatus(outcome.status)}});
  return ops::HttpResponse::json(httpStatus(outcome.status), outcome.body.dump());
}

AdminApi::AdminApi(const config::Config& config, zmq::context_t& context, const Shared& shared)
    : core_(std::make_shared<Core>()) {
  core_->token = config.string("admin.api_token");
  core_->backend = std::make_unique<Backend>(config, context, shared);
}

AdminApi::~AdminApi() {
  std::lock_guard lock(core_->mutex);
  core_->backend.reset();
}

void AdminApi::install(ops::HttpServer& server) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"})
    server.route(method, std::string(kPrefix), [core = core_](const ops::HttpRequest& r) { return core->handle(r); });
}

ops::HttpResponse AdminApi::handle(const ops::HttpRequest& request) { return core_->handle(request); }

std::span<const AdminRoute> AdminApi::routes() { return kRouteList; }

}  // namespace icq::scheduler
