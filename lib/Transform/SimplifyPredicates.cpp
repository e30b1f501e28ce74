// simplify-predicates and dead-rules.

#include "Internal.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/Passes.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

namespace {

/// Past this many predicates a rule only gets the linear checks: dropping
/// implied predicates costs a quadratic number of fact updates.
constexpr size_t kMaxPredicatesForImplication = 64;

/// Cheaper spellings of the same test: `range A-A` is `eq A`, a prefix as
/// long as the field is a plain equality.
bool canonicalize(ir::Predicate &pred) {
  if (pred.kind != ir::Predicate::Kind::Field)
    return false;
  unsigned bits = 8u * ir::fieldInfo(pred.field).width;
  if (pred.op == ir::CmpOp::Eq && pred.prefixLen && *pred.prefixLen >= bits) {
    pred.prefixLen.reset();
    return true;
  }
  if (pred.op == ir::CmpOp::Range && pred.value == pred.high) {
    pred.op = ir::CmpOp::Eq;
    pred.high.clear();
    return true;
  }
  return false;
}

bool simplifyRule(const ir::Chain &chain, ir::Rule &rule) {
  if (rule.neverMatches)
    return false;
  if (isNeverMatching(rule)) {
    makeNeverMatching(rule);
    return true;
  }
  bool changed = false;
  for (ir::Predicate &pred : rule.predicates)
    changed |= canonicalize(pred);
  // before[k]: the facts of the first k predicates, shared by the checks
  // below (erasing predicate i moves none of the first i).
  const bool checkImplications =
      rule.predicates.size() <= kMaxPredicatesForImplication;
  std::vector<PredicateFacts> before;
  PredicateFacts all(chain);
  for (const ir::Predicate &pred : rule.predicates) {
    if (checkImplications)
      before.push_back(all);
    all.assume(pred);
  }
  if (all.contradictory()) {
    makeNeverMatching(rule);
    return true;
  }
  if (!checkImplications)
    return changed;
  // Last first, so that of two equal predicates the first one stays.
  for (size_t i = rule.predicates.size(); i-- > 0;) {
    PredicateFacts others = before[i];
    for (size_t j = i + 1; j < rule.predicates.size(); ++j)
      others.assume(rule.predicates[j]);
    if (others.evaluate(rule.predicates[i]) == Truth::True) {
      rule.predicates.erase(rule.predicates.begin() + i);
      changed = true;
    }
  }
  return changed;
}

/// Matching the rule changes nothing: no counter, log or mark, and the
/// chain goes on.
bool hasNoEffect(const ir::Rule &rule) {
  return rule.verdict == ir::Verdict::Continue && !rule.counter &&
         !rule.log.enabled && !rule.mark;
}

} // namespace

std::unique_ptr<Pass> createSimplifyPredicatesPass() {
  return detail::makeChainPass(
      "simplify-predicates", Pass::Kind::Optimization,
      [](ir::Module &, ir::Chain &chain, PassContext &) {
        bool changed = false;
        for (ir::Rule &rule : chain.rules)
          changed |= simplifyRule(chain, rule);
        return changed;
      });
}

std::unique_ptr<Pass> createDeadRulesPass() {
  return detail::makeChainPass(
      "dead-rules", Pass::Kind::Optimization,
      [](ir::Module &, ir::Chain &chain, PassContext &) {
        // Found on the unchanged chain: every rule listed never matches, so
        // turning all of them into placeholders at once changes nothing.
        std::vector<ShadowedRule> shadowed = findShadowedRules(chain);
        bool changed = false;
        auto kill = [&](ir::Rule &rule) {
          if (isNeverMatching(rule))
            return;
          makeNeverMatching(rule);
          changed = true;
        };
        for (const ShadowedRule &s : shadowed)
          kill(chain.rules[s.rule]);
        for (ir::Rule &rule : chain.rules)
          if (hasNoEffect(rule))
            kill(rule);
        return changed;
      });
}

} // namespace bfc::transform
