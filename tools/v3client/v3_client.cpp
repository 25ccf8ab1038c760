// The scripted V3 test client; see v3_client.hpp.
#include "tools/v3client/v3_client.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "common/codec/v3/message.hpp"
#include "common/util/endpoint.hpp"

namespace icq::client {
namespace v3 = codec::v3;

namespace {

using Clock = std::chrono::steady_clock;

// Miranda's limit per USER_LIST packet (§5.6).
constexpr size_t kContactsPerPacket = 100;
// What the client says about itself at LOGON (TV1's values).
constexpr uint32_t kTcpPort = 2486;
constexpr uint32_t kClientBuild = 0x0002007A;
constexpr uint8_t kDcType = 4;
constexpr uint32_t kTcpVersion = 2;
// GET_INFO's five replies, in the order the server sends them (§5.17).
constexpr std::array<uint16_t, 5> kInfoReplies{v3::SRV_INFO_BASIC, v3::SRV_INFO_HOME, v3::SRV_INFO_HOME_PAGE,
                                               v3::SRV_INFO_WORK, v3::SRV_INFO_WORK_PAGE};

// Miranda acknowledges every server packet but these (§3.3).
bool needsAck(uint16_t command) {
  return command != v3::SRV_ACK && command != v3::SRV_SET_OFFLINE && command != v3::SRV_NOT_CONNECTED &&
         command != v3::SRV_WRONG_PASSWORD && command != v3::SRV_BUSY;
}

std::span<const uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

std::optional<V3Message> messageFrom(const V3ServerPacket& packet) {
  v3::DeliveredMessage message;
  const bool offline = packet.header.command != v3::SRV_SYSMSG_ONLINE;
  const auto error = offline ? v3::parseOfflineMessage(packet.body, message) : v3::parseOnlineMessage(packet.body, message);
  if (error != v3::ParseError::none) return std::nullopt;
  return V3Message{message.from, message.sentAt, message.type,
                   std::string(message.text.begin(), message.text.end()), offline, packet.reassembled};
}

}  // namespace

V3Client::V3Client(uint16_t serverPort, uint32_t uin, std::string password, std::string localIp)
    : serverPort_(serverPort), uin_(uin), password_(std::move(password)), localIp_(std::move(localIp)) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  util::fillSockaddr(util::Endpoint{*util::parseIp(localIp_), 0}, sa);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    throw std::runtime_error("test client: cannot bind " + localIp_);
}

V3Client::~V3Client() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t V3Client::localPort() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

// ---- raw traffic ----------------------------------------------------------------------

void V3Client::sendRaw(std::span<const uint8_t> datagram) {
  sockaddr_in to{};
  util::fillSockaddr(util::Endpoint{*util::parseIp("127.0.0.1"), serverPort_}, to);
  ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

void V3Client::resend(const v3::Header& header, std::span<const uint8_t> body) {
  std::vector<uint8_t> out(v3::kHeaderSize + body.size());
  sendRaw(std::span(out).first(v3::encodePacket(header, body, out)));
}

v3::Header V3Client::send(uint16_t command, std::span<const uint8_t> body, std::optional<uint16_t> seq2) {
  const uint16_t seq1 = seq_++;
  const v3::Header header{.command = command, .seq1 = seq1, .seq2 = seq2.value_or(seq1), .uin = uin_};
  resend(header, body);
  return header;
}

V3Client::Fragments V3Client::fragmentDatagrams(uint16_t command, std::span<const uint8_t> body, size_t mtu,
                                                v3::FragmentOrder order, bool oneBased) {
  Fragments fragments;
  const uint16_t seq = seq_++;
  fragments.inner = v3::Header{.command = command, .seq1 = seq, .seq2 = seq, .uin = uin_};
  std::vector<uint8_t> inner(v3::kHeaderSize + body.size());
  inner.resize(v3::encodePacket(fragments.inner, body, inner));
  const size_t chunk = v3::fragmentChunk(mtu);
  const size_t count = chunk == 0 ? 0 : (inner.size() + chunk - 1) / chunk;
  for (size_t i = 0; i < count; ++i) {
    const v3::Header header{.command = v3::CMD_FRAGMENT, .seq1 = seq_++, .seq2 = seq, .uin = uin_};
    std::vector<uint8_t> datagram(mtu);
    datagram.resize(v3::buildFragment(header, static_cast<uint8_t>(i + (oneBased ? 1 : 0)),
                                      static_cast<uint8_t>(count), order, v3::fragmentSlice(inner, mtu, i), datagram));
    fragments.headers.push_back(header);
    fragments.datagrams.push_back(std::move(datagram));
  }
  return fragments;
}

std::optional<V3ServerPacket> V3Client::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::array<uint8_t, 65536> buffer{};
  sockaddr_in from{};
  socklen_t fromLength = sizeof from;
  ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
  if (n <= 0) return std::nullopt;
  V3ServerPacket packet;
  packet.fromPort = ntohs(from.sin_port);
  packet.raw.assign(buffer.begin(), buffer.begin() + n);
  v3::Packet decoded;
  if (v3::decodePacket(packet.raw, decoded) != v3::DecodeError::none) return packet;  // garbage: header zero
  packet.header = decoded.header;
  packet.body.assign(decoded.body.begin(), decoded.body.end());
  return packet;
}

void V3Client::acknowledge(const v3::Header& serverHeader) {
  resend(v3::clientAckHeader(serverHeader, uin_), {});
}

std::optional<V3ServerPacket> V3Client::reassemble(const V3ServerPacket& fragment) {
  auto& group = fragmentGroups_[fragment.header.seq2];
  group.push_back(fragment.raw);
  std::vector<v3::FragmentPiece> pieces;
  for (const auto& datagram : group) {
    v3::FragmentPiece piece;
    if (v3::parseFragment(std::span(datagram).subspan(v3::kHeaderSize), piece) == v3::ParseError::none)
      pieces.push_back(piece);
  }
  std::vector<uint8_t> inner(v3::kMaxReassembled);
  // The inner packet is addressed like its fragments: to this client, or to uin 0 before login.
  const v3::Assembly assembly = v3::assembleFragments(pieces, fragment.header.uin, inner);
  if (assembly.status == v3::AssemblyStatus::incomplete) return std::nullopt;
  const size_t count = group.size();
  fragmentGroups_.erase(fragment.header.seq2);
  if (assembly.status != v3::AssemblyStatus::complete) return std::nullopt;
  inner.resize(assembly.length);
  v3::Packet decoded;
  if (v3::decodePacket(inner, decoded) != v3::DecodeError::none) return std::nullopt;
  V3ServerPacket packet{decoded.header, {decoded.body.begin(), decoded.body.end()}, inner, fragment.fromPort, true,
                        count};
  return packet;
}

std::optional<V3ServerPacket> V3Client::nextPacket(Clock::time_point deadline) {
  while (true) {
    auto packet = receive(until(deadline));
    if (!packet) return std::nullopt;
    const bool decodable = v3::precheckDatagram(packet->raw) == v3::DecodeError::none;
    if (acknowledging_ && decodable && needsAck(packet->header.command)) acknowledge(packet->header);
    if (packet->header.command != v3::SRV_FRAGMENT) return packet;
    auto inner = reassemble(*packet);
    if (!inner) continue;
    // Miranda processes the reassembled packet like a new datagram, acknowledgement included (§4.2).
    if (acknowledging_ && needsAck(inner->header.command)) acknowledge(inner->header);
    return inner;
  }
}

std::optional<V3ServerPacket> V3Client::takeQueued(const Match& match) {
  auto it = std::find_if(queued_.begin(), queued_.end(), match);
  if (it == queued_.end()) return std::nullopt;
  V3ServerPacket packet = std::move(*it);
  queued_.erase(it);
  return packet;
}

std::optional<V3ServerPacket> V3Client::awaitPacket(std::chrono::milliseconds timeout, const Match& match) {
  if (auto queued = takeQueued(match)) return queued;
  const auto deadline = Clock::now() + timeout;
  while (auto packet = nextPacket(deadline)) {
    if (match(*packet)) return packet;
    queued_.push_back(std::move(*packet));
  }
  return std::nullopt;
}

std::optional<V3ServerPacket> V3Client::expect(uint16_t command, std::chrono::milliseconds timeout) {
  return awaitPacket(timeout, [&](const V3ServerPacket& p) { return p.header.command == command; });
}

std::optional<V3ServerPacket> V3Client::expectAckOf(const v3::Header& sent, std::chrono::milliseconds timeout) {
  return awaitPacket(timeout, [&](const V3ServerPacket& p) {
    return p.header.command == v3::SRV_ACK && p.header.seq1 == sent.seq1 && p.header.seq2 == sent.seq2;
  });
}

std::vector<V3ServerPacket> V3Client::receiveUntil(uint16_t command, std::chrono::milliseconds timeout) {
  std::vector<V3ServerPacket> got;
  const Match notAck = [](const V3ServerPacket& p) { return p.header.command != v3::SRV_ACK; };
  while (auto queued = takeQueued(notAck)) {
    got.push_back(std::move(*queued));
    if (got.back().header.command == command) return got;
  }
  const auto deadline = Clock::now() + timeout;
  while (auto packet = nextPacket(deadline)) {
    if (!notAck(*packet)) {
      queued_.push_back(std::move(*packet));
      continue;
    }
    got.push_back(std::move(*packet));
    if (got.back().header.command == command) return got;
  }
  return got;
}

bool V3Client::silentFor(std::chrono::milliseconds window) { return !receive(window).has_value(); }

// ---- the session ------------------------------------------------------------------------

V3LoginOutcome V3Client::login(std::chrono::milliseconds timeout) {
  queued_.clear();
  fragmentGroups_.clear();
  seq_ = 1;  // Miranda restarts its counter at every LOGON (§3.1)
  v3::Logon logon;
  logon.tcpPort = kTcpPort;
  logon.password = password_;
  logon.clientBuild = kClientBuild;
  logon.internalIp = *util::parseIp(localIp_);
  logon.dcType = kDcType;
  logon.status = v3::kStatusOnline;
  logon.tcpVersion = kTcpVersion;
  lastLogonBody_.assign(128 + password_.size(), 0);
  lastLogonBody_.resize(v3::buildLogonBody(logon, lastLogonBody_));
  lastLogonHeader_ = send(v3::CMD_LOGON, lastLogonBody_);
  auto outcome = awaitPacket(timeout, [](const V3ServerPacket& p) {
    const uint16_t c = p.header.command;
    return c == v3::SRV_HELLO || c == v3::SRV_WRONG_PASSWORD || c == v3::SRV_LOGIN_ERROR || c == v3::SRV_BUSY;
  });
  std::erase_if(queued_, [](const V3ServerPacket& p) { return p.header.command == v3::SRV_ACK; });
  if (!outcome) return V3LoginOutcome::no_answer;
  switch (outcome->header.command) {
    case v3::SRV_HELLO:
      v3::parseHello(outcome->body, hello_);
      return V3LoginOutcome::accepted;
    case v3::SRV_WRONG_PASSWORD:
      lastRefusal_ = *outcome;
      return V3LoginOutcome::wrong_password;
    case v3::SRV_LOGIN_ERROR:
      lastRefusal_ = *outcome;
      return V3LoginOutcome::login_error;
    default:
      lastRefusal_ = *outcome;
      return V3LoginOutcome::busy;
  }
}

bool V3Client::ping(std::chrono::milliseconds timeout) {
  const v3::Header sent = send(v3::CMD_PING, {}, 0);
  auto answer = awaitPacket(timeout, [&](const V3ServerPacket& p) {
    return (p.header.command == v3::SRV_ACK && p.header.seq1 == sent.seq1) ||
           p.header.command == v3::SRV_NOT_CONNECTED;
  });
  return answer && answer->header.command == v3::SRV_ACK;
}

void V3Client::logoff() {
  std::array<uint8_t, 64> body{};
  const size_t n = v3::buildLogoffBody(v3::kLogoffText, body);
  resend(v3::Header{.command = v3::CMD_LOGOFF, .seq1 = 0, .seq2 = 0, .uin = uin_}, std::span(body).first(n));
}

// ---- commands ----------------------------------------------------------------------------

std::optional<std::vector<v3::OnlineContact>> V3Client::uploadContacts(std::span<const uint32_t> uins,
                                                                       std::chrono::milliseconds timeout) {
  size_t packets = 0;
  for (size_t offset = 0; offset < uins.size() || packets == 0; offset += kContactsPerPacket) {
    const auto part = uins.subspan(offset, std::min(kContactsPerPacket, uins.size() - offset));
    std::vector<uint8_t> body(1 + 4 * part.size());
    send(v3::CMD_USER_LIST, std::span(body).first(v3::buildUinListBody(part, body)));
    ++packets;
  }
  std::vector<v3::OnlineContact> online;
  const auto deadline = Clock::now() + timeout;
  for (size_t done = 0; done < packets;) {
    auto packet = awaitPacket(until(deadline), [](const V3ServerPacket& p) {
      return p.header.command == v3::SRV_USER_ONLINE || p.header.command == v3::SRV_LIST_DONE;
    });
    if (!packet) return std::nullopt;
    if (packet->header.command == v3::SRV_LIST_DONE) {
      ++done;
      continue;
    }
    v3::OnlineContact contact;
    if (v3::parseUserOnline(packet->body, contact) == v3::ParseError::none) online.push_back(contact);
  }
  return online;
}

bool V3Client::setStatus(uint16_t status, bool miranda, std::chrono::milliseconds timeout) {
  std::array<uint8_t, 8> body{};
  const size_t n = v3::buildSetStatusBody(v3::StatusChange{status, 0}, miranda, body);
  return expectAckOf(send(v3::CMD_SET_STATUS, std::span(body).first(n)), timeout).has_value();
}

v3::Header V3Client::sendMessage(uint32_t to, uint16_t type, std::string_view text, uint16_t command) {
  std::vector<uint8_t> body(16 + text.size());
  body.resize(v3::buildThruServerBody(v3::ThruServer{to, type, bytesOf(text)}, body));
  return send(command, body);
}

v3::Header V3Client::sendLongMessage(uint32_t to, uint16_t type, std::string_view text, size_t mtu) {
  std::vector<uint8_t> body(16 + text.size());
  body.resize(v3::buildThruServerBody(v3::ThruServer{to, type, bytesOf(text)}, body));
  if (v3::kHeaderSize + body.size() <= mtu) return send(v3::CMD_THRU_SERVER, body);
  const Fragments fragments = fragmentDatagrams(v3::CMD_THRU_SERVER, body, mtu);
  for (const auto& datagram : fragments.datagrams) sendRaw(datagram);
  return fragments.inner;
}

std::optional<V3Message> V3Client::expectMessage(std::chrono::milliseconds timeout) {
  auto packet = expect(v3::SRV_SYSMSG_ONLINE, timeout);
  return packet ? messageFrom(*packet) : std::nullopt;
}

std::optional<std::vector<V3Message>> V3Client::fetchOfflineMessages(std::chrono::milliseconds timeout) {
  const v3::Header request = send(v3::CMD_SYSMSG_REQ, {});
  std::vector<V3Message> messages;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto packet = awaitPacket(until(deadline), [&](const V3ServerPacket& p) {
      return p.header.command == v3::SRV_SYSMSG_OFFLINE ||
             (p.header.command == v3::SRV_SYSMSG_DONE && p.header.seq2 == request.seq2);
    });
    if (!packet) return std::nullopt;
    if (packet->header.command == v3::SRV_SYSMSG_DONE) break;
    if (auto message = messageFrom(*packet)) messages.push_back(std::move(*message));
  }
  if (!messages.empty()) {
    std::array<uint8_t, 4> body{};
    v3::buildU32Body(messages.back().sentAt, body);
    if (!expectAckOf(send(v3::CMD_SYSMSG_DONE_ACK, body), until(deadline))) return std::nullopt;
  }
  return messages;
}

std::vector<V3ServerPacket> V3Client::getInfo(uint32_t uin, std::chrono::milliseconds timeout) {
  std::array<uint8_t, 4> body{};
  v3::buildU32Body(uin, body);
  const v3::Header request = send(v3::CMD_GET_INFO, body);
  std::vector<V3ServerPacket> replies;
  const auto deadline = Clock::now() + timeout;
  while (replies.size() < kInfoReplies.size()) {
    auto packet = awaitPacket(until(deadline), [&](const V3ServerPacket& p) {
      const uint16_t c = p.header.command;
      return p.header.seq2 == request.seq2 &&
             (c == v3::SRV_INVALID_UIN || std::find(kInfoReplies.begin(), kInfoReplies.end(), c) != kInfoReplies.end());
    });
    if (!packet) break;
    const bool invalid = packet->header.command == v3::SRV_INVALID_UIN;
    replies.push_back(std::move(*packet));
    if (invalid) break;
  }
  return replies;
}

std::optional<V3ServerPacket> V3Client::getBasicInfo(uint32_t uin, std::chrono::milliseconds timeout) {
  std::array<uint8_t, 4> body{};
  v3::buildU32Body(uin, body);
  const v3::Header request = send(v3::CMD_GET_INFO1, body);
  return awaitPacket(timeout, [&](const V3ServerPacket& p) {
    return p.header.seq2 == request.seq2 &&
           (p.header.command == v3::SRV_INFO_SINGLE || p.header.command == v3::SRV_INVALID_UIN);
  });
}

std::optional<std::vector<V3SearchHit>> V3Client::search(const v3::Search& query, bool* more,
                                                         std::chrono::milliseconds timeout) {
  std::vector<uint8_t> body(8 + query.text.size());
  body.resize(v3::buildSearchBody(query, body));
  send(v3::CMD_SEARCH, body, 0);  // Miranda's search number (§3.1)
  std::vector<V3SearchHit> hits;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto packet = awaitPacket(until(deadline), [](const V3ServerPacket& p) {
      return p.header.command == v3::SRV_SEARCH_FOUND || p.header.command == v3::SRV_SEARCH_DONE;
    });
    if (!packet) return std::nullopt;
    if (packet->header.command == v3::SRV_SEARCH_DONE) {
      if (more) *more = v3::parseSearchDone(packet->body);
      return hits;
    }
    V3SearchHit hit;
    v3::BasicInfo info;
    if (v3::parseSearchFound(packet->body, hit.uin, info) != v3::ParseError::none) continue;
    hit.nick = info.nick;
    hit.first = info.first;
    hit.last = info.last;
    hit.email = info.email;
    hit.auth = info.auth;
    hits.push_back(std::move(hit));
  }
}

std::optional<std::vector<V3Department>> V3Client::departmentsFrom(const std::optional<V3ServerPacket>& reply,
                                                                   bool prefixed) {
  if (!reply) return std::nullopt;
  std::vector<v3::Department> parsed(v3::kMaxDepartments);
  size_t count = 0;
  uint32_t version = 0;
  if (v3::parseDepsList(reply->body, prefixed, version, parsed, count) != v3::ParseError::none) return std::nullopt;
  std::vector<V3Department> departments;
  for (size_t i = 0; i < count; ++i) departments.push_back({parsed[i].code, std::string(parsed[i].name)});
  return departments;
}

std::optional<std::vector<V3Department>> V3Client::getDepartments(std::chrono::milliseconds timeout) {
  const v3::Header request = send(v3::CMD_GET_DEPS1, {});
  return departmentsFrom(awaitPacket(timeout,
                                     [&](const V3ServerPacket& p) {
                                       return p.header.command == v3::SRV_DEPS_LIST1 && p.header.seq2 == request.seq2;
                                     }),
                         true);
}

std::optional<std::vector<V3Department>> V3Client::getDepartmentsPreLogin(std::chrono::milliseconds timeout) {
  std::vector<uint8_t> body(8 + password_.size());
  body.resize(v3::buildGetDepsBody(v3::GetDeps{uin_, password_}, body));
  const uint16_t seq = seq_++;
  const v3::Header request{.command = v3::CMD_GET_DEPS, .seq1 = seq, .seq2 = seq, .uin = 0};
  resend(request, body);
  auto reply = awaitPacket(timeout, [&](const V3ServerPacket& p) {
    const uint16_t c = p.header.command;
    return p.header.seq2 == request.seq2 &&
           (c == v3::SRV_DEPS_LIST || c == v3::SRV_WRONG_PASSWORD || c == v3::SRV_BUSY);
  });
  if (reply && reply->header.command != v3::SRV_DEPS_LIST) {
    lastRefusal_ = *reply;
    return std::nullopt;
  }
  return departmentsFrom(reply, false);
}

}  // namespace icq::client
