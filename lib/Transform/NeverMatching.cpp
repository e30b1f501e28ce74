#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

ir::Predicate neverPredicate() {
  // An empty range on a field every hook has: false for every packet
  // without a random draw or a helper call, and a comparison LLVM folds.
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Field;
  pred.field = ir::FieldId::MetaL3Proto;
  pred.op = ir::CmpOp::Range;
  pred.value = {0xff, 0xff};
  pred.high = {0x00, 0x00};
  pred.text = "meta.l3_proto range 0xffff-0x0000";
  return pred;
}

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
