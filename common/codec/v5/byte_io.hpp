// Bounds-checked little-endian reader and writer for V5 packet bodies (protocol-v5.md §1.1,
// §1.3). Header-only and allocation-free: the decode path of every V5 parser stands on these.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace icq::codec::v5 {

// Reads past the end yield 0 (or an empty string) and set the sticky overrun() flag instead of
// failing: IServerd treats missing trailing fields as zero/empty and several commands rely on
// it (§1.1). Callers decide after the fact whether an overrun matters for their command.
class ByteReader {
public:
  explicit ByteReader(std::span<const uint8_t> bytes) noexcept : bytes_(bytes) {}

  uint8_t u8() noexcept { return static_cast<uint8_t>(readLe(1)); }
  uint16_t u16() noexcept { return static_cast<uint16_t>(readLe(2)); }
  uint32_t u32() noexcept { return readLe(4); }

  // IPv4 address: the four wire bytes kept in memory order, i.e. the in_addr_t
  // representation (network order), not a little-endian integer (§1.3).
  uint32_t ip() noexcept {
    uint32_t value = 0;
    if (take(4)) {
      std::memcpy(&value, bytes_.data() + pos_ - 4, 4);
    }
    return value;
  }

  // lnts (§1.1): u16 length including the NUL, then the bytes. A length of 0 and a missing
  // NUL are accepted. The view stops at the first NUL, because every source treats the field
  // as a C string (D44). A field whose text (without its terminating NUL) is longer than
  // maxLen sets tooLong() and yields an empty view, so an over-long value is never used by
  // accident (D33).
  std::string_view lnts(size_t maxLen) noexcept {
    const size_t length = u16();
    if (overrun_ || !take(length)) {
      return {};
    }
    const auto* field = reinterpret_cast<const char*>(bytes_.data() + pos_ - length);
    const bool terminated = length > 0 && field[length - 1] == '\0';
    if (length - (terminated ? 1 : 0) > maxLen) {
      tooLong_ = true;
      return {};
    }
    const auto* end = std::find(field, field + length, '\0');
    return {field, static_cast<size_t>(end - field)};
  }

  void skip(size_t n) noexcept { take(n); }

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool overrun() const noexcept { return overrun_; }
  bool tooLong() const noexcept { return tooLong_; }

private:
  // Consumes n bytes if they are all there; otherwise consumes the rest and flags an
  // overrun, so later reads keep returning zeros rather than bytes of a misaligned field.
  bool take(size_t n) noexcept {
    if (n > remaining()) {
      pos_ = bytes_.size();
      overrun_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }

  uint32_t readLe(size_t n) noexcept {
    if (!take(n)) {
      return 0;
    }
    uint32_t value = 0;
    for (size_t i = 0; i < n; ++i) {
      value |= static_cast<uint32_t>(bytes_[pos_ - n + i]) << (8 * i);
    }
    return value;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool overrun_ = false;
  bool tooLong_ = false;
};

// Writes never go past the span: an item that does not fit is not written at all and sets the
// sticky overflow() flag, so builders check once at the end and report "buffer too small".
class ByteWriter {
public:
  explicit ByteWriter(std::span<uint8_t> out) noexcept : out_(out) {}

  void u8(uint8_t value) noexcept { writeLe(value, 1); }
  void u16(uint16_t value) noexcept { writeLe(value, 2); }
  void u32(uint32_t value) noexcept { writeLe(value, 4); }

  // `address` is an in_addr_t (network order); its bytes go out unchanged (§1.3).
  void ip(uint32_t address) noexcept {
    if (room(4)) {
      std::memcpy(out_.data() + pos_, &address, 4);
      pos_ += 4;
    }
  }

  void bytes(std::span<const uint8_t> data) noexcept {
    if (room(data.size())) {
      std::copy(data.begin(), data.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ += data.size();
    }
  }

  // lnts (§1.1): the length written includes the NUL, so "" becomes 01 00 00.
  void lnts(std::string_view text) noexcept {
    if (text.size() + 1 > 0xFFFF) {
      overflow_ = true;
      return;
    }
    if (room(2 + text.size() + 1)) {
      u16(static_cast<uint16_t>(text.size() + 1));
      std::copy(text.begin(), text.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ += text.size();
      u8(0);
    }
  }

  size_t size() const noexcept { return pos_; }
  bool overflow() const noexcept { return overflow_; }

private:
  // After the first overflow nothing more is written, so the output never holds a layout
  // with a field missing in the middle.
  bool room(size_t n) noexcept {
    if (overflow_ || n > out_.size() - pos_) {
      overflow_ = true;
      return false;
    }
    return true;
  }

  void writeLe(uint32_t value, size_t n) noexcept {
    if (!room(n)) {
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      out_[pos_ + i] = static_cast<uint8_t>(value >> (8 * i));
    }
    pos_ += n;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool overflow_ = false;
};

}  // namespace icq::codec::v5
