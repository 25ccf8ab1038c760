// icq-v5-client: logs in to a V5 server, keeps the session alive for a while, logs off,
// and says what happened at each step. For smoke tests of a running cluster and for
// trying a server by hand. Exit code 0 only if every step got the answer it should.
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "common/codec/v5/constants.hpp"
#include "tools/v5client/v5_client.hpp"

int main(int argc, char** argv) {
  using namespace icq::client;
  CLI::App app{"icq-v5-client — log in to an ICQ V5 server, keep alive, log off"};
  uint16_t port = 4000;
  uint32_t uin = 0;
  std::string password;
  std::string localIp = "127.0.0.1";
  int keepAlives = 1;
  // Patient by default: a worker checks passwords at the lowest CPU priority, so on a busy
  // machine a login's answer can take seconds (a real client would be retransmitting).
  int loginTimeoutS = 15;
  app.add_option("--port", port, "Server UDP port on 127.0.0.1");
  app.add_option("--uin", uin, "UIN")->required();
  app.add_option("--password", password, "Password")->required();
  app.add_option("--local-ip", localIp, "Loopback address to send from");
  app.add_option("--keepalives", keepAlives, "Keep-alives to send, one per second");
  app.add_option("--login-timeout", loginTimeoutS, "Seconds to wait for the login's answer");
  CLI11_PARSE(app, argc, argv);

  V5Client client(port, uin, password, localIp);
  LoginOutcome outcome = client.login(std::chrono::seconds(loginTimeoutS));
  const char* names[] = {"accepted", "bad password (SRV_BAD_PASS)", "refused (SRV_LOGIN_ERR)", "busy (SRV_TRY_AGAIN)",
                         "no answer"};
  std::cout << "login: " << names[static_cast<int>(outcome)] << "\n";
  if (outcome != LoginOutcome::accepted) return 1;
  std::cout << "  keep-alive interval " << client.loginReply().keepAliveS << " s\n";
  for (int i = 0; i < keepAlives; ++i) {
    bool acked = client.keepAlive();
    std::cout << "keep-alive " << i + 1 << ": " << (acked ? "acknowledged" : "NOT acknowledged") << "\n";
    if (!acked) return 1;
    if (i + 1 < keepAlives) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  bool loggedOff = client.logoff() == icq::codec::v5::SRV_ACK;
  std::cout << "logoff: " << (loggedOff ? "acknowledged" : "NOT acknowledged") << "\n";
  return loggedOff ? 0 : 1;
}
