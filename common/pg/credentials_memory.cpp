// CredentialsMemory; see credentials_memory.hpp.
#include "common/pg/credentials_memory.hpp"

namespace icq::pg {

void CredentialsMemory::remember(uint32_t uin, const std::optional<store::UserCredentials>& credentials,
                                 int64_t nowMs) {
  if (!credentials) return forget(uin);  // the account is gone: nothing to let in
  if (entries_ == 0) return;
  auto it = index_.find(uin);
  if (it == index_.end()) {
    if (index_.size() >= entries_) {
      index_.erase(byAge_.back());
      byAge_.pop_back();
    }
    byAge_.push_front(uin);
    it = index_.emplace(uin, Entry{{}, 0, byAge_.begin()}).first;
  } else {
    byAge_.splice(byAge_.begin(), byAge_, it->second.age);
  }
  it->second.credentials = *credentials;
  it->second.readAtMs = nowMs;
}

const store::UserCredentials* CredentialsMemory::recall(uint32_t uin, int64_t nowMs) const {
  const auto it = index_.find(uin);
  if (it == index_.end() || nowMs - it->second.readAtMs > ttlMs_) return nullptr;
  return &it->second.credentials;
}

void CredentialsMemory::forget(uint32_t uin) {
  const auto it = index_.find(uin);
  if (it == index_.end()) return;
  byAge_.erase(it->second.age);
  index_.erase(it);
}

}  // namespace icq::pg
