// Process identities: the names gateways, workers and schedulers are known by in the
// registry, in sessions and in leases. Kubernetes gives every pod a unique POD_NAME;
// elsewhere the host name plus something unique on the host stands in.
#pragma once

#include <string>
#include <string_view>

namespace icq::util {

/// `configured` if set, else $POD_NAME, else "<hostname>-<suffix>".
std::string processIdentity(std::string_view configured, std::string_view suffix);

/// 16 random hex digits: tells two starts of the same identity apart.
std::string randomInstanceId();

}  // namespace icq::util
