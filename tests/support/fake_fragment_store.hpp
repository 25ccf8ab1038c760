// In-memory store::FragmentStore and store::DepartmentStore for unit tests of the V3 worker:
// fragment groups keyed (uin, seq2), a second copy of a fragment not stored twice, a group
// taken by exactly one caller; and a fixed department list.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/store/department_store.hpp"
#include "common/store/fragment_store.hpp"

namespace icq::test {

class FakeFragmentStore final : public store::FragmentStore {
public:
  bool unreachable = false;
  std::map<std::pair<uint32_t, uint16_t>, std::vector<store::StoredFragment>> groups;

  bool add(const store::ClientFragment& fragment, int64_t, std::vector<store::StoredFragment>& group) override {
    group.clear();
    if (unreachable) return false;
    auto& stored = groups[{fragment.uin, fragment.seq2}];
    store::StoredFragment piece{fragment.first, fragment.second,
                                std::string(fragment.payload.begin(), fragment.payload.end())};
    bool known = false;
    for (const auto& s : stored) known = known || (s.first == piece.first && s.second == piece.second);
    if (!known) stored.push_back(piece);
    group = stored;
    return true;
  }
  bool take(uint32_t uin, uint16_t seq2, bool& taken) override {
    taken = false;
    if (unreachable) return false;
    taken = groups.erase({uin, seq2}) > 0;
    return true;
  }
  bool dropFor(uint32_t uin) override {
    if (unreachable) return false;
    std::erase_if(groups, [&](const auto& g) { return g.first.first == uin; });
    return true;
  }
  bool purgeReceivedBefore(int64_t, size_t, size_t& deleted) override {
    deleted = 0;
    return !unreachable;
  }
};

class FakeDepartmentStore final : public store::DepartmentStore {
public:
  std::vector<store::Department> departments;
  bool list(size_t limit, std::vector<store::Department>& out) override {
    out.assign(departments.begin(), departments.begin() + static_cast<ptrdiff_t>(std::min(limit, departments.size())));
    return true;
  }
};

}  // namespace icq::test
