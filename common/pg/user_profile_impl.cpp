// PgUserStore, part two: profiles, searches and account deletion (protocol-v5.md §6.4, §6.5,
// §6.11, §6.12, §6.21, §7; the columns and indexes of migration 2 "profiles").
//
// Reads and writes are one prepared statement each. Searches are not: their criteria combine
// freely (§7.11 has twenty), and a statement that carried every criterion as "$n = '' OR ..."
// would get a generic plan that can use no index at all. buildSearchSql instead writes a
// WHERE clause of the applied criteria only, each in the shape its index serves (trigram GIN
// on the *_fold columns, btree on the codes, GIN on the code arrays), and the statement runs
// unnamed, planned with its parameters. Client text never enters the SQL text: it travels as
// hex-encoded parameters, and '%', '_' and '\' in a search string are escaped, so they match
// themselves.
#include <algorithm>
#include <array>
#include <string>

#include "common/pg/user_store_impl.hpp"

namespace icq::pg {
namespace {

constexpr const char* kFindProfile = "users_find_profile";
constexpr const char* kSetBasic = "users_set_basic";
constexpr const char* kSetMore = "users_set_more";
constexpr const char* kSetWork = "users_set_work";
constexpr const char* kSetAbout = "users_set_about";
constexpr const char* kSetInterests = "users_set_interests";
constexpr const char* kSetBackground = "users_set_background";
constexpr const char* kSetHomepageCategory = "users_set_homepage_category";
constexpr const char* kSetSecurity = "users_set_security";
constexpr const char* kSetAuthRequired = "users_set_auth_required";
constexpr const char* kUpdateNames = "users_update_names";
constexpr const char* kUpdateExtInfo = "users_update_ext_info";
constexpr const char* kDeleteUser = "users_delete";

// Every column findProfile reads, by name.
constexpr const char* kProfileColumns =
    "nick, first_name, last_name, email, email2, email3, home_city, home_state, home_phone, home_fax,"
    " home_street, home_cell, home_zip, home_country, timezone, auth_required, web_aware, hide_ip, hide_email,"
    " age, gender, homepage, birth_year, birth_month, birth_day, lang1, lang2, lang3,"
    " work_city, work_state, work_phone, work_fax, work_street, work_zip, work_country, work_company,"
    " work_department, work_position, work_occupation, work_homepage, about,"
    " COALESCE((extract(epoch FROM about_changed_at) * 1000)::bigint, 0) AS about_changed_ms,"
    " interest_count, interest_code1, interest_code2, interest_code3, interest_code4,"
    " interest_key1, interest_key2, interest_key3, interest_key4,"
    " past_count, past_code1, past_code2, past_code3, past_key1, past_key2, past_key3,"
    " affiliation_count, affiliation_code1, affiliation_code2, affiliation_code3,"
    " affiliation_key1, affiliation_key2, affiliation_key3,"
    " homepage_cat_enabled, homepage_cat, homepage_cat_keys";

// What a search returns per hit (store::SearchHit): the primary e-mail only when not hidden.
constexpr const char* kHitColumns =
    "uin, nick, first_name, last_name, CASE WHEN hide_email THEN ''::bytea ELSE email END, auth_required, web_aware";

pqxx::binarystring bytes(const std::string& text) { return pqxx::binarystring(text); }

std::string bytesOf(const pqxx::field& field) { return pqxx::binarystring(field).str(); }

/// NULL leaves the column as it is (COALESCE in the statement); libpqxx sends a null
/// const char* as NULL.
const char* optionalBool(const std::optional<bool>& value) {
  if (!value) return nullptr;
  return *value ? "true" : "false";
}

/// Unused slots are written empty, so a search by code never matches a stale entry.
template <size_t N>
const store::CategoryEntry& slot(const store::CategoryList<N>& list, size_t i) {
  static const store::CategoryEntry kEmpty;
  return i < list.count ? list.entries[i] : kEmpty;
}

template <size_t N>
void readCategories(const pqxx::row& row, const std::string& prefix, store::CategoryList<N>& out) {
  out.count = static_cast<uint8_t>(row[prefix + "_count"].as<int>());
  for (size_t i = 0; i < N; ++i) {
    out.entries[i].code = static_cast<uint16_t>(row[prefix + "_code" + std::to_string(i + 1)].as<int>());
    out.entries[i].keywords = bytesOf(row[prefix + "_key" + std::to_string(i + 1)]);
  }
}

store::UserProfile profileFrom(uint32_t uin, const pqxx::row& row) {
  auto text = [&](const char* column) { return bytesOf(row[column]); };
  auto number = [&](const char* column) { return row[column].as<int>(); };
  store::UserProfile p;
  p.uin = uin;
  store::BasicInfo& b = p.basic;
  b.nick = text("nick");
  b.firstName = text("first_name");
  b.lastName = text("last_name");
  b.email = text("email");
  b.email2 = text("email2");
  b.email3 = text("email3");
  b.homeCity = text("home_city");
  b.homeState = text("home_state");
  b.homePhone = text("home_phone");
  b.homeFax = text("home_fax");
  b.homeStreet = text("home_street");
  b.homeCell = text("home_cell");
  b.homeZip = text("home_zip");
  b.homeCountry = static_cast<uint16_t>(number("home_country"));
  b.timezone = static_cast<int8_t>(number("timezone"));
  p.flags.authRequired = row["auth_required"].as<bool>();
  p.flags.webAware = row["web_aware"].as<bool>();
  p.flags.hideIp = row["hide_ip"].as<bool>();
  p.flags.hideEmail = row["hide_email"].as<bool>();
  store::MoreInfo& m = p.more;
  m.age = static_cast<uint16_t>(number("age"));
  m.gender = static_cast<uint8_t>(number("gender"));
  m.homepage = text("homepage");
  m.birthYear = static_cast<uint16_t>(number("birth_year"));
  m.birthMonth = static_cast<uint8_t>(number("birth_month"));
  m.birthDay = static_cast<uint8_t>(number("birth_day"));
  m.languages = {static_cast<uint8_t>(number("lang1")), static_cast<uint8_t>(number("lang2")),
                 static_cast<uint8_t>(number("lang3"))};
  store::WorkInfo& w = p.work;
  w.city = text("work_city");
  w.state = text("work_state");
  w.phone = text("work_phone");
  w.fax = text("work_fax");
  w.street = text("work_street");
  w.zip = text("work_zip");
  w.country = static_cast<uint16_t>(number("work_country"));
  w.company = text("work_company");
  w.department = text("work_department");
  w.position = text("work_position");
  w.occupation = static_cast<uint16_t>(number("work_occupation"));
  w.homepage = text("work_homepage");
  p.about = text("about");
  p.aboutChangedMs = row["about_changed_ms"].as<int64_t>();
  readCategories(row, "interest", p.interests);
  readCategories(row, "past", p.background.past);
  readCategories(row, "affiliation", p.background.affiliations);
  p.homepageCategory.enabled = row["homepage_cat_enabled"].as<bool>();
  p.homepageCategory.code = static_cast<uint16_t>(number("homepage_cat"));
  p.homepageCategory.keywords = text("homepage_cat_keys");
  return p;
}

// ---- search SQL ---------------------------------------------------------------------------

std::string hexOf(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(data.size() * 2);
  for (char c : data) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0x0F];
  }
  return hex;
}

/// The conditions and parameters of one search, built in order.
class Where {
public:
  std::string param(std::string value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  std::string number(uint32_t value, std::string_view type) {
    return param(std::to_string(value)) + "::" + std::string(type);
  }
  /// A LIKE pattern for "contains `text`", folded like the *_fold columns. LIKE's
  /// metacharacters are escaped (backslash is its default escape character) and are ASCII,
  /// which folding leaves alone.
  std::string contains(std::string_view text) {
    std::string pattern = "%";
    for (char c : text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    return "icq_fold(decode(" + param(hexOf(pattern)) + ", 'hex'))";
  }
  void require(const std::string& condition) {
    if (!clause_.empty()) clause_ += " AND ";
    clause_ += condition;
  }
  /// "column LIKE pattern OR column2 LIKE pattern ...", parenthesised.
  void requireAnyContains(std::initializer_list<std::string_view> columns, std::string_view text) {
    const std::string pattern = contains(text);
    std::string any;
    for (std::string_view column : columns) {
      if (!any.empty()) any += " OR ";
      any += std::string(column) + " LIKE " + pattern;
    }
    require("(" + any + ")");
  }

  const std::string& clause() const { return clause_; }
  std::vector<std::string>& params() { return params_; }

private:
  std::string clause_;
  std::vector<std::string> params_;
};

/// §7.11 category criteria: an entry with the code (found through the GIN index on the
/// code array) whose keywords contain any of the criterion's keywords.
void requireCategory(Where& where, const store::CategoryCriterion& criterion, std::string_view prefix, size_t slots) {
  const std::string code = where.number(criterion.code, "int");
  std::string array;
  for (size_t i = 1; i <= slots; ++i) {
    if (!array.empty()) array += ", ";
    array += std::string(prefix) + "_code" + std::to_string(i);
  }
  where.require("ARRAY[" + array + "] @> ARRAY[" + code + "]");
  if (criterion.keywords.empty()) return;
  std::vector<std::string> patterns;
  for (const std::string& keyword : criterion.keywords) patterns.push_back(where.contains(keyword));
  std::string anySlot;
  for (size_t i = 1; i <= slots; ++i) {
    const std::string n = std::to_string(i);
    std::string anyKeyword;
    for (const std::string& pattern : patterns) {
      if (!anyKeyword.empty()) anyKeyword += " OR ";
      anyKeyword += "icq_fold(" + std::string(prefix) + "_key" + n + ") LIKE " + pattern;
    }
    if (!anySlot.empty()) anySlot += " OR ";
    anySlot += "(" + std::string(prefix) + "_code" + n + " = " + code + " AND (" + anyKeyword + "))";
  }
  where.require("(" + anySlot + ")");
}

}  // namespace

SearchSql buildSearchSql(const store::SearchCriteria& c, size_t limit) {
  Where where;
  if (c.uin != 0) where.require("uin = " + where.number(c.uin, "bigint"));
  if (!c.nick.empty()) where.requireAnyContains({"nick_fold"}, c.nick);
  if (!c.firstName.empty()) where.requireAnyContains({"first_name_fold"}, c.firstName);
  if (!c.lastName.empty()) where.requireAnyContains({"last_name_fold"}, c.lastName);
  if (!c.email.empty()) {
    const std::string pattern = where.contains(c.email);
    where.require("((NOT hide_email AND email_fold LIKE " + pattern + ") OR email2_fold LIKE " + pattern + ")");
  }
  if (!c.city.empty()) where.requireAnyContains({"home_city_fold"}, c.city);
  if (!c.state.empty()) where.requireAnyContains({"home_state_fold", "work_state_fold"}, c.state);
  if (!c.company.empty()) where.requireAnyContains({"work_company_fold"}, c.company);
  if (!c.position.empty()) where.requireAnyContains({"work_position_fold"}, c.position);
  if (c.maxAge != 0)
    where.require("age BETWEEN " + where.number(c.minAge, "int") + " AND " + where.number(c.maxAge, "int"));
  if (c.gender != 0) where.require("gender = " + where.number(c.gender, "smallint"));
  if (c.language != 0)
    where.require("ARRAY[lang1, lang2, lang3] @> ARRAY[" + where.number(c.language, "smallint") + "]");
  if (c.country != 0) {
    const std::string country = where.number(c.country, "int");
    where.require("(home_country = " + country + " OR work_country = " + country + ")");
  }
  if (c.occupation != 0) where.require("work_occupation = " + where.number(c.occupation, "int"));
  if (c.past.code != 0) requireCategory(where, c.past, "past", 3);
  if (c.interests.code != 0) requireCategory(where, c.interests, "interest", 4);
  if (c.affiliations.code != 0) requireCategory(where, c.affiliations, "affiliation", 3);
  if (c.homepageCategory.code != 0) {
    where.require("homepage_cat = " + where.number(c.homepageCategory.code, "int"));
    if (!c.homepageCategory.keywords.empty()) {
      std::string any;
      for (const std::string& keyword : c.homepageCategory.keywords) {
        if (!any.empty()) any += " OR ";
        any += "icq_fold(homepage_cat_keys) LIKE " + where.contains(keyword);
      }
      where.require("(" + any + ")");
    }
  }
  SearchSql sql;
  sql.rows =
      std::string("SELECT ") + kHitColumns + " FROM users WHERE " + where.clause() + " LIMIT " + std::to_string(limit);
  // Counting stops where "users left" does: a broad pattern never counts the whole table.
  sql.count = "SELECT count(*) FROM (SELECT 1 FROM users WHERE " + where.clause() + " LIMIT " +
              std::to_string(limit + store::kMaxNotReturned) + ") AS matches";
  sql.params = std::move(where.params());
  return sql;
}

void PgUserStore::prepareProfileStatements() {
  pg_.prepare(kFindProfile, std::string("SELECT ") + kProfileColumns + " FROM users WHERE uin = $1");
  pg_.prepare(kSetBasic,
              "UPDATE users SET nick = $2, first_name = $3, last_name = $4, email = $5, email2 = $6, email3 = $7,"
              " home_city = $8, home_state = $9, home_phone = $10, home_fax = $11, home_street = $12,"
              " home_cell = $13, home_zip = $14, home_country = $15, timezone = $16,"
              " hide_email = COALESCE($17::boolean, hide_email), auth_required = COALESCE($18::boolean, auth_required),"
              " web_aware = COALESCE($19::boolean, web_aware) WHERE uin = $1");
  pg_.prepare(kSetMore,
              "UPDATE users SET age = $2, gender = $3, homepage = $4, birth_year = $5, birth_month = $6,"
              " birth_day = $7, lang1 = $8, lang2 = $9, lang3 = $10 WHERE uin = $1");
  pg_.prepare(kSetWork,
              "UPDATE users SET work_city = $2, work_state = $3, work_phone = $4, work_fax = $5, work_street = $6,"
              " work_zip = $7, work_country = $8, work_company = $9, work_department = $10, work_position = $11,"
              " work_occupation = $12, work_homepage = $13 WHERE uin = $1");
  pg_.prepare(kSetAbout,
              "UPDATE users SET about = $2, about_changed_at = to_timestamp($3::bigint / 1000.0) WHERE uin = $1");
  pg_.prepare(kSetInterests,
              "UPDATE users SET interest_count = $2, interest_code1 = $3, interest_code2 = $4, interest_code3 = $5,"
              " interest_code4 = $6, interest_key1 = $7, interest_key2 = $8, interest_key3 = $9,"
              " interest_key4 = $10 WHERE uin = $1");
  pg_.prepare(kSetBackground,
              "UPDATE users SET past_count = $2, past_code1 = $3, past_code2 = $4, past_code3 = $5,"
              " past_key1 = $6, past_key2 = $7, past_key3 = $8, affiliation_count = $9, affiliation_code1 = $10,"
              " affiliation_code2 = $11, affiliation_code3 = $12, affiliation_key1 = $13, affiliation_key2 = $14,"
              " affiliation_key3 = $15 WHERE uin = $1");
  pg_.prepare(kSetHomepageCategory,
              "UPDATE users SET homepage_cat_enabled = $2, homepage_cat = $3, homepage_cat_keys = $4 WHERE uin = $1");
  pg_.prepare(kSetSecurity, "UPDATE users SET auth_required = $2, web_aware = $3, hide_ip = $4 WHERE uin = $1");
  pg_.prepare(kSetAuthRequired, "UPDATE users SET auth_required = $2 WHERE uin = $1");
  pg_.prepare(kUpdateNames,
              "UPDATE users SET nick = $2, first_name = $3, last_name = $4, email = $5,"
              " auth_required = COALESCE($6::boolean, auth_required) WHERE uin = $1");
  pg_.prepare(kUpdateExtInfo,
              "UPDATE users SET home_city = $2, home_country = $3, timezone = $4, home_state = $5, age = $6,"
              " gender = $7, home_phone = $8, homepage = $9, about = $10,"
              " about_changed_at = to_timestamp($11::bigint / 1000.0), home_zip = $12 WHERE uin = $1");
  pg_.prepare(kDeleteUser, "DELETE FROM users WHERE uin = $1 AND password_hash = $2");
}

// The parameters are built inside the lambda too, so nothing escapes run() as an exception.
template <class Exec>
bool PgUserStore::changeRow(std::string_view operation, bool& found, Exec&& exec) {
  found = false;
  return pg_.run(operation, [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    found = exec(tx).affected_rows() == 1;
  });
}

bool PgUserStore::findProfile(uint32_t uin, std::optional<store::UserProfile>& out) {
  out.reset();
  return pg_.run("find_profile", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::result rows = tx.exec_prepared(kFindProfile, uin);
    if (!rows.empty()) out = profileFrom(uin, rows[0]);
  });
}

bool PgUserStore::setBasic(uint32_t uin, const store::BasicUpdate& update, bool& found) {
  const store::BasicInfo& b = update.basic;
  return changeRow("set_basic", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetBasic, uin, bytes(b.nick), bytes(b.firstName), bytes(b.lastName), bytes(b.email),
                            bytes(b.email2), bytes(b.email3), bytes(b.homeCity), bytes(b.homeState), bytes(b.homePhone),
                            bytes(b.homeFax), bytes(b.homeStreet), bytes(b.homeCell), bytes(b.homeZip),
                            int{b.homeCountry}, int{b.timezone}, optionalBool(update.hideEmail),
                            optionalBool(update.authRequired), optionalBool(update.webAware));
  });
}

bool PgUserStore::setMore(uint32_t uin, const store::MoreInfo& m, bool& found) {
  return changeRow("set_more", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetMore, uin, int{m.age}, int{m.gender}, bytes(m.homepage), int{m.birthYear},
                            int{m.birthMonth}, int{m.birthDay}, int{m.languages[0]}, int{m.languages[1]},
                            int{m.languages[2]});
  });
}

bool PgUserStore::setWork(uint32_t uin, const store::WorkInfo& w, bool& found) {
  return changeRow("set_work", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetWork, uin, bytes(w.city), bytes(w.state), bytes(w.phone), bytes(w.fax), bytes(w.street),
                            bytes(w.zip), int{w.country}, bytes(w.company), bytes(w.department), bytes(w.position),
                            int{w.occupation}, bytes(w.homepage));
  });
}

bool PgUserStore::setAbout(uint32_t uin, std::string_view about, int64_t atMs, bool& found) {
  return changeRow("set_about", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetAbout, uin, bytes(std::string(about)), atMs);
  });
}

bool PgUserStore::setInterests(uint32_t uin, const store::Interests& i, bool& found) {
  return changeRow("set_interests", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetInterests, uin, int{i.count}, int{slot(i, 0).code}, int{slot(i, 1).code},
                            int{slot(i, 2).code}, int{slot(i, 3).code}, bytes(slot(i, 0).keywords),
                            bytes(slot(i, 1).keywords), bytes(slot(i, 2).keywords), bytes(slot(i, 3).keywords));
  });
}

bool PgUserStore::setBackground(uint32_t uin, const store::Background& background, bool& found) {
  const store::CategoryList<3>& p = background.past;
  const store::CategoryList<3>& a = background.affiliations;
  return changeRow("set_background", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetBackground, uin, int{p.count}, int{slot(p, 0).code}, int{slot(p, 1).code},
                            int{slot(p, 2).code}, bytes(slot(p, 0).keywords), bytes(slot(p, 1).keywords),
                            bytes(slot(p, 2).keywords), int{a.count}, int{slot(a, 0).code}, int{slot(a, 1).code},
                            int{slot(a, 2).code}, bytes(slot(a, 0).keywords), bytes(slot(a, 1).keywords),
                            bytes(slot(a, 2).keywords));
  });
}

bool PgUserStore::setHomepageCategory(uint32_t uin, const store::HomepageCategory& category, bool& found) {
  return changeRow("set_homepage_category", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetHomepageCategory, uin, category.enabled, int{category.code}, bytes(category.keywords));
  });
}

bool PgUserStore::setSecurity(uint32_t uin, const store::SecurityUpdate& security, bool& found) {
  return changeRow("set_security", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kSetSecurity, uin, security.authRequired, security.webAware, security.hideIp);
  });
}

bool PgUserStore::setAuthRequired(uint32_t uin, bool authRequired, bool& found) {
  return changeRow("set_auth_required", found,
                   [&](pqxx::transaction_base& tx) { return tx.exec_prepared(kSetAuthRequired, uin, authRequired); });
}

bool PgUserStore::updateNames(uint32_t uin, const store::NameUpdate& u, bool& found) {
  return changeRow("update_names", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kUpdateNames, uin, bytes(u.nick), bytes(u.firstName), bytes(u.lastName), bytes(u.email),
                            optionalBool(u.authRequired));
  });
}

bool PgUserStore::updateExtInfo(uint32_t uin, const store::ExtInfoUpdate& u, int64_t atMs, bool& found) {
  return changeRow("update_ext_info", found, [&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(kUpdateExtInfo, uin, bytes(u.homeCity), int{u.homeCountry}, int{u.timezone},
                            bytes(u.homeState), int{u.age}, int{u.gender}, bytes(u.homePhone), bytes(u.homepage),
                            bytes(u.about), atMs, bytes(u.homeZip));
  });
}

bool PgUserStore::search(const store::SearchRequest& request, store::SearchResult& out) {
  out = store::SearchResult{};
  if (request.criteria.empty() || request.limit == 0) return true;
  return pg_.run("search", [&](pqxx::connection& connection) {
    const SearchSql sql = buildSearchSql(request.criteria, request.limit);
    pqxx::read_transaction tx(connection);
    const auto params = pqxx::prepare::make_dynamic_params(sql.params);
    for (const pqxx::row& row : tx.exec_params(sql.rows, params)) {
      store::SearchHit hit;
      hit.uin = row[0].as<uint32_t>();
      hit.nick = bytesOf(row[1]);
      hit.firstName = bytesOf(row[2]);
      hit.lastName = bytesOf(row[3]);
      hit.email = bytesOf(row[4]);
      hit.authRequired = row[5].as<bool>();
      hit.webAware = row[6].as<bool>();
      out.hits.push_back(std::move(hit));
    }
    // Fewer hits than the limit are all there are; only a full page needs the count.
    if (!request.countRest || out.hits.size() < request.limit) return;
    // The count runs on a newer snapshot than the rows and may find fewer.
    const auto matches = tx.exec_params(sql.count, params)[0][0].as<size_t>();
    const size_t rest = matches > out.hits.size() ? matches - out.hits.size() : 0;
    out.notReturned = static_cast<uint32_t>(std::min<size_t>(rest, store::kMaxNotReturned));
  });
}

bool PgUserStore::deleteUser(uint32_t uin, const std::string& passwordHash, bool& deleted) {
  return changeRow("delete_user", deleted,
                   [&](pqxx::transaction_base& tx) { return tx.exec_prepared(kDeleteUser, uin, passwordHash); });
}

}  // namespace icq::pg
