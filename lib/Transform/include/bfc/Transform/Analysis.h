// Analyses of BFIR chains, for the passes and for code generation
// (docs/architecture.md, "Passes").
#pragma once

#include <cstdint>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::transform {

// ------------------------------------------------------ never-matching ----
//
// A rule that can never match keeps its index and counter slot (counters,
// logs and metadata are indexed by rule): the passes mark it
// ir::Rule::neverMatches and drop its predicates, and code generation emits
// no test for it.

/// `pred` is false on every packet by its form alone: a non-negated range
/// whose low bound is above its high bound, or a non-negated, not-per-flow
/// probability whose threshold is 0.
bool isNeverPredicate(const ir::Predicate &pred);
/// The rule is marked never-matching, or some predicate of it is never true.
bool isNeverMatching(const ir::Rule &rule);
/// Marks the rule never-matching and drops its predicates; keeps everything
/// else.
void makeNeverMatching(ir::Rule &rule);

/// Warns about the rules of `chain` that can never match on their own
/// (-Wnever-matching-rule, -Wempty-set: contradictory predicates, headers a
/// packet cannot have together, a 0% probability, an empty set) and about
/// the rules after the first rule without predicates that ends the chain
/// (-Wunreachable-rule). Only rules with `lowered[i]` set are looked at.
/// Meant to run right after Sema lowered the chain (sema::ChainAnalysis),
/// so that these warnings come with Sema's own diagnostics.
void warnNeverMatchingRules(const ir::Chain &chain,
                            const std::vector<bool> &lowered,
                            DiagnosticEngine &diags);

// ------------------------------------------------------ shadowed rules ----

struct ShadowedRule {
  uint32_t rule; ///< the rule that can never be reached
  uint32_t by;   ///< the first earlier rule that takes all of its packets
};

/// Rules that never decide because an earlier rule with a terminal verdict
/// (not CONTINUE) matches every packet they would match: every predicate of
/// the earlier rule is implied by the later rule's predicates (structurally
/// equal, or implied by values and headers). Rules that can never match on
/// their own are left out, and so is a pair when a rule between them sets a
/// mark and the earlier rule reads meta.mark. In rule order.
std::vector<ShadowedRule> findShadowedRules(const ir::Chain &chain);

} // namespace bfc::transform
