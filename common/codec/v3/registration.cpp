// V3 registration (protocol-v3.md §5.34, §6.26): the REG_NEW_USER form reuses SET_HOME's and
// SET_WORK's layouts; REGISTER_INFO is written straight into its three fragments, cut where
// IServerd cuts it, because the client expects exactly those fragments.
#include "common/codec/v3/registration.hpp"

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/fragment.hpp"
#include "common/codec/v3/packet.hpp"

namespace icq::codec::v3 {

namespace {

// Fragment 0's constant trailer and fragment 2's form defaults (§6.26), reproduced byte for byte.
constexpr uint16_t kInfoTrailer1 = 0x0002;
constexpr uint16_t kInfoTrailer2 = 0x002A;
constexpr size_t kEmptyDefaults = 4;
constexpr uint32_t kNoZip = 0xFFFFFFFF;
constexpr uint16_t kDefaultCountry = 7;
constexpr size_t kDepsTrailerSize = 4;

// `captureBlock`: the V3G capture's extra byte after the home block ([L], §5.34).
template <class Io, class F>
void describeRegNewUser(Io& io, F& form, bool captureBlock) noexcept {
  io.u16(form.clientVersion);
  io.lstr(form.nick, kMaxNameLength);
  io.lstr(form.first, kMaxNameLength);
  io.lstr(form.last, kMaxNameLength);
  io.lstr(form.email, kMaxRegistrationEmailLength);
  io.u8(form.gender);
  io.lstr(form.home.address, kMaxAddressLength);
  io.lstr(form.home.city, kMaxNameLength);
  io.lstr(form.home.state, kMaxNameLength);
  io.u16(form.home.country);
  io.lstr(form.home.phone, kMaxNameLength);
  io.lstr(form.home.fax, kMaxNameLength);
  io.lstr(form.home.cellular, kMaxNameLength);
  io.u32(form.home.zip);
  io.u8(form.home.gender);
  io.u16(form.home.age);
  io.u8(form.home.birthDay);
  io.u8(form.home.birthMonth);
  io.u16(form.home.birthYear);
  if (captureBlock) io.skip(1);
  io.lstr(form.homePage, kMaxUrlLength);
  io.lstr(form.work.address, kMaxAddressLength);
  io.lstr(form.work.city, kMaxNameLength);
  io.lstr(form.work.state, kMaxNameLength);
  io.u16(form.work.country);
  io.lstr(form.work.company, kMaxNameLength);
  io.lstr(form.work.title, kMaxNameLength);
  io.u32(form.work.department);
  io.lstr(form.work.phone, kMaxNameLength);
  io.lstr(form.work.fax, kMaxNameLength);
  io.lstr(form.work.pager, kMaxNameLength);
  io.u32(form.work.zip);
  io.lstr(form.workPage, kMaxUrlLength);
}

// The part of REGISTER_INFO that fragment `index` carries (§6.26); fragment 0 starts with the
// inner packet's own header.
size_t writeInfoPart(const RegisterInfo& info, uint16_t requestSeq2, size_t index, std::span<uint8_t> out) noexcept {
  if (index == 1) {
    const size_t length = buildDepsListBody(info.deplistVersion, info.departments, false, out);
    return length >= kDepsTrailerSize ? length - kDepsTrailerSize : 0;
  }
  size_t header = 0;
  if (index == 0) {
    const Header inner{.command = SRV_REGISTER_INFO, .seq1 = 0, .seq2 = requestSeq2, .uin = 0};
    header = encodePacket(inner, {}, out);
    if (header == 0) return 0;
  }
  FieldWriter writer(out.subspan(header));
  if (index == 0) {
    writer.lstr(info.adminNotes);
    writer.u8(info.registrationEnabled ? 1 : 0);
    writer.u16(kInfoTrailer1);
    writer.u16(kInfoTrailer2);
  } else {
    for (size_t i = 0; i < kEmptyDefaults; ++i) writer.lstr("");
    writer.u32(kNoZip);
    writer.u16(kDefaultCountry);
    writer.lstr("");
  }
  return writer.overflow() ? 0 : header + writer.size();
}

}  // namespace

ParseError parseRegNewUser(std::span<const uint8_t> body, RegNewUser& out) noexcept {
  ParseError first = ParseError::none;
  for (const bool captureBlock : {false, true}) {
    out = RegNewUser{};
    FieldReader reader(body);
    describeRegNewUser(reader, out, captureBlock);
    if (reader.result() == ParseError::none) return ParseError::none;
    if (!captureBlock) first = reader.result();
  }
  out = RegNewUser{};
  return first;
}

size_t buildRegNewUserBody(const RegNewUser& form, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeRegNewUser(writer, form, false);
  writer.lstr("");  // `extra`, the free text nobody reads
  return writer.result();
}

size_t buildRegisterInfoFragment(const RegisterInfo& info, uint16_t requestSeq2, size_t index,
                                 std::span<uint8_t> out) noexcept {
  if (index >= kRegisterInfoFragments || out.size() < kFragmentHeaderSize) return 0;
  const Header header{.command = SRV_FRAGMENT, .seq1 = static_cast<uint16_t>(index), .seq2 = requestSeq2, .uin = 0};
  const size_t payload = writeInfoPart(info, requestSeq2, index, out.subspan(kFragmentHeaderSize));
  if (payload == 0) return 0;
  return buildFragment(header, static_cast<uint8_t>(index), static_cast<uint8_t>(kRegisterInfoFragments), FragmentOrder::index_count,
                       out.subspan(kFragmentHeaderSize, payload), out);
}

ParseError parseRegisterInfo(std::span<const uint8_t> body, RegisterInfo& out, std::span<Department> departments,
                             size_t& count) noexcept {
  out = RegisterInfo{};
  count = 0;
  FieldReader reader(body);
  uint8_t enabled = 0;
  reader.lstr(out.adminNotes, kMaxDatagram);
  reader.u8(enabled);
  reader.skip(4);  // the constant 0x0002, 0x002A
  if (reader.result() != ParseError::none) return reader.result();
  out.registrationEnabled = enabled != 0;
  const ParseError error = parseDepsList(body.subspan(reader.position()), false, out.deplistVersion, departments, count);
  out.departments = departments.first(count);
  return error;
}

}  // namespace icq::codec::v3
