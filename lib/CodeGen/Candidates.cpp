// Guarded candidates (docs/codegen.md, "Guarded candidates"): a table's
// entry is the first of a chain of candidates with its key, linked in a
// per-rule .rodata table; each candidate's other predicates (its guards)
// are tested by one shared function, `<prog>_guards`, with code per guard
// *template* (the predicates without their constants) and the constants
// read from .rodata, so code and verifier work grow with the templates, not
// the rules. Matched CONTINUE candidates wait in pending slots after the
// packet state; `<prog>_flush` applies them in rule order before any later
// rule's effects, the best rule's and the policy's.
#include <fmt/format.h>

#include "Internal.h"

namespace bfc::codegen::detail {

namespace {

constexpr uint64_t kNextMask = 0xffffff;
constexpr unsigned kContinueBit = 24, kTemplateShift = 25, kParamsShift = 40;
constexpr uint64_t kTemplateMask = 0x7fff;

/// What guards that share code have in common: their predicates without
/// the constants fieldTest takes as operands.
std::string templateKey(const ir::Rule &rule,
                        const std::vector<uint32_t> &guards) {
  std::string key;
  for (uint32_t i : guards) {
    const ir::Predicate &p = rule.predicates[i];
    key +=
        fmt::format("{},{},{},{},{},{},{},{};", static_cast<int>(p.kind),
                    p.negate, static_cast<int>(p.field), static_cast<int>(p.op),
                    p.prefixLen ? int(*p.prefixLen) : -1, p.set, p.protocol,
                    p.value.size());
  }
  return key;
}

} // namespace

void ChainLowering::buildCandidateTables() {
  bool walks = false;
  for (const transform::ClassifierTable &table : plan_.tables)
    walks |= table.longestChain > 1 || table.mostContinues > 0;
  for (const std::vector<uint32_t> &g : plan_.guards)
    walks |= !g.empty();
  if (!walks)
    return;
  size_t rules = chain_.rules.size();
  std::vector<uint64_t> words(rules, 0), params;
  std::map<std::string, uint64_t> templates;
  pendingBase_.clear();
  pendingSlots_ = 0;
  for (const transform::ClassifierTable &table : plan_.tables) {
    pendingBase_.push_back(pendingSlots_);
    pendingSlots_ += table.mostContinues;
    for (uint32_t index : table.rules) {
      const ir::Rule &rule = chain_.rules[index];
      uint64_t word = plan_.next[index] & kNextMask;
      if (rule.verdict == ir::Verdict::Continue) {
        word |= uint64_t(1) << kContinueBit;
        firstPending_ = std::min(firstPending_, index);
      }
      const std::vector<uint32_t> &guards = plan_.guards[index];
      if (!guards.empty()) {
        auto [it, added] = templates.try_emplace(templateKey(rule, guards),
                                                 templates.size() + 1);
        if (added) {
          guardTemplates_.push_back(guards);
          templateRule_.push_back(index);
        }
        word |= it->second << kTemplateShift | uint64_t(params.size())
                                                   << kParamsShift;
        for (uint32_t g : guards)
          if (rule.predicates[g].kind == ir::Predicate::Kind::Field)
            for (uint64_t w : fieldOperands(rule.predicates[g]))
              params.push_back(w);
      }
      words[index] = word;
    }
  }
  if (pendingSlots_ > kMaxPending || templates.size() > kTemplateMask ||
      params.size() >= (uint64_t(1) << (64 - kParamsShift))) {
    ml_.error(chain_.range, "internal error: candidate tables over budget");
    return;
  }
  stateSize_ = kStateSize + (pendingSlots_ * 4 + 7) / 8 * 8;
  DebugTypes &types = *ml_.types;
  candidates_ = ruleTable("rule_candidates", i64(), types.u64(), words);
  if (!params.empty())
    guardParams_ = ruleTable("guard_params", i64(), types.u64(), params);
}

void ChainLowering::emitCandidateFunctions() {
  Value *savedOpaque = opaqueZero_;
  opaqueZero_ = nullptr; // nothing here is walked once per rule
  if (!guardTemplates_.empty()) {
    // u64 <prog>_guards(ctx, u32 rule, state): 1 when the candidate's
    // guards hold.
    DISubprogram *sp = nullptr;
    Function *f = globalFunction(fmt::format("{}_guards", sym_.program), "rule",
                                 true, sp);
    // Called from one or two places (the walks of the tables with guards,
    // usually one step each): inlined there, the call costs more than the
    // tests (bench/); verified per call site, which is as often.
    unsigned callSites = 0;
    for (const transform::ClassifierTable &table : plan_.tables) {
      bool guarded = false;
      for (uint32_t index : table.rules)
        guarded |= !plan_.guards[index].empty();
      callSites += guarded ? table.longestChain : 0;
    }
    if (callSites <= kInlinedGuardCalls) {
      f->removeFnAttr(Attribute::NoInline);
      f->addFnAttr(Attribute::AlwaysInline);
      f->setLinkage(GlobalValue::InternalLinkage);
    }
    inFunction(f, sp, chain_.range, [&] {
      keepContextArg();
      Value *rule = b_.CreateZExt(f->getArg(1), i64());
      Value *state = f->getArg(2);
      BasicBlock *fail = block("guards.fail"), *hold = block("guards.hold");
      BasicBlock *known = block("rule.known");
      // Nullable for the verifier; never null at run time.
      b_.CreateCondBr(
          b_.CreateAnd(b_.CreateICmpULT(rule, c64(chain_.rules.size())),
                       b_.CreateIsNotNull(state)),
          known, fail);
      b_.SetInsertPoint(fail);
      b_.CreateRet(c64(0));
      b_.SetInsertPoint(hold);
      b_.CreateRet(c64(1));
      b_.SetInsertPoint(known);
      stateBase_ = state;
      Value *word = tableEntry(candidates_, rule);
      Value *id =
          b_.CreateAnd(b_.CreateLShr(word, kTemplateShift), c64(kTemplateMask));
      // Hidden from LLVM: it would test the word instead, and the
      // verifier must see the bound on the register the loads use.
      Value *base = opaque(b_.CreateLShr(word, kParamsShift));
      SwitchInst *sw = b_.CreateSwitch(id, fail, guardTemplates_.size());
      uint64_t paramWords =
          guardParams_
              ? cast<ArrayType>(guardParams_->getValueType())->getNumElements()
              : 0;
      for (size_t t = 0; t < guardTemplates_.size(); ++t) {
        const ir::Rule &example = chain_.rules[templateRule_[t]];
        BasicBlock *entry = block(fmt::format("template{}", t + 1));
        sw->addCase(c64(t + 1), entry);
        b_.SetInsertPoint(entry);
        unsigned count = 0;
        for (uint32_t g : guardTemplates_[t])
          if (example.predicates[g].kind == ir::Predicate::Kind::Field)
            count += fieldOperands(example.predicates[g]).size();
        if (count) {
          // The parameters are inside the table (the verifier checks it).
          BasicBlock *inside = nextBlock("params.inside");
          b_.CreateCondBr(b_.CreateICmpULE(base, c64(paramWords - count)),
                          inside, fail);
          b_.SetInsertPoint(inside);
        }
        unsigned offset = 0;
        for (uint32_t g : guardTemplates_[t]) {
          const ir::Predicate &pred = example.predicates[g];
          bool field = pred.kind == ir::Predicate::Kind::Field;
          guardOperands_ = field ? b_.CreateAdd(base, c64(offset)) : nullptr;
          emitPredicate(pred, fail);
          if (field)
            offset += fieldOperands(pred).size();
        }
        guardOperands_ = nullptr;
        b_.CreateBr(hold);
      }
    });
    guards_ = f;
  }
  if (pendingSlots_) {
    // u64 <prog>_flush(ctx, u32 upto, state): the pending CONTINUE
    // candidates below `upto`, lowest first, each applied once.
    DISubprogram *sp = nullptr;
    Function *f =
        globalFunction(fmt::format("{}_flush", sym_.program), "upto", true, sp);
    inFunction(f, sp, chain_.range, [&] {
      keepContextArg();
      Value *upto = f->getArg(1);
      Value *state = f->getArg(2);
      BasicBlock *done = block("flush.done"), *run = block("flush.run");
      b_.CreateCondBr(b_.CreateIsNotNull(state), run, done);
      b_.SetInsertPoint(done);
      b_.CreateRet(c64(0));
      b_.SetInsertPoint(run);
      stateBase_ = state;
      auto slot = [&](Value *i) {
        return b_.CreateInBoundsGEP(
            i8(), state, b_.CreateAdd(c64(kStatePending), b_.CreateShl(i, 2)));
      };
      for (unsigned round = 0; round < pendingSlots_; ++round) {
        // Slots hold index + 1: an empty one (0) becomes 0xffffffff.
        Value *lowest = c32(transform::kNoCandidate);
        Value *at = c64(0);
        for (unsigned i = 0; i < pendingSlots_; ++i) {
          Value *v = b_.CreateSub(b_.CreateLoad(i32(), slot(c64(i))), c32(1));
          Value *lower = b_.CreateICmpULT(v, lowest);
          lowest = b_.CreateSelect(lower, v, lowest);
          at = b_.CreateSelect(lower, c64(i), at);
        }
        BasicBlock *apply = nextBlock(fmt::format("flush{}", round));
        b_.CreateCondBr(b_.CreateICmpULT(lowest, upto), apply, done);
        b_.SetInsertPoint(apply);
        emitEffects(lowest);
        b_.CreateStore(c32(0), slot(at));
      }
      b_.CreateBr(done);
    });
    flush_ = f;
  }
  opaqueZero_ = savedOpaque;
}

void ChainLowering::emitCandidateWalk(size_t t, Value *first,
                                      BasicBlock *done) {
  const transform::ClassifierTable &table = plan_.tables[t];
  IntegerType *bestType = cast<IntegerType>(best_.type);
  Slot current = local(i32(), fmt::format("table{}.candidate", t));
  Slot pushed = local(i32(), fmt::format("table{}.pushed", t));
  store(current, first);
  store(pushed, c32(0));
  bool guarded = false;
  for (uint32_t index : table.rules)
    guarded |= !plan_.guards[index].empty();
  for (unsigned step = 0; step < table.longestChain; ++step) {
    // Hidden from LLVM, which would test a copy: the verifier must see the
    // bound on the register that indexes the table.
    Value *index = opaque(load(current));
    BasicBlock *inTable = nextBlock(fmt::format("table{}.step{}", t, step));
    b_.CreateCondBr(b_.CreateICmpULT(index, c32(chain_.rules.size())), inTable,
                    done);
    b_.SetInsertPoint(inTable);
    Value *word = tableEntry(candidates_, b_.CreateZExt(index, i64()));
    BasicBlock *match = block(fmt::format("table{}.match{}", t, step));
    BasicBlock *advance = block(fmt::format("table{}.advance{}", t, step));
    if (guarded && guards_) {
      BasicBlock *test = nextBlock("guards.test");
      Value *id =
          b_.CreateAnd(b_.CreateLShr(word, kTemplateShift), c64(kTemplateMask));
      b_.CreateCondBr(b_.CreateICmpEQ(id, c64(0)), match, test);
      b_.SetInsertPoint(test);
      Value *holds = b_.CreateCall(guards_, {ctxArg_, index, stateBase_});
      b_.CreateCondBr(b_.CreateICmpNE(holds, c64(0)), match, advance);
    } else {
      b_.CreateBr(match);
    }
    match->moveAfter(b_.GetInsertBlock());
    b_.SetInsertPoint(match);
    BasicBlock *decide = nextBlock(fmt::format("table{}.decide{}", t, step));
    if (table.mostContinues) {
      BasicBlock *push = nextBlock(fmt::format("table{}.push{}", t, step));
      Value *isContinue =
          b_.CreateAnd(b_.CreateLShr(word, kContinueBit), c64(1));
      b_.CreateCondBr(b_.CreateICmpNE(isContinue, c64(0)), push, decide);
      b_.SetInsertPoint(push);
      // At most mostContinues per key (the plan's budget).
      Value *n = load(pushed);
      Value *at = b_.CreateAdd(c64(kStatePending + 4 * pendingBase_[t]),
                               b_.CreateShl(b_.CreateZExt(n, i64()), 2));
      b_.CreateStore(b_.CreateAdd(index, c32(1)),
                     b_.CreateInBoundsGEP(i8(), stateBase_, at));
      store(pushed, b_.CreateAdd(n, c32(1)));
      b_.CreateBr(advance);
    } else {
      b_.CreateBr(decide);
    }
    b_.SetInsertPoint(decide);
    Value *candidate = b_.CreateTrunc(index, bestType);
    Value *best = load(best_);
    store(best_,
          b_.CreateSelect(b_.CreateICmpULT(candidate, best), candidate, best));
    b_.CreateBr(done);
    advance->moveAfter(b_.GetInsertBlock());
    b_.SetInsertPoint(advance);
    store(current, b_.CreateTrunc(b_.CreateAnd(word, c64(kNextMask)), i32()));
  }
  b_.CreateBr(done);
}

void ChainLowering::emitFlush(Value *upto, uint32_t known) {
  // `known`: a constant upto; nothing can be pending at or below the
  // lowest CONTINUE candidate.
  if (!flush_ || known <= firstPending_)
    return;
  // Usually nothing is pending: a look at the slots saves the call.
  Value *any = c64(0);
  for (unsigned at = 0; at < pendingSlots_ * 4; at += 8)
    any = b_.CreateOr(
        any, b_.CreateLoad(i64(), b_.CreateConstInBoundsGEP1_64(
                                      i8(), stateBase_, kStatePending + at)));
  BasicBlock *flush = nextBlock("pending.flush");
  BasicBlock *done = block("pending.done");
  done->moveAfter(flush);
  b_.CreateCondBr(b_.CreateICmpNE(any, c64(0)), flush, done);
  b_.SetInsertPoint(flush);
  b_.CreateCall(flush_, {ctxArg_, upto, stateBase_});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

} // namespace bfc::codegen::detail
