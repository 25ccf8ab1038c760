// The delivery ledger: an acknowledged message waits until it is received, whichever side the
// controller hears of first; duplicates and receptions nobody acknowledged are counted apart;
// what never arrives is named, the earliest acknowledged first.
#include <catch2/catch.hpp>

#include "tools/loadgen/delivery_ledger.hpp"

namespace icq::loadgen {

TEST_CASE("an acknowledged message waits in the ledger until its recipient has it", "[loadgen][ledger]") {
  LedgerInbox inbox;
  DeliveryLedger ledger;
  inbox.acked({1, 2, 100}, 5);
  ledger.take(inbox);
  CHECK(ledger.waiting() == 1);
  inbox.received({1, 2, 100});
  ledger.take(inbox);
  CHECK(ledger.waiting() == 0);
  CHECK(ledger.acked() == 1);
  CHECK(ledger.received() == 1);
  CHECK(ledger.receivedUnacked() == 0);
}

TEST_CASE("a message received before its acknowledgement does not wait", "[loadgen][ledger]") {
  LedgerInbox sender, recipient;
  DeliveryLedger ledger;
  recipient.received({1, 2, 100});
  ledger.take(recipient);
  CHECK(ledger.receivedUnacked() == 1);
  sender.acked({1, 2, 100}, 5);
  ledger.take(sender);
  CHECK(ledger.waiting() == 0);
  CHECK(ledger.receivedUnacked() == 0);
}

TEST_CASE("the ledger counts duplicates and names the lost messages earliest first", "[loadgen][ledger]") {
  LedgerInbox inbox;
  DeliveryLedger ledger;
  inbox.acked({1, 2, 100}, 50);
  inbox.acked({1, 2, 200}, 30);
  inbox.acked({3, 4, 100}, 40);  // the same stamp from another sender is another message
  inbox.received({1, 2, 100});
  inbox.received({1, 2, 100});
  inbox.received({5, 6, 1});  // sent, never acknowledged to its sender, delivered all the same
  ledger.take(inbox);
  CHECK(ledger.duplicates() == 1);
  CHECK(ledger.received() == 2);
  CHECK(ledger.receivedUnacked() == 1);
  REQUIRE(ledger.waiting() == 2);
  const auto missing = ledger.missing(10);
  REQUIRE(missing.size() == 2);
  CHECK(missing[0].key == MessageKey{1, 2, 200});
  CHECK(missing[0].ackedNs == 30);
  CHECK(missing[1].key == MessageKey{3, 4, 100});
  CHECK(ledger.missing(1).size() == 1);
}

}  // namespace icq::loadgen
