// A webhook receiver for tests of the event actions: an HTTP server on a free loopback port
// that records every POST to /hook and answers each with the next of the statuses it was
// given (the last one from then on), so a test can make the first try fail and the next pass.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "common/ops/http_server.hpp"

namespace icq::test {

class WebhookReceiver {
public:
  explicit WebhookReceiver(std::vector<int> statuses = {204}) : statuses_(std::move(statuses)) {
    server_.route("POST", "/hook", [this](const ops::HttpRequest& request) {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
      return ops::HttpResponse::text(statuses_[std::min(received_.size(), statuses_.size()) - 1], "");
    });
    server_.start("127.0.0.1:0");
  }
  ~WebhookReceiver() { server_.stop(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hook"; }
  /// What it was sent so far, in order.
  std::vector<ops::HttpRequest> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

private:
  std::vector<int> statuses_;
  std::mutex mutex_;
  std::vector<ops::HttpRequest> received_;
  ops::HttpServer server_;  // last: stopped before what its handler uses goes
};

}  // namespace icq::test
