// Kernel vs interpreter, packet by packet: verdict, return code, counters,
// mark and log events must all agree (docs/semantics.md).
#pragma once

#include <string>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Load/TestRun.h"

namespace bfc::run {

struct Comparison {
  load::PreparedPacket packet;
  load::RunOutput kernel;
  std::vector<bfc_counter> kernelDeltas; ///< counters this packet added
  std::vector<bfc_log_event> kernelLogs;
  interp::Result interp;
  /// One line per disagreement; empty when kernel and interpreter agree.
  std::vector<std::string> differences;
};

/// Every disagreement between the kernel's run of a packet and the
/// interpreter's, one line each: return code, each counter (both sides must
/// have one per rule plus policy and errors), the mark when the hook gives
/// it back, and the log events in order.
std::vector<std::string>
findDifferences(const ir::Chain &chain, const load::RunOutput &kernel,
                const std::vector<bfc_counter> &kernelDeltas,
                const std::vector<bfc_log_event> &kernelLogs,
                const interp::Result &interp);

class Comparer {
public:
  /// `module`/`chain` are the BFIR the object was compiled from; `kernel`
  /// is that chain loaded. All must outlive the comparer.
  Comparer(const ir::Module &module, const ir::Chain &chain,
           load::TestRunChain &kernel, interp::HostEnv env);

  /// Problems that make the comparison impossible (from the interpreter).
  std::vector<std::string> check() const;
  /// Runs `input` on both sides. Throws load::LoadError for inputs the hook
  /// cannot test-run.
  Comparison run(const packet::Packet &input);

private:
  const ir::Chain &chain_;
  load::TestRunChain &kernel_;
  interp::Interpreter interpreter_;
  interp::InterpreterState state_;
  std::vector<bfc_counter> last_;
};

} // namespace bfc::run
