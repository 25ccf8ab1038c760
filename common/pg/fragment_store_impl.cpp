// PgFragmentStore: V3 client fragments (protocol-v3.md §4.3–§4.6), one row per fragment.
//
// Why a transaction-scoped advisory lock
// --------------------------------------
// The fragments of one packet may be added by different workers at the same moment. Each
// add inserts its row and then reads the group; under READ COMMITTED two concurrent adds
// of the last two fragments could each miss the other's uncommitted row, and the packet
// would never be assembled. So every add first takes pg_advisory_xact_lock on the group's
// key (uin, seq2): adds to one group run one after the other and the last one sees them
// all. Adds to different groups do not wait for each other. The lock key lives in the top
// 16 bits' namespace "V3" (0x5633), apart from the migration lock. take() is a plain
// DELETE: of two callers (the completing add and a late retransmission of one of its
// fragments) only the one whose DELETE removed rows acts on the packet.
//
// The primary key (uin, seq2, first, second) makes a retransmitted fragment a no-op
// (ON CONFLICT DO NOTHING) instead of a second row that would stall its group (§4.3).
//
// Cleanup: at login and logoff the user's rows go (dropFor); the scheduler's job deletes
// rows older than v3.fragment_max_age_s in bounded batches, oldest first, with the same
// ctid TID-scan form as the offline-message purge (message_store_impl.cpp).
#include "common/pg/fragment_store_impl.hpp"

namespace icq::pg {
namespace {

constexpr const char* kLock = "fragments_lock";
constexpr const char* kInsert = "fragments_insert";
constexpr const char* kGroup = "fragments_group";
constexpr const char* kDeleteGroup = "fragments_delete_group";
constexpr const char* kDropFor = "fragments_drop_for";
constexpr const char* kPurge = "fragments_purge";

constexpr int64_t kLockNamespace = int64_t{0x5633} << 48;

}  // namespace

PgFragmentStore::PgFragmentStore(PgConnection& connection) : pg_(connection) {
  pg_.prepare(kLock, "SELECT pg_advisory_xact_lock($1::bigint)");
  pg_.prepare(kInsert,
              "INSERT INTO v3_fragments (uin, seq2, first, second, payload, received_at)"
              " VALUES ($1, $2, $3, $4, $5, 'epoch'::timestamptz + $6::bigint * interval '1 millisecond')"
              " ON CONFLICT DO NOTHING");
  pg_.prepare(kGroup, "SELECT first, second, payload FROM v3_fragments WHERE uin = $1 AND seq2 = $2");
  pg_.prepare(kDeleteGroup, "DELETE FROM v3_fragments WHERE uin = $1 AND seq2 = $2");
  pg_.prepare(kDropFor, "DELETE FROM v3_fragments WHERE uin = $1");
  pg_.prepare(kPurge,
              "DELETE FROM v3_fragments WHERE ctid = ANY (ARRAY(SELECT ctid FROM v3_fragments"
              " WHERE received_at < 'epoch'::timestamptz + $1::bigint * interval '1 millisecond'"
              " ORDER BY received_at LIMIT $2))");
}

bool PgFragmentStore::add(const store::ClientFragment& fragment, int64_t nowMs,
                          std::vector<store::StoredFragment>& group) {
  group.clear();
  return pg_.run("add_fragment", [&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    tx.exec_prepared(kLock, kLockNamespace | int64_t{fragment.uin} << 16 | fragment.seq2);
    const pqxx::binarystring payload(fragment.payload.data(), fragment.payload.size());
    tx.exec_prepared(kInsert, fragment.uin, fragment.seq2, int{fragment.first}, int{fragment.second}, payload, nowMs);
    const pqxx::result rows = tx.exec_prepared(kGroup, fragment.uin, fragment.seq2);
    tx.commit();
    group.reserve(rows.size());
    for (const pqxx::row& row : rows)
      group.push_back({static_cast<uint8_t>(row[0].as<int>()), static_cast<uint8_t>(row[1].as<int>()),
                       pqxx::binarystring(row[2]).str()});
  });
}

bool PgFragmentStore::take(uint32_t uin, uint16_t seq2, bool& taken) {
  taken = false;
  return pg_.run("take_fragments", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    taken = tx.exec_prepared(kDeleteGroup, uin, seq2).affected_rows() > 0;
  });
}

bool PgFragmentStore::dropFor(uint32_t uin) {
  return pg_.run("drop_fragments", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared(kDropFor, uin);
  });
}

bool PgFragmentStore::purgeReceivedBefore(int64_t cutoffMs, size_t limit, size_t& deleted) {
  deleted = 0;
  return pg_.run("purge_fragments", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    deleted = tx.exec_prepared(kPurge, cutoffMs, static_cast<int64_t>(limit)).affected_rows();
  });
}

}  // namespace icq::pg
