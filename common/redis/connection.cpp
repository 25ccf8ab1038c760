// RedisConnection and its reply wrappers; see connection.hpp for the batch and failure model.
#include "common/redis/connection.hpp"

#include <sys/time.h>

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
  connect();
}

RedisConnection::~RedisConnection() = default;
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;

bool RedisConnection::connected() const { return context_ && !broken_; }

bool RedisConnection::reconnect() {
  pending_ = 0;
  batchFailed_ = false;
  return connect();
}

// Opens the link, then sends SELECT and every SCRIPT LOAD as one batch. Uses hiredis
// directly: append() would recurse into connect() while the link is still marked broken.
bool RedisConnection::connect() {
  context_.reset();
  broken_ = true;
  const timeval timeout = toTimeval(options_.timeout);
  const bool unix = !options_.unixSocket.empty();
  context_.reset(unix ? redisConnectUnixWithTimeout(options_.unixSocket.c_str(), timeout)
                      : redisConnectWithTimeout(options_.host.c_str(), options_.port, timeout));
  if (!context_ || context_->err) {
    warnings_->warn("redis_unavailable", {{"host", unix ? options_.unixSocket : options_.host},
                                          {"port", unix ? 0 : options_.port},
                                          {"error", context_ ? context_->errstr : "out of memory"}});
    return false;
  }
  redisSetTimeout(context_.get(), timeout);
  if (!unix) redisEnableKeepAlive(context_.get());

  // AUTH first (an ACL user when a name is given), then SELECT, then the scripts: one batch.
  const bool auth = !options_.password.empty();
  if (auth && options_.username.empty())
    redisAppendCommand(context_.get(), "AUTH %b", options_.password.data(), options_.password.size());
  else if (auth)
    redisAppendCommand(context_.get(), "AUTH %b %b", options_.username.data(), options_.username.size(),
                       options_.password.data(), options_.password.size());
  const Decimal db(options_.db);
  const bool select = options_.db != 0;
  if (select) redisAppendCommand(context_.get(), "SELECT %b", db.view().data(), db.view().size());
  for (const auto& script : scripts_)
    redisAppendCommand(context_.get(), "SCRIPT LOAD %b", script->source_.data(), script->source_.size());

  const size_t setup = (auth ? 1 : 0) + (select ? 1 : 0);
  bool refused = false;  // read every reply even so: the link must not be left mid-batch
  for (size_t i = 0; i < setup + scripts_.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      markBroken("connect");
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
  broken_ = false;
  return true;
}

void RedisConnection::markBroken(std::string_view during) {
  warnings_->warn("redis_link_failed", {{"host", options_.host},
                                        {"port", options_.port},
                                        {"during", std::string(during)},
                                        {"error", context_ ? context_->errstr : ""}});
  broken_ = true;
}

const RedisScript& RedisConnection::addScript(std::string name, std::string source) {
  for (const auto& script : scripts_)
    if (script->source_ == source) return *script;
  scripts_.push_back(std::make_unique<RedisScript>(std::move(name), std::move(source)));
  RedisScript& script = *scripts_.back();
  if (connected() && pending_ == 0) {
    Reply reply;
    if (command({"SCRIPT", "LOAD", script.source_}, reply) && reply.isString()) script.sha_ = reply.str();
  }
  return script;
}

// ---------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------

void RedisConnection::pushArg(std::string_view arg) {
  // hiredis copies the bytes at once; a null pointer for an empty view is avoided anyway.
  argv_.push_back(arg.empty() ? "" : arg.data());
  argvLengths_.push_back(arg.size());
}

void RedisConnection::append(std::initializer_list<std::string_view> argv) {
  append(std::span<const std::string_view>(argv.begin(), argv.size()));
}

void RedisConnection::append(std::span<const std::string_view> argv) {
  argv_.clear();
  argvLengths_.clear();
  for (std::string_view arg : argv) pushArg(arg);
  appendArgv(argv.empty() ? std::string_view() : argv.front());
}

void RedisConnection::appendScript(const RedisScript& script, std::span<const std::string_view> keys,
                                   std::span<const std::string_view> args, bool withSource) {
  const bool eval = withSource || script.sha_.empty();
  const Decimal keyCount(keys.size());
  argv_.clear();
  argvLengths_.clear();
  pushArg(eval ? "EVAL" : "EVALSHA");
  pushArg(eval ? script.source_ : script.sha_);
  pushArg(keyCount);
  for (std::string_view key : keys) pushArg(key);
  for (std::string_view arg : args) pushArg(arg);
  appendArgv(script.name_);
}

void RedisConnection::appendArgv(std::string_view op) {
  // A broken link is healed once per batch, at its first command: a batch whose reconnect
  // failed is answered false as a whole instead of trying again for every command.
  if (pending_ == 0) {
    batchOp_ = calls_.operation(op);
    batchStart_ = std::chrono::steady_clock::now();
    batchFailed_ = broken_ && !connect();
  }
  ++pending_;
  if (batchFailed_) return;
  if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv_.size()), argv_.data(), argvLengths_.data()) !=
      REDIS_OK) {
    markBroken("append");
    batchFailed_ = true;
  }
}

bool RedisConnection::readReplies(size_t n, std::vector<Reply>& out) {
  out.clear();
  if (batchFailed_ || broken_ || n > pending_) {
    pending_ = 0;
    batchFailed_ = false;
    finishBatch(false);
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      // The stream is out of step now (a timeout leaves replies in flight): only a new
      // link can be trusted.
      markBroken("read");
      out.clear();
      pending_ = 0;
      finishBatch(false);
      return false;
    }
    out.emplace_back(static_cast<redisReply*>(raw));
  }
  pending_ -= n;
  if (pending_ == 0) {
    // NOSCRIPT is the script cache, not a failure: pipeline() resends with the source.
    bool errorReply = false;
    for (const Reply& reply : out) errorReply = errorReply || (reply.isError() && !reply.isError("NOSCRIPT"));
    finishBatch(!errorReply);
  }
  return true;
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
