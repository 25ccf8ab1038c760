// A throwaway PostgreSQL database for tests that need one (STYLE.md §7 "_pgtest"): created
// fresh on the server named by ICQ_TEST_PG_ADMIN_URL and dropped afterwards, so tests
// never see each other's rows and may run in parallel.
#pragma once

#include <string>

namespace icq::test {

class PgDatabase {
public:
  /// Creates a uniquely named, empty database. Throws std::runtime_error — failing the
  /// test, never skipping it — if ICQ_TEST_PG_ADMIN_URL is unset or the server refuses.
  PgDatabase();
  /// Drops the database, disconnecting whoever is still on it (WITH (FORCE)).
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  /// Connection string for the new database, in the admin URL's format.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  /// The admin connection string from ICQ_TEST_PG_ADMIN_URL, e.g.
  /// "host=127.0.0.1 port=55433 user=postgres dbname=postgres"; throws if unset.
  static std::string adminUrl();

private:
  std::string admin_;
  std::string name_;
  std::string url_;
};

}  // namespace icq::test
