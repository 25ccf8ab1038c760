// PgDatabase: CREATE DATABASE / DROP DATABASE ... WITH (FORCE) over the admin connection;
// see pg_database.hpp.
#include "tests/support/pg_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string_view>

#include "common/pg/connection.hpp"

namespace icq::test {
namespace {

constexpr const char* kAdminUrlVariable = "ICQ_TEST_PG_ADMIN_URL";

std::string uniqueName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "icq_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1'000'000);
}

/// `admin` pointed at database `name`: a URI gets its path replaced, a key=value string a
/// trailing dbname (libpq lets the last occurrence of a keyword win).
std::string withDatabase(const std::string& admin, const std::string& name) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (admin.rfind(scheme, 0) != 0) continue;
    const size_t hostStart = scheme.size();
    const size_t query = admin.find('?', hostStart);
    const size_t path = admin.find('/', hostStart);
    const size_t hostEnd = path < query ? path : query;
    const std::string tail = query == std::string::npos ? "" : admin.substr(query);
    return admin.substr(0, hostEnd == std::string::npos ? admin.size() : hostEnd) + "/" + name + tail;
  }
  return admin + " dbname=" + name;
}

}  // namespace

std::string PgDatabase::adminUrl() {
  const char* url = std::getenv(kAdminUrlVariable);
  if (!url || !*url)
    throw std::runtime_error(std::string(kAdminUrlVariable) +
                             " is not set: PostgreSQL tests need a server, e.g. "
                             "\"host=127.0.0.1 port=55433 user=postgres dbname=postgres\" (TOOLING.md §2)");
  return url;
}

PgDatabase::PgDatabase() : admin_(adminUrl()), name_(uniqueName()), url_(withDatabase(admin_, name_)) {
  try {
    pqxx::connection admin(admin_);
    pqxx::nontransaction tx(admin);  // CREATE DATABASE cannot run inside a transaction
    tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot create test database on " + admin_ + ": " + error.what());
  }
}

PgDatabase::~PgDatabase() {
  try {
    pqxx::connection admin(admin_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The server went away first; the database dies with its throwaway cluster.
  }
}

}  // namespace icq::test
