// Bounds-checked little-endian field readers and writers for V3 bodies (protocol-v3.md §1).
// Both have the same shape — one call per field, taking the field by reference — so each body
// layout is written once, as a generic lambda over the two (readFields / writeFields below), and
// a parser and its builder cannot drift apart. Header-only and allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace icq::codec::v3 {

// Doubles as a drop/refusal reason label (STYLE.md §5): bounded, stable names.
enum class ParseError : uint8_t { none, truncated, too_long, malformed };

inline std::string_view parseErrorName(ParseError error) noexcept {
  switch (error) {
    case ParseError::none:
      return "none";
    case ParseError::truncated:
      return "truncated";
    case ParseError::too_long:
      return "too_long";
    case ParseError::malformed:
      return "malformed";
  }
  return "other";
}

// Reads past the end yield 0 (or an empty text) and set the sticky truncated flag: IServerd's
// reader yields 0 for a field that does not fit (§2.2), and each parser decides afterwards
// whether that matters. A text longer than its limit sets the sticky too_long flag (§1:
// "check it against the bytes left and against the field limits") and reads as empty, so an
// over-long value is never used by accident.
class FieldReader {
public:
  explicit FieldReader(std::span<const uint8_t> bytes) noexcept : bytes_(bytes) {}

  void u8(uint8_t& value) noexcept { value = static_cast<uint8_t>(readLe(1)); }
  void u16(uint16_t& value) noexcept { value = static_cast<uint16_t>(readLe(2)); }
  void u32(uint32_t& value) noexcept { value = readLe(4); }

  // ip4 (§1): first octet first; kept as in_addr_t (network order in memory).
  void ip(uint32_t& value) noexcept {
    value = 0;
    if (take(4)) std::memcpy(&value, bytes_.data() + pos_ - 4, 4);
  }

  // lstr (§1): u16 length including the NUL, then the bytes. The view stops at the first NUL
  // (every source treats the field as a C string); a missing NUL and a length of 0 are
  // accepted. `maxText` bounds the text without its NUL.
  void lstr(std::string_view& value, size_t maxText) noexcept {
    std::span<const uint8_t> bytes;
    lstrBytes(bytes, maxText);
    value = {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  void lstrBytes(std::span<const uint8_t>& value, size_t maxText) noexcept {
    value = {};
    uint16_t length = 0;
    u16(length);
    if (truncated_ || !take(length)) return;
    const std::span<const uint8_t> field = bytes_.subspan(pos_ - length, length);
    size_t text = 0;
    while (text < field.size() && field[text] != 0) ++text;
    if (text > maxText) {
      tooLong_ = true;
      return;
    }
    value = field.first(text);
  }

  void skip(size_t n) noexcept { take(n); }

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool truncated() const noexcept { return truncated_; }
  bool tooLong() const noexcept { return tooLong_; }
  // too_long wins: an over-long field also misaligns what follows it.
  ParseError result() const noexcept {
    return tooLong_ ? ParseError::too_long : truncated_ ? ParseError::truncated : ParseError::none;
  }

private:
  bool take(size_t n) noexcept {
    if (n > remaining()) {
      pos_ = bytes_.size();
      truncated_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }

  uint32_t readLe(size_t n) noexcept {
    if (!take(n)) return 0;
    uint32_t value = 0;
    for (size_t i = 0; i < n; ++i) value |= static_cast<uint32_t>(bytes_[pos_ - n + i]) << (8 * i);
    return value;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool truncated_ = false;
  bool tooLong_ = false;
};

// Writes never go past the span: a field that does not fit is not written and sets the sticky
// overflow flag, after which nothing more is written, so the output never holds a layout with a
// field missing in the middle. Limits are the reader's business; the writer writes what it is
// given (the test client must be able to send over-long fields).
class FieldWriter {
public:
  explicit FieldWriter(std::span<uint8_t> out) noexcept : out_(out) {}

  void u8(const uint8_t& value) noexcept { writeLe(value, 1); }
  void u16(const uint16_t& value) noexcept { writeLe(value, 2); }
  void u32(const uint32_t& value) noexcept { writeLe(value, 4); }
  void ip(const uint32_t& value) noexcept { raw({reinterpret_cast<const uint8_t*>(&value), 4}); }

  // lstr (§1): length including the NUL, so "" is 01 00 00.
  void lstr(const std::string_view& value, size_t /*maxText*/ = 0) noexcept {
    lstrBytes({reinterpret_cast<const uint8_t*>(value.data()), value.size()});
  }
  void lstrBytes(const std::span<const uint8_t>& value, size_t /*maxText*/ = 0) noexcept {
    if (value.size() + 1 > 0xFFFF) {
      overflow_ = true;
      return;
    }
    if (!room(2 + value.size() + 1)) return;
    u16(static_cast<uint16_t>(value.size() + 1));
    raw(value);
    u8(0);
  }

  void raw(std::span<const uint8_t> data) noexcept {
    if (!room(data.size())) return;
    if (!data.empty()) std::memmove(out_.data() + pos_, data.data(), data.size());
    pos_ += data.size();
  }
  // The writer's counterpart of FieldReader::skip: `n` zero bytes.
  void skip(size_t n) noexcept {
    if (!room(n)) return;
    std::memset(out_.data() + pos_, 0, n);
    pos_ += n;
  }

  size_t size() const noexcept { return pos_; }
  bool overflow() const noexcept { return overflow_; }
  // The builders' return convention: the length written, 0 if `out` was too small.
  size_t result() const noexcept { return overflow_ ? 0 : pos_; }

private:
  bool room(size_t n) noexcept {
    if (overflow_ || n > out_.size() - pos_) {
      overflow_ = true;
      return false;
    }
    return true;
  }

  void writeLe(uint32_t value, size_t n) noexcept {
    if (!room(n)) return;
    for (size_t i = 0; i < n; ++i) out_[pos_ + i] = static_cast<uint8_t>(value >> (8 * i));
    pos_ += n;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool overflow_ = false;
};

// Runs one body layout — describe(io, value), a generic lambda calling the reader or writer once
// per field — as a parser (the value reset first) or as a builder (the length, 0 if `out` is too
// small). Every body file states each layout once and derives both directions from it.
template <class T, class Describe>
ParseError readFields(std::span<const uint8_t> body, T& out, Describe&& describe) noexcept {
  out = T{};
  FieldReader reader(body);
  describe(reader, out);
  return reader.result();
}

template <class T, class Describe>
size_t writeFields(const T& value, std::span<uint8_t> out, Describe&& describe) noexcept {
  FieldWriter writer(out);
  describe(writer, value);
  return writer.result();
}

}  // namespace icq::codec::v3
