// 8-bit client text shown to people as UTF-8 (common/util/codepage.hpp).
#include "common/util/codepage.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

namespace icq::util {

TEST_CASE("codepage converts western, cyrillic and koi8 text to UTF-8", "[util][codepage]") {
  CHECK(toUtf8("Caf\xE9 \x80", "CP1252") == "Caf\xC3\xA9 \xE2\x82\xAC");   // é €
  CHECK(toUtf8("\xCF\xF0\xE8\xE2\xE5\xF2", "CP1251") == "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");  // Привет
  CHECK(toUtf8("\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R") == "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  CHECK(toUtf8("", "CP1252").empty());
}

TEST_CASE("codepage replaces bytes the code page does not define", "[util][codepage]") {
  CHECK(toUtf8("a\x81z", "CP1252") == "a\xEF\xBF\xBDz");
}

TEST_CASE("codepage refuses an unknown code page by name", "[util][codepage]") {
  CHECK_THROWS_WITH(toUtf8("x", "NO-SUCH-PAGE"), Catch::Contains("NO-SUCH-PAGE"));
}

TEST_CASE("fromUtf8 writes an operator's text in the clients' code page", "[util][codepage]") {
  CHECK(fromUtf8("Caf\xC3\xA9 \xE2\x82\xAC", "CP1252") == "Caf\xE9 \x80");
  CHECK(fromUtf8("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "CP1251") == "\xCF\xF0\xE8\xE2\xE5\xF2");
  CHECK(fromUtf8("a\xE2\x98\x83z", "CP1252") == "a?z");  // a snowman has no CP1252 byte
  CHECK_THROWS_AS(fromUtf8("\xC3(", "CP1252"), std::invalid_argument);
  CHECK_THROWS_AS(fromUtf8("abc\xE2\x82", "CP1252"), std::invalid_argument);
  CHECK_THROWS_AS(fromUtf8("x", "NO-SUCH-PAGE"), std::invalid_argument);
}

}  // namespace icq::util
