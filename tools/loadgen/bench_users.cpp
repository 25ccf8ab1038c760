// icq-bench-users: bench accounts in bulk, as PostgreSQL COPY text for
// `COPY users (uin, password_hash, nick) FROM STDIN` — one argon2id hash per account (its own
// salt), at the cost given, on every core. The benchmark creates 100,000 accounts this way in
// seconds at the minimum cost, and a small pool at the production cost for the login figure.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/password.hpp"

int main(int argc, char** argv) {
  CLI::App app{"icq-bench-users — COPY rows of bench accounts with argon2id hashes"};
  uint32_t first = 0, count = 0, threads = std::max(1u, std::thread::hardware_concurrency());
  std::string password;
  uint64_t opslimit = 1;
  size_t memlimitKib = 8;
  app.add_option("--first-uin", first, "First UIN")->required();
  app.add_option("--count", count, "Accounts")->required();
  app.add_option("--password", password, "Password of every account")->required();
  app.add_option("--opslimit", opslimit, "argon2id passes");
  app.add_option("--memlimit-kib", memlimitKib, "argon2id memory, KiB (libsodium's minimum is 8)");
  app.add_option("--threads", threads, "Hashing threads");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> hashes(count);
  std::vector<std::thread> workers;
  for (uint32_t t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (uint32_t i = t; i < count; i += threads)
        hashes[i] = icq::auth::hashPassword(password, opslimit, memlimitKib * 1024);
    });
  for (auto& w : workers) w.join();
  std::string out;
  for (uint32_t i = 0; i < count; ++i) out += std::to_string(first + i) + '\t' + hashes[i] + "\tbench\n";
  std::cout << out;
  return 0;
}
