// The admin API's route table and its HTTP edge; see admin_api.hpp and docs/admin-api.yaml.
//
// A request goes: token check (503 while admin.api_token is empty, 401 without the right
// bearer token) → size check (413) → route match (404 no such path, 405 wrong method) →
// path and body parsing (400 naming the field) → the common/admin operation under the
// API's mutex → its Outcome as JSON with the status that Outcome names.
#include "scheduler/admin_api.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/admin/cluster_admin.hpp"
#include "common/admin/journal_admin.hpp"
#include "common/admin/user_admin.hpp"
#include "common/events/event_log.hpp"
#include "common/log/log.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"
#include "scheduler/admin_requests.hpp"

namespace icq::scheduler {
namespace {

using nlohmann::json;
constexpr std::string_view kPrefix = "/api/v1/";

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
  admin::JournalAdmin journal{*postgres.journal};
  // The audit events of the requests that change something, until the stream (on the API's
  // own connection) has them: kept across a failed append, for the next request to retry.
  events::EventBuffer audit{10'000};
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
  UserListQuery query;
  if (Refusal refused = readUserListQuery(call.request, query)) return *refused;
  if (!query.search.empty()) return b.users.search(query.search, query.limit);
  return b.users.list(static_cast<uint32_t>(query.after), query.limit);
}

admin::Outcome createUser(Backend& b, const Call& call) {
  admin::NewAccount account;
  if (Refusal refused = readNewAccount(call.body, account)) return *refused;
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
  std::string password;
  if (Refusal refused = readNewPassword(call.body, password)) return *refused;
  return b.users.setPassword(call.uin, password);
}

admin::Outcome setMayBroadcast(Backend& b, const Call& call) {
  bool mayBroadcast = false;
  if (Refusal refused = readMayBroadcast(call.body, mayBroadcast)) return *refused;
  return b.users.setMayBroadcast(call.uin, mayBroadcast);
}

admin::Outcome listSessions(Backend& b, const Call& call) {
  SessionPage page;
  if (Refusal refused = readSessionPage(call.request, page)) return *refused;
  return b.cluster.listSessions(page.cursor, page.limit);
}

admin::Outcome showSession(Backend& b, const Call& call) { return b.cluster.showSession(call.uin); }

admin::Outcome disconnect(Backend& b, const Call& call) { return b.cluster.disconnect(call.uin); }

admin::Outcome broadcast(Backend& b, const Call& call) {
  std::string text;
  std::vector<uint32_t> uins;
  if (Refusal refused = readBroadcast(call.body, text, uins)) return *refused;
  return b.cluster.broadcast(text, uins);
}

admin::Outcome journalSessions(Backend& b, const Call& call) {
  store::JournalQuery query;
  if (Refusal refused = readJournalQuery(call.request, b.redis.clock.nowMs(), query)) return *refused;
  return b.journal.sessions(query);
}

admin::Outcome journalTimeline(Backend& b, const Call& call) {
  std::string session;
  if (Refusal refused = readJournalSession(call.request, session)) return *refused;
  return b.journal.timeline(session);
}

admin::Outcome page(Backend& b, const Call& call) {
  admin::PagerMessage message;
  if (Refusal refused = readPagerMessage(call.body, message)) return *refused;
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
    {{"GET", "/api/v1/journal/sessions"}, journalSessions},
    {{"GET", "/api/v1/journal/timeline"}, journalTimeline},
};

constexpr auto kRouteList = [] {
  std::array<AdminRoute, std::size(kRoutes)> list{};
  for (size_t i = 0; i < list.size(); ++i) list[i] = kRoutes[i].route;
  return list;
}();

// ---------------------------------------------------------------------------------------
// Matching and answering
// ---------------------------------------------------------------------------------------

ops::HttpResponse errorResponse(int status, std::string_view code, const std::string& message) {
  return ops::HttpResponse::json(status, json{{"error", {{"code", code}, {"message", message}}}}.dump());
}

/// Whether a request may change state, and so is on record as an admin event.
bool changesState(std::string_view method) { return method != "GET"; }

/// An admin request as an audit event; `uin` is the path's (0: none).
events::Event adminEvent(const ops::HttpRequest& request, uint32_t uin, int status, int64_t atMs) {
  events::Event event;
  event.kind = events::EventKind::admin;
  event.atMs = atMs;
  event.uin = uin;
  event.with("method", request.method)
      .with("path", request.path)
      .with("status", std::to_string(status))
      .with("source", request.remoteAddress);
  return event;
}

/// Appends what waits in `b.audit`, one round trip; on failure it waits for the next request
/// (admin requests are rare, and an event is worth less than a retry loop here).
void flushAudit(Backend& b) {
  if (!b.audit.empty() && b.redis.events.append(b.audit.pending())) b.audit.clear();
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
    const PathMatch match = matchPath(route.route.path, request.path, uin);
    if (match == PathMatch::no) continue;
    if (match == PathMatch::bad_uin)
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
    if (changesState(request.method)) {
      backend->audit.record(adminEvent(request, uin, httpStatus(outcome.status), backend->redis.clock.nowMs()));
      flushAudit(*backend);
    }
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
