// Names and classes of the V3 codes (protocol-v3.md §2.6, §3.4, §14.3), for logs and for the
// worker's reliability and session decisions.
#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

std::string_view clientCommandName(uint16_t command) noexcept {
  switch (command) {
    case CMD_ACK:
      return "CMD_ACK";
    case CMD_THRU_SERVER:
      return "CMD_THRU_SERVER";
    case CMD_RECONNECT:
      return "CMD_RECONNECT";
    case CMD_LOGON:
      return "CMD_LOGON";
    case CMD_GET_DEPS:
      return "CMD_GET_DEPS";
    case CMD_USER_LIST:
      return "CMD_USER_LIST";
    case CMD_PING:
      return "CMD_PING";
    case CMD_LOGOFF:
      return "CMD_LOGOFF";
    case CMD_SYSMSG_DONE_ACK:
      return "CMD_SYSMSG_DONE_ACK";
    case CMD_SYSMSG_REQ:
      return "CMD_SYSMSG_REQ";
    case CMD_AUTHORIZE:
      return "CMD_AUTHORIZE";
    case CMD_GET_INFO1:
      return "CMD_GET_INFO1";
    case CMD_SET_PASSWORD:
      return "CMD_SET_PASSWORD";
    case CMD_GET_EXTERNALS:
      return "CMD_GET_EXTERNALS";
    case CMD_SET_STATUS:
      return "CMD_SET_STATUS";
    case CMD_FIRST_LOGIN:
      return "CMD_FIRST_LOGIN";
    case CMD_SET_BASIC:
      return "CMD_SET_BASIC";
    case CMD_SET_AUTH:
      return "CMD_SET_AUTH";
    case CMD_PING2:
      return "CMD_PING2";
    case CMD_SET_STATE:
      return "CMD_SET_STATE";
    case CMD_USAGE_STATS:
      return "CMD_USAGE_STATS";
    case CMD_USER_ADD:
      return "CMD_USER_ADD";
    case CMD_SET_WORK:
      return "CMD_SET_WORK";
    case CMD_SET_HOME:
      return "CMD_SET_HOME";
    case CMD_SET_HOME_PAGE:
      return "CMD_SET_HOME_PAGE";
    case CMD_SET_NOTES:
      return "CMD_SET_NOTES";
    case CMD_GET_NOTES:
      return "CMD_GET_NOTES";
    case CMD_SET_WORK_PAGE:
      return "CMD_SET_WORK_PAGE";
    case CMD_SEARCH:
      return "CMD_SEARCH";
    case CMD_FRAGMENT:
      return "CMD_FRAGMENT";
    case CMD_REG_REQUEST_INFO:
      return "CMD_REG_REQUEST_INFO";
    case CMD_REG_NEW_USER:
      return "CMD_REG_NEW_USER";
    case CMD_GET_DEPS1:
      return "CMD_GET_DEPS1";
    case CMD_GET_INFO:
      return "CMD_GET_INFO";
    case CMD_BROADCAST_REQ:
      return "CMD_BROADCAST_REQ";
    case CMD_BROADCAST_ALL:
      return "CMD_BROADCAST_ALL";
    case CMD_BROADCAST_ONLINE:
      return "CMD_BROADCAST_ONLINE";
    case CMD_WWP:
      return "CMD_WWP";
    case CMD_ADMIN:
      return "CMD_ADMIN";
    case CMD_INVISIBLE_LIST:
      return "CMD_INVISIBLE_LIST";
    case CMD_VISIBLE_LIST:
      return "CMD_VISIBLE_LIST";
    case CMD_UPDATE_LIST:
      return "CMD_UPDATE_LIST";
  }
  return "unknown";
}

std::string_view serverCommandName(uint16_t command) noexcept {
  switch (command) {
    case SRV_ACK:
      return "SRV_ACK";
    case SRV_SET_OFFLINE:
      return "SRV_SET_OFFLINE";
    case SRV_DEPS_LIST:
      return "SRV_DEPS_LIST";
    case SRV_HELLO:
      return "SRV_HELLO";
    case SRV_WRONG_PASSWORD:
      return "SRV_WRONG_PASSWORD";
    case SRV_USER_ONLINE:
      return "SRV_USER_ONLINE";
    case SRV_USER_OFFLINE:
      return "SRV_USER_OFFLINE";
    case SRV_DEPS_LIST1:
      return "SRV_DEPS_LIST1";
    case SRV_SEARCH_FOUND:
      return "SRV_SEARCH_FOUND";
    case SRV_SEARCH_DONE:
      return "SRV_SEARCH_DONE";
    case SRV_SYSMSG_OFFLINE:
      return "SRV_SYSMSG_OFFLINE";
    case SRV_SYSMSG_DONE:
      return "SRV_SYSMSG_DONE";
    case SRV_NOT_CONNECTED:
      return "SRV_NOT_CONNECTED";
    case SRV_BUSY:
      return "SRV_BUSY";
    case SRV_SYSMSG_ONLINE:
      return "SRV_SYSMSG_ONLINE";
    case SRV_INFO_SINGLE:
      return "SRV_INFO_SINGLE";
    case SRV_SET_PASSWORD_OK:
      return "SRV_SET_PASSWORD_OK";
    case SRV_USER_STATUS:
      return "SRV_USER_STATUS";
    case SRV_SET_BASIC_OK:
      return "SRV_SET_BASIC_OK";
    case SRV_SET_AUTH_OK:
      return "SRV_SET_AUTH_OK";
    case SRV_LIST_DONE:
      return "SRV_LIST_DONE";
    case SRV_SET_WORK_PAGE_OK:
      return "SRV_SET_WORK_PAGE_OK";
    case SRV_SET_WORK_OK:
      return "SRV_SET_WORK_OK";
    case SRV_SET_HOME_OK:
      return "SRV_SET_HOME_OK";
    case SRV_SET_HOME_PAGE_OK:
      return "SRV_SET_HOME_PAGE_OK";
    case SRV_SET_NOTES_OK:
      return "SRV_SET_NOTES_OK";
    case SRV_INFO_BASIC:
      return "SRV_INFO_BASIC";
    case SRV_INVALID_UIN:
      return "SRV_INVALID_UIN";
    case SRV_INFO_WORK:
      return "SRV_INFO_WORK";
    case SRV_INFO_WORK_PAGE:
      return "SRV_INFO_WORK_PAGE";
    case SRV_INFO_HOME:
      return "SRV_INFO_HOME";
    case SRV_INFO_HOME_PAGE:
      return "SRV_INFO_HOME_PAGE";
    case SRV_NOTES:
      return "SRV_NOTES";
    case SRV_FRAGMENT:
      return "SRV_FRAGMENT";
    case SRV_LOGIN_ERROR:
      return "SRV_LOGIN_ERROR";
    case SRV_REGISTER_INFO:
      return "SRV_REGISTER_INFO";
    case SRV_REGISTRATION_OK:
      return "SRV_REGISTRATION_OK";
    case SRV_BROADCAST_OFFLINE:
      return "SRV_BROADCAST_OFFLINE";
    case SRV_BROADCAST_DONE:
      return "SRV_BROADCAST_DONE";
    case SRV_BROADCAST_ONLINE:
      return "SRV_BROADCAST_ONLINE";
  }
  return "unknown";
}

bool isReliableServerPacket(uint16_t command) noexcept {
  switch (command) {
    case SRV_SET_OFFLINE:
    case SRV_HELLO:
    case SRV_USER_ONLINE:
    case SRV_USER_OFFLINE:
    case SRV_DEPS_LIST1:
    case SRV_SEARCH_FOUND:
    case SRV_SEARCH_DONE:
    case SRV_SYSMSG_OFFLINE:
    case SRV_SYSMSG_DONE:
    case SRV_SYSMSG_ONLINE:
    case SRV_INFO_SINGLE:
    case SRV_SET_PASSWORD_OK:
    case SRV_USER_STATUS:
    case SRV_SET_BASIC_OK:
    case SRV_SET_AUTH_OK:
    case SRV_LIST_DONE:
    case SRV_SET_WORK_PAGE_OK:
    case SRV_SET_WORK_OK:
    case SRV_SET_HOME_OK:
    case SRV_SET_HOME_PAGE_OK:
    case SRV_SET_NOTES_OK:
    case SRV_INFO_BASIC:
    case SRV_INVALID_UIN:
    case SRV_INFO_WORK:
    case SRV_INFO_WORK_PAGE:
    case SRV_INFO_HOME:
    case SRV_INFO_HOME_PAGE:
    case SRV_NOTES:
    case SRV_FRAGMENT:
    case SRV_BROADCAST_OFFLINE:
    case SRV_BROADCAST_DONE:
    case SRV_BROADCAST_ONLINE:
      return true;
  }
  return false;
}

bool isSessionlessCommand(uint16_t command) noexcept {
  switch (command) {
    case CMD_ACK:
    case CMD_LOGON:
    case CMD_FIRST_LOGIN:
    case CMD_GET_DEPS:
    case CMD_REG_REQUEST_INFO:
    case CMD_REG_NEW_USER:
    case CMD_GET_EXTERNALS:
      return true;
  }
  return false;
}

}  // namespace icq::codec::v3
