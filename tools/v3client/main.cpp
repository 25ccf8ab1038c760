// icq-v3-client: logs in to a V3 (Groupware) server, pings a few times, optionally sends a
// message, logs off, and says what happened at each step. For smoke tests of a running cluster
// and for trying a server by hand. Exit code 0 only if every step got the answer it should.
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "tools/v3client/v3_client.hpp"

int main(int argc, char** argv) {
  using namespace icq::client;
  CLI::App app{"icq-v3-client — log in to an ICQ V3 server, ping, send a message, log off"};
  uint16_t port = 4000;
  uint32_t uin = 0;
  std::string password;
  std::string localIp = "127.0.0.1";
  int pings = 1;
  uint32_t messageTo = 0;
  std::string text = "Hello from icq-v3-client";
  app.add_option("--port", port, "Server UDP port on 127.0.0.1");
  app.add_option("--uin", uin, "UIN")->required();
  app.add_option("--password", password, "Password")->required();
  app.add_option("--local-ip", localIp, "Loopback address to send from");
  app.add_option("--pings", pings, "PINGs to send, one per second");
  app.add_option("--message-to", messageTo, "Send a message to this UIN (fragmented above 500 bytes)");
  app.add_option("--text", text, "The message text");
  CLI11_PARSE(app, argc, argv);

  V3Client client(port, uin, password, localIp);
  const V3LoginOutcome outcome = client.login();
  const char* names[] = {"accepted (HELLO)", "wrong password (WRONG_PASSWORD)", "refused (LOGIN_ERROR)", "busy (BUSY)",
                         "no answer"};
  std::cout << "login: " << names[static_cast<int>(outcome)] << "\n";
  if (outcome != V3LoginOutcome::accepted) return 1;
  std::cout << "  ping period " << client.hello().pingPeriodS << " s\n";
  for (int i = 0; i < pings; ++i) {
    const bool acked = client.ping();
    std::cout << "ping " << i + 1 << ": " << (acked ? "acknowledged" : "NOT acknowledged") << "\n";
    if (!acked) return 1;
    if (i + 1 < pings) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (messageTo != 0) {
    const auto sent = client.sendLongMessage(messageTo, icq::codec::v3::kMsgText, text);
    const bool acked = client.expectAckOf(sent).has_value();
    std::cout << "message to " << messageTo << ": " << (acked ? "acknowledged" : "NOT acknowledged") << "\n";
    if (!acked) return 1;
  }
  client.logoff();
  std::cout << "logoff: sent (V3 LOGOFF is never acknowledged)\n";
  return 0;
}
