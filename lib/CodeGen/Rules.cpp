// Rules and rule groups: a rule's predicates then its actions, and the
// subprograms a long chain is cut into.
#include <cassert>

#include <fmt/format.h>

#include "Internal.h"

namespace bfc::codegen::detail {

void ChainLowering::emitRule(const ir::Rule &rule, BasicBlock *next) {
  setLocation(rule.range);
  assert(!rule.neverMatches && "never-matching rules are not emitted");
  // Large chains, rules of several tests: the verifier keeps every branch
  // it has not followed yet, at most 8192 of them, and each extra test of a
  // rule leaves one behind (its failure also leads to the next rule). So
  // such rules combine their tests as 0/1 values into one branch.
  bool branchless = false;
  if (opaqueZero_) {
    size_t tests = 0;
    bool simple = true;
    for (const ir::Predicate &pred : rule.predicates) {
      bool field = pred.kind == ir::Predicate::Kind::Field;
      tests += field && !pred.negate && !holdsOnZero(pred) ? 1 : 2;
      simple &= hasTruthValue(pred);
    }
    branchless = simple && tests > 1;
  }
  if (branchless) {
    Value *all = c64(1);
    for (const ir::Predicate &pred : rule.predicates) {
      setLocation(pred.range);
      all = b_.CreateAnd(all, truthValue(pred));
    }
    BasicBlock *holds = nextBlock("holds");
    holdsBranch(b_.CreateICmpNE(all, c64(0)), holds, next);
    b_.SetInsertPoint(holds);
  } else {
    for (const ir::Predicate &pred : rule.predicates)
      emitPredicate(pred, next);
  }
  setLocation(rule.range);
  // On a match: the counter, log and mark, in the shared epilogue, then the
  // verdict; a constant one needs no call.
  bool effects = rule.counter || rule.log.enabled || rule.mark;
  if (rule.verdict == ir::Verdict::Continue) {
    if (effects) {
      emitFlush(c32(rule.index), rule.index);
      if (!countInline(rule))
        emitEffects(c32(rule.index));
    }
    b_.CreateBr(next);
    return;
  }
  // Pending CONTINUE candidates before it take effect first.
  emitFlush(c32(rule.index), rule.index);
  if (!effects && rule.verdict != ir::Verdict::Redirect) {
    emitVerdict(rule.verdict, &rule, next);
    return;
  }
  emitMatched(c32(rule.index), nullptr);
}

std::vector<std::pair<size_t, size_t>> ChainLowering::ruleGroups() const {
  // A rough upper bound of the BPF instructions of each rule. Conditional
  // jumps reach +-32767 instructions and LLVM's BPF v3 target cannot relax
  // longer ones, so a long chain is cut into subprograms small enough for
  // any jump inside them; this also keeps LLVM's optimiser linear.
  auto estimate = [&](const ir::Rule &rule) {
    size_t n = 6;
    for (const ir::Predicate &p : rule.predicates) {
      switch (p.kind) {
      case ir::Predicate::Kind::Field:
        n += ir::fieldInfo(p.field).width == 16 ? 16 : 8;
        break;
      case ir::Predicate::Kind::Set:
        n += 32 +
             (p.set < chain_.sets.size() ? chain_.sets[p.set].keySize() : 0);
        break;
      case ir::Predicate::Kind::Probability:
        n += p.perFlow ? 120 : 10;
        break;
      default:
        n += 16;
        break;
      }
    }
    if (rule.counter || rule.log.enabled || rule.mark ||
        rule.verdict == ir::Verdict::Redirect)
      n += 8; // a call of the shared epilogue
    return n;
  };
  std::vector<std::pair<size_t, size_t>> groups;
  size_t begin = 0, size = 0;
  for (size_t i = 0; i < order_.size(); ++i) {
    size_t n = estimate(*order_[i]);
    if (size + n > kGroupBudget && i > begin) {
      groups.emplace_back(begin, i);
      begin = i;
      size = 0;
    }
    size += n;
  }
  if (begin < order_.size() || groups.empty())
    groups.emplace_back(begin, order_.size());
  return groups;
}

Function *ChainLowering::emitGroup(size_t index, size_t begin, size_t end) {
  // u64 <prog>_rules<index>(ctx, state): the rules [begin, end); returns
  // (rule index + 1) << 32 | the program's return code, or kNoDecision to
  // go on with the next group. Global, like the epilogue: the verifier
  // checks it once on its own, so the branches it leaves pending (one per
  // CONTINUE rule with effects, whose match path goes on with the next
  // rule) never add up over the whole chain past its limit of 8192.
  DISubprogram *sp = nullptr;
  Function *f =
      globalFunction(fmt::format("{}_rules{}", sym_.program, index), nullptr,
                     true, sp, order_[begin]->range.begin.line);
  inFunction(f, sp, order_[begin]->range, [&] {
    keepContextArg();
    stateBase_ = f->getArg(1);
    stateBase_->setName("state");
    // Nullable for the verifier; never null at run time.
    BasicBlock *rules = block("rules"), *none = block("no.state");
    b_.CreateCondBr(b_.CreateIsNull(stateBase_), none, rules);
    b_.SetInsertPoint(none);
    b_.CreateRet(c64(kNoDecision));
    b_.SetInsertPoint(rules);
    inGroup_ = true;
    for (size_t i = begin; i < end; ++i) {
      const ir::Rule &rule = *order_[i];
      BasicBlock *next = block(fmt::format("rule{}.next", rule.index));
      emitOrderedRule(rule, next);
      // After the rule's match path: its predicates fall through towards
      // the match, and a failing one jumps here.
      next->moveAfter(&fn_->back());
      b_.SetInsertPoint(next);
    }
    b_.CreateRet(c64(kNoDecision));
    inGroup_ = false;
  });
  return f;
}

} // namespace bfc::codegen::detail
