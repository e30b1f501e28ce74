// Program sizes in an emitted object, against the verifier's limit
// (internal).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <llvm/ADT/ArrayRef.h>

#include "bfc/CodeGen/CodeGen.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::codegen::detail {

/// BPF instructions (a 16-byte ld_imm64 counts once) of every function
/// symbol of `object`.
std::map<std::string, uint64_t>
functionInstructions(llvm::ArrayRef<char> object);
/// The error for a chain of more functions than the verifier accepts.
std::string tooManyFunctions(const std::string &chain, uint64_t functions,
                             uint64_t limit);
/// An error at each chain of `module` whose program, epilogue and rule groups
/// have more than `options.verifierInsnLimit` instructions (the verifier
/// processes each of them at least once, and counts them together against
/// BPF_COMPLEXITY_LIMIT_INSNS), or are more than `options.subprogramLimit`
/// functions (BPF_MAX_SUBPROGS).
void checkVerifierLimits(const ir::Module &module, llvm::ArrayRef<char> object,
                         const CodeGenOptions &options,
                         DiagnosticEngine &diags);

} // namespace bfc::codegen::detail
