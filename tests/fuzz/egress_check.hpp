// What the worker fuzz targets require of every datagram a worker sends: that it is a
// well-formed server packet of its protocol — V3 (decodePacket) or V5 with a valid checkcode.
// A handler that builds a malformed reply from hostile input aborts the run here.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/codec/version.hpp"

namespace icq::fuzz {

inline void requireServerDatagram(std::span<const uint8_t> bytes) {
  if (codec::peekVersion(bytes) == codec::v3::kVersion3) {
    codec::v3::Packet packet;
    if (codec::v3::decodePacket(bytes, packet) != codec::v3::DecodeError::none) std::abort();
    return;
  }
  codec::v5::ServerHeader header;
  std::span<const uint8_t> data;
  bool checkcodeValid = false;
  if (codec::v5::decodeServerPacket(bytes, header, data, checkcodeValid) != codec::v5::DecodeError::none ||
      !checkcodeValid)
    std::abort();
}

}  // namespace icq::fuzz
