// The schema's migrations, oldest first, and the code that applies and checks them; see
// migrations.hpp. A released migration is never edited: changes are a new version.
#include "common/pg/migrations.hpp"

#include <array>
#include <map>

namespace icq::pg {
namespace {

// Argument of pg_advisory_xact_lock: any constant unique within the database. "ICQMIGRT".
constexpr int64_t kMigrationLock = 0x4943514d49475254;

constexpr auto kMigrations = std::to_array<Migration>({
    {1, "users and audit", R"sql(
-- Accounts (protocol-v5.md §11.2). Profile text is the client's 8-bit code page, stored
-- as bytes and never converted. password_hash is argon2id (common/auth/password.hpp).
CREATE TABLE users (
  uin                  bigint PRIMARY KEY CHECK (uin BETWEEN 1 AND 4294967295),
  password_hash        text NOT NULL,
  locked               boolean NOT NULL DEFAULT false,
  lock_text            bytea,
  must_change_password boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_login_at        timestamptz,
  last_login_ip        inet,
  nick                 bytea NOT NULL DEFAULT '',
  first_name           bytea NOT NULL DEFAULT '',
  last_name            bytea NOT NULL DEFAULT '',
  email                bytea NOT NULL DEFAULT ''
);

-- New UINs; the allocator skips values already taken by accounts created with an
-- explicit UIN (INSERT ... ON CONFLICT DO NOTHING, then the next value).
CREATE SEQUENCE users_uin_seq AS bigint START WITH 10000 MINVALUE 1 MAXVALUE 4294967295
  OWNED BY users.uin;

CREATE TABLE audit_events (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  uin    bigint,
  event  text NOT NULL,
  detail text
);
CREATE INDEX audit_events_uin_at ON audit_events (uin, at);
)sql"},
    {2, "profiles", R"sql(
-- Every profile field of protocol-v5.md §11.2, on the users row itself: a white-pages search
-- mixes names, places and codes, and one table lets each of its criteria use an index.
-- users.email (migration 1) is the primary e-mail. Text is bytea, the client's bytes.
ALTER TABLE users
  ADD COLUMN email2              bytea NOT NULL DEFAULT '',
  ADD COLUMN email3              bytea NOT NULL DEFAULT '',
  ADD COLUMN hide_email          boolean NOT NULL DEFAULT false,
  ADD COLUMN home_city           bytea NOT NULL DEFAULT '',
  ADD COLUMN home_state          bytea NOT NULL DEFAULT '',
  ADD COLUMN home_phone          bytea NOT NULL DEFAULT '',
  ADD COLUMN home_fax            bytea NOT NULL DEFAULT '',
  ADD COLUMN home_street         bytea NOT NULL DEFAULT '',
  ADD COLUMN home_cell           bytea NOT NULL DEFAULT '',
  ADD COLUMN home_zip            bytea NOT NULL DEFAULT '',
  ADD COLUMN home_country        integer NOT NULL DEFAULT 0 CHECK (home_country BETWEEN 0 AND 65535),
  ADD COLUMN timezone            smallint NOT NULL DEFAULT 0 CHECK (timezone BETWEEN -128 AND 127),
  ADD COLUMN auth_required       boolean NOT NULL DEFAULT false,
  ADD COLUMN web_aware           boolean NOT NULL DEFAULT true,
  ADD COLUMN hide_ip             boolean NOT NULL DEFAULT false,
  ADD COLUMN age                 integer NOT NULL DEFAULT 0 CHECK (age BETWEEN 0 AND 65535),
  ADD COLUMN gender              smallint NOT NULL DEFAULT 0 CHECK (gender BETWEEN 0 AND 255),
  ADD COLUMN homepage            bytea NOT NULL DEFAULT '',
  ADD COLUMN birth_year          integer NOT NULL DEFAULT 0 CHECK (birth_year BETWEEN 0 AND 65535),
  ADD COLUMN birth_month         smallint NOT NULL DEFAULT 0 CHECK (birth_month BETWEEN 0 AND 255),
  ADD COLUMN birth_day           smallint NOT NULL DEFAULT 0 CHECK (birth_day BETWEEN 0 AND 255),
  ADD COLUMN lang1               smallint NOT NULL DEFAULT 0 CHECK (lang1 BETWEEN 0 AND 255),
  ADD COLUMN lang2               smallint NOT NULL DEFAULT 0 CHECK (lang2 BETWEEN 0 AND 255),
  ADD COLUMN lang3               smallint NOT NULL DEFAULT 0 CHECK (lang3 BETWEEN 0 AND 255),
  ADD COLUMN work_city           bytea NOT NULL DEFAULT '',
  ADD COLUMN work_state          bytea NOT NULL DEFAULT '',
  ADD COLUMN work_phone          bytea NOT NULL DEFAULT '',
  ADD COLUMN work_fax            bytea NOT NULL DEFAULT '',
  ADD COLUMN work_street         bytea NOT NULL DEFAULT '',
  ADD COLUMN work_zip            bytea NOT NULL DEFAULT '',
  ADD COLUMN work_country        integer NOT NULL DEFAULT 0 CHECK (work_country BETWEEN 0 AND 65535),
  ADD COLUMN work_company        bytea NOT NULL DEFAULT '',
  ADD COLUMN work_department     bytea NOT NULL DEFAULT '',
  ADD COLUMN work_position       bytea NOT NULL DEFAULT '',
  ADD COLUMN work_occupation     integer NOT NULL DEFAULT 0 CHECK (work_occupation BETWEEN 0 AND 65535),
  ADD COLUMN work_homepage       bytea NOT NULL DEFAULT '',
  ADD COLUMN about               bytea NOT NULL DEFAULT '',
  ADD COLUMN about_changed_at    timestamptz,
  -- Category lists (§7.5, §7.7): a count and fixed slots, unused slots code 0 and empty.
  ADD COLUMN interest_count      smallint NOT NULL DEFAULT 0 CHECK (interest_count BETWEEN 0 AND 4),
  ADD COLUMN interest_code1      integer NOT NULL DEFAULT 0,
  ADD COLUMN interest_code2      integer NOT NULL DEFAULT 0,
  ADD COLUMN interest_code3      integer NOT NULL DEFAULT 0,
  ADD COLUMN interest_code4      integer NOT NULL DEFAULT 0,
  ADD COLUMN interest_key1       bytea NOT NULL DEFAULT '',
  ADD COLUMN interest_key2       bytea NOT NULL DEFAULT '',
  ADD COLUMN interest_key3       bytea NOT NULL DEFAULT '',
  ADD COLUMN interest_key4       bytea NOT NULL DEFAULT '',
  ADD COLUMN past_count          smallint NOT NULL DEFAULT 0 CHECK (past_count BETWEEN 0 AND 3),
  ADD COLUMN past_code1          integer NOT NULL DEFAULT 0,
  ADD COLUMN past_code2          integer NOT NULL DEFAULT 0,
  ADD COLUMN past_code3          integer NOT NULL DEFAULT 0,
  ADD COLUMN past_key1           bytea NOT NULL DEFAULT '',
  ADD COLUMN past_key2           bytea NOT NULL DEFAULT '',
  ADD COLUMN past_key3           bytea NOT NULL DEFAULT '',
  ADD COLUMN affiliation_count   smallint NOT NULL DEFAULT 0 CHECK (affiliation_count BETWEEN 0 AND 3),
  ADD COLUMN affiliation_code1   integer NOT NULL DEFAULT 0,
  ADD COLUMN affiliation_code2   integer NOT NULL DEFAULT 0,
  ADD COLUMN affiliation_code3   integer NOT NULL DEFAULT 0,
  ADD COLUMN affiliation_key1    bytea NOT NULL DEFAULT '',
  ADD COLUMN affiliation_key2    bytea NOT NULL DEFAULT '',
  ADD COLUMN affiliation_key3    bytea NOT NULL DEFAULT '',
  ADD COLUMN homepage_cat_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN homepage_cat        integer NOT NULL DEFAULT 0,
  ADD COLUMN homepage_cat_keys   bytea NOT NULL DEFAULT '';

-- Case-insensitive substring search (§6.5, §7.10, §7.11) over 8-bit text of unknown code
-- page: decode the bytes as LATIN1 (a fixed byte → code point map that never merges two
-- bytes), lower-case with the database's collation (ASCII always; other letters as its
-- locale knows them), match trigrams. Text stops at its first NUL, as clients read it (D44);
-- LATIN1 has no NUL character. convert_from() is only STABLE (other encodings' conversions
-- can change), but LATIN1's cannot, so this wrapper may be IMMUTABLE and feed generated
-- columns. The *_fold columns hold its result, so a match's recheck compares text instead of
-- calling the function.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE FUNCTION icq_fold(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(convert_from(CASE WHEN position('\x00'::bytea IN $1) > 0
                                 THEN substring($1 FROM 1 FOR position('\x00'::bytea IN $1) - 1)
                                 ELSE $1 END, 'LATIN1'))
$$;

ALTER TABLE users
  ADD COLUMN nick_fold          text GENERATED ALWAYS AS (icq_fold(nick)) STORED,
  ADD COLUMN first_name_fold    text GENERATED ALWAYS AS (icq_fold(first_name)) STORED,
  ADD COLUMN last_name_fold     text GENERATED ALWAYS AS (icq_fold(last_name)) STORED,
  ADD COLUMN email_fold         text GENERATED ALWAYS AS (icq_fold(email)) STORED,
  ADD COLUMN email2_fold        text GENERATED ALWAYS AS (icq_fold(email2)) STORED,
  ADD COLUMN home_city_fold     text GENERATED ALWAYS AS (icq_fold(home_city)) STORED,
  ADD COLUMN home_state_fold    text GENERATED ALWAYS AS (icq_fold(home_state)) STORED,
  ADD COLUMN work_state_fold    text GENERATED ALWAYS AS (icq_fold(work_state)) STORED,
  ADD COLUMN work_company_fold  text GENERATED ALWAYS AS (icq_fold(work_company)) STORED,
  ADD COLUMN work_position_fold text GENERATED ALWAYS AS (icq_fold(work_position)) STORED;

-- One index per search criterion; the UIN search uses the primary key. Keywords of the
-- category criteria are checked on the rows their code index finds.
CREATE INDEX users_nick_trgm          ON users USING gin (nick_fold gin_trgm_ops);
CREATE INDEX users_first_name_trgm    ON users USING gin (first_name_fold gin_trgm_ops);
CREATE INDEX users_last_name_trgm     ON users USING gin (last_name_fold gin_trgm_ops);
CREATE INDEX users_email_trgm         ON users USING gin (email_fold gin_trgm_ops);
CREATE INDEX users_email2_trgm        ON users USING gin (email2_fold gin_trgm_ops);
CREATE INDEX users_home_city_trgm     ON users USING gin (home_city_fold gin_trgm_ops);
CREATE INDEX users_home_state_trgm    ON users USING gin (home_state_fold gin_trgm_ops);
CREATE INDEX users_work_state_trgm    ON users USING gin (work_state_fold gin_trgm_ops);
CREATE INDEX users_work_company_trgm  ON users USING gin (work_company_fold gin_trgm_ops);
CREATE INDEX users_work_position_trgm ON users USING gin (work_position_fold gin_trgm_ops);
CREATE INDEX users_age                ON users (age);
CREATE INDEX users_gender             ON users (gender);
CREATE INDEX users_home_country       ON users (home_country);
CREATE INDEX users_work_country       ON users (work_country);
CREATE INDEX users_work_occupation    ON users (work_occupation);
CREATE INDEX users_homepage_cat       ON users (homepage_cat);
CREATE INDEX users_languages          ON users USING gin ((ARRAY[lang1, lang2, lang3]));
CREATE INDEX users_interest_codes     ON users USING gin
  ((ARRAY[interest_code1, interest_code2, interest_code3, interest_code4]));
CREATE INDEX users_past_codes         ON users USING gin ((ARRAY[past_code1, past_code2, past_code3]));
CREATE INDEX users_affiliation_codes  ON users USING gin
  ((ARRAY[affiliation_code1, affiliation_code2, affiliation_code3]));
)sql"},
    {3, "offline messages", R"sql(
-- Messages for users who were offline (protocol-v5.md §6.10 step 6, §11.2), delivered oldest
-- first (by id) and deleted up to the id of the batch the client acknowledged (§6.8, D22).
-- The text is the client's bytes without the NUL; stored_at is UTC (§8.12).
CREATE TABLE offline_messages (
  id        bigserial PRIMARY KEY,
  to_uin    bigint NOT NULL REFERENCES users (uin) ON DELETE CASCADE,
  from_uin  bigint NOT NULL,
  stored_at timestamptz NOT NULL,
  msg_type  int NOT NULL,
  text      bytea NOT NULL
);
CREATE INDEX offline_messages_to_uin_id ON offline_messages (to_uin, id);
)sql"},
    {4, "retention indexes", R"sql(
-- The scheduler's purge job deletes offline messages and audit entries past their retention
-- (retention.*) in small batches, oldest first; these indexes let each batch read only the
-- rows it deletes instead of scanning the table. A plain CREATE INDEX: migrations run in a
-- transaction, where CONCURRENTLY cannot; it holds off writes to the table while it builds.
CREATE INDEX offline_messages_stored_at ON offline_messages (stored_at);
CREATE INDEX audit_events_at ON audit_events (at);
)sql"},
    {5, "v3 fragments", R"sql(
-- Client fragments of V3 packets (protocol-v3.md §4.3–§4.6), kept until their packet is
-- complete: the fragments of one packet may reach different workers. first/second are the
-- two bytes after the header as received (which is the index and which the count is decided
-- per group, §4.6); the key makes a retransmitted fragment a no-op. Rows go when the packet
-- is assembled, when the user logs in or off, and by age (scheduler job fragment_cleanup).
CREATE TABLE v3_fragments (
  uin         bigint NOT NULL,
  seq2        int NOT NULL,
  first       smallint NOT NULL,
  second      smallint NOT NULL,
  payload     bytea NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (uin, seq2, first, second)
);
CREATE INDEX v3_fragments_received_at ON v3_fragments (received_at);

-- The Groupware department list (protocol-v3.md §6.4): codes and short names (8 bytes of
-- client text at most are sent), kept by an administrator.
CREATE TABLE v3_departments (
  code bigint PRIMARY KEY CHECK (code BETWEEN 0 AND 4294967295),
  name bytea NOT NULL
);
)sql"},
    {6, "broadcast permission", R"sql(
-- Who may send V3 BROADCAST_ALL/BROADCAST_ONLINE (protocol-v3.md §5.16: IServerd's
-- "can broadcast" account flag, also reported in HELLO). Granted by an administrator only.
ALTER TABLE users ADD COLUMN may_broadcast boolean NOT NULL DEFAULT false;
)sql"},
    {7, "session journal", R"sql(
-- The session journal (common/pg/journal_store_impl.cpp): every event of the event stream
-- once, by its own id, and one row per session built from its login and its end. Neither
-- references users: the journal outlives a deleted account, as an audit trail must.
CREATE TABLE journal_events (
  event_id   text PRIMARY KEY,
  session_id text,
  uin        bigint,
  at         timestamptz NOT NULL,
  kind       text NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX journal_events_session_at ON journal_events (session_id, at);
CREATE INDEX journal_events_uin_at ON journal_events (uin, at);
CREATE INDEX journal_events_at ON journal_events (at);

CREATE TABLE journal_sessions (
  session_id     text PRIMARY KEY,
  uin            bigint NOT NULL,
  protocol       smallint,
  client_version bigint,
  address        inet,
  port           integer,
  gateway        text,
  worker         text,
  started_at     timestamptz,
  ended_at       timestamptz,
  end_reason     text,
  packets        bigint
);
CREATE INDEX journal_sessions_uin_started ON journal_sessions (uin, started_at);
CREATE INDEX journal_sessions_address ON journal_sessions (address);
CREATE INDEX journal_sessions_started ON journal_sessions (started_at);
)sql"},
    {8, "journal message counts", R"sql(
-- A session's messages, counted as its message events are stored (each once, by its id), so
-- listing sessions reads a column instead of counting events. No message event was written
-- before this version: nothing to count up.
ALTER TABLE journal_sessions ADD COLUMN messages bigint NOT NULL DEFAULT 0;
)sql"},
});

const Migration* findMigration(int version) {
  for (const Migration& migration : kMigrations)
    if (migration.version == version) return &migration;
  return nullptr;
}

std::string describe(int version, std::string_view name) {
  return "migration " + std::to_string(version) + " \"" + std::string(name) + "\"";
}

void takeLock(pqxx::work& tx) { tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock); }

/// Version → name of every applied migration; empty if schema_migrations does not exist.
std::map<int, std::string> readApplied(pqxx::transaction_base& tx) {
  std::map<int, std::string> applied;
  if (tx.exec("SELECT to_regclass('schema_migrations') IS NULL")[0][0].as<bool>()) return applied;
  for (const auto& row : tx.exec("SELECT version, name FROM schema_migrations"))
    applied.emplace(row[0].as<int>(), row[1].as<std::string>());
  return applied;
}

void refuseUnknown(const std::map<int, std::string>& applied) {
  for (const auto& [version, name] : applied)
    if (!findMigration(version))
      throw MigrationError(version, name,
                           "the database has " + describe(version, name) +
                               ", which this binary does not know: it is older than the schema; run a newer one");
}

void applyOne(pqxx::connection& connection, const Migration& migration) {
  try {
    pqxx::work tx(connection);
    takeLock(tx);
    // Another replica may have applied it while we waited for the lock.
    if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version).empty()) return;
    tx.exec(std::string(migration.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                   migration.version, std::string(migration.name));
    tx.commit();
  } catch (const std::exception& error) {
    throw MigrationError(migration.version, std::string(migration.name),
                         describe(migration.version, migration.name) + " failed: " + error.what());
  }
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

MigrationError::MigrationError(int version, std::string name, const std::string& message)
    : std::runtime_error(message), version_(version), name_(std::move(name)) {}

void applyMigrations(PgConnection& connection) {
  pqxx::connection* link = nullptr;
  std::map<int, std::string> applied;
  try {
    link = &connection.connection();
    pqxx::work tx(*link);
    takeLock(tx);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    applied = readApplied(tx);
    tx.commit();
  } catch (const std::exception& error) {
    throw MigrationError(0, "schema_migrations", std::string("cannot read the schema version: ") + error.what());
  }
  refuseUnknown(applied);
  for (const Migration& migration : kMigrations)
    if (!applied.count(migration.version)) applyOne(*link, migration);
}

void checkMigrations(PgConnection& connection) {
  std::map<int, std::string> applied;
  try {
    pqxx::read_transaction tx(connection.connection());
    applied = readApplied(tx);
  } catch (const std::exception& error) {
    throw MigrationError(0, "schema_migrations", std::string("cannot read the schema version: ") + error.what());
  }
  refuseUnknown(applied);
  for (const Migration& migration : kMigrations)
    if (!applied.count(migration.version))
      throw MigrationError(migration.version, std::string(migration.name),
                           describe(migration.version, migration.name) +
                               " is not applied; start with postgres.migrate=auto to apply it");
}

}  // namespace icq::pg
