// The BPF target: TargetMachine, the new-PM optimisation pipeline and the
// legacy code generation pipeline, all in memory.
#include <mutex>

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/ObjCopy/CommonConfig.h>
#include <llvm/ObjCopy/ConfigManager.h>
#include <llvm/ObjCopy/ObjCopy.h>
#include <llvm/Object/Binary.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include "Target.h"

namespace bfc::codegen::detail {

using namespace llvm;

namespace {
void initializeBPF() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    // Inline asm (see TruthValues.cpp) is parsed when emitting objects.
    LLVMInitializeBPFAsmParser();
  });
}
} // namespace

std::unique_ptr<TargetMachine> createTargetMachine(std::string &error) {
  initializeBPF();
  const Target *target = TargetRegistry::lookupTarget("bpfel", error);
  if (!target)
    return nullptr;
  TargetOptions options;
  // The BPF backend itself always optimises: -O0 only skips IR passes
  // (unoptimised machine code would hardly pass the verifier).
  return std::unique_ptr<TargetMachine>(
      target->createTargetMachine("bpfel", "v3", "", options, Reloc::PIC_,
                                  std::nullopt, CodeGenOptLevel::Aggressive));
}

void runPipeline(Module &module, TargetMachine &tm, unsigned optLevel) {
  module.setDataLayout(tm.createDataLayout());
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  // Built from the TargetMachine so the BPF IR passes (CO-RE member
  // accesses, BPF-specific peepholes) are part of the pipeline, at every
  // level.
  PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  ModulePassManager mpm;
  switch (optLevel) {
  case 0:
    mpm = pb.buildO0DefaultPipeline(OptimizationLevel::O0);
    break;
  case 1:
    mpm = pb.buildPerModuleDefaultPipeline(OptimizationLevel::O1);
    break;
  default:
    mpm = pb.buildPerModuleDefaultPipeline(OptimizationLevel::O2);
    break;
  }
  mpm.run(module, mam);
  lowerRuleSwitches(module);
}

bool emitCode(Module &module, TargetMachine &tm, bool assembly,
              SmallVectorImpl<char> &out, std::string &error) {
  raw_svector_ostream os(out);
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             assembly ? CodeGenFileType::AssemblyFile
                                      : CodeGenFileType::ObjectFile)) {
    error = "the BPF target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}

bool stripDwarf(SmallVectorImpl<char> &object, std::string &error) {
  // BTF (.BTF, .BTF.ext) is all the kernel and libbpf use; DWARF would only
  // make objects larger.
  auto buffer = MemoryBuffer::getMemBuffer(
      StringRef(object.data(), object.size()), "object", false);
  Expected<std::unique_ptr<object::Binary>> binary =
      object::createBinary(buffer->getMemBufferRef());
  if (!binary) {
    error = toString(binary.takeError());
    return false;
  }
  objcopy::ConfigManager config;
  config.Common.StripDebug = true;
  SmallVector<char, 0> stripped;
  raw_svector_ostream os(stripped);
  if (Error e = objcopy::executeObjcopyOnBinary(config, **binary, os)) {
    error = toString(std::move(e));
    return false;
  }
  object.assign(stripped.begin(), stripped.end());
  return true;
}

} // namespace bfc::codegen::detail
