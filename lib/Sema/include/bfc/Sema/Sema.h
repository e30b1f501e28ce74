// AST -> BFIR: names, payloads, matcher/operator/hook compatibility, sets.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "bfc/AST/AST.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc {

/// An analysis run on each chain as soon as Sema has lowered it, reporting
/// to Sema's diagnostics, in order with them: `lowered[i]` is false for the
/// rules that had errors (their BFIR is incomplete). The tools pass
/// transform::warnNeverMatchingRules, which Sema cannot call itself: passes
/// come after Sema.
using ChainAnalysis =
    std::function<void(const ir::Chain &chain, const std::vector<bool> &lowered,
                       DiagnosticEngine &diags)>;

/// Checks `ruleset` and lowers it to BFIR. Every problem found is reported to
/// `diags` (errors and warnings, as many as possible in one run); returns
/// nullopt when any error was reported. `analyzeChain`, when given, runs on
/// every chain.
std::optional<ir::Module> lowerToBFIR(const ast::Ruleset &ruleset,
                                      const SourceBuffer &buffer,
                                      DiagnosticEngine &diags,
                                      const ChainAnalysis &analyzeChain = {});

} // namespace bfc
