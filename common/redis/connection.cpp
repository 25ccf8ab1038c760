// RedisConnection and its reply wrappers; see connection.hpp for the batch and failure model.
#include "common/redis/connection.hpp"

#include <sys/time.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "common/ops/metrics.hpp"

namespace icq::redis {
namespace {

timeval toTimeval(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  return tv;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------

bool ReplyView::isError(std::string_view code) const {
  if (!isError()) return false;
  std::string_view text = str();
  return text.substr(0, code.size()) == code && (text.size() == code.size() || text[code.size()] == ' ');
}

std::string_view ReplyView::str() const {
  if (!reply_ || reply_->str == nullptr) return {};
  switch (reply_->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply_->str, reply_->len};
    default:
      return {};
  }
}

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    reset();
    reply_ = std::exchange(other.reply_, nullptr);
  }
  return *this;
}

void Reply::reset() {
  // Only a top-level reply is ever owned; freeReplyObject frees its elements with it.
  if (reply_) freeReplyObject(const_cast<redisReply*>(reply_));
  reply_ = nullptr;
}

// ---------------------------------------------------------------------------------------
// Connecting
// ---------------------------------------------------------------------------------------

RedisConnection::RedisConnection(RedisOptions options)
    : options_(std::move(options)), warnings_(std::make_unique<log::RateLimited>()) {
  reconnect();
}

RedisConnection::~RedisConnection() = default;
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;

bool RedisConnection::connected() const {
  if (!clusterMode()) return !links_.empty() && !links_[0].broken;
  if (!slots_ || !slots_->loaded() || mapStale_) return false;
  for (uint16_t node : slots_->masters())
    if (node >= links_.size() || links_[node].broken) return false;
  return true;
}

bool RedisConnection::reconnect() {
  clearBatch();
  for (Link& link : links_) {
    link.context.reset();
    link.broken = true;
  }
  if (!clusterMode()) {
    links_.resize(1);
    return connectLink(0);
  }
  if (!slots_) slots_ = std::make_unique<SlotMap>();
  if (!refreshMap()) return false;
  bool all = true;
  for (uint16_t node : slots_->masters()) all = (links_[node].broken ? connectLink(node) : true) && all;
  return all;
}

std::string RedisConnection::nodeName(size_t node) const {
  if (!clusterMode())
    return options_.unixSocket.empty() ? options_.host + ":" + std::to_string(options_.port) : options_.unixSocket;
  const ClusterNode& address = slots_->nodes()[node];
  return address.host + ":" + std::to_string(address.port);
}

// Opens the link, then sends AUTH, SELECT and every SCRIPT LOAD as one batch, with hiredis
// directly: this is below the batch machinery.
bool RedisConnection::connectLink(size_t node) {
  if (links_.size() <= node) links_.resize(node + 1);
  Link& link = links_[node];
  link.context.reset();
  link.broken = true;
  const timeval timeout = toTimeval(options_.timeout);
  const bool unix = !clusterMode() && !options_.unixSocket.empty();
  const ClusterNode address = clusterMode() ? slots_->nodes()[node] : ClusterNode{options_.host, options_.port};
  link.context.reset(unix ? redisConnectUnixWithTimeout(options_.unixSocket.c_str(), timeout)
                          : redisConnectWithTimeout(address.host.c_str(), address.port, timeout));
  redisContext* context = link.context.get();
  if (!context || context->err) {
    mapStale_ = true;  // a master that does not answer may have been replaced
    warnings_->warn("redis_unavailable", {{"host", unix ? options_.unixSocket : address.host},
                                          {"port", unix ? 0 : address.port},
                                          {"error", context ? context->errstr : "out of memory"}});
    return false;
  }
  redisSetTimeout(context, timeout);
  if (!unix) redisEnableKeepAlive(context);

  const bool auth = !options_.password.empty();
  if (auth && options_.username.empty())
    redisAppendCommand(context, "AUTH %b", options_.password.data(), options_.password.size());
  else if (auth)
    redisAppendCommand(context, "AUTH %b %b", options_.username.data(), options_.username.size(),
                       options_.password.data(), options_.password.size());
  const Decimal db(options_.db);
  const bool select = options_.db != 0 && !clusterMode();
  if (select) redisAppendCommand(context, "SELECT %b", db.view().data(), db.view().size());
  for (const auto& script : scripts_)
    redisAppendCommand(context, "SCRIPT LOAD %b", script->source_.data(), script->source_.size());

  const size_t setup = (auth ? 1 : 0) + (select ? 1 : 0);
  bool refused = false;  // read every reply even so: the link must not be left mid-batch
  for (size_t i = 0; i < setup + scripts_.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
      markBroken(node, "connect");
      return false;
    }
    Reply reply(static_cast<redisReply*>(raw));
    if (i < setup) {
      // Retried at every batch, hence rate-limited. Never the password, only whose it is.
      const bool isAuth = auth && i == 0;
      if (reply.isError() && isAuth)
        warnings_->warn("redis_auth_failed", {{"user", options_.username.empty() ? "default" : options_.username},
                                              {"error", std::string(reply.str())}});
      else if (reply.isError())
        warnings_->warn("redis_select_failed", {{"db", options_.db}, {"error", std::string(reply.str())}});
      refused = refused || reply.isError();
      continue;
    }
    RedisScript& script = *scripts_[i - setup];
    if (reply.isString())
      script.sha_ = reply.str();
    else if (!refused)  // a Lua syntax error: a bug, and every call of the script will report it too
      log::error("redis_script_load_failed", {{"script", script.name_}, {"error", std::string(reply.str())}});
  }
  if (refused) return false;
  link.broken = false;
  return true;
}

bool RedisConnection::loadScript(size_t node, RedisScript& script) {
  redisContext* context = links_[node].context.get();
  auto* raw =
      static_cast<redisReply*>(redisCommand(context, "SCRIPT LOAD %b", script.source_.data(), script.source_.size()));
  if (raw == nullptr) {
    markBroken(node, "script load");
    return false;
  }
  Reply reply(raw);
  if (reply.isString()) script.sha_ = reply.str();
  return reply.isString();
}

void RedisConnection::markBroken(size_t node, std::string_view during) {
  const Link& link = links_[node];
  warnings_->warn(
      "redis_link_failed",
      {{"node", nodeName(node)}, {"during", std::string(during)}, {"error", link.context ? link.context->errstr : ""}});
  links_[node].broken = true;
  mapStale_ = true;
}

// CLUSTER SLOTS from the first node that answers: a master already linked, then every node
// ever seen, then the configured seeds. Runs between batches, never inside one.
bool RedisConnection::refreshMap() {
  std::vector<size_t> candidates;
  for (size_t node = 0; node < links_.size(); ++node)
    if (!links_[node].broken) candidates.push_back(node);
  for (size_t node = 0; node < slots_->nodes().size(); ++node)
    if (node >= links_.size() || links_[node].broken) candidates.push_back(node);
  for (const ClusterNode& seed : options_.cluster) candidates.push_back(slots_->indexOf(seed));
  links_.resize(slots_->nodes().size());
  for (size_t node : candidates) {
    if (links_[node].broken && !connectLink(node)) continue;
    auto* raw = static_cast<redisReply*>(redisCommand(links_[node].context.get(), "CLUSTER SLOTS"));
    if (raw == nullptr) {
      markBroken(node, "cluster slots");
      continue;
    }
    Reply reply(raw);
    if (slots_->load(reply, slots_->nodes()[node].host)) {
      links_.resize(slots_->nodes().size());
      mapStale_ = false;
      return true;
    }
    warnings_->warn("redis_cluster_map_refused", {{"node", nodeName(node)}, {"reply", std::string(reply.str())}});
  }
  warnings_->warn("redis_cluster_unreachable", {{"seeds", static_cast<int64_t>(options_.cluster.size())}});
  return false;
}

const RedisScript& RedisConnection::addScript(std::string name, std::string source) {
  for (const auto& script : scripts_)
    if (script->source_ == source) return *script;
  scripts_.push_back(std::make_unique<RedisScript>(std::move(name), std::move(source)));
  RedisScript& script = *scripts_.back();
  if (!batchInFlight())
    for (size_t node = 0; node < links_.size(); ++node)
      if (!links_[node].broken) loadScript(node, script);
  return script;
}

// ---------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------

void RedisConnection::append(std::initializer_list<std::string_view> argv) {
  append(std::span<const std::string_view>(argv.begin(), argv.size()));
}

void RedisConnection::append(std::span<const std::string_view> argv) {
  queueFormatted(argv, clusterMode() ? commandKeyIndex(argv) : std::nullopt,
                 argv.empty() ? std::string_view() : argv.front());
}

void RedisConnection::appendScript(const RedisScript& script, std::span<const std::string_view> keys,
                                   std::span<const std::string_view> args, bool withSource) {
  const bool eval = withSource || script.sha_.empty();
  const Decimal keyCount(keys.size());
  args_.clear();
  args_.push_back(eval ? "EVAL" : "EVALSHA");
  args_.push_back(eval ? std::string_view(script.source_) : std::string_view(script.sha_));
  args_.push_back(keyCount);
  args_.insert(args_.end(), keys.begin(), keys.end());
  args_.insert(args_.end(), args.begin(), args.end());
  queueFormatted(args_, keys.empty() ? std::nullopt : std::optional<size_t>(3), script.name_);
}

// The command in Redis's wire format (RESP), once: a redirection sends the same bytes again.
void RedisConnection::queueFormatted(std::span<const std::string_view> argv, std::optional<size_t> keyIndex,
                                     std::string_view op) {
  if (!batchInFlight()) {  // the first command of a batch: the previous one is all read
    clearBatch();
    batchOp_ = calls_.operation(op);
    batchStart_ = std::chrono::steady_clock::now();
  }
  Queued command;
  command.offset = static_cast<uint32_t>(wire_.size());
  wire_ += '*';
  wire_ += Decimal(argv.size()).view();
  wire_ += "\r\n";
  for (std::string_view arg : argv) {
    wire_ += '$';
    wire_ += Decimal(arg.size()).view();
    wire_ += "\r\n";
    wire_ += arg;
    wire_ += "\r\n";
  }
  command.length = static_cast<uint32_t>(wire_.size() - command.offset);
  if (clusterMode()) {
    if (keyIndex)
      command.slot = keySlot(argv[*keyIndex]);
    else if (!argv.empty() && runsOnEveryMaster(argv.front()))
      command.slot = kEveryNode;
  }
  queued_.push_back(command);
}

bool RedisConnection::readReplies(size_t n, std::vector<Reply>& out) {
  out.clear();
  if (collected_.size() < queued_.size() && !exchange(collected_.size(), queued_.size())) {
    failExchange();
    return false;
  }
  if (n > collected_.size() - handedOut_) {
    failExchange();
    return false;
  }
  for (size_t i = 0; i < n; ++i) out.push_back(std::move(collected_[handedOut_ + i]));
  handedOut_ += n;
  if (handedOut_ == queued_.size()) {
    // NOSCRIPT is the script cache, not a failure: pipeline() resends with the source.
    bool errorReply = false;
    for (const Reply& reply : out) errorReply = errorReply || (reply.isError() && !reply.isError("NOSCRIPT"));
    finishBatch(!errorReply);
  }
  return true;
}

// Sends commands [from, to) where they belong and collects their replies in order, following
// redirections. Every link it touched is marked broken if it fails: replies may be in flight.
bool RedisConnection::exchange(size_t from, size_t to) {
  if (clusterMode() && mapStale_ && !refreshMap()) return false;
  sendList_.clear();
  for (size_t i = from; i < to; ++i) sendList_.push_back(i);
  collected_.resize(to);
  if (!sendAndRead(sendList_)) return false;
  return !clusterMode() || followRedirections(from, to);
}

bool RedisConnection::sendAndRead(std::span<const size_t> commands) {
  static constexpr std::string_view kAsking = "*1\r\n$6\r\nASKING\r\n";
  // Route, and open the links the batch needs.
  for (size_t i : commands) {
    Queued& command = queued_[i];
    if (!clusterMode())
      command.node = 0;
    else if (!command.ask)
      command.node = command.slot >= kEveryNode ? slots_->nodeOf(0) : slots_->nodeOf(command.slot);
  }
  auto nodesOf = [this](const Queued& command) -> std::span<const uint16_t> {
    if (command.slot != kEveryNode || !clusterMode()) return {&command.node, 1};
    return fanout_;
  };
  // Every master, for a command that goes to each (rare: SCRIPT, CONFIG, FLUSH*, WAIT).
  fanout_.clear();
  if (clusterMode() &&
      std::any_of(commands.begin(), commands.end(), [this](size_t i) { return queued_[i].slot == kEveryNode; }))
    fanout_ = slots_->masters();
  for (size_t i : commands)
    for (uint16_t node : nodesOf(queued_[i])) {
      if (links_.size() <= node) links_.resize(node + 1);
      if (links_[node].broken && !connectLink(node)) return false;
      links_[node].inBatch = true;
    }
  // Everything out to every node first, so the servers work in parallel; then the replies.
  for (size_t i : commands) {
    const Queued& command = queued_[i];
    for (uint16_t node : nodesOf(command)) {
      redisContext* context = links_[node].context.get();
      if ((command.ask && redisAppendFormattedCommand(context, kAsking.data(), kAsking.size()) != REDIS_OK) ||
          redisAppendFormattedCommand(context, wire_.data() + command.offset, command.length) != REDIS_OK) {
        markBroken(node, "append");
        return false;
      }
    }
  }
  for (size_t node = 0; node < links_.size(); ++node) {
    if (!links_[node].inBatch) continue;
    int done = 0;
    while (!done)
      if (redisBufferWrite(links_[node].context.get(), &done) != REDIS_OK) {
        markBroken(node, "write");
        return false;
      }
  }
  auto readOne = [this](uint16_t node, Reply& out) {
    void* raw = nullptr;
    if (redisGetReply(links_[node].context.get(), &raw) != REDIS_OK || raw == nullptr) {
      // The stream is out of step now (a timeout leaves replies in flight): only a new
      // link can be trusted.
      markBroken(node, "read");
      return false;
    }
    out = Reply(static_cast<redisReply*>(raw));
    return true;
  };
  Reply scratch;
  for (size_t i : commands) {
    const Queued& command = queued_[i];
    collected_[i].reset();
    for (uint16_t node : nodesOf(command)) {
      if (command.ask && !readOne(node, scratch)) return false;  // ASKING's +OK
      if (!readOne(node, scratch)) return false;
      // A command sent to every master answers with the first error, else the smallest integer
      // (WAIT: the replicas of the least replicated master), else the first reply.
      if (!collected_[i].valid() || (scratch.isError() && !collected_[i].isError()) ||
          (scratch.isInteger() && collected_[i].isInteger() && scratch.integer() < collected_[i].integer()))
        collected_[i] = std::move(scratch);
    }
  }
  for (Link& link : links_) link.inBatch = false;
  return true;
}

// MOVED: the slot lives elsewhere now (the map is read again before the next batch); ASK:
// the slot is being migrated and this key is already on the importing node. A few rounds at
// most: a map that keeps moving is a cluster being rebuilt, and the batch fails instead.
bool RedisConnection::followRedirections(size_t from, size_t to) {
  static constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    sendList_.clear();
    for (size_t i = from; i < to; ++i) {
      Queued& command = queued_[i];
      command.ask = false;
      if (!collected_[i].isError("MOVED") && !collected_[i].isError("ASK") && !collected_[i].isError("TRYAGAIN"))
        continue;
      if (auto redirection = parseRedirection(collected_[i].str())) {
        if (redirection->ask) {
          command.ask = true;
          command.node = slots_->indexOf(redirection->node);
        } else {
          slots_->move(redirection->slot, redirection->node);
          mapStale_ = true;
        }
      }
      sendList_.push_back(i);
    }
    if (sendList_.empty()) return true;
    // TRYAGAIN: a multi-key command whose keys are half migrated; the migration moves a
    // few keys at a time, so a short pause sees it through.
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5 << round));
    links_.resize(slots_->nodes().size());
    if (!sendAndRead(sendList_)) return false;
  }
  return true;  // what is still a redirection is the caller's error reply
}

void RedisConnection::failExchange() {
  for (size_t node = 0; node < links_.size(); ++node)
    if (links_[node].inBatch) {
      links_[node].context.reset();
      links_[node].broken = true;
      links_[node].inBatch = false;
    }
  if (!queued_.empty()) finishBatch(false);
  clearBatch();
}

void RedisConnection::clearBatch() {
  wire_.clear();
  queued_.clear();
  collected_.clear();
  handedOut_ = 0;
}

void RedisConnection::finishBatch(bool ok) {
  calls_.record(batchOp_, ops::secondsBetween(batchStart_, std::chrono::steady_clock::now()), ok);
}

bool RedisConnection::command(std::initializer_list<std::string_view> argv, Reply& out) {
  append(argv);
  if (!readReplies(1, single_)) return false;
  out = std::move(single_.front());
  single_.clear();
  return true;
}

bool RedisConnection::runScript(const RedisScript& script, std::span<const std::string_view> keys,
                                std::span<const std::string_view> args, Reply& out) {
  auto appendCall = [&](size_t, bool withSource) { appendScript(script, keys, args, withSource); };
  if (!pipeline(1, appendCall, single_)) return false;
  out = std::move(single_.front());
  single_.clear();
  return true;
}

bool unexpectedReply(std::string_view operation, ReplyView reply) {
  static log::RateLimited warnings;
  warnings.warn("redis_unexpected_reply", {{"operation", std::string(operation)}, {"reply", std::string(reply.str())}});
  return false;
}

}  // namespace icq::redis
