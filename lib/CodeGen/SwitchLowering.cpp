// Runs of equality rules on one field, which LLVM turns into switches,
// lowered to a binary search that never compares a value it has already
// pinned down (see lowerRuleSwitches in Target.h).
#include <algorithm>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>

#include "Target.h"

namespace bfc::codegen::detail {

using namespace llvm;

namespace {

/// Fewer cases are left to the backend: the parser's switches (protocols,
/// 4 cases) and short runs of rules, where the backend's lowering (bit
/// tests, short compare chains) leaves at most a dead branch or two.
constexpr unsigned kMinCases = 8;

struct Case {
  APInt value;
  BasicBlock *dest;
};

class SwitchSearch {
public:
  explicit SwitchSearch(SwitchInst &sw)
      : sw_(sw), origin_(sw.getParent()), value_(sw.getCondition()),
        default_(sw.getDefaultDest()) {
    for (auto &c : sw.cases())
      cases_.push_back({c.getCaseValue()->getValue(), c.getCaseSuccessor()});
    std::sort(cases_.begin(), cases_.end(), [](const Case &a, const Case &b) {
      return a.value.ult(b.value);
    });
  }

  void run() {
    unsigned bits = value_->getType()->getIntegerBitWidth();
    BasicBlock *root = search(0, cases_.size(), APInt::getMinValue(bits),
                              APInt::getMaxValue(bits));
    // The default's phis had one entry from the switch block: one per leaf
    // that can reach it now.
    for (PHINode &phi : default_->phis()) {
      Value *v = phi.getIncomingValueForBlock(origin_);
      phi.removeIncomingValue(origin_, false);
      for (BasicBlock *leaf : toDefault_)
        phi.addIncoming(v, leaf);
    }
    DebugLoc loc = sw_.getDebugLoc();
    sw_.eraseFromParent();
    BranchInst::Create(root, origin_)->setDebugLoc(loc);
  }

private:
  /// Cases [begin, end), the value known to be in [lo, hi].
  BasicBlock *search(size_t begin, size_t end, const APInt &lo,
                     const APInt &hi) {
    Function *f = origin_->getParent();
    BasicBlock *block =
        BasicBlock::Create(f->getContext(), "switch.search", f, default_);
    IRBuilder<> b(block);
    b.SetCurrentDebugLocation(sw_.getDebugLoc());
    if (end - begin == 1) {
      const Case &c = cases_[begin];
      // The case's phis had their entry from the switch block.
      for (PHINode &phi : c.dest->phis())
        phi.replaceIncomingBlockWith(origin_, block);
      if (lo == c.value && hi == c.value) {
        b.CreateBr(c.dest);
      } else {
        b.CreateCondBr(b.CreateICmpEQ(value_, ConstantInt::get(
                                                  value_->getType(), c.value)),
                       c.dest, default_);
        toDefault_.push_back(block);
      }
      return block;
    }
    size_t mid = begin + (end - begin) / 2;
    const APInt &pivot = cases_[mid].value;
    BasicBlock *below = search(begin, mid, lo, pivot - 1);
    BasicBlock *above = search(mid, end, pivot, hi);
    b.CreateCondBr(
        b.CreateICmpULT(value_, ConstantInt::get(value_->getType(), pivot)),
        below, above);
    return block;
  }

  SwitchInst &sw_;
  BasicBlock *origin_;
  Value *value_;
  BasicBlock *default_;
  std::vector<Case> cases_;
  std::vector<BasicBlock *> toDefault_;
};

/// A switch LLVM made of rules: enough cases, each to its own block.
bool isRuleSwitch(SwitchInst &sw) {
  if (sw.getNumCases() < kMinCases)
    return false;
  std::vector<BasicBlock *> dests;
  for (auto &c : sw.cases())
    dests.push_back(c.getCaseSuccessor());
  dests.push_back(sw.getDefaultDest());
  std::sort(dests.begin(), dests.end());
  return std::adjacent_find(dests.begin(), dests.end()) == dests.end();
}

} // namespace

void lowerRuleSwitches(Module &module) {
  for (Function &f : module) {
    std::vector<SwitchInst *> switches;
    for (BasicBlock &block : f)
      if (auto *sw = dyn_cast<SwitchInst>(block.getTerminator()))
        if (isRuleSwitch(*sw))
          switches.push_back(sw);
    for (SwitchInst *sw : switches)
      SwitchSearch(*sw).run();
  }
}

} // namespace bfc::codegen::detail
