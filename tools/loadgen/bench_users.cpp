// icq-bench-users: bench accounts in bulk, as PostgreSQL COPY text for
// `COPY users (uin, password_hash, nick) FROM STDIN` — one argon2id hash per account (its own
// salt), at the cost given, on every core. The benchmark creates 100,000 accounts this way in
// seconds at the minimum cost, and pools at the production cost for the login figures.
// With --time-verify N it writes no accounts: it hashes one password at the cost given and
// times N verifications of it (crypto_pwhash_str_verify, what a worker runs per login), one
// after another on one thread, and prints their median and minimum in seconds as JSON — the
// cost of one login's hashing on this machine, which the login storm's figure is judged on.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/password.hpp"

namespace {

int timeVerify(const std::string& password, uint64_t opslimit, size_t memlimitKib, uint32_t rounds) {
  const std::string hash = icq::auth::hashPassword(password, opslimit, memlimitKib * 1024);
  std::vector<double> seconds;
  for (uint32_t i = 0; i < rounds; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = icq::auth::verifyPassword(hash, password);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!ok) {
      std::cerr << "icq-bench-users: a hash did not verify\n";
      return 1;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  std::cout << "{\"opslimit\": " << opslimit << ", \"memlimit_kib\": " << memlimitKib
            << ", \"verifications\": " << rounds << ", \"median_s\": " << seconds[seconds.size() / 2]
            << ", \"min_s\": " << seconds.front() << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"icq-bench-users — COPY rows of bench accounts with argon2id hashes"};
  uint32_t first = 0, count = 0, threads = std::max(1u, std::thread::hardware_concurrency()), timeRounds = 0;
  std::string password;
  uint64_t opslimit = 1;
  size_t memlimitKib = 8;
  auto* firstOption = app.add_option("--first-uin", first, "First UIN");
  auto* countOption = app.add_option("--count", count, "Accounts");
  app.add_option("--password", password, "Password of every account")->required();
  app.add_option("--opslimit", opslimit, "argon2id passes");
  app.add_option("--memlimit-kib", memlimitKib, "argon2id memory, KiB (libsodium's minimum is 8)");
  app.add_option("--threads", threads, "Hashing threads");
  auto* timeOption = app.add_option("--time-verify", timeRounds, "Write no accounts: time this many verifications");
  firstOption->excludes(timeOption);
  countOption->excludes(timeOption);
  CLI11_PARSE(app, argc, argv);
  if (timeRounds > 0) return timeVerify(password, opslimit, memlimitKib, timeRounds);
  if (!*firstOption || !*countOption) {
    std::cerr << "icq-bench-users: --first-uin and --count are required\n";
    return 2;
  }

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
