// DepartmentStore: the department list of the Groupware product (protocol-v3.md §6.4, §14.2
// Users_Deps): numeric codes and short names, used in work info and for department
// broadcasts, told to V3 clients in DEPS_LIST, DEPS_LIST1 and REGISTER_INFO. Reference data
// an administrator keeps; workers only read it. Failures are values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace icq::store {

struct Department {
  uint32_t code = 0;
  std::string name;  // 8-bit client text
};

class DepartmentStore {
public:
  virtual ~DepartmentStore() = default;
  /// Every department, by code, at most `limit`.
  virtual bool list(size_t limit, std::vector<Department>& out) = 0;
};

}  // namespace icq::store
