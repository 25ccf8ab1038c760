// Carrying out action attempts; see runner.hpp.
#include "common/actions/runner.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/actions/payload.hpp"
#include "common/log/log.hpp"

namespace icq::actions {

struct Runner::Transfer {
  uint64_t token = 0;
  ActionType type = ActionType::webhook;
  CURL* easy = nullptr;
  curl_slist* list = nullptr;  // a webhook's headers or a mail's recipients
  std::string body;            // the JSON or the message
  size_t sent = 0;             // of a mail's body, read out by readBody
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    curl_slist_free_all(list);
    curl_easy_cleanup(easy);
  }
};

namespace {

CURLM* multiOf(void* multi) { return static_cast<CURLM*>(multi); }

size_t readBody(char* out, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Runner::Transfer*>(user);
  const size_t n = std::min(size * count, transfer->body.size() - transfer->sent);
  std::memcpy(out, transfer->body.data() + transfer->sent, n);
  transfer->sent += n;
  return n;
}

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

void describeWebhook(Runner::Transfer& t, const Action& action, const events::Event& event, std::string_view rule) {
  t.body = eventJson(event, rule);
  for (const std::string& header :
       {std::string("Content-Type: application/json"), "X-Icq-Event: " + std::string(events::kindName(event.kind)),
        "X-Icq-Event-Id: " + event.id, "X-Icq-Signature: " + signature(action.secret, t.body)})
    t.list = curl_slist_append(t.list, header.c_str());
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.list);
  curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, t.body.c_str());
  curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
  curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, discard);
}

void describeMail(Runner::Transfer& t, const Action& action, const events::Event& event, std::string_view rule) {
  t.body = mailMessage(action.from, action.recipients, expand(action.subject, event, rule),
                       expand(action.text, event, rule), event);
  for (const std::string& address : action.recipients)
    t.list = curl_slist_append(t.list, ("<" + address + ">").c_str());
  curl_easy_setopt(t.easy, CURLOPT_MAIL_FROM, ("<" + action.from + ">").c_str());
  curl_easy_setopt(t.easy, CURLOPT_MAIL_RCPT, t.list);
  curl_easy_setopt(t.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(t.easy, CURLOPT_READFUNCTION, readBody);
  curl_easy_setopt(t.easy, CURLOPT_READDATA, &t);
  curl_easy_setopt(t.easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));  // STARTTLS when offered
  if (!action.username.empty()) curl_easy_setopt(t.easy, CURLOPT_USERNAME, action.username.c_str());
  if (!action.password.empty()) curl_easy_setopt(t.easy, CURLOPT_PASSWORD, action.password.c_str());
}

std::string exitDescription(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "killed by signal " + std::to_string(WTERMSIG(status));
}

}  // namespace

Runner::Runner(Messenger& messenger) : messenger_(messenger) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
}

Runner::~Runner() {
  for (const auto& transfer : transfers_) curl_multi_remove_handle(multiOf(multi_), transfer->easy);
  transfers_.clear();
  curl_multi_cleanup(multiOf(multi_));
  for (const Child& child : children_) {
    ::kill(-child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
  }
}

void Runner::start(uint64_t token, const Action& action, const events::Event& event, std::string_view rule) {
  switch (action.type) {
    case ActionType::log:
      log::info("event_action", {{"rule", rule}, {"event", event.id}, {"text", expand(action.text, event, rule)}});
      done_.push_back({token, true, {}});
      return;
    case ActionType::icq_message: {
      Finished finished{token, false, {}};
      finished.ok = messenger_.send(expand(action.text, event, rule), action.to, finished.error);
      done_.push_back(std::move(finished));
      return;
    }
    case ActionType::webhook:
    case ActionType::mail:
      startTransfer(token, action, event, rule);
      return;
    case ActionType::run:
      startProgram(token, action, event, rule);
      return;
  }
}

void Runner::startTransfer(uint64_t token, const Action& action, const events::Event& event, std::string_view rule) {
  auto transfer = std::make_unique<Transfer>();
  Transfer& t = *transfer;
  t.token = token;
  t.type = action.type;
  t.easy = curl_easy_init();
  curl_easy_setopt(t.easy, CURLOPT_URL, action.url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(action.retry.timeout.count()));
  curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t.easy, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "icqcluster-actions");
  if (action.type == ActionType::webhook)
    describeWebhook(t, action, event, rule);
  else
    describeMail(t, action, event, rule);
  curl_multi_add_handle(multiOf(multi_), t.easy);
  transfers_.push_back(std::move(transfer));
}

void Runner::startProgram(uint64_t token, const Action& action, const events::Event& event, std::string_view rule) {
  std::vector<std::string> args, env = programEnvironment(event, rule);
  for (const std::string& arg : action.argv) args.push_back(expand(arg, event, rule));
  std::vector<char*> argv, envp;
  for (std::string& arg : args) argv.push_back(arg.data());
  for (std::string& var : env) envp.push_back(var.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&files, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &files, &attributes, argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&files);
  if (error != 0) {
    done_.push_back({token, false, "cannot run " + args[0] + ": " + std::strerror(error)});
    return;
  }
  children_.push_back({token, pid, std::chrono::steady_clock::now() + action.retry.timeout, action.retry.timeout});
}

void Runner::poll(std::chrono::milliseconds wait, std::vector<Finished>& finished) {
  // A child's end wakes nothing here: with children running, look again soon.
  if (!done_.empty()) wait = std::chrono::milliseconds(0);
  if (!children_.empty()) wait = std::min(wait, std::chrono::milliseconds(20));
  int ready = 0;
  curl_multi_poll(multiOf(multi_), nullptr, 0, static_cast<int>(wait.count()), &ready);
  for (Finished& f : done_) finished.push_back(std::move(f));
  done_.clear();
  collectTransfers(finished);
  collectChildren(finished);
}

void Runner::collectTransfers(std::vector<Finished>& finished) {
  int running = 0;
  curl_multi_perform(multiOf(multi_), &running);
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multiOf(multi_), &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &t);
    Finished result{t->token, message->data.result == CURLE_OK, {}};
    if (!result.ok) result.error = t->error[0] ? t->error : curl_easy_strerror(message->data.result);
    long code = 0;
    if (result.ok && t->type == ActionType::webhook) {
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
      result.ok = code >= 200 && code < 300;
      if (!result.ok) result.error = "HTTP status " + std::to_string(code);
    }
    finished.push_back(std::move(result));
    curl_multi_remove_handle(multiOf(multi_), t->easy);
    std::erase_if(transfers_, [t](const std::unique_ptr<Transfer>& p) { return p.get() == t; });
  }
}

void Runner::collectChildren(std::vector<Finished>& finished) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(children_, [&](Child& child) {
    int status = 0;
    if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
      Finished result{child.token, WIFEXITED(status) && WEXITSTATUS(status) == 0, {}};
      if (child.killed)
        result.error = "timed out after " + std::to_string(child.limit.count()) + " ms";
      else if (!result.ok)
        result.error = exitDescription(status);
      finished.push_back(std::move(result));
      return true;
    }
    if (!child.killed && now >= child.deadline) {
      ::kill(-child.pid, SIGKILL);
      child.killed = true;
    }
    return false;
  });
}

}  // namespace icq::actions
