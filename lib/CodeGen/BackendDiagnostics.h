// LLVM's diagnostics (optimiser, BPF backend) as bfc diagnostics (internal).
#pragma once

#include <llvm/IR/DiagnosticHandler.h>

#include "bfc/Support/Diagnostics.h"

namespace llvm {
class LLVMContext;
} // namespace llvm

namespace bfc::codegen::detail {

/// Installs itself as `context`'s diagnostic handler for its lifetime.
/// LLVM's default handler prints an error without a location and exits the
/// process (e.g. the BPF backend's "BPF stack limit is exceeded"); this one
/// reports it at the rule or chain whose debug location the instruction
/// carries (else without a location), and the compilation goes on to fail
/// normally: no output, bfc's own cleanup runs.
class BackendDiagnostics {
public:
  BackendDiagnostics(llvm::LLVMContext &context, DiagnosticEngine &diags);
  ~BackendDiagnostics();
  BackendDiagnostics(const BackendDiagnostics &) = delete;
  BackendDiagnostics &operator=(const BackendDiagnostics &) = delete;

  /// Whether LLVM reported an error.
  bool failed() const { return errors_ != 0; }

private:
  struct Handler;
  llvm::LLVMContext &context_;
  std::unique_ptr<llvm::DiagnosticHandler> previous_;
  unsigned errors_ = 0;
};

} // namespace bfc::codegen::detail
