#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

ir::Predicate neverPredicate() {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Probability;
  pred.percent = 0;
  pred.perFlow = false;
  pred.text = "meta.probability eq 0%";
  return pred;
}

bool isNeverPredicate(const ir::Predicate &pred) {
  return pred.kind == ir::Predicate::Kind::Probability && !pred.negate &&
         !pred.perFlow && probabilityConstant(pred.percent) == Truth::False;
}

bool isNeverMatching(const ir::Rule &rule) {
  for (const ir::Predicate &pred : rule.predicates)
    if (isNeverPredicate(pred))
      return true;
  return false;
}

void makeNeverMatching(ir::Rule &rule) {
  ir::Predicate never = neverPredicate();
  never.range = rule.range;
  rule.predicates.assign(1, std::move(never));
}

bool canNeverMatch(const ir::Chain &chain, const ir::Rule &rule) {
  return isNeverMatching(rule) || factsOfRule(chain, rule).contradictory();
}

} // namespace bfc::transform
