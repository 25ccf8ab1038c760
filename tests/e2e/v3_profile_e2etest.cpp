// V3 user information through the cluster (protocol-v3.md §5.17–§5.34, §6.4, §6.16–§6.27):
// GET_INFO's five replies and INVALID_UIN, GET_INFO1, the SET_* commands confirmed and read
// back — by V3 and by V5 clients, who share one profile record (§9.3) — notes, SEARCH with its
// modes, the department lists before and during a session, and registration.
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/profile.hpp"
#include "common/codec/v3/registration.hpp"
#include "common/pg/connection.hpp"
#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

template <class Build>
std::vector<uint8_t> bodyOf(Build&& build) {
  std::vector<uint8_t> body(2048);
  body.resize(build(std::span<uint8_t>(body)));
  return body;
}

/// Sends `command` and expects its ACK and then the confirmation `ok` with the request's seq2.
void setAndConfirm(V3Client& client, uint16_t command, const std::vector<uint8_t>& body, uint16_t ok) {
  const v3::Header sent = client.send(command, body);
  REQUIRE(client.expectAckOf(sent));
  auto confirmed = client.expect(ok);
  REQUIRE(confirmed);
  CHECK(confirmed->header.seq2 == sent.seq2);
}

}  // namespace

TEST_CASE("V3 profile changes are confirmed and come back in GET_INFO's five replies", "[e2e][v3][profile]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.8.1");
  V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.8.2");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == V3LoginOutcome::accepted);

  setAndConfirm(alice, v3::CMD_SET_BASIC, bodyOf([](auto out) {
                  return v3::buildSetBasicBody({"ally", "Alice", "Liddell", "alice@example.org"}, out);
                }), v3::SRV_SET_BASIC_OK);
  v3::HomeInfo home;
  home.address = "1 Rabbit Hole";
  home.city = "Oxford";
  home.state = "Oxon";
  home.country = 44;
  home.phone = "555-1";
  home.zip = 68004;
  home.gender = 1;
  home.age = 20;
  home.birthDay = 4;
  home.birthMonth = 5;
  home.birthYear = 79;
  setAndConfirm(alice, v3::CMD_SET_HOME, bodyOf([&](auto out) { return v3::buildHomeBody(home, out); }),
                v3::SRV_SET_HOME_OK);
  setAndConfirm(alice, v3::CMD_SET_HOME_PAGE, bodyOf([](auto out) { return v3::buildTextBody("http://home", out); }),
                v3::SRV_SET_HOME_PAGE_OK);
  v3::WorkInfo work;
  work.city = "London";
  work.company = "Wonderland Ltd";
  work.title = "Explorer";
  work.department = 12;
  work.zip = 1234;
  setAndConfirm(alice, v3::CMD_SET_WORK, bodyOf([&](auto out) { return v3::buildWorkBody(work, out); }),
                v3::SRV_SET_WORK_OK);
  setAndConfirm(alice, v3::CMD_SET_WORK_PAGE, bodyOf([](auto out) { return v3::buildTextBody("http://work", out); }),
                v3::SRV_SET_WORK_PAGE_OK);
  setAndConfirm(alice, v3::CMD_SET_AUTH, bodyOf([](auto out) { return v3::buildSetAuthBody(0, true, out); }),
                v3::SRV_SET_AUTH_OK);
  setAndConfirm(alice, v3::CMD_SET_NOTES, bodyOf([](auto out) { return v3::buildTextBody("curiouser", out); }),
                v3::SRV_SET_NOTES_OK);

  auto replies = bob.getInfo(kAlice);
  REQUIRE(replies.size() == 5);
  CHECK(replies[0].header.command == v3::SRV_INFO_BASIC);
  CHECK(replies[1].header.command == v3::SRV_INFO_HOME);
  CHECK(replies[2].header.command == v3::SRV_INFO_HOME_PAGE);
  CHECK(replies[3].header.command == v3::SRV_INFO_WORK);
  CHECK(replies[4].header.command == v3::SRV_INFO_WORK_PAGE);
  for (const V3ServerPacket& reply : replies) CHECK(reply.header.seq2 == replies[0].header.seq2);
  v3::BasicInfo basic;
  REQUIRE(v3::parseInfoBasic(replies[0].body, basic) == v3::ParseError::none);
  CHECK(basic.nick == "ally");
  CHECK(basic.email == "alice@example.org");
  CHECK(basic.auth == 0);  // authorization required
  v3::HomeInfo readHome;
  REQUIRE(v3::parseInfoHome(replies[1].body, readHome) == v3::ParseError::none);
  CHECK(readHome.city == "Oxford");
  CHECK(readHome.zip == 68004);
  CHECK(readHome.birthYear == 79);
  CHECK(readHome.gender == 1);
  std::string_view page;
  REQUIRE(v3::parseTextBody(replies[2].body, page) == v3::ParseError::none);
  CHECK(page == "http://home");
  v3::WorkInfo readWork;
  REQUIRE(v3::parseInfoWork(replies[3].body, readWork) == v3::ParseError::none);
  CHECK(readWork.company == "Wonderland Ltd");
  CHECK(readWork.department == 12);
  CHECK(readWork.zip == 1234);
  REQUIRE(v3::parseTextBody(replies[4].body, page) == v3::ParseError::none);
  CHECK(page == "http://work");

  auto single = bob.getBasicInfo(kAlice);
  REQUIRE(single);
  CHECK(single->header.command == v3::SRV_INFO_SINGLE);
  auto invalid = bob.getInfo(424242);
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0].header.command == v3::SRV_INVALID_UIN);
  CHECK(aboutUin(invalid[0].body) == 424242);

  std::array<uint8_t, 4> target{};
  const v3::Header notesRequest = bob.send(v3::CMD_GET_NOTES, std::span(target).first(v3::buildU32Body(kAlice, target)));
  auto notes = bob.expect(v3::SRV_NOTES);
  REQUIRE(notes);
  CHECK(notes->header.seq2 == notesRequest.seq2);
  v3::Notes readNotes;
  REQUIRE(v3::parseNotes(notes->body, readNotes) == v3::ParseError::none);
  CHECK(readNotes.text == "curiouser");
  CHECK(readNotes.updatedAt > 0);
}

TEST_CASE("V3 SEARCH finds by UIN, nick and e-mail with its modes, and answers SEARCH_DONE", "[e2e][v3][profile]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.8.4");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  setAndConfirm(alice, v3::CMD_SET_BASIC, bodyOf([](auto out) {
                  return v3::buildSetBasicBody({"wonderer", "Alice", "L", "ally@example.org"}, out);
                }), v3::SRV_SET_BASIC_OK);

  v3::Search byUin{v3::kSearchByUin, v3::kSearchContains, "100001", 0};
  auto hits = alice.search(byUin);
  REQUIRE(hits);
  REQUIRE(hits->size() == 1);
  CHECK(hits->front().uin == kAlice);
  CHECK(hits->front().nick == "wonderer");

  v3::Search begins{v3::kSearchByNick, v3::kSearchBeginsWith, "WOND", 0};
  hits = alice.search(begins);
  REQUIRE(hits);
  CHECK(hits->size() == 1);
  v3::Search notBegins{v3::kSearchByNick, v3::kSearchBeginsWith, "nder", 0};
  hits = alice.search(notBegins);
  REQUIRE(hits);
  CHECK(hits->empty());  // contains it, but does not begin with it (decision 28)
  v3::Search ends{v3::kSearchByEmail, v3::kSearchEndsWith, "example.org", 0};
  hits = alice.search(ends);
  REQUIRE(hits);
  CHECK(hits->size() == 1);
  v3::Search unsupported{v3::kSearchByNick, v3::kSearchNotContains, "x", 0};
  hits = alice.search(unsupported);
  REQUIRE(hits);
  CHECK(hits->empty());
}

TEST_CASE("V3 department lists before and during a session, and SET_PASSWORD", "[e2e][v3][profile]") {
  E2E e2e;
  {
    pg::PgConnection connection(e2e.database.url());
    pqxx::nontransaction tx(connection.connection());
    tx.exec("INSERT INTO v3_departments (code, name) VALUES (1, 'Sales'), (2, 'R&D')");
  }
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.8.5");
  auto pre = alice.getDepartmentsPreLogin();
  REQUIRE(pre);
  REQUIRE(pre->size() == 2);
  CHECK(pre->at(1).name == "R&D");
  V3Client wrong(e2e.cluster.udpPort(0), kAlice, "nope", "127.0.8.6");
  CHECK_FALSE(wrong.getDepartmentsPreLogin());
  CHECK(wrong.lastRefusal().header.command == v3::SRV_WRONG_PASSWORD);

  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  V3Client again(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.8.7");
  CHECK_FALSE(again.getDepartmentsPreLogin());  // online: BUSY
  CHECK(again.lastRefusal().header.command == v3::SRV_BUSY);
  auto during = alice.getDepartments();
  REQUIRE(during);
  CHECK(during->size() == 2);

  setAndConfirm(alice, v3::CMD_SET_PASSWORD, bodyOf([](auto out) { return v3::buildTextBody("newpass1", out); }),
                v3::SRV_SET_PASSWORD_OK);
  alice.logoff();
  V3Client renewed(e2e.cluster.udpPort(0), kAlice, "newpass1", "127.0.8.8");
  CHECK(renewed.login() == V3LoginOutcome::accepted);
}

TEST_CASE("V3 registration: info in three fragments, a new account named in REGISTRATION_OK, refused when off",
          "[e2e][v3][profile][registration]") {
  E2E e2e({.settings = {"v3.registration=true", "auth.argon2_memlimit_kib=8192", "auth.argon2_opslimit=1"}});
  V3Client newcomer(e2e.cluster.udpPort(0), 0, "", "127.0.8.9");
  REQUIRE(newcomer.expectAckOf(newcomer.send(v3::CMD_FIRST_LOGIN, {})));
  const v3::Header request = newcomer.send(v3::CMD_REG_REQUEST_INFO, {});
  REQUIRE(newcomer.expectAckOf(request));
  auto info = newcomer.expect(v3::SRV_REGISTER_INFO);  // the client puts the three fragments together
  REQUIRE(info);
  CHECK(info->reassembled);
  CHECK(info->fragments == 3);
  CHECK(info->header.seq2 == request.seq2);
  v3::RegisterInfo parsed;
  std::array<v3::Department, 4> departments{};
  size_t count = 0;
  REQUIRE(v3::parseRegisterInfo(info->body, parsed, departments, count) == v3::ParseError::none);
  CHECK(parsed.registrationEnabled);
  v3::RegNewUser form;
  form.nick = "newbie";
  form.email = "new@example.org";
  const auto body = bodyOf([&](auto out) { return v3::buildRegNewUserBody(form, out); });
  const v3::Header sent = newcomer.send(v3::CMD_REG_NEW_USER, body);
  REQUIRE(newcomer.expectAckOf(sent));
  auto ok = newcomer.expect(v3::SRV_REGISTRATION_OK);
  REQUIRE(ok);
  CHECK(ok->header.seq1 == sent.seq1);
  std::string_view text;
  REQUIRE(v3::parseTextBody(ok->body, text) == v3::ParseError::none);
  const std::string reply(text);
  const size_t at = reply.find("Your ICQ number: ");
  REQUIRE(at != std::string::npos);
  const uint32_t uin = static_cast<uint32_t>(std::stoul(reply.substr(at + 17)));
  const std::string password = reply.substr(reply.find("Your password: ") + 15, 6);
  V3Client registered(e2e.cluster.udpPort(0), uin, password, "127.0.8.10");
  CHECK(registered.login() == V3LoginOutcome::accepted);
}

TEST_CASE("V3 registration is refused while v3.registration is off", "[e2e][v3][profile][registration]") {
  E2E e2e;
  V3Client newcomer(e2e.cluster.udpPort(0), 0, "", "127.0.8.11");
  v3::RegNewUser form;
  form.nick = "newbie";
  const v3::Header sent = newcomer.send(v3::CMD_REG_NEW_USER, bodyOf([&](auto out) {
                                          return v3::buildRegNewUserBody(form, out);
                                        }));
  REQUIRE(newcomer.expectAckOf(sent));
  auto refusal = newcomer.expect(v3::SRV_REGISTRATION_OK);
  REQUIRE(refusal);
  std::string_view text;
  REQUIRE(v3::parseTextBody(refusal->body, text) == v3::ParseError::none);
  CHECK(text.find("disabled") != std::string_view::npos);
}

}  // namespace icq::test
