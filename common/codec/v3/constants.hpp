// V3 (ICQ Groupware) protocol constants: client command codes (protocol-v3.md §5.0, §14.3),
// server packet codes (§6.0), message types and status values (§7), framing sizes (§2, §4).
// Identifiers keep the spec's names, prefixed CMD_ (client → server) and SRV_ (server → client).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace icq::codec::v3 {

inline constexpr uint16_t kVersion3 = 0x0003;

inline constexpr size_t kHeaderSize = 16;  // both directions (§2.2)
// Shorter datagrams are dropped silently (§2.4); larger than IServerd's and Miranda's
// MAX_PACKET_SIZE are too (§2.1, §11.4).
inline constexpr size_t kMinDatagram = kHeaderSize;
inline constexpr size_t kMaxDatagram = 8192;

// Fragments (§4.1, §4.6): header + index + count, then a slice of the inner packet.
inline constexpr size_t kFragmentHeaderSize = 18;
inline constexpr size_t kDefaultMtu = 500;  // "V3 packet mtu" (§3.9)
inline constexpr size_t kMaxMtu = 600;      // the Groupware client disconnects on larger packets
inline constexpr size_t kMaxFragments = 255;
inline constexpr size_t kMaxReassembled = kMaxDatagram;

// Client → server commands (§5.0).
inline constexpr uint16_t CMD_ACK = 0x000A;
inline constexpr uint16_t CMD_THRU_SERVER = 0x010E;
inline constexpr uint16_t CMD_RECONNECT = 0x015E;
inline constexpr uint16_t CMD_LOGON = 0x03E8;
inline constexpr uint16_t CMD_GET_DEPS = 0x03F2;
inline constexpr uint16_t CMD_USER_LIST = 0x0406;
inline constexpr uint16_t CMD_PING = 0x042E;
inline constexpr uint16_t CMD_LOGOFF = 0x0438;
inline constexpr uint16_t CMD_SYSMSG_DONE_ACK = 0x0442;
inline constexpr uint16_t CMD_SYSMSG_REQ = 0x044C;
inline constexpr uint16_t CMD_AUTHORIZE = 0x0456;
inline constexpr uint16_t CMD_GET_INFO1 = 0x0460;
inline constexpr uint16_t CMD_SET_PASSWORD = 0x049C;
inline constexpr uint16_t CMD_GET_EXTERNALS = 0x04C4;
inline constexpr uint16_t CMD_SET_STATUS = 0x04D8;
inline constexpr uint16_t CMD_FIRST_LOGIN = 0x04EC;
inline constexpr uint16_t CMD_SET_BASIC = 0x050A;
inline constexpr uint16_t CMD_SET_AUTH = 0x0514;
inline constexpr uint16_t CMD_PING2 = 0x051E;
inline constexpr uint16_t CMD_SET_STATE = 0x0528;
inline constexpr uint16_t CMD_USAGE_STATS = 0x0532;
inline constexpr uint16_t CMD_USER_ADD = 0x053C;
inline constexpr uint16_t CMD_SET_WORK = 0x0578;
inline constexpr uint16_t CMD_SET_HOME = 0x0582;
inline constexpr uint16_t CMD_SET_HOME_PAGE = 0x058C;
inline constexpr uint16_t CMD_SET_NOTES = 0x0596;
inline constexpr uint16_t CMD_GET_NOTES = 0x05AA;
inline constexpr uint16_t CMD_SET_WORK_PAGE = 0x05BE;
inline constexpr uint16_t CMD_SEARCH = 0x05C8;
inline constexpr uint16_t CMD_FRAGMENT = 0x05D2;
inline constexpr uint16_t CMD_REG_REQUEST_INFO = 0x05DC;
inline constexpr uint16_t CMD_REG_NEW_USER = 0x05E6;
inline constexpr uint16_t CMD_GET_DEPS1 = 0x05F0;
inline constexpr uint16_t CMD_GET_INFO = 0x05FA;
inline constexpr uint16_t CMD_BROADCAST_REQ = 0x0604;
inline constexpr uint16_t CMD_BROADCAST_ALL = 0x060E;
inline constexpr uint16_t CMD_BROADCAST_ONLINE = 0x0618;
// IServerd's local-only injections (§5.36): named so they can be refused by name, never served.
inline constexpr uint16_t CMD_WWP = 0x0622;
inline constexpr uint16_t CMD_ADMIN = 0x2121;
inline constexpr uint16_t CMD_INVISIBLE_LIST = 0x06A4;
inline constexpr uint16_t CMD_VISIBLE_LIST = 0x06AE;
inline constexpr uint16_t CMD_UPDATE_LIST = 0x06B8;

// Server → client packets (§6.0).
inline constexpr uint16_t SRV_ACK = 0x000A;
inline constexpr uint16_t SRV_SET_OFFLINE = 0x0028;
inline constexpr uint16_t SRV_DEPS_LIST = 0x0032;
inline constexpr uint16_t SRV_HELLO = 0x005A;
inline constexpr uint16_t SRV_WRONG_PASSWORD = 0x0064;
inline constexpr uint16_t SRV_USER_ONLINE = 0x006E;
inline constexpr uint16_t SRV_USER_OFFLINE = 0x0078;
inline constexpr uint16_t SRV_DEPS_LIST1 = 0x0082;
inline constexpr uint16_t SRV_SEARCH_FOUND = 0x008C;
inline constexpr uint16_t SRV_SEARCH_DONE = 0x00A0;
inline constexpr uint16_t SRV_SYSMSG_OFFLINE = 0x00DC;
inline constexpr uint16_t SRV_SYSMSG_DONE = 0x00E6;
inline constexpr uint16_t SRV_NOT_CONNECTED = 0x00F0;
inline constexpr uint16_t SRV_BUSY = 0x00FA;
inline constexpr uint16_t SRV_SYSMSG_ONLINE = 0x0104;
inline constexpr uint16_t SRV_INFO_SINGLE = 0x0118;
inline constexpr uint16_t SRV_SET_PASSWORD_OK = 0x0140;
inline constexpr uint16_t SRV_USER_STATUS = 0x01A4;
inline constexpr uint16_t SRV_SET_BASIC_OK = 0x01E0;
inline constexpr uint16_t SRV_SET_AUTH_OK = 0x01F4;
inline constexpr uint16_t SRV_LIST_DONE = 0x021C;
inline constexpr uint16_t SRV_SET_WORK_PAGE_OK = 0x0258;
inline constexpr uint16_t SRV_SET_WORK_OK = 0x026C;
inline constexpr uint16_t SRV_SET_HOME_OK = 0x0280;
inline constexpr uint16_t SRV_SET_HOME_PAGE_OK = 0x0294;
inline constexpr uint16_t SRV_SET_NOTES_OK = 0x02A8;
inline constexpr uint16_t SRV_INFO_BASIC = 0x02E4;
inline constexpr uint16_t SRV_INVALID_UIN = 0x02EE;
inline constexpr uint16_t SRV_INFO_WORK = 0x02F8;
inline constexpr uint16_t SRV_INFO_WORK_PAGE = 0x030C;
inline constexpr uint16_t SRV_INFO_HOME = 0x0320;
inline constexpr uint16_t SRV_INFO_HOME_PAGE = 0x0334;
inline constexpr uint16_t SRV_NOTES = 0x0352;
inline constexpr uint16_t SRV_FRAGMENT = 0x0366;
inline constexpr uint16_t SRV_LOGIN_ERROR = 0x0370;
inline constexpr uint16_t SRV_REGISTER_INFO = 0x037A;
inline constexpr uint16_t SRV_REGISTRATION_OK = 0x0384;
// Known to Miranda, not sent by IServerd (§6.28); this project sends BROADCAST_DONE (§5.15).
inline constexpr uint16_t SRV_BROADCAST_OFFLINE = 0x038E;
inline constexpr uint16_t SRV_BROADCAST_DONE = 0x0398;
inline constexpr uint16_t SRV_BROADCAST_ONLINE = 0x03A2;

// Message types (§7.1). The server treats them as opaque except for the conversions of §9.2.
inline constexpr uint16_t kMsgText = 0x0001;
inline constexpr uint16_t kMsgUrl = 0x0004;
inline constexpr uint16_t kMsgAuthRequest = 0x0006;
inline constexpr uint16_t kMsgAuthDenied = 0x0007;
inline constexpr uint16_t kMsgAuthGranted = 0x0008;
inline constexpr uint16_t kMsgSystem = 0x0009;  // what a V3 broadcast becomes for V5 (§9.2)
inline constexpr uint16_t kMsgAdded = 0x000C;
inline constexpr uint16_t kMsgWebPager = 0x000D;
inline constexpr uint16_t kMsgEmailExpress = 0x000E;
inline constexpr uint16_t kMsgContacts = 0x0013;
inline constexpr uint16_t kMsgBroadcast = 0x0014;

// Status values (§7.3). Only private is interpreted by the server, and only as an exact low word.
inline constexpr uint16_t kStatusOnline = 0x0000;
inline constexpr uint16_t kStatusAway = 0x0001;
inline constexpr uint16_t kStatusNa = 0x0005;
inline constexpr uint16_t kStatusOccupied = 0x0011;
inline constexpr uint16_t kStatusDnd = 0x0013;
inline constexpr uint16_t kStatusFreeForChat = 0x0020;
inline constexpr uint16_t kStatusPrivate = 0x0100;

// Search fields and modes (§5.27, decision 27: IServerd's table).
inline constexpr uint8_t kSearchByUin = 0x00;
inline constexpr uint8_t kSearchByNick = 0x01;
inline constexpr uint8_t kSearchByFirst = 0x02;
inline constexpr uint8_t kSearchByLast = 0x03;
inline constexpr uint8_t kSearchByEmail = 0x04;
inline constexpr uint8_t kSearchByAge = 0x05;
inline constexpr uint8_t kSearchByWorkCity = 0x06;
inline constexpr uint8_t kSearchByWorkState = 0x07;
inline constexpr uint8_t kSearchByWorkCountry = 0x08;  // u16 value
inline constexpr uint8_t kSearchByCompany = 0x09;
inline constexpr uint8_t kSearchByTitle = 0x0A;
inline constexpr uint8_t kSearchByDepartment = 0x0B;  // u16 value
inline constexpr uint8_t kSearchByHomeCity = 0x0C;
inline constexpr uint8_t kSearchByHomeState = 0x0D;
inline constexpr uint8_t kSearchByHomeCountry = 0x0E;  // u16 value
inline constexpr uint8_t kSearchContains = 0;
inline constexpr uint8_t kSearchNotContains = 1;
inline constexpr uint8_t kSearchIs = 2;
inline constexpr uint8_t kSearchIsNot = 3;
inline constexpr uint8_t kSearchBeginsWith = 4;
inline constexpr uint8_t kSearchEndsWith = 5;

// The spec's name of a code, for logs; "unknown" for codes it does not list.
std::string_view clientCommandName(uint16_t command) noexcept;
std::string_view serverCommandName(uint16_t command) noexcept;

// Whether the server sends `command` reliably (stamped from servseq, retransmitted until
// acknowledged; §3.4). FRAGMENT counts as reliable: only the three registration-info fragments
// are not, and they are built by buildRegisterInfoFragment, never queued.
bool isReliableServerPacket(uint16_t command) noexcept;

// Client commands that need no session (§2.6): LOGON, ACK, FIRST_LOGIN, GET_DEPS,
// REG_REQUEST_INFO, REG_NEW_USER, GET_EXTERNALS. Unknown commands need none either; callers
// check the command table first.
bool isSessionlessCommand(uint16_t command) noexcept;

}  // namespace icq::codec::v3
