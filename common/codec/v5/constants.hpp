// V5 protocol constants: client command codes (protocol-v5.md §6.0, §14.1), server packet
// codes (§8.0) and framing sizes (§1.2, §2). Identifiers keep the spec's spelling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace icq::codec::v5 {

inline constexpr uint16_t kVersion5 = 0x0005;
// The V3 version number is needed here only to recognise V3-layout server replies (§8.6).
inline constexpr uint16_t kVersion3 = 0x0003;

inline constexpr size_t kClientHeaderSize = 24;         // §2.1
inline constexpr size_t kServerHeaderSize = 21;         // §2.3
inline constexpr size_t kClientCheckcodeOffset = 0x14;  // scrambled, never encrypted (§2.2)
inline constexpr size_t kServerCheckcodeOffset = 0x11;  // plain (§3.6)
// A client packet is at least its header; anything larger than kMaxDatagram is dropped (§1.2).
inline constexpr size_t kMinDatagram = kClientHeaderSize;
inline constexpr size_t kMaxDatagram = 2048;

// Client → server commands (§6.0). Names follow Isaksson/Wireshark; CMD_GET_DEPS is IServerd's.
inline constexpr uint16_t CMD_ACK = 0x000A;
inline constexpr uint16_t CMD_SEND_MESSAGE = 0x010E;
inline constexpr uint16_t CMD_TCP_REQUEST = 0x015E;
inline constexpr uint16_t CMD_LOGIN = 0x03E8;
inline constexpr uint16_t CMD_GET_DEPS = 0x03F2;
inline constexpr uint16_t CMD_REG_NEW_USER = 0x03FC;
inline constexpr uint16_t CMD_CONTACT_LIST = 0x0406;
inline constexpr uint16_t CMD_SEARCH_UIN = 0x041A;
inline constexpr uint16_t CMD_SEARCH_USER = 0x0424;
inline constexpr uint16_t CMD_KEEP_ALIVE = 0x042E;
inline constexpr uint16_t CMD_SEND_TEXT_CODE = 0x0438;
inline constexpr uint16_t CMD_ACK_MESSAGES = 0x0442;
inline constexpr uint16_t CMD_LOGIN_1 = 0x044C;
inline constexpr uint16_t CMD_MSG_TO_NEW_USER = 0x0456;
inline constexpr uint16_t CMD_INFO_REQ = 0x0460;
inline constexpr uint16_t CMD_EXT_INFO_REQ = 0x046A;
inline constexpr uint16_t CMD_CHANGE_PW = 0x049C;
inline constexpr uint16_t CMD_NEW_USER_INFO = 0x04A6;
inline constexpr uint16_t CMD_UPDATE_EXT_INFO = 0x04B0;
inline constexpr uint16_t CMD_QUERY_SERVERS = 0x04BA;
inline constexpr uint16_t CMD_QUERY_ADDONS = 0x04C4;
inline constexpr uint16_t CMD_STATUS_CHANGE = 0x04D8;
inline constexpr uint16_t CMD_NEW_USER_1 = 0x04EC;
inline constexpr uint16_t CMD_UPDATE_INFO = 0x050A;
inline constexpr uint16_t CMD_AUTH_UPDATE = 0x0514;
inline constexpr uint16_t CMD_KEEP_ALIVE2 = 0x051E;
inline constexpr uint16_t CMD_LOGIN_2 = 0x0528;
inline constexpr uint16_t CMD_ADD_TO_LIST = 0x053C;
inline constexpr uint16_t CMD_RAND_SET = 0x0564;
inline constexpr uint16_t CMD_RAND_SEARCH = 0x056E;
inline constexpr uint16_t CMD_META_USER = 0x064A;
inline constexpr uint16_t CMD_INVIS_LIST = 0x06A4;
inline constexpr uint16_t CMD_VIS_LIST = 0x06AE;
inline constexpr uint16_t CMD_UPDATE_LIST = 0x06B8;

// Server → client packets (§8.0).
inline constexpr uint16_t SRV_ACK = 0x000A;
// Wireshark's name; IServerd sends this code only as its META_LOGIN reply (§8.22, D17).
inline constexpr uint16_t SRV_SILENT_TOO_LONG = 0x001E;
inline constexpr uint16_t SRV_GO_AWAY = 0x0028;
// The spec gives 0x0032 no name: IServerd's V3-layout reply to CMD_GET_DEPS (§6.16).
inline constexpr uint16_t SRV_GET_DEPS_REPLY = 0x0032;
inline constexpr uint16_t SRV_NEW_UIN = 0x0046;
inline constexpr uint16_t SRV_LOGIN_REPLY = 0x005A;
inline constexpr uint16_t SRV_BAD_PASS = 0x0064;
inline constexpr uint16_t SRV_USER_ONLINE = 0x006E;
inline constexpr uint16_t SRV_USER_OFFLINE = 0x0078;
inline constexpr uint16_t SRV_QUERY = 0x0082;
inline constexpr uint16_t SRV_USER_FOUND = 0x008C;
inline constexpr uint16_t SRV_END_OF_SEARCH = 0x00A0;
inline constexpr uint16_t SRV_NEW_USER = 0x00B4;
inline constexpr uint16_t SRV_UPDATE_EXT = 0x00C8;
inline constexpr uint16_t SRV_RECV_MESSAGE = 0x00DC;
inline constexpr uint16_t SRV_END_OFFLINE_MESSAGES = 0x00E6;
inline constexpr uint16_t SRV_X2 = SRV_END_OFFLINE_MESSAGES;
inline constexpr uint16_t SRV_NOT_CONNECTED = 0x00F0;
inline constexpr uint16_t SRV_TRY_AGAIN = 0x00FA;
inline constexpr uint16_t SRV_SYS_DELIVERED_MESS = 0x0104;
inline constexpr uint16_t SRV_INFO_REPLY = 0x0118;
inline constexpr uint16_t SRV_EXT_INFO_REPLY = 0x0122;
inline constexpr uint16_t SRV_INVALID_UIN = 0x012C;
inline constexpr uint16_t SRV_TCP_REQUEST = 0x015E;
inline constexpr uint16_t SRV_STATUS_UPDATE = 0x01A4;
inline constexpr uint16_t SRV_SYSTEM_MESSAGE = 0x01C2;
inline constexpr uint16_t SRV_UPDATE_SUCCESS = 0x01E0;
inline constexpr uint16_t SRV_UPDATE_FAIL = 0x01EA;
inline constexpr uint16_t SRV_AUTH_UPDATE = 0x01F4;
// The spec gives 0x01FE no name; licq describes it as "auth updated" (§6.21, §8.17).
inline constexpr uint16_t SRV_AUTH_UPDATED = 0x01FE;
inline constexpr uint16_t SRV_MULTI_PACKET = 0x0212;
inline constexpr uint16_t SRV_USER_LIST_DONE = 0x021C;
inline constexpr uint16_t SRV_X1 = SRV_USER_LIST_DONE;
inline constexpr uint16_t SRV_RAND_USER = 0x024E;
inline constexpr uint16_t SRV_LOGIN_ERR = 0x0370;
inline constexpr uint16_t SRV_META_USER = 0x03DE;

// Spec names for metric labels and logs; any code not listed above is "other", so the label
// set stays bounded whatever a peer sends.
inline constexpr std::string_view clientCommandName(uint16_t command) noexcept {
  switch (command) {
    case CMD_ACK:
      return "CMD_ACK";
    case CMD_SEND_MESSAGE:
      return "CMD_SEND_MESSAGE";
    case CMD_TCP_REQUEST:
      return "CMD_TCP_REQUEST";
    case CMD_LOGIN:
      return "CMD_LOGIN";
    case CMD_GET_DEPS:
      return "CMD_GET_DEPS";
    case CMD_REG_NEW_USER:
      return "CMD_REG_NEW_USER";
    case CMD_CONTACT_LIST:
      return "CMD_CONTACT_LIST";
    case CMD_SEARCH_UIN:
      return "CMD_SEARCH_UIN";
    case CMD_SEARCH_USER:
      return "CMD_SEARCH_USER";
    case CMD_KEEP_ALIVE:
      return "CMD_KEEP_ALIVE";
    case CMD_SEND_TEXT_CODE:
      return "CMD_SEND_TEXT_CODE";
    case CMD_ACK_MESSAGES:
      return "CMD_ACK_MESSAGES";
    case CMD_LOGIN_1:
      return "CMD_LOGIN_1";
    case CMD_MSG_TO_NEW_USER:
      return "CMD_MSG_TO_NEW_USER";
    case CMD_INFO_REQ:
      return "CMD_INFO_REQ";
    case CMD_EXT_INFO_REQ:
      return "CMD_EXT_INFO_REQ";
    case CMD_CHANGE_PW:
      return "CMD_CHANGE_PW";
    case CMD_NEW_USER_INFO:
      return "CMD_NEW_USER_INFO";
    case CMD_UPDATE_EXT_INFO:
      return "CMD_UPDATE_EXT_INFO";
    case CMD_QUERY_SERVERS:
      return "CMD_QUERY_SERVERS";
    case CMD_QUERY_ADDONS:
      return "CMD_QUERY_ADDONS";
    case CMD_STATUS_CHANGE:
      return "CMD_STATUS_CHANGE";
    case CMD_NEW_USER_1:
      return "CMD_NEW_USER_1";
    case CMD_UPDATE_INFO:
      return "CMD_UPDATE_INFO";
    case CMD_AUTH_UPDATE:
      return "CMD_AUTH_UPDATE";
    case CMD_KEEP_ALIVE2:
      return "CMD_KEEP_ALIVE2";
    case CMD_LOGIN_2:
      return "CMD_LOGIN_2";
    case CMD_ADD_TO_LIST:
      return "CMD_ADD_TO_LIST";
    case CMD_RAND_SET:
      return "CMD_RAND_SET";
    case CMD_RAND_SEARCH:
      return "CMD_RAND_SEARCH";
    case CMD_META_USER:
      return "CMD_META_USER";
    case CMD_INVIS_LIST:
      return "CMD_INVIS_LIST";
    case CMD_VIS_LIST:
      return "CMD_VIS_LIST";
    case CMD_UPDATE_LIST:
      return "CMD_UPDATE_LIST";
    default:
      return "other";
  }
}

inline constexpr std::string_view serverCommandName(uint16_t command) noexcept {
  switch (command) {
    case SRV_ACK:
      return "SRV_ACK";
    case SRV_SILENT_TOO_LONG:
      return "SRV_SILENT_TOO_LONG";
    case SRV_GO_AWAY:
      return "SRV_GO_AWAY";
    case SRV_GET_DEPS_REPLY:
      return "SRV_GET_DEPS_REPLY";
    case SRV_NEW_UIN:
      return "SRV_NEW_UIN";
    case SRV_LOGIN_REPLY:
      return "SRV_LOGIN_REPLY";
    case SRV_BAD_PASS:
      return "SRV_BAD_PASS";
    case SRV_USER_ONLINE:
      return "SRV_USER_ONLINE";
    case SRV_USER_OFFLINE:
      return "SRV_USER_OFFLINE";
    case SRV_QUERY:
      return "SRV_QUERY";
    case SRV_USER_FOUND:
      return "SRV_USER_FOUND";
    case SRV_END_OF_SEARCH:
      return "SRV_END_OF_SEARCH";
    case SRV_NEW_USER:
      return "SRV_NEW_USER";
    case SRV_UPDATE_EXT:
      return "SRV_UPDATE_EXT";
    case SRV_RECV_MESSAGE:
      return "SRV_RECV_MESSAGE";
    case SRV_END_OFFLINE_MESSAGES:
      return "SRV_END_OFFLINE_MESSAGES";
    case SRV_NOT_CONNECTED:
      return "SRV_NOT_CONNECTED";
    case SRV_TRY_AGAIN:
      return "SRV_TRY_AGAIN";
    case SRV_SYS_DELIVERED_MESS:
      return "SRV_SYS_DELIVERED_MESS";
    case SRV_INFO_REPLY:
      return "SRV_INFO_REPLY";
    case SRV_EXT_INFO_REPLY:
      return "SRV_EXT_INFO_REPLY";
    case SRV_INVALID_UIN:
      return "SRV_INVALID_UIN";
    case SRV_TCP_REQUEST:
      return "SRV_TCP_REQUEST";
    case SRV_STATUS_UPDATE:
      return "SRV_STATUS_UPDATE";
    case SRV_SYSTEM_MESSAGE:
      return "SRV_SYSTEM_MESSAGE";
    case SRV_UPDATE_SUCCESS:
      return "SRV_UPDATE_SUCCESS";
    case SRV_UPDATE_FAIL:
      return "SRV_UPDATE_FAIL";
    case SRV_AUTH_UPDATE:
      return "SRV_AUTH_UPDATE";
    case SRV_AUTH_UPDATED:
      return "SRV_AUTH_UPDATED";
    case SRV_MULTI_PACKET:
      return "SRV_MULTI_PACKET";
    case SRV_USER_LIST_DONE:
      return "SRV_USER_LIST_DONE";
    case SRV_RAND_USER:
      return "SRV_RAND_USER";
    case SRV_LOGIN_ERR:
      return "SRV_LOGIN_ERR";
    case SRV_META_USER:
      return "SRV_META_USER";
    default:
      return "other";
  }
}

}  // namespace icq::codec::v5
