// Runs the cases of a ruleset test file through the reference interpreter
// and words the failures (docs/bfc.md, "bfc test").
#pragma once

#include <string>
#include <vector>

#include "bfc/Interp/Interpreter.h"
#include "bfc/Test/TestFile.h"

namespace bfc::rulesettest {

/// What one case did, and every way it failed (empty when it passed).
struct CaseResult {
  const TestCase *test = nullptr;
  interp::Result actual;
  /// One message per failure: the expectation the interpreter missed, then
  /// any difference between the kernel and the interpreter.
  std::vector<std::string> failures;
  /// Under --kernel: whether the case ran in the kernel, and a note when it
  /// did not (sock_addr calls cannot be test-run) or ran with other
  /// metadata than the spec's (netfilter test runs carry no mark).
  bool kernelRan = false;
  std::string kernelNote;

  bool passed() const { return failures.empty(); }
};

/// Runs `test` through the interpreter (fresh counters: cases do not see
/// each other) and checks its expectations. `rulesetName` names the
/// ruleset's file in the deciding rule's location.
CaseResult runCase(const ir::Module &module, const TestCase &test,
                   const std::string &rulesetName);

/// "DROP (rule 3, counters 3, mark 0x10)": the expected verdict and the
/// expectations the case gives.
std::string describeExpected(const TestCase &test);
/// The same fields of `actual`, the deciding rule with its location:
/// "ACCEPT (rule 5 at ruleset.bf:12, counters 5, mark 0x0)".
std::string describeActual(const TestCase &test, const interp::Result &actual,
                           const std::string &rulesetName);

/// `FILE:LINE: FAIL: NAME: PACKET: MESSAGE`, names escaped for a terminal.
std::string failureLine(const std::string &testFile, const TestCase &test,
                        const std::string &message);

} // namespace bfc::rulesettest
