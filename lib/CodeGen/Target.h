// The BPF target machine and the pipelines run on a module (internal).
#pragma once

#include <memory>
#include <string>

#include <llvm/ADT/SmallVector.h>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace bfc::codegen::detail {

/// bpfel, CPU v3. Null (and `error` set) when LLVM has no BPF target.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(std::string &error);
/// The new-PM pipeline of `optLevel`, built from `tm`.
void runPipeline(llvm::Module &module, llvm::TargetMachine &tm,
                 unsigned optLevel);
/// Assembly or ELF object into `out`.
bool emitCode(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
              llvm::SmallVectorImpl<char> &out, std::string &error);
/// Removes the DWARF sections of an ELF object, keeping BTF.
bool stripDwarf(llvm::SmallVectorImpl<char> &object, std::string &error);

} // namespace bfc::codegen::detail
