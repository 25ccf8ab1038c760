// postgres.url with sslmode against a PostgreSQL that has ssl=on (a private server with a
// throwaway CA's certificate): the wiring every binary opens its connection with connects
// over TLS with sslmode=verify-full and the CA as sslrootcert, and refuses a server that
// another CA signed. docs/OPERATIONS.md, "TLS to the stores".
#include <catch2/catch.hpp>

#include <string>

#include "common/config/config.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/test_ca.hpp"

namespace icq {
namespace {

config::Config withUrl(const std::string& url) { return config::Config::defaults().with("postgres.url", url); }

/// What the server says about the connection's own backend: TLS or not.
bool tlsInUse(pg::PgConnection& connection) {
  bool ssl = false;
  REQUIRE(connection.run("tls", [&](pqxx::connection& link) {
    ssl = pqxx::nontransaction(link).exec1("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0].as<bool>();
  }));
  return ssl;
}

}  // namespace

TEST_CASE("postgres over TLS: verify-full with the server's CA connects encrypted", "[pg][tls]") {
  test::TestCa ca;
  test::PgServer server(ca.issue("postgres"));
  wiring::PostgresStores stores(withUrl(server.url("sslmode=verify-full sslrootcert=" + ca.caFile())));
  CHECK(tlsInUse(*stores.connection));
  // The same question tells a plain connection apart.
  wiring::PostgresStores plain(withUrl(server.url("sslmode=disable")));
  CHECK_FALSE(tlsInUse(*plain.connection));
}

TEST_CASE("postgres over TLS: verify-full refuses a server that another CA signed", "[pg][tls]") {
  test::TestCa ca;
  test::TestCa other;
  test::PgServer server(ca.issue("postgres"));
  CHECK_THROWS_WITH(wiring::PostgresStores(withUrl(server.url("sslmode=verify-full sslrootcert=" + other.caFile()))),
                    Catch::Contains("certificate verify failed"));
}

}  // namespace icq
