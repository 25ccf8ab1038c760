// Whether the running test case has failed so far, for fixtures that keep what a failure
// needs to be understood (an end-to-end cluster's logs) and clean up after a pass. Kept by a
// Catch2 listener in test_main.cpp, the main every test binary links.
#pragma once

namespace icq::test {

/// True once an assertion of the current test case failed.
bool currentTestFailed();

}  // namespace icq::test
