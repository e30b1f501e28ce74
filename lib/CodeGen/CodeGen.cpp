// The public entry points: lower, optimise, emit.
#include "bfc/CodeGen/CodeGen.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "BackendDiagnostics.h"
#include "Internal.h"
#include "ProgramSize.h"
#include "Target.h"

namespace bfc::codegen {

namespace {
/// Rewrites every per-compilation CO-RE flavor suffix to the fixed one, in
/// place (same length: byte offsets in an object do not move).
void canonicalizeCoreFlavors(std::string &bytes) {
  const std::string prefix = detail::kCoreFlavorPrefix;
  const size_t digits = detail::kCoreFlavorDigits;
  for (size_t at = bytes.find(prefix); at != std::string::npos;
       at = bytes.find(prefix, at + 1)) {
    size_t begin = at + prefix.size();
    if (begin + digits > bytes.size())
      break;
    bool hex = true;
    for (size_t i = 0; i < digits; ++i)
      hex &= std::isxdigit(static_cast<unsigned char>(bytes[begin + i])) != 0;
    if (hex)
      bytes.replace(begin, digits, digits, '0');
  }
}
} // namespace

void optimize(llvm::Module &module, const CodeGenOptions &options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = detail::createTargetMachine(error);
  if (tm)
    detail::runPipeline(module, *tm, options.optLevel);
}

std::optional<std::string> emit(const ir::Module &module,
                                const CodeGenOptions &options, EmitKind kind,
                                DiagnosticEngine &diags) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = detail::createTargetMachine(error);
  if (!tm) {
    diags.error({}, "LLVM has no BPF target: " + error);
    return std::nullopt;
  }
  llvm::LLVMContext context;
  detail::BackendDiagnostics backend(context, diags);
  std::unique_ptr<llvm::Module> llvmModule =
      lowerToLLVM(module, context, options, diags);
  if (!llvmModule)
    return std::nullopt;
  detail::runPipeline(*llvmModule, *tm, options.optLevel);
  if (backend.failed())
    return std::nullopt;

  if (kind == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    os.flush();
    canonicalizeCoreFlavors(text);
    return text;
  }
  llvm::SmallVector<char, 0> out;
  if (!detail::emitCode(*llvmModule, *tm, kind == EmitKind::Assembly, out,
                        error)) {
    diags.error({}, error);
    return std::nullopt;
  }
  if (backend.failed())
    return std::nullopt;
  if (kind == EmitKind::Object) {
    unsigned errors = diags.errorCount();
    detail::checkVerifierLimits(module, out, options, diags);
    if (diags.errorCount() != errors)
      return std::nullopt;
  }
  if (kind == EmitKind::Object && !options.keepDwarf &&
      !detail::stripDwarf(out, error)) {
    diags.error({}, "internal error: stripping DWARF: " + error);
    return std::nullopt;
  }
  std::string bytes(out.begin(), out.end());
  canonicalizeCoreFlavors(bytes);
  return bytes;
}

} // namespace bfc::codegen
