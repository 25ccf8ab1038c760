// The V3 views of the shared profile record (protocol-v3.md §9.3: every protocol reads and
// writes the same one): store::UserProfile ⇄ the V3 info blocks. The codec's structs hold
// views, so the profile they are read from must outlive them; numbers kept as text in the
// store (zip codes, department codes) cross as decimal.
#pragma once

#include <string>

#include "common/codec/v3/profile.hpp"
#include "common/store/profile.hpp"

namespace icq::worker::v3 {

codec::v3::BasicInfo v3BasicOf(const store::UserProfile& profile);
codec::v3::HomeInfo v3HomeOf(const store::UserProfile& profile);
codec::v3::WorkInfo v3WorkOf(const store::UserProfile& profile);

/// SET_BASIC (§5.21): the names, and the e-mail into both the first and the second
/// address (the one V3 shows).
void applyV3Basic(const codec::v3::BasicInfo& basic, store::UserProfile& profile);
/// SET_HOME (§5.22): the home block, and gender, age and birth date (birth year sent as
/// years since 1900, stored as the full year).
void applyV3Home(const codec::v3::HomeInfo& home, store::UserProfile& profile);
/// SET_WORK (§5.24). The pager number has no column in the shared record and is dropped.
void applyV3Work(const codec::v3::WorkInfo& work, store::UserProfile& profile);

}  // namespace icq::worker::v3
