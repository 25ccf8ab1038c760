// The gateway ⇄ worker wire format (common/envelope): batch and control round trips, the
// writer's limits, and readers that refuse every malformed or truncated message.
#include "common/envelope/envelope.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace icq::envelope {
namespace {

struct Record {
  util::Endpoint client;
  int64_t receivedUs = 0;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> encodeBatch(Kind kind, const std::vector<Record>& records) {
  BatchWriter writer(kind);
  for (const Record& r : records) REQUIRE(writer.add(r.client, r.receivedUs, r.bytes));
  auto message = writer.message();
  return {message.begin(), message.end()};
}

struct ReadResult {
  std::vector<Record> records;
  bool malformed = false;
};

// Reads every datagram of `message`, copying them out; nullopt when open() refuses it.
std::optional<ReadResult> readBatch(std::span<const uint8_t> message) {
  auto reader = BatchReader::open(message);
  if (!reader) return std::nullopt;
  ReadResult result;
  Datagram d;
  while (reader->next(d)) result.records.push_back(Record{d.client, d.receivedUs, {d.bytes.begin(), d.bytes.end()}});
  // Once finished, the reader stays finished.
  CHECK_FALSE(reader->next(d));
  result.malformed = reader->malformed();
  return result;
}

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7);
  return bytes;
}

void checkSame(const std::vector<Record>& got, const std::vector<Record>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("datagram " << i);
    CHECK(got[i].client == want[i].client);
    CHECK(got[i].receivedUs == want[i].receivedUs);
    CHECK(got[i].bytes == want[i].bytes);
  }
}

// A batch with an empty, a small, a full-size and a zero-port datagram.
std::vector<Record> sampleRecords() {
  return {
      {{0x0100007F, 40000}, 1'700'000'000'000'000, pattern(30, 1)},
      {{0xFFFFFFFF, 65535}, -1, {}},
      {{0x0302010A, 1}, std::numeric_limits<int64_t>::max(), pattern(2048, 9)},
      {{0, 0}, std::numeric_limits<int64_t>::min(), pattern(1, 200)},
  };
}

}  // namespace

// ---- batches ------------------------------------------------------------------------

TEST_CASE("envelope batch round-trips ingress and egress datagrams", "[envelope]") {
  const Kind kind = GENERATE(Kind::Ingress, Kind::Egress);
  std::vector<Record> records;
  SECTION("none") {}
  SECTION("one") { records.push_back({{0x0100007F, 4000}, 123, pattern(24, 3)}); }
  SECTION("empty, 2048-byte, negative and extreme receive times") { records = sampleRecords(); }
  SECTION("many") {
    std::mt19937 rng(42);
    for (int i = 0; i < 1000; ++i) {
      records.push_back({{static_cast<uint32_t>(rng()), static_cast<uint16_t>(rng())},
                         static_cast<int64_t>(uint64_t{rng()} << 32 | rng()),
                         pattern(rng() % 600, static_cast<uint8_t>(i))});
    }
  }
  std::vector<uint8_t> message = encodeBatch(kind, records);
  CHECK(peekKind(message) == kind);
  auto reader = BatchReader::open(message);
  REQUIRE(reader);
  CHECK(reader->kind() == kind);
  CHECK(reader->count() == records.size());
  auto read = readBatch(message);
  REQUIRE(read);
  CHECK_FALSE(read->malformed);
  checkSame(read->records, records);
}

TEST_CASE("envelope batch layout is the one envelope.hpp documents", "[envelope]") {
  BatchWriter writer(Kind::Egress);
  const uint8_t payload[] = {0xAA, 0xBB, 0xCC};
  REQUIRE(writer.add(util::Endpoint{0x0403020A, 0x1234}, 0x0102030405060708, payload));
  const std::vector<uint8_t> expected = {
      1,    2,    1,    0,                             // format, kind Egress, count 1 (LE)
      0x0A, 0x02, 0x03, 0x04,                          // ip as stored (network order) = 10.2.3.4
      0x34, 0x12,                                      // port, little-endian
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // received_us, little-endian
      3,    0,                                         // length
      0xAA, 0xBB, 0xCC,
  };
  auto message = writer.message();
  CHECK(std::vector<uint8_t>(message.begin(), message.end()) == expected);
}

TEST_CASE("envelope batch writer works again after clear", "[envelope]") {
  BatchWriter writer(Kind::Ingress);
  for (const Record& r : sampleRecords()) REQUIRE(writer.add(r.client, r.receivedUs, r.bytes));
  writer.clear();
  CHECK(writer.empty());
  CHECK(writer.count() == 0);
  CHECK(writer.message().size() == kBatchHeaderSize);
  auto emptyRead = readBatch(writer.message());
  REQUIRE(emptyRead);
  CHECK(emptyRead->records.empty());
  CHECK_FALSE(emptyRead->malformed);

  std::vector<Record> second = {{{0x0100007F, 5}, 7, pattern(40, 4)}, {{0x0200007F, 6}, 8, pattern(2, 5)}};
  for (int round = 0; round < 3; ++round) {
    writer.clear();
    for (const Record& r : second) REQUIRE(writer.add(r.client, r.receivedUs, r.bytes));
    CHECK(writer.count() == 2);
    auto message = writer.message();
    CHECK(std::vector<uint8_t>(message.begin(), message.end()) == encodeBatch(Kind::Ingress, second));
    auto read = readBatch(message);
    REQUIRE(read);
    CHECK_FALSE(read->malformed);
    checkSame(read->records, second);
  }
}

TEST_CASE("envelope batch writer refuses the 65536th datagram", "[envelope]") {
  BatchWriter writer(Kind::Ingress);
  const uint8_t byte[] = {0x5A};
  for (size_t i = 0; i < 65535; ++i) {
    if (!writer.add(util::Endpoint{static_cast<uint32_t>(i), static_cast<uint16_t>(i)}, static_cast<int64_t>(i), byte))
      FAIL("add refused datagram " << i);
  }
  CHECK(writer.count() == 65535);
  CHECK_FALSE(writer.add(util::Endpoint{1, 1}, 1, byte));
  CHECK(writer.count() == 65535);
  CHECK(writer.message().size() == kBatchHeaderSize + 65535 * (kRecordHeaderSize + 1));

  auto reader = BatchReader::open(writer.message());
  REQUIRE(reader);
  CHECK(reader->count() == 65535);
  Datagram d;
  size_t n = 0;
  bool allRight = true;
  while (reader->next(d)) {
    allRight = allRight && d.client.ip == n && d.client.port == static_cast<uint16_t>(n) &&
               d.receivedUs == static_cast<int64_t>(n) && d.bytes.size() == 1 && d.bytes[0] == 0x5A;
    ++n;
  }
  CHECK(allRight);
  CHECK(n == 65535);
  CHECK_FALSE(reader->malformed());
}

TEST_CASE("envelope batch writer takes a datagram of kMaxDatagram bytes and refuses a longer one", "[envelope]") {
  BatchWriter writer(Kind::Egress);
  std::vector<uint8_t> largest = pattern(kMaxDatagram, 17);
  std::vector<uint8_t> tooLarge = pattern(kMaxDatagram + 1, 17);
  CHECK_FALSE(writer.add(util::Endpoint{1, 2}, 3, tooLarge));
  CHECK(writer.empty());
  REQUIRE(writer.add(util::Endpoint{1, 2}, 3, largest));
  auto read = readBatch(writer.message());
  REQUIRE(read);
  CHECK_FALSE(read->malformed);
  checkSame(read->records, {{{1, 2}, 3, largest}});
}

// ---- control ------------------------------------------------------------------------

TEST_CASE("envelope control messages round-trip Hello, Credit and Goodbye", "[envelope]") {
  const Kind kind = GENERATE(Kind::Hello, Kind::Credit, Kind::Goodbye);
  const uint32_t credits = GENERATE(0u, 1u, 256u, 0xFFFFFFFFu);
  auto message = encodeControl(Control{kind, credits});
  CHECK(message.size() == kControlSize);
  CHECK(peekKind(message) == kind);
  auto control = decodeControl(message);
  REQUIRE(control);
  CHECK(control->kind == kind);
  CHECK(control->credits == credits);
  CHECK_FALSE(BatchReader::open(message));
}

TEST_CASE("envelope control layout is format, kind and little-endian credits", "[envelope]") {
  auto message = encodeControl(Control{Kind::Credit, 0x01020304});
  CHECK(std::vector<uint8_t>(message.begin(), message.end()) == std::vector<uint8_t>{1, 4, 0x04, 0x03, 0x02, 0x01});
}

// ---- malformed input ----------------------------------------------------------------

TEST_CASE("envelope reader stops on every truncation of a valid batch", "[envelope][malformed]") {
  const std::vector<Record> records = sampleRecords();
  const std::vector<uint8_t> whole = encodeBatch(Kind::Ingress, records);
  for (size_t length = 0; length < whole.size(); ++length) {
    // An exactly-sized heap copy: a read past its end is an AddressSanitizer error.
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length));
    auto read = readBatch(cut);
    if (length < kBatchHeaderSize) {
      if (read) FAIL("open accepted a " << length << "-byte batch");
      continue;
    }
    if (!read) FAIL("open refused a " << length << "-byte truncation with a whole header");
    if (!read->malformed) FAIL("a " << length << "-byte truncation was not flagged malformed");
    if (read->records.size() >= records.size()) FAIL("a " << length << "-byte truncation read every datagram");
    // What was read before the cut is exactly the original datagrams.
    for (size_t i = 0; i < read->records.size(); ++i) {
      if (read->records[i].bytes != records[i].bytes || !(read->records[i].client == records[i].client))
        FAIL("datagram " << i << " differs in a " << length << "-byte truncation");
    }
  }
}

TEST_CASE("envelope rejects an unknown format byte or kind", "[envelope][malformed]") {
  std::vector<uint8_t> batch = encodeBatch(Kind::Ingress, sampleRecords());
  std::vector<uint8_t> control(kControlSize);
  auto hello = encodeControl(Control{Kind::Hello, 5});
  std::copy(hello.begin(), hello.end(), control.begin());

  SECTION("format byte") {
    const uint8_t format = GENERATE(0, 2, 0xFF);
    batch[0] = format;
    control[0] = format;
  }
  SECTION("kind") {
    const uint8_t kind = GENERATE(0, 6, 0x80, 0xFF);
    batch[1] = kind;
    control[1] = kind;
  }
  CHECK_FALSE(peekKind(batch));
  CHECK_FALSE(BatchReader::open(batch));
  CHECK_FALSE(peekKind(control));
  CHECK_FALSE(decodeControl(control));
}

TEST_CASE("envelope peekKind refuses messages shorter than two bytes", "[envelope][malformed]") {
  const std::vector<uint8_t> empty;
  const std::vector<uint8_t> one = {kFormat};
  CHECK_FALSE(peekKind(empty));
  CHECK_FALSE(peekKind(one));
  CHECK_FALSE(BatchReader::open(one));
  CHECK_FALSE(decodeControl(one));
}

TEST_CASE("envelope reader flags a count larger than the records as malformed", "[envelope][malformed]") {
  std::vector<uint8_t> batch = encodeBatch(Kind::Egress, sampleRecords());
  const uint16_t count = GENERATE(5, 0xFFFF);
  batch[2] = static_cast<uint8_t>(count);
  batch[3] = static_cast<uint8_t>(count >> 8);
  auto read = readBatch(batch);
  REQUIRE(read);
  CHECK(read->malformed);
  checkSame(read->records, sampleRecords());
}

TEST_CASE("envelope reader flags a record longer than any datagram as malformed", "[envelope][malformed]") {
  // A whole record of kMaxDatagram + 1 bytes, by hand: the writer refuses to make one.
  std::vector<uint8_t> batch = {kFormat, static_cast<uint8_t>(Kind::Egress), 1, 0};
  std::vector<uint8_t> record(kRecordHeaderSize + kMaxDatagram + 1, 0x5A);
  record[14] = static_cast<uint8_t>(kMaxDatagram + 1);
  record[15] = static_cast<uint8_t>((kMaxDatagram + 1) >> 8);
  batch.insert(batch.end(), record.begin(), record.end());
  auto read = readBatch(batch);
  REQUIRE(read);
  CHECK(read->malformed);
  CHECK(read->records.empty());
}

TEST_CASE("envelope reader flags trailing bytes after the last record as malformed", "[envelope][malformed]") {
  SECTION("garbage appended") {
    std::vector<uint8_t> batch = encodeBatch(Kind::Ingress, sampleRecords());
    batch.push_back(0);
    auto read = readBatch(batch);
    REQUIRE(read);
    CHECK(read->malformed);
    checkSame(read->records, sampleRecords());
  }
  SECTION("a count smaller than the records") {
    std::vector<uint8_t> batch = encodeBatch(Kind::Ingress, sampleRecords());
    batch[2] = 1;
    batch[3] = 0;
    auto read = readBatch(batch);
    REQUIRE(read);
    CHECK(read->malformed);
    REQUIRE(read->records.size() == 1);
    CHECK(read->records[0].bytes == sampleRecords()[0].bytes);
  }
  SECTION("bytes behind an empty batch") {
    std::vector<uint8_t> batch = encodeBatch(Kind::Ingress, {});
    batch.insert(batch.end(), {1, 2, 3});
    auto read = readBatch(batch);
    REQUIRE(read);
    CHECK(read->malformed);
    CHECK(read->records.empty());
  }
}

TEST_CASE("envelope reader flags a record length beyond the message as malformed", "[envelope][malformed]") {
  std::vector<uint8_t> batch = encodeBatch(Kind::Ingress, {{{1, 2}, 3, pattern(10, 1)}});
  batch[kBatchHeaderSize + 14] = 11;  // claims one byte more than there is
  auto read = readBatch(batch);
  REQUIRE(read);
  CHECK(read->malformed);
  CHECK(read->records.empty());
}

TEST_CASE("envelope control messages of the wrong size are refused", "[envelope][malformed]") {
  auto good = encodeControl(Control{Kind::Credit, 9});
  std::vector<uint8_t> longer(good.begin(), good.end());
  longer.push_back(0);
  for (size_t size = 0; size < kControlSize; ++size) {
    std::vector<uint8_t> shorter(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
    if (decodeControl(shorter)) FAIL("decodeControl accepted " << size << " bytes");
  }
  CHECK_FALSE(decodeControl(longer));
}

TEST_CASE("envelope keeps batches and control messages apart", "[envelope][malformed]") {
  SECTION("decodeControl refuses a batch") {
    CHECK_FALSE(decodeControl(encodeBatch(Kind::Ingress, sampleRecords())));
    CHECK_FALSE(decodeControl(encodeBatch(Kind::Egress, {})));
    // A batch header padded to exactly the control size is still no control message.
    std::vector<uint8_t> sixBytes = encodeBatch(Kind::Egress, {});
    sixBytes.resize(kControlSize);
    CHECK_FALSE(decodeControl(sixBytes));
  }
  SECTION("BatchReader::open refuses a control message") {
    for (Kind kind : {Kind::Hello, Kind::Credit, Kind::Goodbye}) {
      CHECK_FALSE(BatchReader::open(encodeControl(Control{kind, 1})));
    }
  }
}

}  // namespace icq::envelope
