// Rendezvous ownership and the view's text form; see membership.hpp.
#include "common/store/membership.hpp"

#include <algorithm>
#include <charconv>

namespace icq::store {
namespace {

// splitmix64's finaliser: a full-avalanche 64-bit mix, so neighbouring UINs and ids that
// differ in one character land on unrelated owners.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// FNV-1a over the id, then mixed: stable across processes and builds (std::hash is not).
uint64_t seedOf(std::string_view id) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ULL;
  return mix(h);
}

template <class T>
bool parseNumber(std::string_view text, T& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

/// The next `separator`-terminated field of `text`, consumed.
std::string_view take(std::string_view& text, char separator) {
  size_t at = text.find(separator);
  std::string_view field = text.substr(0, at);
  text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
  return field;
}

}  // namespace

OwnerTable::OwnerTable(const MembershipView& view) : epoch_(view.epoch) {
  for (const WorkerRecord& owner : view.owners) {
    ids_.push_back(owner.id);
    seeds_.push_back(seedOf(owner.id));
  }
}

size_t OwnerTable::owner(uint32_t uin) const {
  size_t best = ids_.size();
  uint64_t bestScore = 0;
  const uint64_t key = mix(uint64_t{uin} + 0x9e3779b97f4a7c15ULL);
  for (size_t i = 0; i < seeds_.size(); ++i) {
    const uint64_t score = mix(seeds_[i] ^ key);
    if (best == ids_.size() || score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

size_t OwnerTable::indexOf(std::string_view id) const {
  auto it = std::find(ids_.begin(), ids_.end(), id);
  return static_cast<size_t>(it - ids_.begin());
}

bool OwnerTable::owns(std::string_view id, uint32_t uin) const {
  const size_t index = owner(uin);
  return index < ids_.size() && ids_[index] == id;
}

std::string encodeView(const MembershipView& view) {
  std::string text = std::to_string(view.epoch) + ' ' + std::to_string(view.settled) + '\n';
  for (const WorkerRecord& owner : view.owners) text += owner.id + ' ' + owner.endpoint + ' ' + owner.instance + '\n';
  return text;
}

std::optional<MembershipView> decodeView(std::string_view text) {
  MembershipView view;
  std::string_view head = take(text, '\n');
  if (!parseNumber(take(head, ' '), view.epoch) || !parseNumber(head, view.settled)) return std::nullopt;
  while (!text.empty()) {
    std::string_view line = take(text, '\n');
    WorkerRecord owner;
    owner.id = take(line, ' ');
    owner.endpoint = take(line, ' ');
    owner.instance = line;
    if (owner.id.empty() || owner.endpoint.empty() || owner.instance.empty() ||
        owner.instance.find(' ') != std::string::npos)
      return std::nullopt;
    view.owners.push_back(std::move(owner));
  }
  return view;
}

}  // namespace icq::store
