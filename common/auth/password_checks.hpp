// Password checks beside the packet loop: a few threads that run argon2id verifications
// (tens of milliseconds of a core and 64 MiB each at production cost) so that a storm of
// logins never holds up a keep-alive or a message in the loop that hands them out (issue 11:
// "password hashing runs beside the packet loop"). The loop submits a check with a ticket and
// goes on; finished checks wait in a queue whose eventfd the loop polls with its sockets, and
// it collects them when it is readable.
//
// The threads run under SCHED_IDLE: they take only CPU that nothing else wants, so a login
// storm on a busy machine waits, and the sessions already online do not.
//
// Checks run in submission order per thread; a result carries only its ticket and verdict, so
// the caller keeps whatever it needs to resume (the login it belongs to). Bounded by the
// caller: the worker submits at most what its gateways' credits let in.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace icq::auth {

class PasswordChecks {
public:
  struct Result {
    uint64_t ticket = 0;
    bool valid = false;
  };

  /// Starts `threads` checking threads (at least one).
  explicit PasswordChecks(size_t threads);
  ~PasswordChecks();  // finishes the checks under way, drops the rest
  PasswordChecks(const PasswordChecks&) = delete;
  PasswordChecks& operator=(const PasswordChecks&) = delete;

  /// Queues a check of `password` against the argon2id string `storedHash`.
  void submit(uint64_t ticket, std::string storedHash, std::string password);
  /// A file descriptor that is readable while results wait (poll it with the loop's sockets).
  int readyFd() const { return eventFd_; }
  /// Appends every finished check to `out`.
  void collect(std::vector<Result>& out);
  /// Checks submitted and not yet collected.
  size_t outstanding() const;

private:
  struct Check {
    uint64_t ticket;
    std::string storedHash, password;
  };
  void run();

  int eventFd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<Check> queue_;
  std::vector<Result> done_;
  size_t outstanding_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace icq::auth
