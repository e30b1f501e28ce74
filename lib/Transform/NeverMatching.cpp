#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

bool isNeverPredicate(const ir::Predicate &pred) {
  if (pred.negate)
    return false;
  if (pred.kind == ir::Predicate::Kind::Probability)
    return !pred.perFlow && probabilityConstant(pred.percent) == Truth::False;
  // An empty range is false with or without the field's header.
  return pred.kind == ir::Predicate::Kind::Field &&
         pred.op == ir::CmpOp::Range &&
         pred.value.size() == ir::fieldInfo(pred.field).width &&
         pred.high.size() == pred.value.size() && pred.high < pred.value;
}

bool isNeverMatching(const ir::Rule &rule) {
  if (rule.neverMatches)
    return true;
  for (const ir::Predicate &pred : rule.predicates)
    if (isNeverPredicate(pred))
      return true;
  return false;
}

void makeNeverMatching(ir::Rule &rule) {
  rule.predicates.clear();
  rule.neverMatches = true;
}

} // namespace bfc::transform
