// The per-process verifier cache; see verifier_cache.hpp for what it keeps and why.
#include "common/auth/verifier_cache.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/auth/password.hpp"

namespace icq::auth {

VerifierCache::VerifierCache(Limits limits, const util::Clock& clock) : limits_(limits), clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_generichash_keygen(key_.data());
}

VerifierCache::Digest VerifierCache::credentialDigest(uint32_t uin, std::string_view password) const {
  const std::array<uint8_t, 4> uinBytes{static_cast<uint8_t>(uin), static_cast<uint8_t>(uin >> 8),
                                        static_cast<uint8_t>(uin >> 16), static_cast<uint8_t>(uin >> 24)};
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), key_.size(), sizeof(Digest));
  crypto_generichash_update(&state, uinBytes.data(), uinBytes.size());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(password.data()), password.size());
  Digest out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

VerifierCache::Digest VerifierCache::storedDigest(const std::string& storedHash) const {
  Digest out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(storedHash.data()), storedHash.size(),
                     key_.data(), key_.size());
  return out;
}

VerifierCache::Entry* VerifierCache::find(uint32_t uin) {
  auto it = index_.find(uin);
  if (it == index_.end()) return nullptr;
  if (it->second->expiresMs <= clock_.nowMs()) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

void VerifierCache::remember(uint32_t uin, const Digest& credential, const Digest& stored) {
  if (limits_.entries == 0) return;
  forget(uin);
  while (index_.size() >= limits_.entries) {
    index_.erase(lru_.back().uin);
    lru_.pop_back();
  }
  lru_.push_front({uin, credential, stored, clock_.nowMs() + limits_.ttlMs});
  index_[uin] = lru_.begin();
}

bool VerifierCache::verify(uint32_t uin, const std::string& storedHash, std::string_view password) {
  if (known(uin, storedHash, password)) return true;
  argon2Checks_++;
  if (!verifyPassword(storedHash, password)) return false;
  proved(uin, storedHash, password);
  return true;
}

bool VerifierCache::known(uint32_t uin, const std::string& storedHash, std::string_view password) {
  Entry* entry = find(uin);
  if (!entry) return false;
  const Digest stored = storedDigest(storedHash);
  if (sodium_memcmp(entry->stored.data(), stored.data(), stored.size()) != 0) {
    forget(uin);  // the password changed since: what was proved is void
    return false;
  }
  const Digest credential = credentialDigest(uin, password);
  if (sodium_memcmp(entry->credential.data(), credential.data(), credential.size()) != 0) return false;
  hits_++;
  return true;
}

void VerifierCache::proved(uint32_t uin, const std::string& storedHash, std::string_view password) {
  remember(uin, credentialDigest(uin, password), storedDigest(storedHash));
}

bool VerifierCache::remembers(uint32_t uin, std::string_view password) {
  const Entry* entry = find(uin);
  if (!entry) return false;
  const Digest credential = credentialDigest(uin, password);
  return sodium_memcmp(entry->credential.data(), credential.data(), credential.size()) == 0;
}

void VerifierCache::forget(uint32_t uin) {
  auto it = index_.find(uin);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

}  // namespace icq::auth
