// Program sizes in an emitted object, against the verifier's limit
// (internal).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <llvm/ADT/ArrayRef.h>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::codegen::detail {

/// BPF instructions (a 16-byte ld_imm64 counts once) of every function
/// symbol of `object`.
std::map<std::string, uint64_t>
functionInstructions(llvm::ArrayRef<char> object);
/// An error at each chain (the verifier counts a program's global functions
/// with it, BPF_COMPLEXITY_LIMIT_INSNS) of `module` whose program, epilogue and
/// rule groups have more than `limit` instructions: every one of them is
/// processed at least once.
void checkVerifierLimit(const ir::Module &module, llvm::ArrayRef<char> object,
                        uint64_t limit, DiagnosticEngine &diags);

} // namespace bfc::codegen::detail
