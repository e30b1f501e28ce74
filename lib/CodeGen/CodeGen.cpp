// The public entry points: lower, optimise, emit.
#include "bfc/CodeGen/CodeGen.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "Target.h"

namespace bfc::codegen {

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
  std::unique_ptr<llvm::Module> llvmModule =
      lowerToLLVM(module, context, options, diags);
  if (!llvmModule)
    return std::nullopt;
  detail::runPipeline(*llvmModule, *tm, options.optLevel);

  if (kind == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    os.flush();
    return text;
  }
  llvm::SmallVector<char, 0> out;
  if (!detail::emitCode(*llvmModule, *tm, kind == EmitKind::Assembly, out,
                        error)) {
    diags.error({}, error);
    return std::nullopt;
  }
  if (kind == EmitKind::Object && !options.keepDwarf &&
      !detail::stripDwarf(out, error)) {
    diags.error({}, "internal error: stripping DWARF: " + error);
    return std::nullopt;
  }
  return std::string(out.begin(), out.end());
}

} // namespace bfc::codegen
