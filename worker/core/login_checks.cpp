// worker: password checks of logins off the loop; see login_checks.hpp.
#include "worker/core/login_checks.hpp"

namespace icq::worker::core {

LoginChecks::LoginChecks(auth::PasswordChecks& pool, auth::VerifierCache& cache, size_t maxWaiting)
    : pool_(pool), cache_(cache), maxWaiting_(maxWaiting) {}

LoginChecks::Verdict LoginChecks::check(uint32_t uin, const std::string& storedHash, std::string_view password,
                                        const Resume* resumed, Resume& wait) {
  if (resumed && resumed->asker) {
    auto it = checks_.find(resumed->ticket);
    if (it != checks_.end() && it->second.done) return it->second.valid ? Verdict::valid : Verdict::invalid;
  }
  if (cache_.known(uin, storedHash, password)) return Verdict::valid;
  if (waiting_ >= maxWaiting_) return Verdict::busy;
  auto underway = underway_.find(uin);
  if (underway != underway_.end()) {  // wait for the check of this UIN under way
    wait = {underway->second, false};
  } else {
    wait = {nextTicket_++, true};
    checks_[wait.ticket] = Check{uin, false, false, 0, storedHash, std::string(password)};
    underway_[uin] = wait.ticket;
    pool_.submit(wait.ticket, storedHash, std::string(password));
  }
  checks_[wait.ticket].waiters++;
  waiting_++;
  return Verdict::pending;
}

void LoginChecks::leave(uint64_t ticket) {
  auto it = checks_.find(ticket);
  if (it == checks_.end()) return;
  waiting_--;
  if (--it->second.waiters == 0 && it->second.done) checks_.erase(it);
}

void LoginChecks::collect(std::vector<uint64_t>& finished) {
  finished.clear();
  results_.clear();
  pool_.collect(results_);
  for (const auto& result : results_) {
    auto it = checks_.find(result.ticket);
    if (it == checks_.end()) continue;
    Check& check = it->second;
    check.done = true;
    check.valid = result.valid;
    if (result.valid) cache_.proved(check.uin, check.storedHash, check.password);
    check.password.assign(check.password.size(), '\0');  // not kept longer than needed
    check.password.clear();
    check.storedHash.clear();
    if (underway_.count(check.uin) && underway_[check.uin] == result.ticket) underway_.erase(check.uin);
    if (check.waiters == 0) {
      checks_.erase(it);  // everyone waiting for it was answered otherwise
      continue;
    }
    finished.push_back(result.ticket);
  }
}

}  // namespace icq::worker::core
