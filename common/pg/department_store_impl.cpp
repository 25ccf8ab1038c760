// PgDepartmentStore: one prepared statement over v3_departments (migration 5).
#include "common/pg/department_store_impl.hpp"

namespace icq::pg {
namespace {
constexpr const char* kList = "departments_list";
}

PgDepartmentStore::PgDepartmentStore(PgConnection& connection) : pg_(connection) {
  pg_.prepare(kList, "SELECT code, name FROM v3_departments ORDER BY code LIMIT $1");
}

bool PgDepartmentStore::list(size_t limit, std::vector<store::Department>& out) {
  out.clear();
  return pg_.run("list_departments", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    for (const pqxx::row& row : tx.exec_prepared(kList, static_cast<int64_t>(limit)))
      out.push_back({row[0].as<uint32_t>(), pqxx::binarystring(row[1]).str()});
  });
}

}  // namespace icq::pg
