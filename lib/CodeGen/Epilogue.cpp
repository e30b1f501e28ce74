// The shared rule epilogue: the one function of a chain that counts, logs,
// marks and returns the verdict of a matched rule, from per-rule tables in
// .rodata. docs/codegen.md explains why it is a global function.
#include <fmt/format.h>

#include "Internal.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::codegen::detail {

/// The per-rule tables: entries [0, n) are the rules, then the policy and
/// the error counter (BFC_COUNTER_POLICY/ERRORS).
struct ChainLowering::RuleTables {
  std::vector<uint64_t> actions, marks, redirects, every;
  bool anyLog = false, anyMark = false, anyRedirect = false, anyEvery = false,
       anySlot = false;
};

ChainLowering::RuleTables ChainLowering::buildRuleTables() {
  size_t rules = chain_.rules.size();
  RuleTables t;
  t.actions.assign(rules + 2, 0);
  t.marks.assign(rules + 2, 0);
  t.redirects.assign(rules + 2, 0);
  t.every.assign(rules + 2, 0);
  for (const ir::Rule &rule : chain_.rules) {
    uint64_t &action = t.actions[rule.index];
    action = static_cast<uint8_t>(rule.verdict);
    if (rule.counter)
      action |= kActionCounter;
    if (rule.log.enabled) {
      action |= kActionLog | uint64_t(rule.log.headers & ir::kLogAll)
                                 << kActionLogHeadersShift;
      t.anyLog = true;
      if (rule.log.rateNs) {
        action |= kActionEvery;
        t.every[rule.index] = rule.log.rateNs;
        t.anyEvery = true;
      }
    }
    if (rule.mark) {
      action |= kActionMark;
      t.marks[rule.index] = *rule.mark;
      t.anyMark = true;
    }
    if (rule.verdict == ir::Verdict::Redirect) {
      t.anyRedirect = true;
      t.redirects[rule.index] = rule.redirectIfindex;
      if (rule.redirectSlot) {
        action |= kActionRedirectSlot;
        t.redirects[rule.index] = *rule.redirectSlot;
        t.anySlot = true;
      }
      if (family_ == ir::HookFamily::Tc &&
          rule.redirectDir == ir::RedirectDir::In)
        action |= kActionRedirectIngress;
    }
  }
  t.actions[BFC_COUNTER_POLICY(rules)] =
      kActionCounter | static_cast<uint8_t>(chain_.policy);
  t.actions[BFC_COUNTER_ERRORS(rules)] =
      kActionCounter | static_cast<uint8_t>(ir::Verdict::Continue);
  return t;
}

Function *ChainLowering::globalFunction(const std::string &name,
                                        const char *index, bool takesState,
                                        DISubprogram *&sp, unsigned line) {
  DebugTypes &types = *ml_.types;
  std::vector<Type *> params = {ptr()};
  DIType *ctxType = sp_->getType()->getTypeArray()[1];
  std::vector<Metadata *> signature = {types.u64(), ctxType};
  if (index) {
    params.push_back(i32());
    signature.push_back(types.u32());
  }
  if (takesState) {
    params.push_back(ptr());
    signature.push_back(stateArgType());
  }
  auto *type = FunctionType::get(i64(), params, false);
  Function *f =
      Function::Create(type, GlobalValue::ExternalLinkage, name, ml_.mod.get());
  f->setSection(".text");
  f->setDSOLocal(true);
  f->addFnAttr(Attribute::NoUnwind);
  f->addFnAttr(Attribute::NoInline);
  if (!line)
    line = chain_.range.begin.line;
  sp = ml_.dib->createFunction(
      ml_.file, name, name, ml_.file, line,
      ml_.dib->createSubroutineType(ml_.dib->getOrCreateTypeArray(signature)),
      line, DINode::FlagPrototyped,
      DISubprogram::SPFlagDefinition | DISubprogram::SPFlagOptimized);
  f->setSubprogram(sp);
  unsigned arg = 1;
  ml_.dib->createParameterVariable(sp, "ctx", arg++, ml_.file, line, ctxType,
                                   true);
  if (index)
    ml_.dib->createParameterVariable(sp, index, arg++, ml_.file, line,
                                     types.u32(), true);
  if (takesState)
    ml_.dib->createParameterVariable(sp, "state", arg++, ml_.file, line,
                                     stateArgType(), true);
  return f;
}

GlobalVariable *ChainLowering::ruleTable(const std::string &suffix,
                                         IntegerType *type, DIType *diType,
                                         const std::vector<uint64_t> &values) {
  std::vector<Constant *> elements;
  elements.reserve(values.size());
  for (uint64_t v : values)
    elements.push_back(ConstantInt::get(type, v));
  auto *arrayType = ArrayType::get(type, values.size());
  std::string name = fmt::format("{}_{}", sym_.program, suffix);
  // Global: libbpf 1.1 places only global variables of a data section in
  // its BTF (static ones keep offset 0, which the kernel rejects).
  auto *gv = new GlobalVariable(*ml_.mod, arrayType, true,
                                GlobalValue::ExternalLinkage,
                                ConstantArray::get(arrayType, elements), name);
  // libbpf turns .rodata into a frozen array map: a read with a
  // bounds-checked variable index needs no helper call.
  gv->setSection(".rodata");
  gv->setAlignment(Align(8));
  gv->setDSOLocal(true);
  DIType *element =
      ml_.dib->createQualifiedType(dwarf::DW_TAG_const_type, diType);
  gv->addDebugInfo(ml_.dib->createGlobalVariableExpression(
      ml_.unit, name, name, ml_.file, 0,
      ml_.types->arrayOf(element, values.size()), false));
  return gv;
}

Value *ChainLowering::tableEntry(GlobalVariable *table, Value *index) {
  auto *arrayType = cast<ArrayType>(table->getValueType());
  Value *p = b_.CreateInBoundsGEP(arrayType, table, {c64(0), index});
  return b_.CreateZExt(b_.CreateLoad(arrayType->getElementType(), p), i64());
}

void ChainLowering::emitEpilogueFunction() {
  DebugTypes &types = *ml_.types;
  RuleTables t = buildRuleTables();
  size_t entries = t.actions.size();
  epilogueTakesState_ = t.anyLog;

  // u64 <prog>_matched(ctx, u32 rule[, state]): global, so the verifier
  // checks it once on its own instead of at every call.
  DISubprogram *sp = nullptr;
  Function *f = globalFunction(fmt::format("{}_matched", sym_.program), "rule",
                               epilogueTakesState_, sp);

  GlobalVariable *actions =
      ruleTable("rule_actions", i16(), types.u16(), t.actions);
  GlobalVariable *marks =
      t.anyMark ? ruleTable("rule_marks", i32(), types.u32(), t.marks)
                : nullptr;
  GlobalVariable *redirects =
      t.anyRedirect
          ? ruleTable("rule_redirects", i32(), types.u32(), t.redirects)
          : nullptr;
  GlobalVariable *every =
      t.anyEvery ? ruleTable("rule_every", i64(), types.u64(), t.every)
                 : nullptr;

  Value *savedOpaque = opaqueZero_;
  opaqueZero_ = nullptr; // nothing here is walked once per rule
  inFunction(f, sp, chain_.range, [&] {
    keepContextArg();
    Value *index = f->getArg(1);
    index->setName("rule");
    indexKey_ = var(i64(), "key", 8);
    BasicBlock *known = block("rule.known"), *unknown = block("rule.unknown");
    b_.CreateCondBr(b_.CreateICmpULT(index, c32(entries)), known, unknown);
    b_.SetInsertPoint(unknown);
    b_.CreateRet(c64(kEpilogueContinue));
    b_.SetInsertPoint(known);
    Value *index64 = b_.CreateZExt(index, i64());
    Value *action = b_.CreateTrunc(tableEntry(actions, index64), i32());
    auto when = [&](Value *cond, const char *what,
                    const std::function<void()> &emit) {
      BasicBlock *then = block(what), *after = block(Twine(what) + ".done");
      b_.CreateCondBr(cond, then, after);
      b_.SetInsertPoint(then);
      emit();
      b_.CreateBr(after);
      b_.SetInsertPoint(after);
    };
    auto has = [&](uint32_t bits) {
      return b_.CreateICmpNE(b_.CreateAnd(action, bits), c32(0));
    };
    // Counter, log, mark, then the verdict.
    when(has(kActionCounter), "count", [&] { bumpCounter(index64); });
    if (t.anyLog) {
      Value *state = f->getArg(2);
      state->setName("state");
      // Nullable for the verifier; never null at run time.
      when(b_.CreateAnd(has(kActionLog), b_.CreateIsNotNull(state)), "log",
           [&] {
             stateBase_ = state;
             emitLog(index64, action, every);
           });
    }
    if (marks)
      when(has(kActionMark), "mark", [&] {
        emitMark(b_.CreateTrunc(tableEntry(marks, index64), i32()));
      });

    BasicBlock *goOn = block("continue");
    Value *verdict = b_.CreateAnd(action, kActionVerdict);
    SwitchInst *sw = b_.CreateSwitch(verdict, goOn, 4);
    for (ir::Verdict v :
         {ir::Verdict::Accept, ir::Verdict::Drop, ir::Verdict::Next}) {
      BasicBlock *ret = block(ir::verdictName(v));
      sw->addCase(c32(static_cast<uint8_t>(v)), ret);
      b_.SetInsertPoint(ret);
      b_.CreateRet(c64(static_cast<uint32_t>(returnCode(v))));
    }
    if (redirects) {
      BasicBlock *redirect = block("REDIRECT");
      sw->addCase(c32(static_cast<uint8_t>(ir::Verdict::Redirect)), redirect);
      b_.SetInsertPoint(redirect);
      Value *ifindex = tableEntry(redirects, index64);
      if (t.anySlot) {
        // The entry is a host slot: its value, when in range.
        BasicBlock *slot = block("redirect.slot");
        BasicBlock *read = block("redirect.read");
        BasicBlock *join = block("redirect.ifindex");
        BasicBlock *from = b_.GetInsertBlock();
        b_.CreateCondBr(has(kActionRedirectSlot), slot, join);
        b_.SetInsertPoint(slot);
        size_t slots = ml_.irModule.hostSlots.size();
        b_.CreateCondBr(b_.CreateICmpULT(ifindex, c64(slots)), read, join);
        b_.SetInsertPoint(read);
        Value *value = b_.CreateZExt(hostSlotAt(ifindex), i64());
        b_.CreateBr(join);
        b_.SetInsertPoint(join);
        PHINode *phi = b_.CreatePHI(i64(), 3);
        phi->addIncoming(ifindex, from);
        phi->addIncoming(c64(0), slot);
        phi->addIncoming(value, read);
        ifindex = phi;
      }
      Value *flags = b_.CreateZExt(has(kActionRedirectIngress), i64());
      static_assert(kBpfFIngress == 1);
      Value *r = callHelper(detail::kHelperRedirect, i64(), {ifindex, flags});
      b_.CreateRet(b_.CreateZExt(b_.CreateTrunc(r, i32()), i64()));
    }
    b_.SetInsertPoint(goOn);
    b_.CreateRet(c64(kEpilogueContinue));
    indexKey_ = nullptr;
  });
  opaqueZero_ = savedOpaque;
  epilogue_ = f;
}

void ChainLowering::keepContextArg() {
  // The kernel wants the context as the first argument of a global
  // function even where it does not read it: an empty asm statement keeps
  // LLVM from passing an undefined value instead.
  auto *keep = FunctionType::get(b_.getVoidTy(), {ptr()}, false);
  b_.CreateCall(InlineAsm::get(keep, "", "r", true), {ctxArg_});
}

DIType *ChainLowering::stateArgType() {
  // A pointer to a struct of scalars: the verifier gives a global function
  // such an argument as nullable memory of the struct's size.
  // Made once per chain, once the state's size is known (pending slots
  // included): the epilogue, the rule groups, guards and flush share it.
  if (!stateArgType_) {
    DebugTypes &types = *ml_.types;
    stateArgType_ = types.pointerTo(types.structType(
        "bfc_packet_state",
        {{"bytes", types.arrayOf(types.u8(), stateSize_), stateSize_ * 8ull}}));
  }
  return stateArgType_;
}

Value *ChainLowering::callEpilogue(Value *ruleIndex, bool inlined) {
  // Inlined, the epilogue's bound check of the index must stay on the
  // register that indexes its tables: LLVM would test a copy of it (or the
  // word it comes from), which the verifier does not connect.
  if (inlined && !isa<Constant>(ruleIndex))
    ruleIndex = opaque(ruleIndex);
  std::vector<Value *> args = {ctxArg_, ruleIndex};
  if (epilogueTakesState_)
    args.push_back(stateBase_);
  CallInst *call = b_.CreateCall(epilogue_, args);
  if (inlined)
    call->addFnAttr(Attribute::AlwaysInline);
  return call;
}

Value *ChainLowering::epilogueCode(Value *result) {
  Value *code = b_.CreateTrunc(result, i32());
  // The verifier checks these hooks' return codes, 0 or 1, against a
  // range: it does not know what a global function returns.
  switch (family_) {
  case ir::HookFamily::Netfilter:
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr:
    return b_.CreateAnd(code, c32(1));
  default:
    return code;
  }
}

void ChainLowering::emitMatched(Value *ruleIndex, BasicBlock *next,
                                bool inlined) {
  Value *result = callEpilogue(ruleIndex, inlined);
  if (next) {
    BasicBlock *decided = nextBlock("matched.decided");
    b_.CreateCondBr(b_.CreateICmpEQ(result, c64(kEpilogueContinue)), next,
                    decided);
    b_.SetInsertPoint(decided);
  }
  emitReturn(epilogueCode(result), ruleIndex);
}

void ChainLowering::emitEffects(Value *ruleIndex, bool inlined) {
  callEpilogue(ruleIndex, inlined);
}

} // namespace bfc::codegen::detail
