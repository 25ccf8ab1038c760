// Hostile-input loops shared by the V3 codec tests: every truncation of a valid body, random
// bytes, and single-byte mutations of a valid body. Under ASan/UBSan (CI) any read outside the
// input fails the test; the loops also check that every answer is a ParseError value.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "common/codec/v3/byte_io.hpp"

namespace icq::test::v3 {

using codec::v3::ParseError;

inline bool isParseError(ParseError error) {
  return error == ParseError::none || error == ParseError::truncated || error == ParseError::too_long ||
         error == ParseError::malformed;
}

// Every prefix of `body` shorter than `required` bytes must be refused.
template <class Parse>
void requireTruncationsFail(std::span<const uint8_t> body, size_t required, Parse&& parse) {
  for (size_t n = 0; n < required && n <= body.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    // A copy of exactly n bytes, so ASan sees a read past the prefix.
    const std::vector<uint8_t> prefix(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(parse(std::span<const uint8_t>(prefix)) != ParseError::none);
  }
}

// Random bodies of 0..600 bytes and mutations of `valid`: the parser must answer every one.
template <class Parse>
void survivesGarbage(std::span<const uint8_t> valid, Parse&& parse, uint32_t seed = 5489) {
  std::mt19937 rng(seed);
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> input;
    if (round % 2 == 0) {
      input.resize(rng() % 600);
      for (auto& byte : input) byte = static_cast<uint8_t>(rng());
    } else {
      input.assign(valid.begin(), valid.end());
      if (!input.empty()) input[rng() % input.size()] = static_cast<uint8_t>(rng());
      input.resize(input.empty() ? 0 : rng() % (input.size() + 1));
    }
    REQUIRE(isParseError(parse(std::span<const uint8_t>(input))));
  }
}

}  // namespace icq::test::v3
