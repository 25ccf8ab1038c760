// PgMessageStore: offline messages (protocol-v5.md §6.8, §6.10 step 6, §8.12, §11.2), one
// prepared statement per operation.
//
// The table
// ---------
// offline_messages (migration 3) holds one row per message: the whole text as the client
// sent it (bytea, without the NUL, never transcoded), its sender and type, and the UTC time
// it was stored. Rows reference their recipient and go with the account. The index
// (to_uin, id) serves the three per-recipient statements: a recipient's messages, oldest
// first, and the delete of a delivered batch.
//
// Why ids must commit in order per recipient
// ------------------------------------------
// A session remembers the highest id of the batch it sent, and CMD_ACK_MESSAGES deletes the
// recipient's rows up to that id (§6.8 decision, D22). That is only right if no message with
// a smaller id can become visible after the batch was read. A sequence alone does not
// promise it: an insert that drew id 5 may commit after one that drew id 6, and a batch read
// in between would carry 6, so the acknowledgement would delete 5 unseen. So an insert
// first locks its recipient's users row (FOR NO KEY UPDATE: it waits for other inserts to
// the same recipient, not for foreign-key checks) and only then draws its id. Whatever is
// still in flight for a recipient therefore has a larger id than everything committed for
// it. The same sub-select is the existence check: no such user, no row (D40, dropped).
//
// Retention
// ---------
// The purge deletes a bounded batch per call, the oldest first: the sub-select walks the
// stored_at index (migration 4) and stops after `limit` rows, and the DELETE takes exactly
// those rows by their physical address: "ctid = ANY (ARRAY(...))" is always a TID scan.
// "ctid IN (...)" or "id IN (...)" read the same rows, but the planner may join them to a
// scan of the whole table. A batch may race with a replica purging the same rows: the later
// DELETE finds them gone and counts fewer, nothing more.
//
// Broadcasts
// ----------
// A V3 BROADCAST_ALL stores a copy for every account: one statement per page of accounts by
// UIN (keyset, so each page is an index range), which locks the page's users rows in UIN
// order first, as a single insert locks its one row, so ids stay in commit order per
// recipient and the locks cannot deadlock with single inserts.
//
// Time: stored_at is computed from the caller's milliseconds with interval arithmetic, not
// floating point, so it reads back to the millisecond.
#include "common/pg/message_store_impl.hpp"

namespace icq::pg {
namespace {

// Statement names, prefixed so they cannot collide with another store's on a shared connection.
constexpr const char* kStore = "messages_store";
constexpr const char* kPending = "messages_pending";
constexpr const char* kDeleteDelivered = "messages_delete_delivered";
constexpr const char* kPurge = "messages_purge";
constexpr const char* kDeleteDeliveredBefore = "messages_delete_delivered_before";
constexpr const char* kCount = "messages_count";
constexpr const char* kStoreForAll = "messages_store_for_all";

}  // namespace

PgMessageStore::PgMessageStore(PgConnection& connection) : pg_(connection) {
  pg_.prepare(kStore,
              "INSERT INTO offline_messages (to_uin, from_uin, stored_at, msg_type, text)"
              " SELECT $1::bigint, $2::bigint, 'epoch'::timestamptz + $3::bigint * interval '1 millisecond',"
              " $4::int, $5::bytea"
              " WHERE EXISTS (SELECT 1 FROM users WHERE uin = $1::bigint FOR NO KEY UPDATE)");
  pg_.prepare(kPending,
              "SELECT id, from_uin, (extract(epoch FROM stored_at) * 1000)::bigint, msg_type, text"
              " FROM offline_messages WHERE to_uin = $1 ORDER BY id LIMIT $2");
  pg_.prepare(kDeleteDelivered, "DELETE FROM offline_messages WHERE to_uin = $1 AND id <= $2");
  pg_.prepare(kDeleteDeliveredBefore,
              "DELETE FROM offline_messages WHERE to_uin = $1 AND id <= $2"
              " AND stored_at < 'epoch'::timestamptz + $3::bigint * interval '1 millisecond'");
  pg_.prepare(kCount, "SELECT count(*) FROM offline_messages");
  pg_.prepare(kStoreForAll,
              "WITH page AS (SELECT uin, work_department FROM users WHERE uin > $1 ORDER BY uin LIMIT $2"
              " FOR NO KEY UPDATE),"
              " copies AS (INSERT INTO offline_messages (to_uin, from_uin, stored_at, msg_type, text)"
              " SELECT uin, $3::bigint, 'epoch'::timestamptz + $4::bigint * interval '1 millisecond', $5::int, $6::bytea"
              " FROM page WHERE uin <> ALL ($7::bigint[])"
              " AND ($8::bigint = 0 OR work_department = convert_to($8::bigint::text, 'UTF8')) ORDER BY uin"
              " RETURNING 1)"
              " SELECT coalesce((SELECT max(uin) FROM page), 0), (SELECT count(*) FROM copies)");
  pg_.prepare(kPurge,
              "DELETE FROM offline_messages WHERE ctid = ANY (ARRAY(SELECT ctid FROM offline_messages"
              " WHERE stored_at < 'epoch'::timestamptz + $1::bigint * interval '1 millisecond'"
              " ORDER BY stored_at LIMIT $2))");
}

bool PgMessageStore::storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text,
                                  int64_t atMs, bool& stored) {
  stored = false;
  return pg_.run("store_offline", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::binarystring bytes(text.data(), text.size());
    stored = tx.exec_prepared(kStore, to, from, atMs, type, bytes).affected_rows() == 1;
  });
}

bool PgMessageStore::storeForAll(uint32_t from, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                                 uint32_t department, const std::vector<uint32_t>& skip, uint32_t afterUin,
                                 size_t limit, uint32_t& lastUin, size_t& stored) {
  lastUin = 0;
  stored = 0;
  return pg_.run("store_for_all", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::binarystring bytes(text.data(), text.size());
    const pqxx::row row = tx.exec_prepared1(kStoreForAll, afterUin, static_cast<int64_t>(limit), from, atMs, type,
                                            bytes, bigintArray(skip), department);
    lastUin = row[0].as<uint32_t>();
    stored = row[1].as<size_t>();
  });
}

bool PgMessageStore::pendingFor(uint32_t uin, size_t limit, std::vector<store::OfflineMessage>& out) {
  out.clear();
  return pg_.run("pending_messages", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::result rows = tx.exec_prepared(kPending, uin, static_cast<int64_t>(limit));
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      store::OfflineMessage message;
      message.id = row[0].as<int64_t>();
      message.from = row[1].as<uint32_t>();
      message.to = uin;
      message.storedAtMs = row[2].as<int64_t>();
      message.type = static_cast<uint16_t>(row[3].as<int>());
      message.text = pqxx::binarystring(row[4]).str();
      out.push_back(std::move(message));
    }
  });
}

bool PgMessageStore::deleteDelivered(uint32_t uin, int64_t upToId) {
  return pg_.run("delete_delivered", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared(kDeleteDelivered, uin, upToId);
  });
}

bool PgMessageStore::deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) {
  return pg_.run("delete_delivered_before", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared(kDeleteDeliveredBefore, uin, upToId, beforeMs);
  });
}

bool PgMessageStore::purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) {
  deleted = 0;
  return pg_.run("purge_messages", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    deleted = tx.exec_prepared(kPurge, cutoffMs, static_cast<int64_t>(limit)).affected_rows();
  });
}

bool PgMessageStore::countStored(int64_t& out) {
  out = 0;
  return pg_.run("count_messages", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    out = tx.exec_prepared(kCount)[0][0].as<int64_t>();
  });
}

}  // namespace icq::pg
