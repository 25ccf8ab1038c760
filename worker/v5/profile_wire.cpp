// worker: store ⇄ wire conversions of profile blocks and the shared reply helpers; see
// profile_wire.hpp.
#include "worker/v5/profile_wire.hpp"

#include <string>

#include "common/codec/v5/constants.hpp"
#include "worker/core/session_events.hpp"

namespace icq::worker::v5 {

namespace v5 = codec::v5;

bool showsEmail(const store::UserProfile& profile, uint32_t requester) {
  return !profile.flags.hideEmail || profile.uin == requester;
}

v5::BasicFields basicFields(const store::UserProfile& profile, bool showEmail) {
  const store::BasicInfo& b = profile.basic;
  v5::BasicFields f;
  f.nick = b.nick;
  f.firstName = b.firstName;
  f.lastName = b.lastName;
  f.email = showEmail ? std::string_view(b.email) : std::string_view();
  f.email2 = b.email2;
  f.email3 = b.email3;
  f.homeCity = b.homeCity;
  f.homeState = b.homeState;
  f.homePhone = b.homePhone;
  f.homeFax = b.homeFax;
  f.homeStreet = b.homeStreet;
  f.homeCell = b.homeCell;
  f.homeZip = b.homeZip;
  f.homeCountry = b.homeCountry;
  f.timezone = b.timezone;
  f.authRequired = profile.flags.authRequired;
  f.webAware = profile.flags.webAware;
  f.hideEmail = profile.flags.hideEmail;
  return f;
}

v5::MoreFields moreFields(const store::MoreInfo& more) {
  return {more.age, more.gender, more.homepage, more.birthYear, more.birthMonth, more.birthDay, more.languages};
}

v5::WorkFields workFields(const store::WorkInfo& w) {
  return {w.city,    w.state,   w.phone,      w.fax,      w.street,     w.zip,
          w.country, w.company, w.department, w.position, w.occupation, w.homepage};
}

v5::HomepageCategoryFields homepageCategoryFields(const store::HomepageCategory& category) {
  return {category.enabled, category.code, category.keywords};
}

v5::SearchHitFields hitFields(const store::SearchHit& hit) {
  return {hit.uin, hit.nick, hit.firstName, hit.lastName, hit.email, hit.authRequired, hit.webAware};
}

v5::SearchHitFields userFields(const store::UserProfile& profile, bool showEmail) {
  const store::BasicInfo& b = profile.basic;
  return {profile.uin,
          b.nick,
          b.firstName,
          b.lastName,
          showEmail ? std::string_view(b.email) : std::string_view(),
          profile.flags.authRequired,
          profile.flags.webAware};
}

store::BasicUpdate basicUpdate(const v5::SetBasicRequest& request) {
  const v5::BasicFields& f = request.fields;
  store::BasicUpdate update;
  store::BasicInfo& b = update.basic;
  b.nick = f.nick;
  b.firstName = f.firstName;
  b.lastName = f.lastName;
  b.email = f.email;
  b.email2 = f.email2;
  b.email3 = f.email3;
  b.homeCity = f.homeCity;
  b.homeState = f.homeState;
  b.homePhone = f.homePhone;
  b.homeFax = f.homeFax;
  b.homeStreet = f.homeStreet;
  b.homeCell = f.homeCell;
  // §11.2: the ZIP is text; a u32 ZIP of 0 means none was given.
  b.homeZip = request.zipIsNumber ? (request.numericZip ? std::to_string(request.numericZip) : std::string())
                                  : std::string(f.homeZip);
  b.homeCountry = f.homeCountry;
  b.timezone = f.timezone;
  if (request.hasHideEmail) update.hideEmail = f.hideEmail;
  if (request.hasAuthAndWebAware) {
    update.authRequired = f.authRequired;
    update.webAware = f.webAware;
  }
  return update;
}

store::MoreInfo moreInfo(const v5::MoreFields& f) {
  return {f.age, f.gender, std::string(f.homepage), f.birthYear, f.birthMonth, f.birthDay, f.languages};
}

store::WorkInfo workInfo(const v5::SetWorkRequest& request) {
  const v5::WorkFields& f = request.fields;
  store::WorkInfo w;
  w.city = f.city;
  w.state = f.state;
  w.phone = f.phone;
  w.fax = f.fax;
  w.street = f.street;
  w.zip = request.zipIsNumber ? (request.numericZip ? std::to_string(request.numericZip) : std::string())
                              : std::string(f.zip);
  w.country = f.country;
  w.company = f.company;
  w.department = f.department;
  w.position = f.position;
  w.occupation = f.occupation;
  w.homepage = f.homepage;
  return w;
}

store::HomepageCategory homepageCategory(const v5::HomepageCategoryFields& f) {
  return {f.enabled, f.code, std::string(f.keywords)};
}

void replyMetaResult(CommandContext& ctx, const Inbound& in, uint16_t reply, bool success) {
  replyBuilt(ctx, in, v5::SRV_META_USER, [&](std::span<uint8_t> out) {
    return v5::buildMetaResultBody(reply, success ? v5::kMetaSuccess : v5::kMetaFailure, out);
  });
}

Outcome storeFailed(CommandContext& ctx) {
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

Outcome malformed(CommandContext& ctx) {
  ctx.stats.malformedBodies++;
  return Outcome::done;
}

void recordInfoChange(CommandContext& ctx, const Inbound& in, std::string_view what) {
  ctx.events.record(core::infoEvent(core::actorOf(ctx.sessions, in.header().uin), what, ctx.clock.nowMs()));
}

}  // namespace icq::worker::v5
