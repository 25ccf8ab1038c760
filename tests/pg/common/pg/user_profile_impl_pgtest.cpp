// PgUserStore's profiles, searches and account deletion (user_profile_impl.cpp, migration 2)
// against a fresh, migrated PostgreSQL database: every block written reads back byte for byte,
// every search criterion finds what it should and no more, and every search shape is served by
// its index (the plans are asserted, not claimed).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};

  Fixture() { pg::applyMigrations(connection); }

  void create(uint32_t uin, const std::string& nick = "", const std::string& hash = "$argon2id$fake") {
    store::NewUser user;
    user.uin = uin;
    user.passwordHash = hash;
    user.nick = nick;
    uint32_t created = 0;
    bool exists = true;
    REQUIRE(users.createUser(user, created, exists));
    REQUIRE_FALSE(exists);
  }
  store::UserProfile profile(uint32_t uin) {
    std::optional<store::UserProfile> p;
    REQUIRE(users.findProfile(uin, p));
    REQUIRE(p.has_value());
    return *p;
  }
  void setBasic(uint32_t uin, const store::BasicInfo& basic) {
    bool found = false;
    REQUIRE(users.setBasic(uin, {basic, std::nullopt, std::nullopt, std::nullopt}, found));
    REQUIRE(found);
  }
  std::vector<uint32_t> find(const store::SearchCriteria& criteria, size_t limit = 50) {
    store::SearchResult result;
    REQUIRE(users.search({criteria, limit, true}, result));
    std::vector<uint32_t> uins;
    for (const store::SearchHit& hit : result.hits) uins.push_back(hit.uin);
    std::sort(uins.begin(), uins.end());
    return uins;
  }
  void exec(const std::string& sql) {
    pqxx::work tx(connection.connection());
    tx.exec(sql);
    tx.commit();
  }
};

store::BasicInfo sampleBasic() {
  store::BasicInfo b;
  b.nick = "Wolf";
  b.firstName = std::string("\xC0\xED\xED\xE0", 4);  // cp1251 "Анна"
  b.lastName = "Smith";
  b.email = "wolf@example.org";
  b.email2 = "second@example.org";
  b.email3 = "old@example.org";
  b.homeCity = "Berlin";
  b.homeState = "BE";
  b.homePhone = "+49 30";
  b.homeFax = "fax";
  b.homeStreet = "Street 1";
  b.homeCell = "cell";
  b.homeZip = "10115";
  b.homeCountry = 49;
  b.timezone = -2;
  return b;
}

}  // namespace

TEST_CASE("user profiles: a new account has empty blocks and IServerd's flag defaults", "[pg][profiles]") {
  Fixture f;
  std::optional<store::UserProfile> missing;
  REQUIRE(f.users.findProfile(4242, missing));
  CHECK_FALSE(missing.has_value());
  f.create(4242, "nick");
  const store::UserProfile p = f.profile(4242);
  CHECK(p.uin == 4242);
  CHECK(p.basic.nick == "nick");
  CHECK(p.basic.email2.empty());
  CHECK(p.flags.webAware);
  CHECK_FALSE(p.flags.authRequired);
  CHECK_FALSE(p.flags.hideEmail);
  CHECK(p.interests.count == 0);
  CHECK(p.aboutChangedMs == 0);
}

TEST_CASE("user profiles: the basic block reads back byte for byte and its flags change only when sent",
          "[pg][profiles]") {
  Fixture f;
  f.create(100);
  const store::BasicInfo basic = sampleBasic();
  f.setBasic(100, basic);
  store::UserProfile p = f.profile(100);
  CHECK(p.basic.nick == basic.nick);
  CHECK(p.basic.firstName == basic.firstName);
  CHECK(p.basic.email3 == basic.email3);
  CHECK(p.basic.homeCell == basic.homeCell);
  CHECK(p.basic.homeZip == "10115");
  CHECK(p.basic.homeCountry == 49);
  CHECK(p.basic.timezone == -2);
  CHECK(p.flags.webAware);  // untouched: the packet carried no flags

  bool found = false;
  REQUIRE(f.users.setBasic(100, {basic, true, true, false}, found));
  p = f.profile(100);
  CHECK(p.flags.hideEmail);
  CHECK(p.flags.authRequired);
  CHECK_FALSE(p.flags.webAware);
  REQUIRE(f.users.setBasic(100, {basic, false, std::nullopt, std::nullopt}, found));
  p = f.profile(100);
  CHECK_FALSE(p.flags.hideEmail);
  CHECK(p.flags.authRequired);  // kept

  REQUIRE(f.users.setBasic(999, {basic, std::nullopt, std::nullopt, std::nullopt}, found));
  CHECK_FALSE(found);
}

TEST_CASE("user profiles: more, work, about, categories, homepage and security read back", "[pg][profiles]") {
  Fixture f;
  f.create(100);
  bool found = false;
  const store::MoreInfo more{33, 2, "http://home", 1967, 4, 30, {12, 7, 0}};
  REQUIRE(f.users.setMore(100, more, found));
  CHECK(found);
  store::WorkInfo work;
  work.city = "Paris";
  work.state = "IDF";
  work.zip = "75001";
  work.country = 33;
  work.company = "ACME";
  work.department = "R&D";
  work.position = "Boss";
  work.occupation = 12;
  work.homepage = "http://acme";
  REQUIRE(f.users.setWork(100, work, found));
  REQUIRE(f.users.setAbout(100, std::string("about\xFF text", 11), 1'700'000'000'123, found));
  store::Interests interests;
  interests.count = 2;
  interests.entries[0] = {100, "chess,go"};
  interests.entries[1] = {150, "jazz"};
  interests.entries[2] = {160, "beyond the count"};
  REQUIRE(f.users.setInterests(100, interests, found));
  store::Background background;
  background.past.count = 1;
  background.past.entries[0] = {300, "school"};
  background.affiliations.count = 3;
  background.affiliations.entries = {store::CategoryEntry{200, "a"}, {201, "b"}, {202, "c"}};
  REQUIRE(f.users.setBackground(100, background, found));
  REQUIRE(f.users.setHomepageCategory(100, {true, 4000, "web"}, found));
  REQUIRE(f.users.setSecurity(100, {true, false, true}, found));

  const store::UserProfile p = f.profile(100);
  CHECK(p.more.age == 33);
  CHECK(p.more.birthYear == 1967);
  CHECK(p.more.languages == std::array<uint8_t, 3>{12, 7, 0});
  CHECK(p.work.department == "R&D");
  CHECK(p.work.occupation == 12);
  CHECK(p.work.zip == "75001");
  CHECK(p.about == std::string("about\xFF text", 11));
  CHECK(p.aboutChangedMs == 1'700'000'000'123);
  CHECK(p.interests.count == 2);
  CHECK(p.interests.entries[1].keywords == "jazz");
  CHECK(p.interests.entries[2].code == 0);  // slots past the count are stored empty
  CHECK(p.interests.entries[2].keywords.empty());
  CHECK(p.background.past.entries[0].keywords == "school");
  CHECK(p.background.affiliations.entries[2].code == 202);
  CHECK(p.homepageCategory.enabled);
  CHECK(p.homepageCategory.code == 4000);
  CHECK(p.flags.authRequired);
  CHECK_FALSE(p.flags.webAware);
  CHECK(p.flags.hideIp);

  REQUIRE(f.users.setAuthRequired(100, false, found));
  CHECK_FALSE(f.profile(100).flags.authRequired);
  REQUIRE(f.users.setAbout(5, "x", 0, found));
  CHECK_FALSE(found);
}

TEST_CASE("user profiles: the legacy updates write their fields", "[pg][profiles]") {
  Fixture f;
  f.create(100);
  bool found = false;
  REQUIRE(f.users.updateNames(100, {"n", "f", "l", "e@x", true}, found));
  CHECK(found);
  store::UserProfile p = f.profile(100);
  CHECK(p.basic.nick == "n");
  CHECK(p.basic.email == "e@x");
  CHECK(p.flags.authRequired);
  REQUIRE(f.users.updateNames(100, {"n2", "f", "l", "e@x", std::nullopt}, found));
  CHECK(f.profile(100).flags.authRequired);
  store::ExtInfoUpdate ext;
  ext.homeCity = "Oslo";
  ext.homeCountry = 47;
  ext.timezone = -2;
  ext.age = 40;
  ext.gender = 1;
  ext.about = "hello";
  ext.homeZip = "0150";
  REQUIRE(f.users.updateExtInfo(100, ext, 5000, found));
  p = f.profile(100);
  CHECK(p.basic.homeCity == "Oslo");
  CHECK(p.more.age == 40);
  CHECK(p.about == "hello");
  CHECK(p.aboutChangedMs == 5000);
}

TEST_CASE("user search: by UIN, by name substrings in any case, AND of the criteria", "[pg][search]") {
  Fixture f;
  for (uint32_t uin : {100u, 101u, 102u}) f.create(uin);
  store::BasicInfo a = sampleBasic();
  f.setBasic(100, a);
  store::BasicInfo b = sampleBasic();
  b.nick = "Werewolf";
  b.lastName = "Jones";
  f.setBasic(101, b);

  store::SearchCriteria byUin;
  byUin.uin = 102;
  CHECK(f.find(byUin) == std::vector<uint32_t>{102});
  byUin.uin = 103;
  CHECK(f.find(byUin).empty());

  store::SearchCriteria nick;
  nick.nick = "WOLF";
  CHECK(f.find(nick) == std::vector<uint32_t>{100, 101});
  nick.lastName = "smi";
  CHECK(f.find(nick) == std::vector<uint32_t>{100});
  store::SearchCriteria cp1251;
  cp1251.firstName = std::string("\xED\xED", 2);  // 8-bit bytes match as bytes
  CHECK(f.find(cp1251) == std::vector<uint32_t>{100, 101});
  CHECK(f.find(store::SearchCriteria{}).empty());  // no criteria: nothing, never a full scan
}

TEST_CASE("user search: LIKE metacharacters in a search string match only themselves", "[pg][search]") {
  Fixture f;
  f.create(100, "100%_sure");
  f.create(101, "100 percent");
  f.create(102, "a\\b");
  store::SearchCriteria c;
  c.nick = "%";
  CHECK(f.find(c) == std::vector<uint32_t>{100});
  c.nick = "0%s";  // as a pattern it would match "100%_sure"
  CHECK(f.find(c).empty());
  c.nick = "%_s";
  CHECK(f.find(c) == std::vector<uint32_t>{100});
  c.nick = "_";
  CHECK(f.find(c) == std::vector<uint32_t>{100});
  c.nick = "\\";
  CHECK(f.find(c) == std::vector<uint32_t>{102});
}

TEST_CASE("user search: e-mail matches the primary unless hidden, and the secondary", "[pg][search]") {
  Fixture f;
  for (uint32_t uin : {100u, 101u, 102u}) f.create(uin);
  store::BasicInfo shown = sampleBasic();
  shown.email = "shown@mail.example";
  shown.email2 = "";
  f.setBasic(100, shown);
  store::BasicInfo hidden = sampleBasic();
  hidden.email = "hidden@mail.example";
  hidden.email2 = "";
  bool found = false;
  REQUIRE(f.users.setBasic(101, {hidden, true, std::nullopt, std::nullopt}, found));
  store::BasicInfo secondary = sampleBasic();
  secondary.email = "";
  secondary.email2 = "second@mail.example";
  f.setBasic(102, secondary);

  store::SearchCriteria c;
  c.email = "@MAIL.example";
  CHECK(f.find(c) == std::vector<uint32_t>{100, 102});
  c.email = "hidden";
  CHECK(f.find(c).empty());

  store::SearchResult result;
  c.email = "shown";
  REQUIRE(f.users.search({c, 10, true}, result));
  REQUIRE(result.hits.size() == 1);
  CHECK(result.hits[0].email == "shown@mail.example");
  c.email = "";
  c.uin = 101;  // found by UIN, the hidden address is not shown
  REQUIRE(f.users.search({c, 10, true}, result));
  REQUIRE(result.hits.size() == 1);
  CHECK(result.hits[0].email.empty());
}

TEST_CASE("user search: white-pages criteria (§7.11) each narrow the result", "[pg][search]") {
  Fixture f;
  for (uint32_t uin = 100; uin < 106; ++uin) f.create(uin);
  bool found = false;
  REQUIRE(f.users.setMore(100, {25, 1, "", 0, 0, 0, {0, 12, 0}}, found));
  REQUIRE(f.users.setMore(101, {40, 2, "", 0, 0, 0, {12, 0, 0}}, found));
  store::BasicInfo home = sampleBasic();
  home.homeState = "Bavaria";
  f.setBasic(102, home);
  store::WorkInfo work;
  work.state = "Upper Bavaria";
  work.country = 49;
  work.company = "Siemens AG";
  work.position = "Engineer";
  work.occupation = 7;
  REQUIRE(f.users.setWork(103, work, found));
  store::Interests interests;
  interests.count = 2;
  interests.entries[0] = {100, "chess, go"};
  interests.entries[1] = {150, "jazz"};
  REQUIRE(f.users.setInterests(104, interests, found));
  store::Background background;
  background.affiliations.count = 1;
  background.affiliations.entries[0] = {200, "Rotary"};
  REQUIRE(f.users.setBackground(105, background, found));
  REQUIRE(f.users.setHomepageCategory(105, {true, 4000, "my web page"}, found));

  store::SearchCriteria c;
  c.minAge = 20;
  c.maxAge = 30;
  CHECK(f.find(c) == std::vector<uint32_t>{100});
  c = {};
  c.gender = 2;
  CHECK(f.find(c) == std::vector<uint32_t>{101});
  c = {};
  c.language = 12;  // any of the three language slots
  CHECK(f.find(c) == std::vector<uint32_t>{100, 101});
  c = {};
  c.country = 49;  // home (sampleBasic) or work
  CHECK(f.find(c) == std::vector<uint32_t>{102, 103});
  c = {};
  c.state = "bavaria";  // home or work state
  CHECK(f.find(c) == std::vector<uint32_t>{102, 103});
  c = {};
  c.city = "berl";
  CHECK(f.find(c) == std::vector<uint32_t>{102});
  c = {};
  c.company = "siemens";
  c.position = "engine";
  c.occupation = 7;
  CHECK(f.find(c) == std::vector<uint32_t>{103});
  c.occupation = 8;
  CHECK(f.find(c).empty());
  c = {};
  c.interests.code = 150;
  CHECK(f.find(c) == std::vector<uint32_t>{104});
  c.interests.code = 100;
  c.interests.keywords = {"tennis", "chess"};  // any keyword, within the entry with the code
  CHECK(f.find(c) == std::vector<uint32_t>{104});
  c.interests.keywords = {"jazz"};  // jazz belongs to another entry
  CHECK(f.find(c).empty());
  c = {};
  c.affiliations.code = 200;
  c.affiliations.keywords = {"rotary"};
  CHECK(f.find(c) == std::vector<uint32_t>{105});
  c = {};
  c.homepageCategory.code = 4000;
  c.homepageCategory.keywords = {"WEB"};
  CHECK(f.find(c) == std::vector<uint32_t>{105});
  c.homepageCategory.keywords = {"shop"};
  CHECK(f.find(c).empty());
}

TEST_CASE("user search: the limit caps the hits and the rest is counted", "[pg][search]") {
  Fixture f;
  f.exec(
      "INSERT INTO users (uin, password_hash, nick) "
      "SELECT g, 'h', convert_to('match' || g, 'LATIN1') FROM generate_series(1000, 1029) g");
  store::SearchCriteria c;
  c.nick = "match";
  store::SearchResult result;
  REQUIRE(f.users.search({c, 10, true}, result));
  CHECK(result.hits.size() == 10);
  CHECK(result.notReturned == 20);
  REQUIRE(f.users.search({c, 30, true}, result));
  CHECK(result.hits.size() == 30);
  CHECK(result.notReturned == 0);
  REQUIRE(f.users.search({c, 10, false}, result));
  CHECK(result.notReturned == 0);
}

TEST_CASE("user search: every search shape is an index scan on its index", "[pg][search][plan]") {
  Fixture f;
  // Enough varied rows for real statistics; the planner is then told not to fall back to a
  // sequential scan, so a criterion without a usable index fails here instead of being slow.
  f.exec(R"sql(
    INSERT INTO users (uin, password_hash, nick, first_name, last_name, email, email2, home_city, home_state,
                       work_state, work_company, work_position, age, gender, lang1, home_country, work_country,
                       work_occupation, interest_count, interest_code1, interest_key1, past_count, past_code1,
                       affiliation_count, affiliation_code1, homepage_cat)
    SELECT g, 'h', convert_to('nick' || g, 'LATIN1'), convert_to('first' || g, 'LATIN1'),
           convert_to('last' || g, 'LATIN1'), convert_to('mail' || g || '@x.org', 'LATIN1'),
           convert_to('other' || g || '@y.org', 'LATIN1'), convert_to('city' || g % 500, 'LATIN1'),
           convert_to('state' || g % 50, 'LATIN1'), convert_to('wstate' || g % 50, 'LATIN1'),
           convert_to('company' || g % 300, 'LATIN1'), convert_to('position' || g % 200, 'LATIN1'),
           g % 90, g % 3, g % 70, g % 200, g % 150, g % 100, 1, g % 400, convert_to('kw' || g, 'LATIN1'),
           1, g % 60, 1, g % 80, g % 1000
    FROM generate_series(10000, 29999) g;
    ANALYZE users;
  )sql");
  struct Shape {
    const char* name;
    store::SearchCriteria criteria;
    std::vector<std::string> indexes;  // each must appear in the plan (a substring of its name)
  };
  std::vector<Shape> shapes;
  const auto shape = [&](const char* name, std::vector<std::string> indexes, auto set) {
    store::SearchCriteria c;
    set(c);
    shapes.push_back({name, c, std::move(indexes)});
  };
  shape("uin", {"users_pkey"}, [](auto& c) { c.uin = 12345; });
  shape("nick", {"users_nick_trgm"}, [](auto& c) { c.nick = "ick1234"; });
  shape("first", {"users_first_name_trgm"}, [](auto& c) { c.firstName = "rst1234"; });
  shape("last", {"users_last_name_trgm"}, [](auto& c) { c.lastName = "ast1234"; });
  shape("email", {"users_email_trgm", "users_email2_trgm"}, [](auto& c) { c.email = "l12345@"; });
  shape("city", {"users_home_city_trgm"}, [](auto& c) { c.city = "city42"; });
  shape("state", {"users_home_state_trgm", "users_work_state_trgm"}, [](auto& c) { c.state = "state7"; });
  shape("company", {"users_work_company_trgm"}, [](auto& c) { c.company = "company17"; });
  shape("position", {"users_work_position_trgm"}, [](auto& c) { c.position = "position17"; });
  shape("age", {"users_age"}, [](auto& c) {
    c.minAge = 20;
    c.maxAge = 21;
  });
  shape("gender", {"users_gender"}, [](auto& c) { c.gender = 2; });
  shape("language", {"users_languages"}, [](auto& c) { c.language = 12; });
  shape("country", {"users_home_country", "users_work_country"}, [](auto& c) { c.country = 49; });
  shape("occupation", {"users_work_occupation"}, [](auto& c) { c.occupation = 7; });
  shape("interests", {"users_interest_codes"}, [](auto& c) { c.interests = {100, {"kw1", "kw2"}}; });
  shape("past", {"users_past_codes"}, [](auto& c) { c.past.code = 30; });
  shape("affiliations", {"users_affiliation_codes"}, [](auto& c) { c.affiliations.code = 40; });
  shape("homepage category", {"users_homepage_cat"}, [](auto& c) { c.homepageCategory = {500, {"web"}}; });
  shape("short pattern", {"users_nick_trgm"}, [](auto& c) { c.nick = "k1"; });
  shape("name search", {"_name_trgm"}, [](auto& c) {
    c.nick = "ick1234";
    c.firstName = "first";
    c.lastName = "last";
  });

  pqxx::work tx(f.connection.connection());
  tx.exec("SET LOCAL enable_seqscan = off");
  for (const Shape& s : shapes) {
    INFO(s.name);
    const pg::SearchSql sql = pg::buildSearchSql(s.criteria, 50);
    for (const std::string& statement : {sql.rows, sql.count}) {
      std::string plan;
      for (const auto& row : tx.exec_params("EXPLAIN " + statement, pqxx::prepare::make_dynamic_params(sql.params)))
        plan += row[0].as<std::string>() + "\n";
      INFO(plan);
      CHECK(plan.find("Seq Scan") == std::string::npos);
      for (const std::string& index : s.indexes) CHECK(plan.find(index) != std::string::npos);
    }
  }
}

TEST_CASE("user accounts: deleteUser needs the current password hash", "[pg][profiles]") {
  Fixture f;
  f.create(100, "n", "$argon2id$one");
  bool deleted = true;
  REQUIRE(f.users.deleteUser(100, "$argon2id$other", deleted));
  CHECK_FALSE(deleted);
  REQUIRE(f.users.deleteUser(100, "$argon2id$one", deleted));
  CHECK(deleted);
  std::optional<store::UserProfile> gone;
  REQUIRE(f.users.findProfile(100, gone));
  CHECK_FALSE(gone.has_value());
}

TEST_CASE("user profiles: methods return false, not throw, when the server is unreachable", "[pg][profiles]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  pg::PgUserStore users(connection);
  std::optional<store::UserProfile> profile;
  store::SearchResult result;
  store::SearchCriteria c;
  c.nick = "x";
  bool flag = false;
  CHECK_FALSE(users.findProfile(1, profile));
  CHECK_FALSE(users.setBasic(1, {}, flag));
  CHECK_FALSE(users.setAbout(1, "a", 0, flag));
  CHECK_FALSE(users.search({c, 10, true}, result));
  CHECK_FALSE(users.deleteUser(1, "h", flag));
}

}  // namespace icq
