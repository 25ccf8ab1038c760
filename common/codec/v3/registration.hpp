// V3 registration (protocol-v3.md §5.32–§5.34, §6.26, §6.27): the REG_NEW_USER form and the
// REGISTER_INFO packet the server sends in three hand-cut fragments. REGISTRATION_OK is a
// text body (login.hpp). Conventions as in login.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v3/byte_io.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/profile.hpp"

namespace icq::codec::v3 {

inline constexpr size_t kMaxRegistrationEmailLength = 64;  // §5.34 (SET_BASIC allows 128)

// REG_NEW_USER (§5.34): its home and work blocks have exactly SET_HOME's and SET_WORK's layout.
struct RegNewUser {
  uint16_t clientVersion = 0x7A;
  std::string_view nick, first, last, email;
  uint8_t gender = 0;  // the first gender byte; home.gender (the second) overrides it (§5.34)
  HomeInfo home;
  std::string_view homePage;
  WorkInfo work;
  std::string_view workPage;
};
// [L] for the block after home_zip: IServerd's 7 bytes first; if the rest does not parse, the
// capture's 8 (one extra byte before home_page). The trailing free text is not read. Any field
// above its limit is too_long (the server answers NOT_CONNECTED, §5.34).
ParseError parseRegNewUser(std::span<const uint8_t> body, RegNewUser& out) noexcept;
// Client side, IServerd's layout plus an empty `extra` text.
size_t buildRegNewUserBody(const RegNewUser& form, std::span<uint8_t> out) noexcept;

// REGISTER_INFO (§6.26).
struct RegisterInfo {
  std::string_view adminNotes;
  bool registrationEnabled = false;
  uint32_t deplistVersion = 1;
  std::span<const Department> departments;
};
inline constexpr size_t kRegisterInfoFragments = 3;
// Fragment `index` (0..2) of REGISTER_INFO as a complete datagram (§5.33): FRAGMENT 0x0366,
// seq1 = index, seq2 = the request's, uin 0, (index, 3); cut at the fixed points of §6.26 (not
// by MTU). Unreliable: send all three at once. 0 if `out` is too small or index > 2.
size_t buildRegisterInfoFragment(const RegisterInfo& info, uint16_t requestSeq2, size_t index,
                                 std::span<uint8_t> out) noexcept;
// Client side: the body of the reassembled REGISTER_INFO packet; `departments` receives at most
// its size.
ParseError parseRegisterInfo(std::span<const uint8_t> body, RegisterInfo& out, std::span<Department> departments,
                             size_t& count) noexcept;

}  // namespace icq::codec::v3
