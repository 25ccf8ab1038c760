// A scripted ICQ V3 (Groupware) client for end-to-end tests, smoke checks and icq-v3-client:
// real sequence numbers (Miranda's: seq1 restarts at 1 on LOGON, seq2 = seq1 but 0 for PING),
// real acknowledgements (every server packet but ACK, SET_OFFLINE, NOT_CONNECTED,
// WRONG_PASSWORD and BUSY, protocol-v3.md §3.3), reassembly of server fragments as Miranda does
// it (§4.2: each fragment acknowledged, then the inner packet too), over a real UDP socket bound
// to a loopback address of its own. It speaks the client side of §5 and §8 and lets a test send
// whatever bytes it likes, fragments included, in any order and through any gateway.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/fragment.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v3/profile.hpp"

namespace icq::client {

using namespace std::chrono_literals;

struct V3ServerPacket {
  codec::v3::Header header;
  std::vector<uint8_t> body;
  std::vector<uint8_t> raw;
  uint16_t fromPort = 0;     // the server socket it came from: which gateway sent it
  bool reassembled = false;  // put together from SRV_FRAGMENTs
  size_t fragments = 0;      // how many, when reassembled
};

enum class V3LoginOutcome { accepted, wrong_password, login_error, busy, no_answer };

// A message as the client shows it (SYSMSG_ONLINE or SYSMSG_OFFLINE), text without its NUL.
struct V3Message {
  uint32_t from = 0;
  uint32_t sentAt = 0;  // offline messages only
  uint16_t type = 0;
  std::string text;
  bool offline = false;
  bool reassembled = false;
};

struct V3Department {
  uint32_t code = 0;
  std::string name;
};

struct V3SearchHit {
  uint32_t uin = 0;
  std::string nick, first, last, email;
  uint8_t auth = 0;
};

class V3Client {
public:
  /// A client for `uin` talking to 127.0.0.1:`serverPort`, from `localIp` (any 127/8 address).
  V3Client(uint16_t serverPort, uint32_t uin, std::string password, std::string localIp = "127.0.0.1");
  ~V3Client();
  V3Client(const V3Client&) = delete;
  V3Client& operator=(const V3Client&) = delete;

  /// Points the client at another gateway (the same socket: NAT mapping unchanged).
  void setServerPort(uint16_t port) { serverPort_ = port; }
  uint16_t serverPort() const { return serverPort_; }
  uint32_t uin() const { return uin_; }
  uint16_t localPort() const;

  // ---- raw traffic --------------------------------------------------------------------

  /// Sends a command with the next seq1; seq2 = seq1 unless given (§3.1). Returns the header.
  codec::v3::Header send(uint16_t command, std::span<const uint8_t> body, std::optional<uint16_t> seq2 = {});
  /// Sends exactly this header and body again (a retransmission).
  void resend(const codec::v3::Header& header, std::span<const uint8_t> body);
  void sendRaw(std::span<const uint8_t> datagram);
  /// The fragments (CMD_FRAGMENT, §4.1) of a `command` packet with `body`: the inner packet takes
  /// the next seq1 and seq2, each fragment its own seq1 and the inner seq2 as group key; slices
  /// of at most `mtu` − 18 bytes (one fragment even for a packet that would fit); index and
  /// count in `order`, 1-based if asked. Not sent: the test picks the order and the gateways.
  struct Fragments {
    codec::v3::Header inner;
    std::vector<codec::v3::Header> headers;  // of each fragment, for expectAckOf
    std::vector<std::vector<uint8_t>> datagrams;
  };
  Fragments fragmentDatagrams(uint16_t command, std::span<const uint8_t> body, size_t mtu = codec::v3::kDefaultMtu,
                              codec::v3::FragmentOrder order = codec::v3::FragmentOrder::index_count,
                              bool oneBased = false);

  /// The next datagram from the server as it came (no acknowledgement, no reassembly).
  std::optional<V3ServerPacket> receive(std::chrono::milliseconds timeout = 2000ms);
  /// The next packet with `command`, acknowledging and reassembling on the way (see the file
  /// comment); others are kept for later.
  std::optional<V3ServerPacket> expect(uint16_t command, std::chrono::milliseconds timeout = 2000ms);
  /// The server ACK of `sent` (§3.3: seq1 echoed), or nullopt after `timeout`.
  std::optional<V3ServerPacket> expectAckOf(const codec::v3::Header& sent, std::chrono::milliseconds timeout = 2000ms);
  /// Every packet but ACK up to and including the first `command`, in arrival order; fewer
  /// (without `command`) if `timeout` passes first.
  std::vector<V3ServerPacket> receiveUntil(uint16_t command, std::chrono::milliseconds timeout = 2000ms);
  /// True when nothing at all arrives within `window`.
  bool silentFor(std::chrono::milliseconds window);
  /// ACK of a server packet (§3.3: its seq1, seq2 0).
  void acknowledge(const codec::v3::Header& serverHeader);
  /// Whether the client acknowledges packets at all (off: to make the server retransmit).
  void setAcknowledging(bool on) { acknowledging_ = on; }

  // ---- the session (§5.2–§5.5, §8) ----------------------------------------------------

  /// LOGON (seq1 = seq2 = 1); waits for the ACK and HELLO / WRONG_PASSWORD / LOGIN_ERROR / BUSY.
  V3LoginOutcome login(std::chrono::milliseconds timeout = 3000ms);
  const codec::v3::Hello& hello() const { return hello_; }
  /// The refusal of the last refused login (WRONG_PASSWORD, LOGIN_ERROR or BUSY).
  const V3ServerPacket& lastRefusal() const { return lastRefusal_; }
  const codec::v3::Header& lastLogonHeader() const { return lastLogonHeader_; }
  const std::vector<uint8_t>& lastLogonBody() const { return lastLogonBody_; }
  /// PING (seq2 0); true when acknowledged, false on NOT_CONNECTED or silence.
  bool ping(std::chrono::milliseconds timeout = 2000ms);
  /// LOGOFF "B_USER_DISCONNECTED" with seq1 = seq2 = 0, as Miranda sends it; nothing is expected back.
  void logoff();

  // ---- commands -----------------------------------------------------------------------

  /// USER_LIST packets of at most 100 UINs (Miranda's size), then the USER_ONLINE records that
  /// arrive until one LIST_DONE per packet; nullopt if a LIST_DONE is missing after `timeout`.
  std::optional<std::vector<codec::v3::OnlineContact>> uploadContacts(std::span<const uint32_t> uins,
                                                                      std::chrono::milliseconds timeout = 3000ms);
  /// SET_STATUS (Miranda's 2-byte body unless `miranda` is false); true when acknowledged.
  bool setStatus(uint16_t status, bool miranda = true, std::chrono::milliseconds timeout = 2000ms);
  /// THRU_SERVER in one datagram whatever its length (the test client may send what a real
  /// client must not); returns the header used.
  codec::v3::Header sendMessage(uint32_t to, uint16_t type, std::string_view text,
                                uint16_t command = codec::v3::CMD_THRU_SERVER);
  /// THRU_SERVER as fragments when it does not fit `mtu` (as the Mirabilis client sends long
  /// texts, §5.35), in index order to the current server; the inner header is returned.
  codec::v3::Header sendLongMessage(uint32_t to, uint16_t type, std::string_view text,
                                    size_t mtu = codec::v3::kDefaultMtu);
  /// The next live message (SYSMSG_ONLINE, reassembled if it came in fragments).
  std::optional<V3Message> expectMessage(std::chrono::milliseconds timeout = 2000ms);
  /// SYSMSG_REQ, the SYSMSG_OFFLINE messages up to SYSMSG_DONE, then SYSMSG_DONE_ACK with the
  /// newest time if there were any (§5.13, §5.14); nullopt without SYSMSG_DONE.
  std::optional<std::vector<V3Message>> fetchOfflineMessages(std::chrono::milliseconds timeout = 3000ms);
  /// GET_INFO (§5.17): the five replies in order, or the one INVALID_UIN; fewer on timeout.
  std::vector<V3ServerPacket> getInfo(uint32_t uin, std::chrono::milliseconds timeout = 3000ms);
  /// GET_INFO1 (§5.18): INFO_SINGLE or INVALID_UIN.
  std::optional<V3ServerPacket> getBasicInfo(uint32_t uin, std::chrono::milliseconds timeout = 2000ms);
  /// SEARCH (§5.27, seq2 0 as Miranda): the hits up to SEARCH_DONE; nullopt without it. `more`
  /// receives SEARCH_DONE's flag.
  std::optional<std::vector<V3SearchHit>> search(const codec::v3::Search& query, bool* more = nullptr,
                                                 std::chrono::milliseconds timeout = 3000ms);
  /// GET_DEPS1 in the session (§5.29): DEPS_LIST1's departments; nullopt without a reply.
  std::optional<std::vector<V3Department>> getDepartments(std::chrono::milliseconds timeout = 2000ms);
  /// GET_DEPS before logging in (§5.28, header uin 0): DEPS_LIST's departments; nullopt on
  /// WRONG_PASSWORD, BUSY or silence (lastRefusal() tells which).
  std::optional<std::vector<V3Department>> getDepartmentsPreLogin(std::chrono::milliseconds timeout = 2000ms);

private:
  using Match = std::function<bool(const V3ServerPacket&)>;

  std::optional<V3ServerPacket> takeQueued(const Match& match);
  /// The next packet as the client sees it: acknowledged per §3.3, fragments put together.
  std::optional<V3ServerPacket> nextPacket(std::chrono::steady_clock::time_point deadline);
  /// Receives until `match` accepts a packet or `timeout` passes; the others are queued.
  std::optional<V3ServerPacket> awaitPacket(std::chrono::milliseconds timeout, const Match& match);
  /// Stores a fragment; the inner packet once its group is complete.
  std::optional<V3ServerPacket> reassemble(const V3ServerPacket& fragment);
  std::optional<std::vector<V3Department>> departmentsFrom(const std::optional<V3ServerPacket>& reply, bool prefixed);

  int fd_ = -1;
  uint16_t serverPort_;
  uint32_t uin_;
  std::string password_;
  std::string localIp_;
  uint16_t seq_ = 1;
  bool acknowledging_ = true;
  codec::v3::Hello hello_;
  codec::v3::Header lastLogonHeader_;
  std::vector<uint8_t> lastLogonBody_;
  V3ServerPacket lastRefusal_;
  std::vector<V3ServerPacket> queued_;
  // Received fragments by group (seq2), each kept whole: pieces point into these datagrams.
  std::map<uint16_t, std::vector<std::vector<uint8_t>>> fragmentGroups_;
};

}  // namespace icq::client
