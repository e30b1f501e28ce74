// The passes of the default pipeline, one factory each, for building custom
// pipelines (tests run them one at a time). docs/architecture.md, "Passes",
// describes what each one does and why it keeps the behaviour.
#pragma once

#include <memory>

#include "bfc/Transform/PassManager.h"

namespace bfc::transform {

/// Analysis: warns about rules shadowed by an earlier rule
/// (findShadowedRules), except after a rule without predicates, which
/// warnNeverMatchingRules already reports.
std::unique_ptr<Pass> createShadowedRulesPass();

/// Drops predicates the others of their rule imply, turns `range A-A` into
/// `eq A` and full-length prefixes into plain equality, and replaces the
/// predicates of rules that can never match by the never-matching mark
/// (makeNeverMatching).
std::unique_ptr<Pass> createSimplifyPredicatesPass();

/// Makes never-matching: shadowed rules, and CONTINUE rules without counter,
/// log or mark (matching them has no effect).
std::unique_ptr<Pass> createDeadRulesPass();

/// Inside one rule: two anonymous exact sets on the same key, both `in`,
/// become their intersection; two anonymous sets on the same key, both
/// `not in`, become their union.
std::unique_ptr<Pass> createMergeRuleSetsPass();

/// A run of consecutive rules, each with one non-negated predicate
/// `FIELD eq V` or `(KEY) in <anonymous set>` on the same key, the same
/// verdict, and no counter, log or mark, becomes one set lookup on the
/// first rule of the run; the others become never-matching placeholders.
std::unique_ptr<Pass> createEqualitiesToSetsPass();

/// Removes anonymous sets no predicate refers to and renumbers the others
/// (named sets always stay: the loader can update them).
std::unique_ptr<Pass> createPruneSetsPass();

/// Orders each rule's predicates by cost: metadata, then header fields,
/// then the random draw, then set lookups, then the flow hash.
std::unique_ptr<Pass> createOrderPredicatesPass();

} // namespace bfc::transform
