// The V3 views of the shared profile record; see profile_wire.hpp.
#include "worker/v3/profile_wire.hpp"

#include <charconv>

namespace icq::worker::v3 {
namespace {

uint32_t numberOf(const std::string& text) {
  uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string textOf(uint32_t value) { return value == 0 ? std::string() : std::to_string(value); }

/// "Not set" is 0xFFFF on the V3 wire (§5.22) and 0 in the shared record.
uint16_t wireCountry(uint16_t stored) { return stored == 0 ? 0xFFFF : stored; }
uint16_t storedCountry(uint16_t wire) { return wire == 0xFFFF ? 0 : wire; }

}  // namespace

codec::v3::BasicInfo v3BasicOf(const store::UserProfile& p) {
  // 1 = anyone may add me, 0 = authorization required (§5.26, decision 18).
  return {p.basic.nick, p.basic.firstName, p.basic.lastName,
          p.basic.email2.empty() ? std::string_view(p.basic.email) : std::string_view(p.basic.email2),
          static_cast<uint8_t>(p.flags.authRequired ? 0 : 1)};
}

codec::v3::HomeInfo v3HomeOf(const store::UserProfile& p) {
  codec::v3::HomeInfo h;
  h.address = p.basic.homeStreet;
  h.city = p.basic.homeCity;
  h.state = p.basic.homeState;
  h.country = wireCountry(p.basic.homeCountry);
  h.phone = p.basic.homePhone;
  h.fax = p.basic.homeFax;
  h.cellular = p.basic.homeCell;
  h.zip = numberOf(p.basic.homeZip);
  h.gender = p.more.gender;
  h.age = p.more.age;
  h.birthDay = p.more.birthDay;
  h.birthMonth = p.more.birthMonth;
  h.birthYear = p.more.birthYear >= 1900 ? static_cast<uint16_t>(p.more.birthYear - 1900) : p.more.birthYear;
  return h;
}

codec::v3::WorkInfo v3WorkOf(const store::UserProfile& p) {
  codec::v3::WorkInfo w;
  w.address = p.work.street;
  w.city = p.work.city;
  w.state = p.work.state;
  w.country = wireCountry(p.work.country);
  w.company = p.work.company;
  w.title = p.work.position;
  w.department = numberOf(p.work.department);
  w.phone = p.work.phone;
  w.fax = p.work.fax;
  w.zip = numberOf(p.work.zip);
  return w;
}

void applyV3Basic(const codec::v3::BasicInfo& basic, store::UserProfile& p) {
  p.basic.nick = basic.nick;
  p.basic.firstName = basic.first;
  p.basic.lastName = basic.last;
  p.basic.email = basic.email;
  p.basic.email2 = basic.email;
}

void applyV3Home(const codec::v3::HomeInfo& home, store::UserProfile& p) {
  p.basic.homeStreet = home.address;
  p.basic.homeCity = home.city;
  p.basic.homeState = home.state;
  p.basic.homeCountry = storedCountry(home.country);
  p.basic.homePhone = home.phone;
  p.basic.homeFax = home.fax;
  p.basic.homeCell = home.cellular;
  p.basic.homeZip = home.zip == 0xFFFF ? std::string() : textOf(home.zip);
  p.more.gender = home.gender;
  p.more.age = home.age;
  p.more.birthDay = home.birthDay;
  p.more.birthMonth = home.birthMonth;
  p.more.birthYear = home.birthYear == 0 ? 0 : static_cast<uint16_t>(home.birthYear + 1900);
}

void applyV3Work(const codec::v3::WorkInfo& work, store::UserProfile& p) {
  p.work.street = work.address;
  p.work.city = work.city;
  p.work.state = work.state;
  p.work.country = storedCountry(work.country);
  p.work.company = work.company;
  p.work.position = work.title;
  p.work.department = work.department == 0xFFFF ? std::string() : textOf(work.department);
  p.work.phone = work.phone;
  p.work.fax = work.fax;
  p.work.zip = work.zip == 0xFFFF ? std::string() : textOf(work.zip);
}

}  // namespace icq::worker::v3
