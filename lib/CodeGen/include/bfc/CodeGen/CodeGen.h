// BFIR -> LLVM IR -> BPF ELF (docs/codegen.md, docs/object-format.md).
//
// One BPF program per chain, BTF-defined maps, the `.bfc.meta` metadata and
// the `.bfc.sets` initial set contents, all in one relocatable ELF produced
// in memory. The output is deterministic: the same module and options give
// byte-identical results.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace bfc::codegen {

enum class EmitKind : uint8_t {
  LLVMIR,   ///< textual LLVM IR, after the optimisation pipeline
  Assembly, ///< BPF assembly
  Object,   ///< relocatable BPF ELF (.bpf.o)
};

struct CodeGenOptions {
  /// 0: no IR optimisation; 1 and 2: LLVM's new-PM O1/O2 pipelines built
  /// from the BPF TargetMachine. The BPF backend itself always runs at O2.
  unsigned optLevel = 2;
  /// The source text, hashed (sha256) into the metadata and embedded in the
  /// debug info so BTF line info can show each rule's text.
  std::string sourceText;
  /// Source name written to the metadata; empty means Module::sourceName.
  std::string sourceName;
  /// Keep DWARF sections in the object (BTF is always kept).
  bool keepDwarf = false;
  /// Objects whose chain has more BPF instructions than this are an error:
  /// the kernel's verifier processes at most 1,000,000 per program.
  uint64_t verifierInsnLimit = 1'000'000;
  /// Objects whose chain has more BPF functions (its program and the
  /// functions it calls) than this are an error: BPF_MAX_SUBPROGS.
  uint64_t subprogramLimit = 256;
};

/// Names the generated program and maps of a chain use (docs/object-format.md).
struct ChainSymbols {
  std::string program;  ///< function / ELF symbol / program name
  std::string section;  ///< ELF section of the program
  std::string counters; ///< `<prog>_counters`
  std::string log;      ///< `<prog>_log`, empty when no rule logs
  std::string rateMap;  ///< `<prog>_logrl`, empty when no rule uses `every`
  /// Per set: its map, `<prog>_set<i>`, or `<prog>_setmap<k>` when shared.
  std::vector<std::string> sets;
  /// Per map of SetMapPlan::maps: its name.
  std::vector<std::string> setMaps;
  std::vector<std::string> tables; ///< `<prog>_table<i>` (classifier)
};

/// The maps holding a chain's sets (docs/codegen.md, "Set maps"). Hash
/// sets of the same key size share one map, whose keys start with the
/// set's id (its index in the chain). LPM sets share a trie per key size
/// (the id as the data's first 32 bits) only when private tries would make
/// more than kPrivateSetMapsUpTo set maps: the id makes the trie deeper.
/// The only set of its kind and size keeps a map of its own, keyed as
/// before.
struct SetMapPlan {
  struct Map {
    bool lpm = false;
    uint32_t keySize = 0; ///< the sets' packed key bytes
    bool shared = false;  ///< keys start with a u32 set id
    uint32_t maxEntries = 0;
  };
  std::vector<Map> maps;
  std::vector<uint32_t> mapOf;               ///< per set: index in `maps`
  std::vector<std::optional<uint32_t>> idOf; ///< per set: id in a shared map

  /// Bytes of a set's lookup key: [prefix length], [id], packed key.
  uint32_t lookupKeySize(uint32_t set) const {
    const Map &map = maps[mapOf[set]];
    return (map.lpm ? 4 : 0) + (map.shared ? 4 : 0) + map.keySize;
  }
};

/// Set maps a chain may have before its LPM sets share tries: with the
/// counters, log, `.rodata` and up to 8 classifier tables, well under the
/// kernel's 64 maps per program.
inline constexpr size_t kPrivateSetMapsUpTo = 32;

/// Where the sets of `chain` live.
SetMapPlan planSetMaps(const ir::Chain &chain);

/// The symbols of every chain of `module`, in chain order (unique program
/// names even when chain names need sanitising).
/// `tableCounts`: the classifier tables of each chain (none when empty).
std::vector<ChainSymbols>
chainSymbols(const ir::Module &module,
             const std::vector<size_t> &tableCounts = {});

/// max_entries of a set (its share of a shared map): room to grow beyond
/// the initial elements.
uint32_t setMaxEntries(const ir::Set &set);

/// The ELF section of a hook's program.
std::string hookSection(ir::Hook hook);

/// Builds the LLVM module for `module` (not optimised). First checks that
/// `module` passes ir::verifyModule (each problem is an internal error: bfc
/// verifies BFIR when it reads it) and that every predicate reads what its
/// hook sees (ir::Visibility::Visible, reported at the predicate's range);
/// returns null after any error.
std::unique_ptr<llvm::Module> lowerToLLVM(const ir::Module &module,
                                          llvm::LLVMContext &context,
                                          const CodeGenOptions &options,
                                          DiagnosticEngine &diags);

/// Runs the optimisation pipeline of `options.optLevel` on `module`.
void optimize(llvm::Module &module, const CodeGenOptions &options);

/// Lowers, optimises and emits `module`. Returns the bytes (text for IR and
/// assembly), or nullopt after reporting errors to `diags`.
std::optional<std::string> emit(const ir::Module &module,
                                const CodeGenOptions &options, EmitKind kind,
                                DiagnosticEngine &diags);

/// The `.bfc.meta` JSON document and `.bfc.sets` records that `emit` embeds.
std::string metadataJSON(const ir::Module &module,
                         const CodeGenOptions &options);
std::vector<uint8_t> setsSection(const ir::Module &module);

} // namespace bfc::codegen
