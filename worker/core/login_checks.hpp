// worker: the password check of a login, off the packet loop (issue 11: "password hashing runs
// beside the packet loop, so a login storm never delays other users' keep-alives or messages").
//
// A login's handler asks check() for the verdict on its password. The worker's verifier cache
// answers a password it proved lately at once (auth/verifier_cache.hpp); anything else is
// checked by argon2id on the worker's password-check threads (auth/password_checks.hpp), and
// the login is parked by its protocol's processor until the check is done. Then the processor
// runs the login's handler again with the check's ticket (Resume): the handler repeats its
// cheap steps (the session, the account) and, at the password, gets the verdict.
//
// One check per UIN at a time: a second login of a UIN whose check is under way (the client
// retransmitting its login, or starting a new one) waits for that check instead of starting
// another, and is answered from the cache once a proved password is there; so a storm costs
// one argon2id per user, not one per datagram. At most `maxWaiting` logins wait at once; past
// that a login is answered busy (its client tries again a few seconds later), which bounds the
// memory a flood of logins can take. One instance per worker, on its loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/auth/password_checks.hpp"
#include "common/auth/verifier_cache.hpp"

namespace icq::worker::core {

class LoginChecks {
public:
  enum class Verdict : uint8_t {
    valid,    // the password is right
    invalid,  // it is wrong
    pending,  // checked off the loop: park the login; it resumes with `wait`
    busy,     // too many logins wait already: answer busy
  };
  /// The check a parked login waits for, and whether it is the one that asked for it (then
  /// the check's verdict is its own; the others were waiting for a check of maybe another
  /// password, and look again).
  struct Resume {
    uint64_t ticket = 0;
    bool asker = false;
  };

  LoginChecks(auth::PasswordChecks& pool, auth::VerifierCache& cache, size_t maxWaiting);

  /// The verdict on `password` for `uin`, whose stored argon2id string is `storedHash`.
  /// `resumed`: the login is being run again after the check it waited for (else null).
  Verdict check(uint32_t uin, const std::string& storedHash, std::string_view password, const Resume* resumed,
                Resume& wait);
  /// A parked login gave up its wait (it was answered otherwise) or resumed.
  void leave(uint64_t ticket);

  /// Readable while finished checks wait to be collected.
  int readyFd() const { return pool_.readyFd(); }
  /// Collects the finished checks: a proved password goes into the verifier cache; `finished`
  /// gets the tickets whose parked logins may run again.
  void collect(std::vector<uint64_t>& finished);
  size_t waiting() const { return waiting_; }

private:
  struct Check {
    uint32_t uin = 0;
    bool done = false, valid = false;
    size_t waiters = 0;  // parked logins that resume when it is done
    std::string storedHash, password;  // kept to tell the cache, until it is done
  };
  auth::PasswordChecks& pool_;
  auth::VerifierCache& cache_;
  size_t maxWaiting_;
  uint64_t nextTicket_ = 1;
  std::unordered_map<uint64_t, Check> checks_;
  std::unordered_map<uint32_t, uint64_t> underway_;  // uin → the check running for it
  std::vector<auth::PasswordChecks::Result> results_;
  size_t waiting_ = 0;
};

}  // namespace icq::worker::core
