// The BFIR pass pipeline: named passes run in order on an ir::Module, after
// Sema and before code generation (docs/architecture.md, "Passes").
//
// Every pass keeps what the interpreter observes identical for every packet:
// verdict, return code, redirect, mark, counters and log events, and the
// index of every rule that has a counter, a log or a mark.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::transform {

struct PipelineOptions {
  /// 0 runs the analyses only (warnings); 1 and above also the optimising
  /// passes.
  unsigned optLevel = 2;
  /// Check the module with ir::verifyModule before the first pass and after
  /// every pass; a failure is reported as an internal error and stops the
  /// pipeline. On by default in debug builds (and in tests).
#ifdef NDEBUG
  bool verifyEach = false;
#else
  bool verifyEach = true;
#endif
  /// Called after every pass that ran, with its name (--print-after-all).
  std::function<void(std::string_view pass, const ir::Module &module)>
      afterPass;
  /// equalities-to-sets: the fewest `FIELD eq VALUE` rules worth one set
  /// lookup (a run that already holds a set is always merged).
  unsigned minEqualitiesForSet = 4;
  /// The budget of every pass that adds sets (equalities-to-sets): each set
  /// is a map and a key buffer on the stack in generated code, and the
  /// kernel allows 64 maps per program and a 512-byte stack. A pass adds a
  /// set only while the chain's sets stay within both limits (or when it
  /// removes as much as it adds), so a chain that loads at -O0 loads at
  /// -O2 (docs/architecture.md, "Budget").
  unsigned maxSetsPerChain = 32;
  /// Key bytes of the chain's sets, each rounded up to 8 as code generation
  /// lays them out (an LPM key starts with a 4-byte prefix length).
  unsigned maxSetKeyBytes = 256;
};

/// What a pass sees besides the module.
struct PassContext {
  DiagnosticEngine &diags;
  const PipelineOptions &options;
};

class Pass {
public:
  enum class Kind {
    Analysis,     ///< reports diagnostics, never changes the module
    Optimization, ///< rewrites the module; skipped at optLevel 0
  };

  virtual ~Pass() = default;
  /// Stable name, e.g. "simplify-predicates" (used by --print-after-all).
  virtual std::string_view name() const = 0;
  virtual Kind kind() const = 0;
  /// Runs on `module`; returns true when it changed it.
  virtual bool run(ir::Module &module, PassContext &context) = 0;
};

class PassPipeline {
public:
  PassPipeline() = default;
  PassPipeline(PassPipeline &&) = default;
  PassPipeline &operator=(PassPipeline &&) = default;

  PassPipeline &add(std::unique_ptr<Pass> pass);
  /// The names of the passes, in order.
  std::vector<std::string> passNames() const;

  /// Runs the passes in order (optimisations only at optLevel >= 1).
  /// Returns false when verification failed (reported to `diags` as an
  /// error); warnings from analyses do not make it fail.
  bool run(ir::Module &module, DiagnosticEngine &diags,
           const PipelineOptions &options = {}) const;

private:
  std::vector<std::unique_ptr<Pass>> passes_;
};

/// The pipeline bfc runs after Sema:
///   shadowed-rules        (analysis) -Wshadowed-rule warnings
///   simplify-predicates   implied predicates dropped, contradictions folded
///   dead-rules            shadowed and effect-free rules never match
///   merge-rule-sets       sets of one rule on the same key merged
///   equalities-to-sets    runs of `FIELD eq V` rules become one set lookup
///   prune-sets            anonymous sets nothing uses removed
///   order-predicates      cheap predicates first
PassPipeline createDefaultPipeline();

/// createDefaultPipeline().run(...).
bool runDefaultPipeline(ir::Module &module, DiagnosticEngine &diags,
                        const PipelineOptions &options = {});

} // namespace bfc::transform
