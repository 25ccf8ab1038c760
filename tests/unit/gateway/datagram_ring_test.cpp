// The gateway's fixed datagram ring (gateway/datagram_ring.hpp): FIFO order and slot
// buffers across many wrap-arounds.
#include "gateway/datagram_ring.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <set>
#include <vector>

namespace icq::gateway {
namespace {

struct Expected {
  uint32_t uin;
  std::vector<uint8_t> bytes;
};

// Receives `n` datagrams the way the gateway does: write into freeBuffer(i), commit, then
// fill the metadata through at(). Datagram `serial` holds a pattern derived from it.
void receive(DatagramRing& ring, size_t n, uint32_t& serial, std::deque<Expected>& model) {
  for (size_t i = 0; i < n; ++i) {
    std::span<uint8_t> buffer = ring.freeBuffer(i);
    size_t length = (serial * 7) % (buffer.size() + 1);
    for (size_t b = 0; b < length; ++b) buffer[b] = static_cast<uint8_t>(serial + b);
    model.push_back({serial, {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)}});
    ++serial;
  }
  ring.commit(n);
  for (size_t i = 0; i < n; ++i) {
    const Expected& e = model[model.size() - n + i];
    ring.at(ring.size() - n + i) = HeldDatagram{util::Endpoint{e.uin, 4000}, 0, 0, e.uin, e.bytes.size()};
  }
}

}  // namespace

TEST_CASE("datagram ring starts empty with every slot free", "[gateway][ring]") {
  DatagramRing ring(8, 32);
  CHECK(ring.capacity() == 8);
  CHECK(ring.size() == 0);
  CHECK(ring.free() == 8);
}

TEST_CASE("datagram ring keeps FIFO order and bytes across many wrap-arounds", "[gateway][ring]") {
  const size_t capacity = GENERATE(1, 5, 64);
  DatagramRing ring(capacity, 48);
  std::deque<Expected> model;
  std::mt19937 rng(7);
  uint32_t serial = 1;
  for (int round = 0; round < 2000; ++round) {
    size_t add = rng() % (ring.free() + 1);
    receive(ring, add, serial, model);
    REQUIRE(ring.size() == model.size());
    REQUIRE(ring.free() == capacity - model.size());
    // Every held datagram reads back, oldest first, wherever its slot is.
    for (size_t i = 0; i < ring.size(); ++i) {
      auto bytes = ring.bytes(i);
      if (ring.at(i).uin != model[i].uin || std::vector<uint8_t>(bytes.begin(), bytes.end()) != model[i].bytes)
        FAIL("held datagram " << i << " differs in round " << round);
    }
    size_t pop = rng() % (ring.size() + 1);
    for (size_t i = 0; i < pop; ++i) {
      REQUIRE(ring.at(0).uin == model.front().uin);
      ring.popFront();
      model.pop_front();
    }
  }
  // 2000 rounds of random fills moved far more datagrams than the ring holds.
  CHECK(serial > 20 * capacity);
}

TEST_CASE("datagram ring can be filled to capacity and emptied repeatedly", "[gateway][ring]") {
  DatagramRing ring(4, 16);
  std::deque<Expected> model;
  uint32_t serial = 1;
  for (int round = 0; round < 10; ++round) {
    receive(ring, 3, serial, model);
    receive(ring, 1, serial, model);
    REQUIRE(ring.free() == 0);
    for (size_t i = 0; i < 4; ++i) {
      CHECK(ring.at(0).uin == model.front().uin);
      auto bytes = ring.bytes(0);
      CHECK(std::vector<uint8_t>(bytes.begin(), bytes.end()) == model.front().bytes);
      ring.popFront();
      model.pop_front();
    }
    CHECK(ring.size() == 0);
    // Leave the head in a new place for the next round.
    receive(ring, 1, serial, model);
    ring.popFront();
    model.pop_front();
  }
}

TEST_CASE("datagram ring free buffers are distinct, slot-sized and apart from held datagrams", "[gateway][ring]") {
  const size_t slotBytes = 40;
  DatagramRing ring(6, slotBytes);
  std::deque<Expected> model;
  uint32_t serial = 1;
  for (int round = 0; round < 20; ++round) {
    receive(ring, std::min(static_cast<size_t>(round % 3 + 1), ring.free()), serial, model);
    ring.popFront();
    model.pop_front();
    std::set<const uint8_t*> starts;
    for (size_t i = 0; i < ring.size(); ++i) starts.insert(ring.bytes(i).data());
    for (size_t i = 0; i < ring.free(); ++i) {
      std::span<uint8_t> buffer = ring.freeBuffer(i);
      CHECK(buffer.size() == slotBytes);
      if (!starts.insert(buffer.data()).second) FAIL("free slot " << i << " overlaps another slot in round " << round);
    }
    // Slot starts are whole slots apart, so no two buffers overlap.
    const uint8_t* previous = nullptr;
    for (const uint8_t* start : starts) {
      if (previous) CHECK(static_cast<size_t>(start - previous) >= slotBytes);
      previous = start;
    }
    CHECK(starts.size() == ring.capacity());
  }
}

}  // namespace icq::gateway
