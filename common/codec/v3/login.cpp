// V3 bodies of logging in and out (protocol-v3.md §5.2, §5.5, §5.28, §6.2–§6.6, §6.27). Each
// layout is one describe* lambda, run by readFields to parse and by writeFields to build.
#include "common/codec/v3/login.hpp"

#include <algorithm>

namespace icq::codec::v3 {

namespace {

// The constant fields of HELLO and the department lists (§6.3, §6.4): written as is, not checked.
constexpr uint32_t kHelloConstant = 0x000000FA;
constexpr uint16_t kDepsList1Prefix = 0x003C;
constexpr uint16_t kDepsTrailer1 = 0x0002;
constexpr uint16_t kDepsTrailer2 = 0x002A;
// Miranda's LOGON tail (TV1): not read by any server.
constexpr uint16_t kLogonTail1 = 0x0013;
constexpr uint16_t kLogonTail2 = 0x007A;

constexpr auto describeLogon = [](auto& io, auto& logon) noexcept {
  io.u32(logon.tcpPort);
  io.lstr(logon.password, kMaxPasswordLength);
  io.u32(logon.clientBuild);
  io.ip(logon.internalIp);
  io.u8(logon.dcType);
  io.u16(logon.status);
  io.u16(logon.estat);
  io.u32(logon.tcpVersion);
};

constexpr auto describeGetDeps = [](auto& io, auto& request) noexcept {
  io.u32(request.uin);
  io.lstr(request.password, kMaxPasswordLength);
};

constexpr auto describeHello = [](auto& io, auto& hello) noexcept {
  uint32_t zero = 0, constant = kHelloConstant;
  io.ip(hello.yourIp);
  io.u32(zero);
  io.u32(hello.externalsCount);
  io.u32(hello.deplistVersion);
  io.u8(hello.mustChangePassword);
  io.u8(hello.canBroadcast);
  io.u32(constant);
  io.u16(hello.pingPeriodS);
  io.u16(hello.packetTimeoutS);
  io.u16(hello.retryTimeoutS);
  io.u16(hello.retries);
};

template <class Io, class D>
void describeDepartment(Io& io, D& department, size_t maxName) noexcept {
  io.u32(department.code);
  io.lstr(department.name, maxName);
}

}  // namespace

ParseError parseLogon(std::span<const uint8_t> body, Logon& out) noexcept {
  return readFields(body, out, describeLogon);
}

size_t buildLogonBody(const Logon& logon, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeLogon(writer, logon);
  writer.u32(0);
  writer.u16(kLogonTail1);
  writer.u16(kLogonTail2);
  return writer.result();
}

ParseError parseLogoff(std::span<const uint8_t> body, std::string_view& reason) noexcept {
  return parseTextBody(body, reason, kMaxLogoffReasonLength);
}

size_t buildLogoffBody(std::string_view reason, std::span<uint8_t> out) noexcept {
  constexpr uint16_t kMirandaTail = 0x0005;
  FieldWriter writer(out);
  writer.lstr(reason);
  writer.u16(kMirandaTail);
  return writer.result();
}

ParseError parseGetDeps(std::span<const uint8_t> body, GetDeps& out) noexcept {
  return readFields(body, out, describeGetDeps);
}

size_t buildGetDepsBody(const GetDeps& request, std::span<uint8_t> out) noexcept {
  return writeFields(request, out, describeGetDeps);
}

size_t buildHelloBody(const Hello& hello, std::span<uint8_t> out) noexcept { return writeFields(hello, out, describeHello); }

ParseError parseHello(std::span<const uint8_t> body, Hello& out) noexcept { return readFields(body, out, describeHello); }

size_t buildDepsListBody(uint32_t deplistVersion, std::span<const Department> departments, bool withPrefix,
                         std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  if (withPrefix) writer.u16(kDepsList1Prefix);
  const auto count = static_cast<uint32_t>(std::min(departments.size(), kMaxDepartments));
  writer.u32(deplistVersion);
  writer.u32(count);
  for (uint32_t i = 0; i < count; ++i) {
    // IServerd cuts names to 8 characters (§6.4).
    const Department cut{departments[i].code, departments[i].name.substr(0, kMaxDepartmentName)};
    describeDepartment(writer, cut, kMaxDepartmentName);
  }
  writer.u16(kDepsTrailer1);
  writer.u16(kDepsTrailer2);
  return writer.result();
}

ParseError parseDepsList(std::span<const uint8_t> body, bool withPrefix, uint32_t& deplistVersion,
                         std::span<Department> out, size_t& count) noexcept {
  count = 0;
  FieldReader reader(body);
  if (withPrefix) reader.skip(2);
  uint32_t listed = 0;
  reader.u32(deplistVersion);
  reader.u32(listed);
  if (reader.truncated()) return ParseError::truncated;
  if (listed > out.size()) return ParseError::too_long;
  for (uint32_t i = 0; i < listed; ++i) describeDepartment(reader, out[i], kMaxDatagram);
  // The trailer is not required: REGISTER_INFO carries the list without it (§6.26).
  if (reader.result() != ParseError::none) return reader.result();
  count = listed;
  return ParseError::none;
}

size_t buildTextBody(std::string_view text, std::span<uint8_t> out) noexcept {
  return writeFields(text, out, [](auto& io, auto& t) { io.lstr(t); });
}

ParseError parseTextBody(std::span<const uint8_t> body, std::string_view& text, size_t maxText) noexcept {
  return readFields(body, text, [maxText](auto& io, auto& t) { io.lstr(t, maxText); });
}

}  // namespace icq::codec::v3
