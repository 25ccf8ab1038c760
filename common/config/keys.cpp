// Every configuration key of every binary; see keys.hpp. Defaults follow
// protocol-v5.md §14.2 where the spec suggests one.
#include "common/config/keys.hpp"

#include <array>
#include <cctype>

namespace icq::config {
namespace {

using enum KeyType;

constexpr auto kAll = std::to_array<KeyDef>({
    {"log.level", Choice, "info", 0, 0, "trace|debug|info|warn|error", "all",
     "Lowest level written to stdout, one JSON object per line."},

    {"text.codepage", String, "CP1252", 0, 0, "", "icqctl",
     "Code page of the clients' 8-bit text (an iconv name: CP1252, CP1251, KOI8-R, ...). Text is stored and "
     "relayed unchanged; only what is shown to people (admin tools) is converted to UTF-8 with it."},

    {"redis.host", String, "127.0.0.1", 0, 0, "", "all", "Redis server address."},
    {"redis.port", Integer, "6379", 1, 65535, "", "all", "Redis server port."},
    {"redis.unix_socket", String, "", 0, 0, "", "all",
     "Path of Redis's Unix socket; when set it is used instead of redis.host and redis.port. On one machine it "
     "takes a fraction of the TCP loopback's time per round trip, which every batch of a worker waits for."},
    {"redis.username", String, "", 0, 0, "", "all",
     "Redis ACL user to AUTH as after every connect (with redis.password); empty: the default user."},
    {"redis.password", String, "", 0, 0, "", "all",
     "Password to AUTH with after every connect; empty: no AUTH. Prefer the environment variable: it is a "
     "secret.",
     true},
    {"redis.db", Integer, "0", 0, 15, "", "all", "Redis logical database (SELECT); 0 on Redis Cluster."},
    {"redis.cluster_nodes", String, "", 0, 0, "", "all",
     "Seed nodes of a Redis Cluster, host:port[,host:port...]; when set, the processes follow the cluster's slot "
     "map (from CLUSTER SLOTS, refreshed on MOVED and on a lost link) and redis.host, redis.port, "
     "redis.unix_socket and redis.db are not used. Empty: one Redis server."},
    {"redis.timeout_ms", Integer, "2000", 10, 60000, "", "all",
     "Connect and command timeout; a call that takes longer counts as a Redis failure."},

    {"postgres.url", String, "postgresql://icq:icq@127.0.0.1:5432/icq", 0, 0, "", "worker, scheduler, icqctl, icqd",
     "libpq connection string or URL. Prefer the environment variable: it holds a password.", true},
    {"postgres.migrate", Choice, "auto", 0, 0, "auto|check", "worker, scheduler, icqctl, icqd",
     "auto: apply missing schema migrations at start (serialised by an advisory lock); "
     "check: refuse to start unless the schema is current."},

    {"admin.listen", String, "0.0.0.0:9464", 0, 0, "", "gateway, worker, scheduler, icqd",
     "host:port of the admin HTTP port: /metrics (Prometheus), /healthz, /readyz, and on the scheduler the "
     "admin API. Empty disables it. A port that cannot be bound stops the process at start."},
    {"admin.api_token", String, "", 0, 0, "", "scheduler, icqd",
     "Bearer token of the admin API (/api/v1/ on the scheduler's admin port, docs/admin-api.yaml); every "
     "request must send \"Authorization: Bearer <token>\". Empty refuses the whole API with 503. Prefer the "
     "environment variable: it is a credential.",
     true},

    {"gateway.id", String, "", 0, 0, "", "gateway, icqd",
     "Routing identity of this gateway; empty means POD_NAME, else the host name plus the UDP port."},
    {"gateway.udp_bind", String, "0.0.0.0", 0, 0, "", "gateway, icqd", "IPv4 address the UDP socket binds."},
    {"gateway.udp_port", Integer, "4000", 0, 65535, "", "gateway, icqd",
     "UDP port clients talk to (0 picks a free port, for tests)."},
    {"gateway.pipeline_bind", String, "tcp://127.0.0.1:5600", 0, 0, "", "gateway",
     "ZeroMQ endpoint the gateway's ROUTER binds for workers and schedulers (port 0 or * picks a free one)."},
    {"gateway.pipeline_advertise", String, "", 0, 0, "", "gateway",
     "Endpoint written to the registry for workers to connect to; empty means the bound endpoint."},
    {"gateway.heartbeat_ms", Integer, "1000", 100, 60000, "", "gateway, icqd",
     "How often the gateway refreshes its registry entry."},
    {"gateway.registration_ttl_ms", Integer, "5000", 300, 600000, "", "gateway, icqd",
     "How long a registry entry outlives the last heartbeat; workers drop a gateway after it."},
    {"gateway.membership_poll_ms", Integer, "100", 10, 10000, "", "gateway, icqd",
     "How often the gateway reads the membership view that says which worker owns which UIN; a new worker "
     "gets its UINs, and a dead one's move on, this much later at most."},
    {"gateway.rate_per_s", Integer, "200", 1, 1000000, "", "gateway, icqd",
     "Token-bucket refill per source IP, datagrams per second."},
    {"gateway.rate_burst", Integer, "400", 1, 1000000, "", "gateway, icqd",
     "Token-bucket depth per source IP, datagrams."},
    {"gateway.queue_limit", Integer, "4096", 0, 1000000, "", "gateway, icqd",
     "Datagrams held while no worker has credit; beyond it the oldest are dropped, counted and answered "
     "SRV_TRY_AGAIN (at most one a second per source IP)."},
    {"gateway.queue_max_age_ms", Integer, "2000", 1, 60000, "", "gateway, icqd",
     "A held datagram older than this is dropped, counted and answered SRV_TRY_AGAIN like queue_limit's."},

    {"worker.id", String, "", 0, 0, "", "worker, icqd",
     "Routing identity of this worker; empty means POD_NAME, else the host name plus the process id."},
    {"worker.credit_window", Integer, "256", 1, 65536, "", "worker, icqd",
     "Datagrams a gateway may hand this worker before it has answered them: the most a crash can lose."},
    {"worker.gateway_refresh_ms", Integer, "1000", 50, 60000, "", "worker, scheduler, icqd",
     "How often the worker re-reads the gateway registry to follow gateways that come and go."},

    {"worker.peer_bind", String, "tcp://127.0.0.1:0", 0, 0, "", "worker",
     "ZeroMQ endpoint the worker's peer ROUTER binds: other workers, schedulers and the admin API hand it "
     "reliable packets, timeouts and disconnects for the sessions it owns (port 0 or * picks a free one)."},
    {"worker.peer_advertise", String, "", 0, 0, "", "worker",
     "Endpoint written to the membership for peers to connect to; empty means the bound endpoint, with a "
     "wildcard address (0.0.0.0) replaced by the host name."},
    {"worker.heartbeat_ms", Integer, "200", 20, 10000, "", "worker, icqd",
     "How often a worker renews its membership lease; also how soon it learns a new membership view."},
    {"worker.lease_ms", Integer, "3000", 200, 600000, "", "worker, icqd",
     "How long a worker stays a member after its last heartbeat: a dead worker's sessions move to the others "
     "this long after it died. Must exceed worker.heartbeat_ms several times."},
    {"worker.session_refresh_s", Integer, "60", 1, 3600, "", "worker, icqd",
     "How often an active V5 session's last packet time reaches Redis (for the scheduler's expiry sweep and the "
     "admin's listing); V3 sessions refresh at a quarter of v3.session_ttl_s if that is sooner. Keep it well "
     "below v5.session_ttl_s: the sweep adds it to the TTL before it asks an owner to look."},
    {"worker.peer_timeout_ms", Integer, "500", 10, 60000, "", "worker, scheduler, icqd",
     "How long a worker waits for another worker to confirm that it queued a message for one of its sessions "
     "before the sender's packet is left unanswered (the client retransmits)."},

    {"scheduler.id", String, "", 0, 0, "", "scheduler, icqd",
     "Identity used as the holder of leases; empty means POD_NAME, else host name plus process id."},
    {"scheduler.tick_ms", Integer, "1000", 10, 60000, "", "scheduler, icqd",
     "Scheduler loop period; expiry is exact to within one tick."},
    {"scheduler.lease_ms", Integer, "5000", 100, 600000, "", "scheduler, icqd",
     "Lease length for a job; another replica takes over a job this long after its holder died."},
    {"scheduler.expire_batch", Integer, "1000", 1, 100000, "", "scheduler, icqd",
     "Most sessions examined per tick by the keep-alive expiry job."},

    {"icqd.workers", Integer, "2", 1, 64, "", "icqd",
     "Worker threads in the all-in-one process (each with its own Redis and PostgreSQL connections)."},

    {"scheduler.fragment_cleanup_interval_s", Integer, "60", 1, 86400, "", "scheduler, icqd",
     "How often the fragment_cleanup job looks for stale V3 client fragments."},
    {"scheduler.fragment_cleanup_batch", Integer, "1000", 1, 100000, "", "scheduler, icqd",
     "Most stale V3 fragments one fragment_cleanup slice deletes; a full batch is followed by another at the next "
     "tick."},
    {"scheduler.retransmit_batch", Integer, "1000", 1, 100000, "", "scheduler, icqd",
     "Most sessions whose unconfirmed packets are resent per tick."},
    {"scheduler.retransmit_claim_ms", Integer, "30000", 100, 600000, "", "scheduler, icqd",
     "How long a claimed retransmission belongs to the replica that claimed it; if that replica dies, another "
     "resends after this long."},
    {"scheduler.purge_interval_s", Integer, "3600", 1, 604800, "", "scheduler, icqd",
     "How often the purge job deletes offline messages and audit entries past their retention (retention.*)."},
    {"scheduler.purge_batch", Integer, "1000", 1, 100000, "", "scheduler, icqd",
     "Most rows of each table the purge job deletes per tick; a backlog takes as many ticks as it needs."},
    {"scheduler.vacuum_interval_s", Integer, "3600", 60, 604800, "", "scheduler, icqd",
     "How often VACUUM (ANALYZE) runs on the busy tables (offline_messages, audit_events, users), one table at "
     "a time; the scheduler never waits for it."},
    {"scheduler.validate_interval_s", Integer, "60", 1, 86400, "", "scheduler, icqd",
     "How often the online index is walked to count sessions homed on a gateway that is gone and to remove "
     "entries whose session is gone."},
    {"scheduler.validate_batch", Integer, "1000", 1, 100000, "", "scheduler, icqd",
     "About how many online-index entries that walk visits per tick."},

    {"retention.offline_messages_days", Integer, "180", 0, 36500, "", "scheduler, icqd",
     "Offline messages still waiting for their recipient this many days after they were stored are deleted. "
     "0 = kept forever."},
    {"retention.audit_days", Integer, "90", 0, 36500, "", "scheduler, icqd",
     "Audit entries (logins, logoffs, expiries, account changes) older than this are deleted. 0 = kept forever."},
    {"retention.journal_days", Integer, "90", 0, 36500, "", "scheduler, icqd",
     "The session journal's events and the sessions that ended longer ago than this are deleted. 0 = kept forever."},

    {"events.shards", Integer, "4", 1, 1024, "", "all",
     "Stream keys the event stream is spread over (a UIN's events always go to the same one): one key is one "
     "Redis Cluster slot and one server's CPU. Every process must use the same value; changing it moves where "
     "new events go, and events in the old keys are still read."},
    {"events.max_length", Integer, "1000000", 1000, 100000000, "", "all",
     "Entries each stream key keeps (approximately: Redis trims whole nodes). Events the journal has not read "
     "when they are trimmed are lost to it; icq_events_backlog{state=\"undelivered\"} shows how close that is."},
    {"events.message_text", Boolean, "false", 0, 0, "", "worker, icqd",
     "When true, a message event carries the message's text, and the session journal keeps it. Off, the journal "
     "keeps who wrote to whom, when and how it was delivered, and no text."},
    {"journal.batch", Integer, "500", 1, 100000, "", "scheduler, icqd",
     "Events per stream key the journal writer reads, writes to PostgreSQL in one transaction and acknowledges, "
     "per scheduler tick."},
    {"journal.claim_idle_s", Integer, "30", 1, 86400, "", "scheduler, icqd",
     "Events a journal writer was given and has not acknowledged for this long are taken over by another "
     "replica: its writer died or is stuck."},

    {"actions.rules_file", String, "", 0, 0, "", "scheduler, icqd",
     "The event-actions file (YAML rules: on an event, filters, then log, icq_message, webhook, mail or run; "
     "docs/OPERATIONS.md \"Event actions\"). Empty: no actions. A bad rule stops the scheduler, naming it."},
    {"actions.batch", Integer, "100", 1, 10000, "", "scheduler, icqd",
     "Events per stream key the event actions read at a time."},
    {"actions.max_in_flight", Integer, "1000", 1, 1000000, "", "scheduler, icqd",
     "Events a scheduler replica holds while their actions run or wait to be retried; it reads no more past this."},
    {"actions.claim_idle_s", Integer, "60", 1, 86400, "", "scheduler, icqd",
     "Events another replica was given for their actions and has not finished nor kept claimed for this long "
     "are taken over: that replica died. They are run again (at least once)."},
    {"actions.dead_letter_max", Integer, "10000", 1, 10000000, "", "scheduler, icqd",
     "Records the dead-letter list (icq:actions:dead: actions that failed their last try) keeps, newest first."},

    {"v5.enabled", Boolean, "true", 0, 0, "", "worker, icqd",
     "When false, V5 logins are refused with SRV_LOGIN_ERR (protocol-v5.md §6.1 step 2)."},
    {"v5.session_ttl_s", Integer, "240", 5, 86400, "", "worker, scheduler, icqd",
     "A session with no packet for this long goes offline (§4.6)."},
    {"v5.keepalive_advertised_s", Integer, "110", 1, 65535, "", "worker, icqd",
     "Keep-alive interval written into SRV_LOGIN_REPLY (§8.5)."},
    {"v5.retransmit_timeout_s", Integer, "10", 1, 65535, "", "worker, scheduler, icqd",
     "Seconds before an unacknowledged server packet is resent; also told to the client (§4.4)."},
    {"v5.retransmit_retries", Integer, "5", 0, 65535, "", "worker, scheduler, icqd",
     "Resends of an unacknowledged server packet before it is abandoned (§4.4)."},
    {"v5.verify_checkcode", Choice, "log", 0, 0, "off|log|drop", "worker, icqd",
     "What to do with a client packet whose checkcode does not verify (§3.5): ignore, count, or drop."},
    {"v5.bad_pass_v3_layout", Boolean, "false", 0, 0, "", "worker, icqd",
     "Send SRV_BAD_PASS in IServerd's V3 layout instead of V5 (§8.6, D6)."},
    {"v5.max_search_results", Integer, "50", 1, 1000, "", "worker, icqd",
     "Most users one search answers with; the last result says how many more matched (§7.10, D35)."},
    {"v5.registration", Boolean, "false", 0, 0, "", "worker, icqd",
     "Create an account for every CMD_REG_NEW_USER (§6.2); when false it is only acknowledged."},
    {"v5.new_uin_v3_layout", Boolean, "false", 0, 0, "", "worker, icqd",
     "Send SRV_NEW_UIN in IServerd's V3 layout instead of V5 (§8.4, D7)."},
    {"v5.dedupe_window", Integer, "64", 1, 64, "", "worker, icqd",
     "Client (SEQ1, SEQ2, COMMAND) triples remembered per session to drop retransmissions (§4.5)."},
    {"v5.max_msg_chunk", Integer, "450", 1, 450, "", "worker, icqd",
     "Most text bytes per SRV_SYS_DELIVERED_MESS or SRV_RECV_MESSAGE; longer texts go out in pieces (§6.10, D45)."},
    {"v5.split_order", Choice, "backward", 0, 0, "backward|forward", "worker, icqd",
     "Order of a split text's pieces: backward sends the last piece first, as ICQ 99 shows the newest on top (D45)."},
    {"v5.max_offline_batch", Integer, "100", 1, 1000, "", "worker, icqd",
     "Most offline messages sent at one login; the rest follow at the next login (§5.2, §6.8)."},
    {"v5.login_rate_per_ip", Integer, "60", 0, 1000000, "", "worker, icqd",
     "Password attempts (CMD_LOGIN, CMD_REG_NEW_USER, CMD_GET_DEPS) per source IP per minute, across the "
     "cluster; beyond it they are answered SRV_TRY_AGAIN without a password check. 0 = unlimited."},
    {"v5.login_rate_per_uin", Integer, "20", 0, 1000000, "", "worker, icqd",
     "Password attempts (CMD_LOGIN, CMD_GET_DEPS) per UIN per minute, from all sources together; beyond it "
     "they are answered SRV_TRY_AGAIN without a password check. 0 = unlimited."},

    {"v3.enabled", Boolean, "true", 0, 0, "", "worker, icqd",
     "When false, V3 (ICQ Groupware) logins are refused with LOGIN_ERROR (protocol-v3.md §5.2 step 2)."},
    {"v3.session_ttl_s", Integer, "55", 15, 86400, "", "worker, scheduler, icqd",
     "A V3 session with no packet for this long goes offline; HELLO advertises 10 s less as the ping period "
     "(protocol-v3.md §3.8: Miranda pings every 45 s whatever it is told)."},
    {"v3.packet_mtu", Integer, "500", 480, 600, "", "worker, icqd",
     "Largest V3 server datagram; longer reliable packets are sent as FRAGMENT 0x0366 pieces (protocol-v3.md §4.2). "
     "At least 480: a V5 message piece (450 bytes) relayed to a V3 client always fits one datagram."},
    {"v3.max_msgsize", Integer, "2025", 1, 8000, "", "worker, icqd",
     "Most text bytes of a V3 message (THRU_SERVER, broadcasts); a longer one is answered NOT_CONNECTED "
     "(protocol-v3.md §5.11)."},
    {"v3.deplist_version", Integer, "1", 0, 2147483647, "", "worker, icqd",
     "Department-list version told in HELLO and the department lists (protocol-v3.md §6.3, §6.4)."},
    {"v3.registration", Boolean, "false", 0, 0, "", "worker, icqd",
     "Create an account for every V3 REG_NEW_USER; when false registration is refused (protocol-v3.md §5.34)."},
    {"v3.fragment_max_age_s", Integer, "550", 10, 86400, "", "scheduler, icqd",
     "Client fragments of an incomplete V3 packet older than this are deleted (protocol-v3.md §4.6)."},

    {"auth.argon2_opslimit", Integer, "2", 1, 16, "", "worker, icqctl, icqd",
     "Argon2id passes for new password hashes (libsodium opslimit)."},
    {"auth.argon2_memlimit_kib", Integer, "65536", 8, 4194304, "", "worker, icqctl, icqd",
     "Argon2id memory for new password hashes, KiB. Existing hashes keep the cost they were made with."},
    {"auth.check_threads", Integer, "2", 1, 64, "", "worker, icqd",
     "Threads per worker that check login passwords (argon2id) beside the packet loop, at the lowest CPU priority "
     "(SCHED_IDLE), so a login storm never delays the sessions already online; each check holds "
     "auth.argon2_memlimit_kib of memory while it runs."},
    {"auth.max_waiting_logins", Integer, "20000", 1, 10000000, "", "worker, icqd",
     "Logins a worker keeps waiting for their password checks; past it a login is answered busy and its client "
     "tries again a few seconds later. Bounds the memory a flood of logins can take."},
    {"auth.verifier_cache_entries", Integer, "100000", 0, 10000000, "", "worker, icqd",
     "Logins a worker remembers as verified (a keyed BLAKE2b of UIN, password and stored hash, never the "
     "password), so the same password against the same argon2id hash is not hashed again, and as many "
     "accounts' credentials as last read, so those users keep logging in while PostgreSQL is down; 0 turns "
     "both off (docs/DECISIONS.md, verifier cache)."},
    {"auth.verifier_cache_ttl_s", Integer, "3600", 1, 604800, "", "worker, icqd",
     "How long a remembered login stays valid before the next one pays the argon2id check again, and how "
     "long credentials read from PostgreSQL may stand in for it while it is down."},
});

}  // namespace

std::span<const KeyDef> allKeys() { return kAll; }

const KeyDef* findKey(std::string_view key) {
  for (const KeyDef& def : kAll)
    if (def.key == key) return &def;
  return nullptr;
}

std::string envNameFor(std::string_view key) {
  std::string env = "ICQ_";
  for (char c : key) env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

}  // namespace icq::config
