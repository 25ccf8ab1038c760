// PgFragmentStore: V3 client fragments in PostgreSQL (table v3_fragments, migration 5;
// protocol-v3.md §4.3–§4.6). The design notes open the .cpp.
#pragma once

#include "common/pg/connection.hpp"
#include "common/store/fragment_store.hpp"

namespace icq::pg {

/// Implements store::FragmentStore; like its connection, one instance per thread.
class PgFragmentStore final : public store::FragmentStore {
public:
  explicit PgFragmentStore(PgConnection& connection);

  // store::FragmentStore
  bool add(const store::ClientFragment& fragment, int64_t nowMs, std::vector<store::StoredFragment>& group) override;
  bool take(uint32_t uin, uint16_t seq2, bool& taken) override;
  bool dropFor(uint32_t uin) override;
  bool purgeReceivedBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;

private:
  PgConnection& pg_;
};

}  // namespace icq::pg
