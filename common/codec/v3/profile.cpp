// V3 bodies of user data (protocol-v3.md §5.20–§5.27, §6.16–§6.23). Each layout is one describe*
// template, run by readFields to parse and by writeFields to build; the server checks the field
// limits of §5 on what clients send, the test client accepts any length from the server.
#include "common/codec/v3/profile.hpp"

#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

namespace {

struct Limits {
  size_t name, email, address;
};
constexpr Limits kCommandLimits{kMaxNameLength, kMaxEmailLength, kMaxAddressLength};
constexpr Limits kAnyLength{kMaxDatagram, kMaxDatagram, kMaxDatagram};

constexpr uint8_t kSearchMarker = 0xFF;  // byte 16 of SEARCH (§5.27)
constexpr size_t kSetAuthCaptureSize = 5;
constexpr size_t kZipSize = 4;

template <class Io, class B>
void describeBasic(Io& io, B& info, const Limits& limits, bool withAuth) noexcept {
  io.lstr(info.nick, limits.name);
  io.lstr(info.first, limits.name);
  io.lstr(info.last, limits.name);
  io.lstr(info.email, limits.email);
  if (withAuth) io.u8(info.auth);
}

template <class Io, class H>
void describeHome(Io& io, H& home, const Limits& limits) noexcept {
  io.lstr(home.address, limits.address);
  io.lstr(home.city, limits.name);
  io.lstr(home.state, limits.name);
  io.u16(home.country);
  io.lstr(home.phone, limits.name);
  io.lstr(home.fax, limits.name);
  io.lstr(home.cellular, limits.name);
  io.u32(home.zip);
  io.u8(home.gender);
  io.u16(home.age);
  io.u8(home.birthDay);
  io.u8(home.birthMonth);
  io.u16(home.birthYear);
}

template <class Io, class W>
void describeWork(Io& io, W& work, const Limits& limits) noexcept {
  io.lstr(work.address, limits.address);
  io.lstr(work.city, limits.name);
  io.lstr(work.state, limits.name);
  io.u16(work.country);
  io.lstr(work.company, limits.name);
  io.lstr(work.title, limits.name);
  io.u32(work.department);
  io.lstr(work.phone, limits.name);
  io.lstr(work.fax, limits.name);
  io.lstr(work.pager, limits.name);
  io.u32(work.zip);
}

template <class Io, class N>
void describeNotes(Io& io, N& notes) noexcept {
  io.lstr(notes.text, kMaxDatagram);
  io.u32(notes.updatedAt);
  io.u32(notes.lastLogin);
  io.ip(notes.lastIp);
}

}  // namespace

ParseError parseSetBasic(std::span<const uint8_t> body, BasicInfo& out) noexcept {
  return readFields(body, out, [](auto& io, auto& info) { describeBasic(io, info, kCommandLimits, false); });
}

size_t buildSetBasicBody(const BasicInfo& info, std::span<uint8_t> out) noexcept {
  return writeFields(info, out, [](auto& io, auto& i) { describeBasic(io, i, kCommandLimits, false); });
}

size_t buildInfoBasicBody(const BasicInfo& info, std::span<uint8_t> out) noexcept {
  return writeFields(info, out, [](auto& io, auto& i) { describeBasic(io, i, kAnyLength, true); });
}

ParseError parseInfoBasic(std::span<const uint8_t> body, BasicInfo& out) noexcept {
  return readFields(body, out, [](auto& io, auto& info) { describeBasic(io, info, kAnyLength, true); });
}

size_t buildSearchFoundBody(uint32_t uin, const BasicInfo& info, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  writer.u32(uin);
  describeBasic(writer, info, kAnyLength, true);
  return writer.result();
}

ParseError parseSearchFound(std::span<const uint8_t> body, uint32_t& uin, BasicInfo& out) noexcept {
  out = BasicInfo{};
  FieldReader reader(body);
  reader.u32(uin);
  describeBasic(reader, out, kAnyLength, true);
  return reader.result();
}

ParseError parseSetHome(std::span<const uint8_t> body, HomeInfo& out) noexcept {
  return readFields(body, out, [](auto& io, auto& info) { describeHome(io, info, kCommandLimits); });
}

size_t buildHomeBody(const HomeInfo& info, std::span<uint8_t> out) noexcept {
  return writeFields(info, out, [](auto& io, auto& i) { describeHome(io, i, kAnyLength); });
}

ParseError parseInfoHome(std::span<const uint8_t> body, HomeInfo& out) noexcept {
  return readFields(body, out, [](auto& io, auto& info) { describeHome(io, info, kAnyLength); });
}

ParseError parseSetWork(std::span<const uint8_t> body, WorkInfo& out) noexcept {
  const ParseError error =
      readFields(body, out, [](auto& io, auto& info) { describeWork(io, info, kCommandLimits); });
  if (error != ParseError::none) return error;
  // Decision 17: a fourth string may precede the zip, so the zip is the body's last four bytes.
  FieldReader(body.last(kZipSize)).u32(out.zip);
  return ParseError::none;
}

size_t buildWorkBody(const WorkInfo& info, std::span<uint8_t> out) noexcept {
  return writeFields(info, out, [](auto& io, auto& i) { describeWork(io, i, kAnyLength); });
}

ParseError parseInfoWork(std::span<const uint8_t> body, WorkInfo& out) noexcept {
  return readFields(body, out, [](auto& io, auto& info) { describeWork(io, info, kAnyLength); });
}

size_t buildNotesBody(const Notes& notes, std::span<uint8_t> out) noexcept {
  return writeFields(notes, out, [](auto& io, auto& n) { describeNotes(io, n); });
}

ParseError parseNotes(std::span<const uint8_t> body, Notes& out) noexcept {
  return readFields(body, out, [](auto& io, auto& n) { describeNotes(io, n); });
}

ParseError parseSetAuth(std::span<const uint8_t> body, uint8_t& mode) noexcept {
  mode = 0;
  if (body.empty()) return ParseError::truncated;
  mode = body.size() >= kSetAuthCaptureSize ? body[kSetAuthCaptureSize - 1] : body[0];
  return ParseError::none;
}

size_t buildSetAuthBody(uint8_t mode, bool captureLayout, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  if (captureLayout) writer.u32(0);
  writer.u8(mode);
  return writer.result();
}

bool isNumericSearchField(uint8_t field) noexcept {
  return field == kSearchByWorkCountry || field == kSearchByDepartment || field == kSearchByHomeCountry;
}

ParseError parseSearch(std::span<const uint8_t> body, Search& out) noexcept {
  out = Search{};
  FieldReader reader(body);
  uint8_t marker = 0, zero = 0;
  reader.u8(marker);
  reader.u8(out.field);
  reader.u8(zero);
  reader.u8(out.mode);
  if (isNumericSearchField(out.field)) {
    reader.u16(out.number);
  } else {
    reader.lstr(out.text, kMaxSearchValueLength);
  }
  return reader.result();
}

size_t buildSearchBody(const Search& search, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  writer.u8(kSearchMarker);
  writer.u8(search.field);
  writer.u8(0);
  writer.u8(search.mode);
  if (isNumericSearchField(search.field)) {
    writer.u16(search.number);
  } else {
    writer.lstr(search.text);
  }
  return writer.result();
}

size_t buildSearchDoneBody(bool more, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  writer.u8(more ? 1 : 0);
  return writer.result();
}

bool parseSearchDone(std::span<const uint8_t> body) noexcept { return !body.empty() && body[0] != 0; }

}  // namespace icq::codec::v3
