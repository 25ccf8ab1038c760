// FragmentStore: client fragments of V3 packets (protocol-v3.md §4.3–§4.6) kept in the
// system of record until their packet is complete. The fragments of one packet may reach
// different gateways and workers, so the group lives here, not in any process: adding a
// fragment returns the whole group as it stands after the add, and the adds of one group
// are serialised, so exactly the add that completes it sees it complete. Taking the group
// out is a separate step that only one caller wins. Which byte is the index, and whether
// a group is complete, is the codec's business (codec::v3::assembleFragments). Failures
// are values: false means the database could not be reached.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace icq::store {

/// One FRAGMENT 0x05D2 as received: the two bytes after the header, raw (their order is
/// decided per group, §4.6), and the slice of the inner packet.
struct ClientFragment {
  uint32_t uin = 0;   // sender (header uin)
  uint16_t seq2 = 0;  // the grouping key
  uint8_t first = 0, second = 0;
  std::span<const uint8_t> payload;
};

/// A fragment of a group as stored.
struct StoredFragment {
  uint8_t first = 0, second = 0;
  std::string payload;
};

class FragmentStore {
public:
  virtual ~FragmentStore() = default;

  /// Stores `fragment` (a second copy of the same fragment is not stored twice) and
  /// returns every stored fragment of its (uin, seq2) group in `group`.
  virtual bool add(const ClientFragment& fragment, int64_t nowMs, std::vector<StoredFragment>& group) = 0;

  /// Deletes the group (uin, seq2): it is complete, or can never be. `taken` is true for
  /// exactly one caller; only that one acts on the packet.
  virtual bool take(uint32_t uin, uint16_t seq2, bool& taken) = 0;

  /// Drops every fragment of `uin` (its session began or ended, §4.5).
  virtual bool dropFor(uint32_t uin) = 0;

  /// Scheduler job "fragment_cleanup": deletes at most `limit` fragments received before
  /// `cutoffMs`, oldest first; `deleted` says how many went.
  virtual bool purgeReceivedBefore(int64_t cutoffMs, size_t limit, size_t& deleted) = 0;
};

}  // namespace icq::store
