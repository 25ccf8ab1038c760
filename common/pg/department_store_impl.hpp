// PgDepartmentStore: the department list in PostgreSQL (table v3_departments, migration 5).
#pragma once

#include "common/pg/connection.hpp"
#include "common/store/department_store.hpp"

namespace icq::pg {

/// Implements store::DepartmentStore; like its connection, one instance per thread.
class PgDepartmentStore final : public store::DepartmentStore {
public:
  explicit PgDepartmentStore(PgConnection& connection);
  bool list(size_t limit, std::vector<store::Department>& out) override;

private:
  PgConnection& pg_;
};

}  // namespace icq::pg
