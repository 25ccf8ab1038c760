// icqctl: the administrator's command line. Every operation is common/admin's; icqctl
// only chooses how to reach it, per command, and says which in --help:
//   * the admin API (--api URL or ICQ_ADMIN_API; token from ICQ_ADMIN_API_TOKEN or
//     --token-file) for everything that touches the running cluster — sessions, disconnect,
//     broadcast, the web pager, status — and for the account commands when an API is given;
//   * the database (--config / ICQ_CONFIG and --set, the servers' configuration) for
//     `migrate` and, when no API is given, the bootstrap account commands `user create`,
//     `user passwd`, `user set`, `user show`, which work before any cluster runs (deploy/local/run.sh).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "common/actions/rules_file.hpp"
#include "common/admin/journal_admin.hpp"
#include "common/admin/user_admin.hpp"
#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/pg/migrations.hpp"
#include "common/redis/action_store.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"
#include "tools/icqctl/api_client.hpp"
#include "tools/icqctl/output.hpp"

namespace {

using namespace icq;
using nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;
using namespace icq::icqctl;

constexpr const char* kExitCodes =
    "Exit codes: 0 done; 1 failed (cluster, database or API unreachable, or a server error); 2 bad usage, "
    "input or configuration; 3 already exists; 4 not found (no such user, or not online); 5 refused by the "
    "admin API (no or wrong token, or the API has no admin.api_token).";
constexpr const char* kViaApi = " [admin API]";
constexpr const char* kViaEither = " [admin API if --api is given, else the database]";

struct Options {
  std::string configFile;
  std::vector<std::string> sets;
  bool json = false;
  std::string api;
  std::string tokenFile;
};

// ---------------------------------------------------------------------------------------
// Through the admin API
// ---------------------------------------------------------------------------------------

std::string readToken(const Options& options) {
  std::string token;
  if (!options.tokenFile.empty()) {
    std::ifstream file(options.tokenFile);
    if (!file) throw std::invalid_argument("--token-file: cannot read " + options.tokenFile);
    std::getline(file, token);
  } else if (const char* env = std::getenv("ICQ_ADMIN_API_TOKEN")) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty())
    throw std::invalid_argument("the admin API needs a token: set ICQ_ADMIN_API_TOKEN or give --token-file");
  for (char c : token)
    if (c <= ' ' || c > '~') throw std::invalid_argument("the admin API token must be printable ASCII without spaces");
  return token;
}

int exitCodeForHttp(const icqctl::ApiReply& reply) {
  switch (reply.status) {
    case 200: case 201: return kDone;
    case 400: case 413: return kUsage;
    case 401: return kRefused;
    case 404: return reply.body.is_object() && reply.body["error"].value("code", "") == "no_route" ? kFailed : kNotFound;
    case 409: return kExists;
    case 503: return reply.body.is_object() && reply.body["error"].value("code", "") == "disabled" ? kRefused : kFailed;
    default: return kFailed;
  }
}

/// One API call, its result printed; returns the exit code.
int viaApi(const Options& options, const std::string& method, const std::string& path, const Query& query = {},
           const json& body = nullptr) {
  icqctl::ApiClient client(options.api, readToken(options));
  const icqctl::ApiReply reply = client.call(method, path, query, body);
  const int code = exitCodeForHttp(reply);
  if (code == kDone) return icqctl::printResult(options.json, reply.body), kDone;
  return icqctl::printFailure(options.json, reply), code;
}

/// Every page of a listing ("users" after next_after, "sessions" from next_cursor), as one result.
int listAll(const Options& options, const std::string& path, const std::string& items, const std::string& nextField,
            const std::string& nextParam, Query query) {
  icqctl::ApiClient client(options.api, readToken(options));
  json all = {{items, json::array()}};
  for (;;) {
    const icqctl::ApiReply reply = client.call("GET", path, query);
    const int code = exitCodeForHttp(reply);
    if (code != kDone) return icqctl::printFailure(options.json, reply), code;
    for (const json& item : reply.body[items]) all[items].push_back(item);
    const json& next = reply.body[nextField];
    if (next.is_null()) break;
    std::erase_if(query, [&](const auto& p) { return p.first == nextParam; });
    query.emplace_back(nextParam, next.is_string() ? next.get<std::string>() : next.dump());
  }
  icqctl::printResult(options.json, all);
  return kDone;
}

// ---------------------------------------------------------------------------------------
// Straight against the database
// ---------------------------------------------------------------------------------------

config::Config loadConfig(const Options& options) { return config::loadConfig(options.configFile, options.sets); }

/// Runs `operation` on a UserAdmin over the configured database.
template <class Operation>
int viaDatabase(const Options& options, Operation&& operation) {
  config::Config config = loadConfig(options);
  admin::UserAdminSettings settings = admin::UserAdminSettings::from(config);
  wiring::PostgresStores postgres(config);
  admin::UserAdmin users(*postgres.users, settings, "icqctl");
  const admin::Outcome outcome = operation(users);
  return icqctl::printOutcome(options.json, outcome);
}

/// Runs `operation` on the session journal in the configured database.
template <class Operation>
int viaJournal(const Options& options, Operation&& operation) {
  config::Config config = loadConfig(options);
  wiring::PostgresStores postgres(config);
  admin::JournalAdmin journal(*postgres.journal);
  return icqctl::printOutcome(options.json, operation(journal));
}

/// `actions check`: the rules as a scheduler will read them (with this environment's
/// secrets), or the first bad one, named.
int checkRules(const Options& options, std::string file) {
  if (file.empty()) file = loadConfig(options).string("actions.rules_file");
  if (file.empty()) {
    std::cerr << "icqctl: no rules file: give --file or set actions.rules_file\n";
    return kUsage;
  }
  json list = json::array();
  for (const actions::Rule& rule : actions::loadRules(file, [](const char* name) { return std::getenv(name); })) {
    json steps = json::array();
    for (const actions::Action& action : rule.actions) steps.push_back(actions::actionTypeName(action.type));
    json entry = {{"name", rule.name}, {"on", events::kindName(rule.on)}, {"actions", steps}};
    if (rule.rate.count > 0)
      entry["rate"] = std::to_string(rule.rate.count) + " per " + std::to_string(rule.rate.per.count()) + " s";
    list.push_back(std::move(entry));
  }
  icqctl::printResult(options.json, {{"file", file}, {"rules", list}});
  return kDone;
}

/// `actions dead`: the dead-letter list in Redis, newest first.
int deadLetters(const Options& options, size_t limit) {
  const config::Config config = loadConfig(options);
  redis::RedisConnection connection(wiring::redisOptionsFrom(config));
  redis::RedisActionStore store(connection, static_cast<size_t>(config.integer("actions.dead_letter_max")));
  std::vector<std::string> records;
  if (!store.deadLetters(limit, records)) {
    std::cerr << "icqctl: Redis unreachable\n";
    return kFailed;
  }
  json list = json::array();
  for (const std::string& record : records) list.push_back(json::parse(record, nullptr, false));
  icqctl::printResult(options.json, {{"dead_letters", list}});
  return kDone;
}

int migrate(const Options& options) {
  config::Config config = loadConfig(options).with("postgres.migrate", "auto");
  wiring::PostgresStores postgres(config);
  size_t latest = pg::migrations().empty() ? 0 : static_cast<size_t>(pg::migrations().back().version);
  icqctl::printResult(options.json, {{"schema_version", latest}});
  return kDone;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("icqctl", "icqctl", "warn");
  CLI::App app{
      "icqctl — administer an icqcluster: accounts, online sessions, broadcasts, the web pager, "
      "status, schema, the journal and the event actions.\nCommands marked [admin API] talk to a running cluster's "
      "scheduler (--api); "
      "the others can work straight against the database (--config), before any cluster runs."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  Options options;
  app.add_option("-c,--config", options.configFile, "YAML configuration file, the servers' one (database commands)")
      ->envname("ICQ_CONFIG");
  app.add_option("--set", options.sets, "Override one configuration key: --set postgres.url=... (database commands)");
  app.add_option("--api", options.api, "Admin API base URL, http://host:port (the scheduler's admin.listen)")
      ->envname("ICQ_ADMIN_API");
  app.add_option("--token-file", options.tokenFile,
                 "File holding the admin API token (default: the ICQ_ADMIN_API_TOKEN environment variable)");
  app.add_flag("--json", options.json, "Machine-readable output: the result as one JSON document on stdout");

  // Options of every subcommand; each subcommand reads the ones it declares.
  uint32_t uin = 0, after = 0;
  size_t limit = 50;
  std::string password, nick, firstName, lastName, email, text, name, cursor;
  std::vector<uint32_t> uins;
  bool all = false;
  auto uinOption = [&](CLI::App* command, bool required) {
    CLI::Option* option = command->add_option("--uin", uin, "UIN")->check(CLI::Range(1u, 4294967295u));
    if (required) option->required();
  };

  CLI::App* user = app.add_subcommand("user", "Accounts")->require_subcommand(1);
  user->footer(kExitCodes);
  CLI::App* create = user->add_subcommand("create", std::string("Create an account (argon2id password hash)") + kViaEither);
  create->add_option("--uin", uin, "UIN; omit to allocate the next free one")->check(CLI::Range(1u, 4294967295u));
  create->add_option("--password", password, "Password, 1 to 8 characters (ICQ 99's limit)")->required();
  create->add_option("--nick", nick, "Nickname (UTF-8; stored in text.codepage)");
  create->add_option("--first-name", firstName, "First name");
  create->add_option("--last-name", lastName, "Last name");
  create->add_option("--email", email, "E-mail address");
  CLI::App* passwd = user->add_subcommand("passwd", std::string("Set an account's password") + kViaEither);
  uinOption(passwd, true);
  passwd->add_option("--password", password, "New password, 1 to 8 characters")->required();
  std::string mayBroadcast;
  CLI::App* set = user->add_subcommand(
      "set", std::string("Change an account's flags: --may-broadcast yes|no (V3 broadcasts)") + kViaEither);
  uinOption(set, true);
  set->add_option("--may-broadcast", mayBroadcast, "Whether the account may send V3 BROADCAST_ALL/ONLINE")
      ->required()
      ->check(CLI::IsMember({"yes", "no"}));
  CLI::App* show = user->add_subcommand(
      "show", std::string("Show an account (text converted from text.codepage; with the API also its session)") +
                  kViaEither);
  uinOption(show, true);
  CLI::App* remove = user->add_subcommand(
      "delete", std::string("Delete an account, its offline messages, and end its session") + kViaApi);
  uinOption(remove, true);
  CLI::App* list = user->add_subcommand("list", std::string("List accounts by UIN, a page at a time") + kViaApi);
  list->add_option("--after", after, "Start after this UIN (the previous page's next_after)");
  list->add_option("--limit", limit, "Accounts per page, 1 to 500")->check(CLI::Range(1, 500));
  list->add_flag("--all", all, "Every page");
  CLI::App* search = user->add_subcommand(
      "search", std::string("Find accounts: case-insensitive substrings, all given ones must match") + kViaApi);
  search->add_option("--nick", nick, "Nickname contains");
  search->add_option("--first-name", firstName, "First name contains");
  search->add_option("--last-name", lastName, "Last name contains");
  search->add_option("--email", email, "E-mail contains");
  search->add_option("--limit", limit, "Most results, 1 to 500")->check(CLI::Range(1, 500));

  CLI::App* session = app.add_subcommand("session", "Online sessions [admin API]")->require_subcommand(1);
  session->footer(kExitCodes);
  CLI::App* sessions = session->add_subcommand("list", "List online sessions, a page at a time");
  sessions->add_option("--cursor", cursor, "Continue a walk (the previous page's next_cursor)");
  sessions->add_option("--limit", limit, "About this many sessions per page, 1 to 500")->check(CLI::Range(1, 500));
  sessions->add_flag("--all", all, "Every page");
  CLI::App* sessionShow = session->add_subcommand("show", "Show a user's session");
  uinOption(sessionShow, true);
  CLI::App* kick = session->add_subcommand(
      "disconnect", "End a user's session: the client is told (V5 SRV_GO_AWAY), its contacts see it go offline, "
                    "messages it had not confirmed are kept offline");
  uinOption(kick, true);

  CLI::App* broadcast = app.add_subcommand(
      "broadcast", std::string("Send a system message to everyone online, or to the UINs given (those offline "
                               "get it at their next login)") + kViaApi);
  broadcast->footer(kExitCodes);
  broadcast->add_option("--text", text, "The message (UTF-8; sent in text.codepage), at most 509 bytes")->required();
  broadcast->add_option("--uin", uins, "A recipient (repeat for several); omit for everyone online")
      ->check(CLI::Range(1u, 4294967295u));
  CLI::App* pager = app.add_subcommand(
      "pager", std::string("Send a web-pager message (type 0x000D, from UIN 10), live or kept offline") + kViaApi);
  pager->footer(kExitCodes);
  uinOption(pager, true);
  pager->add_option("--text", text, "The message")->required();
  pager->add_option("--name", name, "Sender's name");
  pager->add_option("--email", email, "Sender's e-mail address");
  CLI::App* status = app.add_subcommand(
      "status", std::string("Online sessions, accounts, offline messages, gateways and their last heartbeat") +
                    kViaApi);
  status->footer(kExitCodes);
  CLI::App* journal = app.add_subcommand(
      "journal",
      "The session journal: every session on record and what happened in it [database, or the admin API "
      "with --api]");
  journal->footer(kExitCodes);
  journal->require_subcommand(1);
  std::string network, from, until, sessionId;
  CLI::App* journalSessions = journal->add_subcommand(
      "sessions", "Sessions, latest first, with where they came from, their client, and when and why they ended. "
                  "Times are UTC: 2026-12-06, 2026-12-06T13:00, 2026-12-06T13:00:05Z, or -24h, -30m, -7d");
  uinOption(journalSessions, false);
  journalSessions->add_option("--network", network, "From this address or a.b.c.d/n block");
  journalSessions->add_option("--from", from, "Online at or after this time");
  journalSessions->add_option("--until", until, "Begun before this time");
  journalSessions->add_option("--limit", limit, "Most sessions, 1 to 1000")->check(CLI::Range(1, 1000));
  CLI::App* journalTimeline = journal->add_subcommand("timeline", "One session's events in the order they happened");
  journalTimeline->add_option("--session", sessionId, "The session's id (as journal sessions shows it)")->required();
  CLI::App* actionsCommand =
      app.add_subcommand("actions", "The event actions: check a rules file, read the actions that failed");
  actionsCommand->footer(kExitCodes);
  actionsCommand->require_subcommand(1);
  std::string rulesFile;
  CLI::App* actionsCheck = actionsCommand->add_subcommand(
      "check",
      "Read a rules file as the scheduler will, with this shell's environment for secret_env and "
      "password_env; names the first bad rule and key [no server]");
  actionsCheck->add_option("--file", rulesFile, "The rules file (default: the configuration's actions.rules_file)");
  CLI::App* actionsDead =
      actionsCommand->add_subcommand("dead", "Actions that failed their last try, newest first [Redis]");
  actionsDead->add_option("--limit", limit, "Most records, 1 to 10000")->check(CLI::Range(1, 10000));
  CLI::App* schema = app.add_subcommand("migrate", "Apply missing schema migrations and print the version [database]");
  schema->footer(kExitCodes);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kDone : kUsage;
  }
  const std::string uinPath = std::to_string(uin);
  const bool api = !options.api.empty();
  try {
    if (create->parsed()) {
      json body = {{"password", password}};
      if (uin != 0) body["uin"] = uin;
      for (auto [field, value] : {std::pair{"nick", &nick}, std::pair{"first_name", &firstName},
                                  std::pair{"last_name", &lastName}, std::pair{"email", &email}})
        if (!value->empty()) body[field] = *value;
      if (api) return viaApi(options, "POST", "users", {}, body);
      return viaDatabase(options, [&](admin::UserAdmin& users) {
        return users.create({uin, password, nick, firstName, lastName, email});
      });
    }
    if (passwd->parsed()) {
      if (api) return viaApi(options, "PUT", "users/" + uinPath + "/password", {}, {{"password", password}});
      return viaDatabase(options, [&](admin::UserAdmin& users) { return users.setPassword(uin, password); });
    }
    if (set->parsed()) {
      const bool may = mayBroadcast == "yes";
      if (api) return viaApi(options, "PUT", "users/" + uinPath + "/may-broadcast", {}, {{"may_broadcast", may}});
      return viaDatabase(options, [&](admin::UserAdmin& users) { return users.setMayBroadcast(uin, may); });
    }
    if (show->parsed()) {
      if (api) return viaApi(options, "GET", "users/" + uinPath);
      return viaDatabase(options, [&](admin::UserAdmin& users) { return users.show(uin); });
    }
    if (schema->parsed()) return migrate(options);
    if (actionsCheck->parsed()) return checkRules(options, rulesFile);
    if (actionsDead->parsed()) return deadLetters(options, limit);
    if (journalSessions->parsed() && api) {
      Query query = {{"limit", std::to_string(limit)}};
      if (uin != 0) query.emplace_back("uin", uinPath);
      for (auto [param, value] : {std::pair{"network", &network}, std::pair{"from", &from}, std::pair{"until", &until}})
        if (!value->empty()) query.emplace_back(param, *value);
      return viaApi(options, "GET", "journal/sessions", query);
    }
    if (journalSessions->parsed()) {
      const int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      store::JournalQuery query;
      if (uin != 0) query.uin = uin;
      query.network = network;
      query.limit = limit;
      for (auto [option, given, into] : {std::tuple{"--from", &from, &query.fromMs},
                                         std::tuple{"--until", &until, &query.untilMs}}) {
        if (given->empty()) continue;
        *into = admin::parseJournalTime(*given, nowMs);
        if (!*into) {
          std::cerr << "icqctl: " << option << ": not a time (2026-12-06, 2026-12-06T13:00Z, -24h): " << *given << "\n";
          return kUsage;
        }
      }
      return viaJournal(options, [&](admin::JournalAdmin& j) { return j.sessions(query); });
    }
    if (journalTimeline->parsed() && api) return viaApi(options, "GET", "journal/timeline", {{"session", sessionId}});
    if (journalTimeline->parsed())
      return viaJournal(options, [&](admin::JournalAdmin& j) { return j.timeline(sessionId); });

    // Everything below needs the running cluster.
    if (!api) {
      std::cerr << "icqctl: this command talks to the running cluster: give --api http://host:port or set "
                   "ICQ_ADMIN_API\n";
      return kUsage;
    }
    const std::string limitText = std::to_string(limit);
    if (remove->parsed()) return viaApi(options, "DELETE", "users/" + uinPath);
    if (list->parsed()) {
      Query query = {{"limit", limitText}, {"after", std::to_string(after)}};
      if (all) return listAll(options, "users", "users", "next_after", "after", query);
      return viaApi(options, "GET", "users", query);
    }
    if (search->parsed()) {
      Query query = {{"limit", limitText}};
      for (auto [field, value] : {std::pair{"nick", &nick}, std::pair{"first_name", &firstName},
                                  std::pair{"last_name", &lastName}, std::pair{"email", &email}})
        if (!value->empty()) query.emplace_back(field, *value);
      if (query.size() == 1) {
        std::cerr << "icqctl: user search needs at least one of --nick, --first-name, --last-name, --email\n";
        return kUsage;
      }
      return viaApi(options, "GET", "users", query);
    }
    if (sessions->parsed()) {
      Query query = {{"limit", limitText}};
      if (!cursor.empty()) query.emplace_back("cursor", cursor);
      if (all) return listAll(options, "sessions", "sessions", "next_cursor", "cursor", query);
      return viaApi(options, "GET", "sessions", query);
    }
    if (sessionShow->parsed()) return viaApi(options, "GET", "sessions/" + uinPath);
    if (kick->parsed()) return viaApi(options, "DELETE", "sessions/" + uinPath);
    if (broadcast->parsed()) {
      json body = {{"text", text}};
      if (!uins.empty()) body["uins"] = uins;
      return viaApi(options, "POST", "broadcast", {}, body);
    }
    if (pager->parsed()) return viaApi(options, "POST", "pager", {}, {{"uin", uin}, {"name", name}, {"email", email}, {"text", text}});
    if (status->parsed()) return viaApi(options, "GET", "status");
  } catch (const config::ConfigError& e) {
    std::cerr << "icqctl: configuration error: " << e.what() << "\n";
    return kUsage;
  } catch (const std::invalid_argument& e) {  // a bad --api, token, or text.codepage
    std::cerr << "icqctl: " << e.what() << "\n";
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "icqctl: " << e.what() << "\n";
    return kFailed;
  }
  return kUsage;
}
