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
/// Rewrites the switches LLVM made of runs of equality rules (at least 8
/// cases, each to its own block) as a binary search that branches straight
/// to a case once its bounds leave a single value. The backend's search
/// still compares that value: the verifier proves the compare always true
/// and removes the dead branch behind it, each one separately at O(program
/// size), so 10,000 rules of consecutive values took seconds to load.
void lowerRuleSwitches(llvm::Module &module);
/// Assembly or ELF object into `out`.
bool emitCode(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
              llvm::SmallVectorImpl<char> &out, std::string &error);
/// Removes the DWARF sections of an ELF object, keeping BTF.
bool stripDwarf(llvm::SmallVectorImpl<char> &object, std::string &error);

} // namespace bfc::codegen::detail
