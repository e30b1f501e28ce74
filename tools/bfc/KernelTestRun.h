// `bfc test --kernel`: every case that BPF_PROG_TEST_RUN can take also runs
// through the compiled program, which must agree with the interpreter
// (verdict, return code, counters, mark, log events).
#pragma once

#include <memory>
#include <string>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Test/TestRunner.h"

namespace bfc::driver {

class KernelTestRun {
public:
  /// Compiles `module` (from `source`) and loads its chains; nullptr with
  /// `problem` set when that fails (no permission to load BPF programs,
  /// a program the verifier rejects).
  static std::unique_ptr<KernelTestRun> create(const ir::Module &module,
                                               const SourceBuffer &source,
                                               std::string &problem);
  virtual ~KernelTestRun() = default;

  /// Runs `test` in the kernel and adds any difference from the
  /// interpreter to `result.failures`; sets `result.kernelNote` when the
  /// input cannot be test-run (sock_addr calls, packets too short) or the
  /// test run cannot give the packet's mark or interface.
  virtual void check(const rulesettest::TestCase &test,
                     rulesettest::CaseResult &result) = 0;
};

} // namespace bfc::driver
