// order-predicates: evaluate cheap predicates first.
//
// Predicates have no side effects and a rule is their conjunction, so any
// order gives the same result; code generation tests them in order and
// stops at the first false one, so the cheap and selective ones go first.

#include <algorithm>

#include "Internal.h"
#include "bfc/Transform/Passes.h"

namespace bfc::transform {

namespace {

/// A rough cost class: loads, then compares on header words, then helper
/// calls and map lookups.
unsigned cost(const ir::Chain &chain, const ir::Predicate &pred) {
  switch (pred.kind) {
  case ir::Predicate::Kind::Field: {
    const ir::FieldInfo &info = ir::fieldInfo(pred.field);
    if (pred.field == ir::FieldId::MetaFlowHash)
      return 40; // bpf_get_hash_recalc()
    if (info.proto == ir::Proto::None)
      return 0;
    return info.width > 8 ? 20 : 10;
  }
  case ir::Predicate::Kind::Iface:
    return 5;
  case ir::Predicate::Kind::Ip6HeaderChain:
    return 10;
  case ir::Predicate::Kind::Probability:
    return pred.perFlow ? 80 : 30;
  case ir::Predicate::Kind::Set:
    if (pred.set < chain.sets.size() && chain.sets[pred.set].lpm)
      return 60;
    return 50;
  }
  return 100;
}

} // namespace

std::unique_ptr<Pass> createOrderPredicatesPass() {
  return detail::makeChainPass(
      "order-predicates", Pass::Kind::Optimization,
      [](ir::Module &, ir::Chain &chain, PassContext &) {
        bool changed = false;
        for (ir::Rule &rule : chain.rules) {
          auto cheaper = [&](const ir::Predicate &a, const ir::Predicate &b) {
            return cost(chain, a) < cost(chain, b);
          };
          if (std::is_sorted(rule.predicates.begin(), rule.predicates.end(),
                             cheaper))
            continue;
          std::stable_sort(rule.predicates.begin(), rule.predicates.end(),
                           cheaper);
          changed = true;
        }
        return changed;
      });
}

} // namespace bfc::transform
