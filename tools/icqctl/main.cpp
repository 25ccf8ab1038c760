// icqctl: the administrator's command line. Accounts and schema, straight against the
// system of record (PostgreSQL) with the same configuration as the servers.
//
// Exit codes: 0 done, 1 the operation failed (database unreachable, no such user),
// 2 bad usage or configuration, 3 the account already exists.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/auth/password.hpp"
#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/pg/migrations.hpp"
#include "common/util/codepage.hpp"
#include "common/wiring/postgres_stores.hpp"

namespace {

using namespace icq;

constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kExists = 3;

// ICQ 99 and mICQ accept at most 8 password characters (protocol-v5.md §6.1).
constexpr size_t kMaxClientPassword = 8;

struct Options {
  std::string configFile;
  std::vector<std::string> sets;
  bool json = false;
};

config::Config loadConfig(const Options& options) { return config::loadConfig(options.configFile, options.sets); }

void report(const Options& options, const nlohmann::json& result, const std::string& text) {
  if (options.json)
    std::cout << result.dump() << "\n";
  else
    std::cout << text << "\n";
}

int createUser(const Options& options, uint32_t uin, const std::string& password, const std::string& nick) {
  config::Config config = loadConfig(options);
  wiring::PostgresStores postgres(config);
  store::NewUser user;
  user.uin = uin;
  user.nick = nick;
  user.passwordHash = auth::hashPassword(password, static_cast<uint64_t>(config.integer("auth.argon2_opslimit")),
                                         static_cast<size_t>(config.integer("auth.argon2_memlimit_kib")) * 1024);
  uint32_t created = 0;
  bool exists = false;
  if (!postgres.users->createUser(user, created, exists)) return std::cerr << "icqctl: database unreachable\n", kFailed;
  if (exists) return std::cerr << "icqctl: UIN " << uin << " already exists\n", kExists;
  postgres.users->audit(created, store::AuditEvent::user_created, "icqctl");
  report(options, {{"uin", created}}, "created UIN " + std::to_string(created));
  return 0;
}

int setPassword(const Options& options, uint32_t uin, const std::string& password) {
  config::Config config = loadConfig(options);
  wiring::PostgresStores postgres(config);
  std::string hash = auth::hashPassword(password, static_cast<uint64_t>(config.integer("auth.argon2_opslimit")),
                                        static_cast<size_t>(config.integer("auth.argon2_memlimit_kib")) * 1024);
  bool found = false;
  if (!postgres.users->setPasswordHash(uin, hash, found)) return std::cerr << "icqctl: database unreachable\n", kFailed;
  if (!found) return std::cerr << "icqctl: no user with UIN " << uin << "\n", kFailed;
  postgres.users->audit(uin, store::AuditEvent::password_changed, "icqctl");
  report(options, {{"uin", uin}, {"password_changed", true}}, "password changed for UIN " + std::to_string(uin));
  return 0;
}

/// Profile text is the client's 8-bit code page; people read it converted (text.codepage).
int showUser(const Options& options, uint32_t uin) {
  config::Config config = loadConfig(options);
  const std::string& codepage = config.string("text.codepage");
  util::toUtf8("", codepage);  // an unknown code page is a configuration error, before any query
  wiring::PostgresStores postgres(config);
  std::optional<store::UserProfile> profile;
  if (!postgres.users->findProfile(uin, profile)) return std::cerr << "icqctl: database unreachable\n", kFailed;
  if (!profile) return std::cerr << "icqctl: no user with UIN " << uin << "\n", kFailed;
  const store::BasicInfo& basic = profile->basic;
  nlohmann::json result = {{"uin", uin},
                           {"nick", util::toUtf8(basic.nick, codepage)},
                           {"first_name", util::toUtf8(basic.firstName, codepage)},
                           {"last_name", util::toUtf8(basic.lastName, codepage)},
                           {"email", util::toUtf8(basic.email, codepage)},
                           {"about", util::toUtf8(profile->about, codepage)}};
  std::string text = "UIN " + std::to_string(uin);
  for (const char* field : {"nick", "first_name", "last_name", "email", "about"})
    text += std::string("\n  ") + field + ": " + result[field].get<std::string>();
  report(options, result, text);
  return 0;
}

int migrate(const Options& options) {
  config::Config config = loadConfig(options).with("postgres.migrate", "auto");
  wiring::PostgresStores postgres(config);
  size_t latest = pg::migrations().empty() ? 0 : static_cast<size_t>(pg::migrations().back().version);
  report(options, {{"schema_version", latest}}, "schema is at version " + std::to_string(latest));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("icqctl", "icqctl", "warn");
  CLI::App app{"icqctl — administer an icqcluster (accounts, schema)"};
  app.require_subcommand(1);
  Options options;
  app.add_option("-c,--config", options.configFile, "YAML configuration file (the servers' one)")
      ->envname("ICQ_CONFIG");
  app.add_option("--set", options.sets, "Override one configuration key: --set postgres.url=...");
  app.add_flag("--json", options.json, "Machine-readable output");

  CLI::App* user = app.add_subcommand("user", "Accounts")->require_subcommand(1);
  uint32_t uin = 0;
  std::string password, nick;
  CLI::App* create = user->add_subcommand("create", "Create an account (argon2id password hash)");
  create->add_option("--uin", uin, "UIN; omit to allocate the next free one")->check(CLI::Range(1u, 4294967295u));
  create->add_option("--password", password, "Password, at most 8 characters (ICQ 99's limit)")->required();
  create->add_option("--nick", nick, "Nickname");
  CLI::App* passwd = user->add_subcommand("passwd", "Set an account's password");
  passwd->add_option("--uin", uin, "UIN")->required()->check(CLI::Range(1u, 4294967295u));
  passwd->add_option("--password", password, "New password, at most 8 characters")->required();
  CLI::App* show = user->add_subcommand("show", "Show an account's profile (text converted from text.codepage)");
  show->add_option("--uin", uin, "UIN")->required()->check(CLI::Range(1u, 4294967295u));
  CLI::App* schema = app.add_subcommand("migrate", "Apply missing schema migrations and print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if ((create->parsed() || passwd->parsed()) && (password.empty() || password.size() > kMaxClientPassword)) {
    std::cerr << "icqctl: --password must be 1 to " << kMaxClientPassword << " characters (ICQ clients send no more)\n";
    return kUsage;
  }
  try {
    if (create->parsed()) return createUser(options, uin, password, nick);
    if (passwd->parsed()) return setPassword(options, uin, password);
    if (show->parsed()) return showUser(options, uin);
    if (schema->parsed()) return migrate(options);
  } catch (const config::ConfigError& e) {
    std::cerr << "icqctl: configuration error: " << e.what() << "\n";
    return kUsage;
  } catch (const std::invalid_argument& e) {  // an unknown text.codepage
    std::cerr << "icqctl: configuration error: text.codepage: " << e.what() << "\n";
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "icqctl: " << e.what() << "\n";
    return kFailed;
  }
  return kUsage;
}
