// PgJournalStore: the session journal (issue 13; docs/OPERATIONS.md "Session journal").
//
// Idempotence
// -----------
// The event stream delivers at least once, and a producer may append an event twice, so a
// batch may hold events already stored, or one event twice. Events are inserted by their id
// with ON CONFLICT DO NOTHING. A session's row is written from its login (the start columns)
// and from its end (the end columns), each an upsert that sets only its own columns: the two
// may arrive in either order, in one batch or in two, any number of times, and the row ends
// the same. An upsert may not touch one row twice in one statement, so a batch's logins and
// ends are first reduced to one per session here (the latest wins).
//
// One statement per table, the batch passed as one jsonb array and unpacked with
// jsonb_to_recordset: no per-event round trip and no array literals to escape. Values that
// become typed columns (address, numbers) are checked here first, so that nothing an event
// carries can make the statement fail and the batch come back for ever; the event itself is
// stored whole, its fields as a jsonb object.
//
// Counts: a session's messages are its message events, added to its row by the statement
// that stores them, from what that statement inserted (RETURNING): an event stored before is
// not inserted again, so it is never counted twice. Its packets are what its end reports.
#include "common/pg/journal_store_impl.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "common/util/endpoint.hpp"
#include "common/util/integer.hpp"

namespace icq::pg {
namespace {

constexpr const char* kInsertEvents = "journal_insert_events";
constexpr const char* kUpsertStarts = "journal_upsert_starts";
constexpr const char* kUpsertEnds = "journal_upsert_ends";
constexpr const char* kSessions = "journal_sessions";
constexpr const char* kTimeline = "journal_timeline";
constexpr const char* kPurgeEvents = "journal_purge_events";
constexpr const char* kPurgeSessions = "journal_purge_sessions";

/// The timestamptz of `ms`, a bigint expression of milliseconds since the epoch: interval
/// arithmetic, not floating point, so it reads back to the millisecond.
std::string fromMs(std::string_view ms) {
  return "'epoch'::timestamptz + " + std::string(ms) + " * interval '1 millisecond'";
}

using Json = nlohmann::json;

/// JSON and jsonb take text only: bytes that are not UTF-8 become U+FFFD (the dump's replace
/// handler), and NUL, which jsonb refuses, is dropped.
std::string textOf(const std::string& value) {
  if (value.find('\0') == std::string::npos) return value;
  std::string out;
  for (char c : value)
    if (c != '\0') out += c;
  return out;
}

std::string dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json fieldsOf(const events::Event& event) {
  Json fields = Json::object();
  for (const events::Field& field : event.fields) fields[textOf(field.name)] = textOf(field.value);
  return fields;
}

/// A number field as a JSON number, or null when absent or not a number.
Json numberField(const events::Event& event, std::string_view name) {
  const std::string* text = event.field(name);
  int64_t value = 0;
  if (!text || !util::parseInteger(*text, value)) return nullptr;
  return value;
}

/// An IPv4 address field, or null.
Json addressField(const events::Event& event) {
  const std::string* text = event.field("address");
  if (!text || !util::parseIp(*text)) return nullptr;
  return *text;
}

Json stringField(const events::Event& event, std::string_view name) {
  const std::string* text = event.field(name);
  return text ? Json(textOf(*text)) : Json(nullptr);
}

bool isEnd(const events::Event& event) {
  return event.kind == events::EventKind::logoff || event.kind == events::EventKind::session_end;
}

std::string endReasonOf(const events::Event& event) {
  if (event.kind == events::EventKind::logoff) return "logoff";
  const std::string* reason = event.field("reason");
  return reason ? textOf(*reason) : "unknown";
}

std::string textOrEmpty(const pqxx::field& field) { return field.is_null() ? "" : field.as<std::string>(); }

template <class T>
std::optional<T> optionalOf(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace

PgJournalStore::PgJournalStore(PgConnection& connection) : pg_(connection) {
  pg_.prepare(kInsertEvents,
              std::string("WITH stored AS (INSERT INTO journal_events (event_id, session_id, uin, at, kind, detail)"
                          " SELECT id, nullif(session, ''), nullif(uin, 0), ") +
                  fromMs("at") +
                  ", kind, fields FROM jsonb_to_recordset($1::jsonb)"
                  " AS e(id text, session text, uin bigint, at bigint, kind text, fields jsonb)"
                  " ON CONFLICT (event_id) DO NOTHING RETURNING session_id, uin, kind),"
                  " counted AS (INSERT INTO journal_sessions (session_id, uin, messages)"
                  " SELECT session_id, min(uin), count(*) FROM stored"
                  " WHERE kind = 'message' AND session_id IS NOT NULL AND uin IS NOT NULL GROUP BY session_id"
                  " ON CONFLICT (session_id) DO UPDATE SET messages = journal_sessions.messages + EXCLUDED.messages)"
                  " SELECT count(*) FROM stored");
  pg_.prepare(kUpsertStarts,
              std::string("INSERT INTO journal_sessions"
                          " (session_id, uin, protocol, client_version, address, port, gateway, worker, started_at)"
                          " SELECT session, uin, protocol, client_version, address, port, gateway, worker, ") +
                  fromMs("at") +
                  " FROM jsonb_to_recordset($1::jsonb) AS s(session text, uin bigint, protocol smallint,"
                  " client_version bigint, address inet, port integer, gateway text, worker text, at bigint)"
                  " ON CONFLICT (session_id) DO UPDATE SET uin = EXCLUDED.uin, protocol = EXCLUDED.protocol,"
                  " client_version = EXCLUDED.client_version, address = EXCLUDED.address, port = EXCLUDED.port,"
                  " gateway = EXCLUDED.gateway, worker = EXCLUDED.worker, started_at = EXCLUDED.started_at");
  pg_.prepare(kUpsertEnds,
              std::string("INSERT INTO journal_sessions (session_id, uin, ended_at, end_reason, packets)"
                          " SELECT session, uin, ") +
                  fromMs("at") +
                  ", reason, packets FROM jsonb_to_recordset($1::jsonb)"
                  " AS s(session text, uin bigint, at bigint, reason text, packets bigint)"
                  " ON CONFLICT (session_id) DO UPDATE SET ended_at = EXCLUDED.ended_at,"
                  " end_reason = EXCLUDED.end_reason, packets = EXCLUDED.packets");
  pg_.prepare(kSessions,
              "SELECT s.session_id, s.uin, s.protocol, s.client_version, host(s.address), s.port, s.gateway,"
              " s.worker, (extract(epoch FROM s.started_at) * 1000)::bigint,"
              " (extract(epoch FROM s.ended_at) * 1000)::bigint, s.end_reason, s.packets, s.messages"
              " FROM journal_sessions s"
              " WHERE ($1::bigint IS NULL OR s.uin = $1::bigint)"
              " AND ($2::inet IS NULL OR s.address <<= $2::inet)"
              " AND ($3::bigint IS NULL OR coalesce(s.ended_at, 'infinity') >= " +
                  fromMs("$3::bigint") + ") AND ($4::bigint IS NULL OR s.started_at < " + fromMs("$4::bigint") +
                  ") ORDER BY s.started_at DESC NULLS LAST, s.session_id LIMIT $5");
  pg_.prepare(kTimeline,
              "SELECT event_id, kind, (extract(epoch FROM at) * 1000)::bigint, coalesce(uin, 0), detail::text"
              " FROM journal_events WHERE session_id = $1 ORDER BY at, event_id");
  pg_.prepare(kPurgeEvents,
              "DELETE FROM journal_events WHERE ctid = ANY (ARRAY(SELECT ctid FROM journal_events"
              " WHERE at < " +
                  fromMs("$1::bigint") + " ORDER BY at LIMIT $2))");
  pg_.prepare(kPurgeSessions,
              "DELETE FROM journal_sessions WHERE ctid = ANY (ARRAY(SELECT ctid FROM journal_sessions"
              " WHERE coalesce(ended_at, started_at) < " +
                  fromMs("$1::bigint") + " ORDER BY started_at LIMIT $2))");
}

bool PgJournalStore::write(std::span<const events::Event> events, size_t& stored) {
  stored = 0;
  if (events.empty()) return true;
  Json all = Json::array();
  std::map<std::string, const events::Event*> starts, ends;  // per session, the latest
  for (const events::Event& event : events) {
    all.push_back({{"id", textOf(event.id)},
                   {"session", textOf(event.session)},
                   {"uin", event.uin},
                   {"at", event.atMs},
                   {"kind", events::kindName(event.kind)},
                   {"fields", fieldsOf(event)}});
    const bool start = event.kind == events::EventKind::login;
    if (event.session.empty() || (!start && !isEnd(event))) continue;
    const events::Event*& latest = (start ? starts : ends)[event.session];
    if (!latest || latest->atMs <= event.atMs) latest = &event;
  }
  Json startRows = Json::array(), endRows = Json::array();
  for (const auto& [session, event] : starts) {
    startRows.push_back({{"session", textOf(session)},
                         {"uin", event->uin},
                         {"protocol", numberField(*event, "protocol")},
                         {"client_version", numberField(*event, "client_version")},
                         {"address", addressField(*event)},
                         {"port", numberField(*event, "port")},
                         {"gateway", stringField(*event, "gateway")},
                         {"worker", stringField(*event, "worker")},
                         {"at", event->atMs}});
  }
  for (const auto& [session, event] : ends) {
    endRows.push_back({{"session", textOf(session)},
                       {"uin", event->uin},
                       {"at", event->atMs},
                       {"reason", endReasonOf(*event)},
                       {"packets", numberField(*event, "packets")}});
  }
  return pg_.run("journal_write", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    stored = tx.exec_prepared(kInsertEvents, dump(all))[0][0].as<size_t>();
    if (!startRows.empty()) tx.exec_prepared(kUpsertStarts, dump(startRows));
    if (!endRows.empty()) tx.exec_prepared(kUpsertEnds, dump(endRows));
    tx.commit();
  });
}

bool PgJournalStore::sessions(const store::JournalQuery& query, std::vector<store::JournalSession>& out) {
  out.clear();
  std::optional<int64_t> uin;
  if (query.uin) uin = *query.uin;
  std::optional<std::string> network;
  if (!query.network.empty()) network = query.network;
  return pg_.run("journal_sessions", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const pqxx::row& row : tx.exec_prepared(kSessions, uin, network, query.fromMs, query.untilMs,
                                                 static_cast<int64_t>(query.limit))) {
      store::JournalSession& s = out.emplace_back();
      s.id = row[0].as<std::string>();
      s.uin = row[1].as<uint32_t>();
      s.protocol = optionalOf<int>(row[2]);
      s.clientVersion = optionalOf<int64_t>(row[3]);
      s.address = textOrEmpty(row[4]);
      s.port = optionalOf<int>(row[5]);
      s.gateway = textOrEmpty(row[6]);
      s.worker = textOrEmpty(row[7]);
      s.startedMs = optionalOf<int64_t>(row[8]);
      s.endedMs = optionalOf<int64_t>(row[9]);
      s.endReason = textOrEmpty(row[10]);
      s.packets = optionalOf<int64_t>(row[11]);
      s.messages = row[12].as<int64_t>();
    }
  });
}

bool PgJournalStore::timeline(const std::string& sessionId, std::vector<events::Event>& out) {
  out.clear();
  return pg_.run("journal_timeline", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const pqxx::row& row : tx.exec_prepared(kTimeline, sessionId)) {
      events::Event& event = out.emplace_back();
      event.id = row[0].as<std::string>();
      event.kind = events::kindNamed(row[1].as<std::string>()).value_or(events::EventKind::admin);
      event.atMs = row[2].as<int64_t>();
      event.uin = row[3].as<uint32_t>();
      event.session = sessionId;
      const Json detail = Json::parse(row[4].as<std::string>());
      for (const auto& [name, value] : detail.items())
        event.fields.push_back({name, value.is_string() ? value.get<std::string>() : value.dump()});
    }
  });
}

bool PgJournalStore::purgeBefore(int64_t cutoffMs, size_t limit, size_t& deleted) {
  deleted = 0;
  return pg_.run("journal_purge", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    deleted = tx.exec_prepared(kPurgeEvents, cutoffMs, static_cast<int64_t>(limit)).affected_rows();
    deleted += tx.exec_prepared(kPurgeSessions, cutoffMs, static_cast<int64_t>(limit)).affected_rows();
    tx.commit();
  });
}

}  // namespace icq::pg
