// worker: profile blocks between the user store (common/store/profile.hpp, owning strings and
// this project's flag meanings) and the wire (common/codec/v5/meta.hpp, views), plus the reply
// helpers the info, search, META and registration handlers share (protocol-v5.md §7, §8.21).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/codec/v5/meta.hpp"
#include "common/store/profile.hpp"
#include "worker/v5/command_context.hpp"

namespace icq::worker::v5 {

// ---- store → wire: views into the store struct, which must outlive them ----

/// §7.8: the primary e-mail is shown to everyone unless the user hides it, and to the user
/// itself always.
bool showsEmail(const store::UserProfile& profile, uint32_t requester);

codec::v5::BasicFields basicFields(const store::UserProfile& profile, bool showEmail);
codec::v5::MoreFields moreFields(const store::MoreInfo& more);
codec::v5::WorkFields workFields(const store::WorkInfo& work);
codec::v5::HomepageCategoryFields homepageCategoryFields(const store::HomepageCategory& category);
codec::v5::SearchHitFields hitFields(const store::SearchHit& hit);
/// The user as SRV_INFO_REPLY shows it.
codec::v5::SearchHitFields userFields(const store::UserProfile& profile, bool showEmail);

template <size_t N>
codec::v5::CategoryFields<N> categoryFields(const store::CategoryList<N>& list) {
  codec::v5::CategoryFields<N> fields;
  fields.count = list.count;
  for (size_t i = 0; i < N; ++i) fields.entries[i] = {list.entries[i].code, list.entries[i].keywords};
  return fields;
}

// ---- wire → store ----

store::BasicUpdate basicUpdate(const codec::v5::SetBasicRequest& request);
store::MoreInfo moreInfo(const codec::v5::MoreFields& fields);
store::WorkInfo workInfo(const codec::v5::SetWorkRequest& request);
store::HomepageCategory homepageCategory(const codec::v5::HomepageCategoryFields& fields);

template <size_t N>
store::CategoryList<N> categoryList(const codec::v5::CategoryFields<N>& fields) {
  store::CategoryList<N> list;
  list.count = fields.count;
  for (size_t i = 0; i < N; ++i) list.entries[i] = {fields.entries[i].code, std::string(fields.entries[i].keywords)};
  return list;
}

// ---- replies ----

/// Queues a reliable reply built by `build(std::span<uint8_t>) -> size_t` in ctx.scratch.
template <class Build>
void replyBuilt(CommandContext& ctx, const Inbound& in, uint16_t command, Build&& build) {
  const size_t size = build(std::span<uint8_t>(ctx.scratch));
  if (size > 0) ctx.replyReliable(in, command, std::span(ctx.scratch).first(size));
}

/// A SRV_META_USER reply carrying only its sub-code and RESULT (§7.0).
void replyMetaResult(CommandContext& ctx, const Inbound& in, uint16_t reply, bool success);

/// A store could not be reached before the effect was recorded: count it, and let the
/// processor withhold the ACK so that the client's retransmission tries again.
Outcome storeFailed(CommandContext& ctx);

/// A body that does not hold its fields: counted and dropped; the ACK is the whole answer.
Outcome malformed(CommandContext& ctx);

/// The sender's profile changed: `what` names the part (the journal's info event).
void recordInfoChange(CommandContext& ctx, const Inbound& in, std::string_view what);

}  // namespace icq::worker::v5
