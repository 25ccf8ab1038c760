// Tests for common/codec/v3/registration.hpp: the REG_NEW_USER form in IServerd's and the
// capture's layouts (protocol-v3.md §5.34), and REGISTER_INFO cut into its three fixed fragments
// (§5.33, §6.26) and put back together by the client.
#include "common/codec/v3/registration.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/fragment.hpp"
#include "tests/support/hex.hpp"
#include "tests/unit/common/codec/v3/garbage.hpp"
#include "tests/unit/common/codec/v3/vectors.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;
using icq::test::v3::built;
using icq::test::v3::decoded;
using icq::test::v3::requireTruncationsFail;
using icq::test::v3::survivesGarbage;

namespace {

RegNewUser sampleForm() {
  RegNewUser form;
  form.nick = "newbie";
  form.first = "Nina";
  form.last = "Novak";
  form.email = "nina@example.org";
  form.gender = 1;
  form.home.address = "3 Elm";
  form.home.city = "Riga";
  form.home.country = 371;
  form.home.zip = 0x0000FFFF;
  form.home.gender = 1;
  form.home.age = 30;
  form.home.birthDay = 1;
  form.home.birthMonth = 2;
  form.home.birthYear = 95;
  form.homePage = "http://nina.example.org";
  form.work.company = "Acme";
  form.work.title = "CTO";
  form.work.department = 20;
  form.work.zip = 0x0000FFFF;
  form.workPage = "http://acme.example.org";
  return form;
}

// The offset just after home_zip's 7-byte block (gender … birth_year) in a built form.
size_t afterHomeBlock(const RegNewUser& form) {
  auto lstrSize = [](std::string_view text) { return 2 + text.size() + 1; };
  return 2 + lstrSize(form.nick) + lstrSize(form.first) + lstrSize(form.last) + lstrSize(form.email) + 1 +
         lstrSize(form.home.address) + lstrSize(form.home.city) + lstrSize(form.home.state) + 2 +
         lstrSize(form.home.phone) + lstrSize(form.home.fax) + lstrSize(form.home.cellular) + 4 + 7;
}

void checkSameForm(const RegNewUser& parsed, const RegNewUser& form) {
  CHECK(parsed.clientVersion == 0x7A);
  CHECK(parsed.nick == form.nick);
  CHECK(parsed.email == form.email);
  CHECK(parsed.home.city == form.home.city);
  CHECK(parsed.home.country == form.home.country);
  CHECK(parsed.home.birthYear == form.home.birthYear);
  CHECK(parsed.homePage == form.homePage);
  CHECK(parsed.work.company == form.work.company);
  CHECK(parsed.work.department == 20);
  CHECK(parsed.work.zip == 0x0000FFFF);
  CHECK(parsed.workPage == form.workPage);
}

ParseError parseForm(std::span<const uint8_t> input) {
  RegNewUser out;
  return parseRegNewUser(input, out);
}

}  // namespace

TEST_CASE("v3 REG_NEW_USER round-trips in IServerd's layout", "[codec][v3]") {
  const RegNewUser form = sampleForm();
  const auto body = built([&](auto out) { return buildRegNewUserBody(form, out); });
  RegNewUser parsed;
  REQUIRE(parseRegNewUser(body, parsed) == ParseError::none);
  checkSameForm(parsed, form);
}

TEST_CASE("v3 REG_NEW_USER also parses with the capture's 8-byte block after home_zip", "[codec][v3]") {
  const RegNewUser form = sampleForm();
  auto body = built([&](auto out) { return buildRegNewUserBody(form, out); });
  body.insert(body.begin() + static_cast<std::ptrdiff_t>(afterHomeBlock(form)), 0x00);
  RegNewUser parsed;
  REQUIRE(parseRegNewUser(body, parsed) == ParseError::none);
  checkSameForm(parsed, form);
}

TEST_CASE("v3 REG_NEW_USER refuses an e-mail above 64, truncation and garbage", "[codec][v3]") {
  RegNewUser form = sampleForm();
  const auto body = built([&](auto out) { return buildRegNewUserBody(form, out); });
  const std::string longEmail(kMaxRegistrationEmailLength + 1, 'e');
  form.email = longEmail;
  RegNewUser parsed;
  CHECK(parseRegNewUser(built([&](auto out) { return buildRegNewUserBody(form, out); }), parsed) ==
        ParseError::too_long);
  // The trailing `extra` text (3 bytes) is not read.
  requireTruncationsFail(body, body.size() - 3, parseForm);
  survivesGarbage(body, parseForm);
}

TEST_CASE("v3 REGISTER_INFO goes out as three unreliable fragments cut at IServerd's points", "[codec][v3]") {
  const std::array<Department, 2> departments{Department{10, "Sales"}, Department{20, "Eng"}};
  const RegisterInfo info{.adminNotes = "Welcome", .registrationEnabled = true, .deplistVersion = 1,
                          .departments = departments};
  std::vector<std::vector<uint8_t>> fragments;
  for (size_t index = 0; index < kRegisterInfoFragments; ++index) {
    fragments.push_back(built([&](auto out) { return buildRegisterInfoFragment(info, 0x10, index, out); }));
    const auto packet = decoded(fragments.back());
    CHECK(packet.header.command == SRV_FRAGMENT);
    CHECK(packet.header.seq1 == index);
    CHECK(packet.header.seq2 == 0x10);
    CHECK(packet.header.uin == 0);
    CHECK(packet.body[0] == index);
    CHECK(packet.body[1] == 3);
  }
  // Fragment 0: the inner header, then the notes, the flag and the constant 2, 0x2A.
  CHECK(fragments[0] == fromHex("03 00 66 03 00 00 10 00 00 00 00 00 00 00 00 00 00 03"
                                "03 00 7a 03 00 00 10 00 00 00 00 00 00 00 00 00"
                                "08 00 57 65 6c 63 6f 6d 65 00 01 02 00 2a 00"));
  // Fragment 2: the form defaults, byte for byte (§6.26).
  CHECK(std::vector<uint8_t>(fragments[2].begin() + kFragmentHeaderSize, fragments[2].end()) ==
        fromHex("01 00 00 01 00 00 01 00 00 01 00 00 ff ff ff ff 07 00 01 00 00"));
  std::array<uint8_t, 8> small{};
  CHECK(buildRegisterInfoFragment(info, 0x10, 0, small) == 0);
  CHECK(buildRegisterInfoFragment(info, 0x10, 3, small) == 0);

  std::vector<FragmentPiece> pieces(3);
  for (size_t i = 0; i < 3; ++i) REQUIRE(parseFragment(decoded(fragments[i]).body, pieces[i]) == ParseError::none);
  std::vector<uint8_t> inner(kMaxReassembled);
  const Assembly assembly = assembleFragments(pieces, 0, inner);
  REQUIRE(assembly.status == AssemblyStatus::complete);
  inner.resize(assembly.length);
  const auto packet = decoded(inner);
  CHECK(packet.header.command == SRV_REGISTER_INFO);
  RegisterInfo parsed;
  std::array<Department, kMaxDepartments> parsedDepartments{};
  size_t count = 0;
  REQUIRE(parseRegisterInfo(packet.body, parsed, parsedDepartments, count) == ParseError::none);
  CHECK(parsed.adminNotes == "Welcome");
  CHECK(parsed.registrationEnabled);
  REQUIRE(count == 2);
  CHECK(parsed.departments[1].name == "Eng");
  survivesGarbage(packet.body, [&](auto input) { return parseRegisterInfo(input, parsed, parsedDepartments, count); });
}
