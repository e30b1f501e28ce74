// The IR-builder layer of a chain: stack variables, helper calls, context
// accesses, CO-RE loads and debug locations.

#include "Internal.h"

namespace bfc::codegen::detail {

AllocaInst *ChainLowering::var(Type *type, const Twine &name, unsigned align) {
  IRBuilder<> entry(entry_, entry_->begin());
  AllocaInst *a = entry.CreateAlloca(type, nullptr, name);
  a->setAlignment(Align(align));
  return a;
}

Value *ChainLowering::callHelper(uint64_t id, Type *ret,
                                 ArrayRef<Value *> args) {
  std::vector<Type *> argTypes;
  for (Value *a : args)
    argTypes.push_back(a->getType());
  auto *type = FunctionType::get(ret, argTypes, false);
  Value *callee = ConstantExpr::getIntToPtr(c64(id), ptr());
  return b_.CreateCall(type, callee, args);
}

Value *ChainLowering::ctxField(unsigned offset) {
  // The verifier only accepts context accesses as `*(ctx + constant)` with
  // the context register itself: llvm.preserve.static.offset makes the BPF
  // passes keep each access in that form, where LLVM would otherwise share
  // `ctx + offset` in a register between accesses.
  Function *preserve = Intrinsic::getDeclaration(
      ml_.mod.get(), Intrinsic::preserve_static_offset);
  Value *base = b_.CreateCall(preserve, {ctxArg_});
  return b_.CreateConstInBoundsGEP1_64(i8(), base, offset);
}

Value *ChainLowering::ctxLoad(unsigned offset, Type *type) {
  Value *p = ctxField(offset);
  LoadInst *l = b_.CreateLoad(type, p);
  l->setAlignment(ml_.mod->getDataLayout().getABITypeAlign(type));
  return l;
}

Value *ChainLowering::ctxPointer(unsigned offset) {
  return b_.CreateIntToPtr(b_.CreateZExt(ctxLoad(offset, i32()), i64()), ptr());
}

Value *ChainLowering::extract(ArrayRef<Slot> words, unsigned offset,
                              unsigned width) {
  Value *word = load(words[offset / 8]);
  unsigned shift = (offset % 8) * 8;
  if (shift)
    word = b_.CreateLShr(word, shift);
  return b_.CreateTrunc(word, b_.getIntNTy(width * 8));
}

Value *ChainLowering::coreLoad(Value *base, const std::string &structName,
                               unsigned member, Type *type) {
  ModuleLowering::CoreStruct &s = ml_.coreStruct(structName);
  Function *access = Intrinsic::getDeclaration(
      ml_.mod.get(), Intrinsic::preserve_struct_access_index, {ptr(), ptr()});
  CallInst *p = b_.CreateCall(access, {base, c32(member), c32(member)});
  p->addParamAttr(0, Attribute::get(ml_.ctx, Attribute::ElementType, s.ir));
  p->setMetadata(LLVMContext::MD_preserve_access_index, s.di);
  return b_.CreateLoad(type, p);
}

void ChainLowering::setLocation(SourceRange range) {
  unsigned line = range.begin.line ? range.begin.line : chain_.range.begin.line;
  unsigned column = range.begin.line ? range.begin.column : 0;
  b_.SetCurrentDebugLocation(DILocation::get(ml_.ctx, line, column, sp_));
}

void ChainLowering::inFunction(Function *f, DISubprogram *sp, SourceRange where,
                               const std::function<void()> &body) {
  IRBuilderBase::InsertPointGuard guard(b_);
  DebugLoc savedLoc = b_.getCurrentDebugLocation();
  Function *savedFn = fn_;
  BasicBlock *savedEntry = entry_;
  Argument *savedCtx = ctxArg_;
  Value *savedState = stateBase_, *savedNfState = nfState_,
        *savedNfSkb = nfSkb_;
  DISubprogram *savedSp = sp_;
  AllocaInst *savedSetKey = setKey_, *savedCounterKey = counterKey_;
  fn_ = f;
  sp_ = sp;
  ctxArg_ = f->getArg(0);
  ctxArg_->setName("ctx");
  stateBase_ = nullptr;
  setKey_ = nullptr;
  counterKey_ = nullptr;
  entry_ = block("entry");
  b_.SetInsertPoint(entry_);
  setLocation(where);
  if (family_ == ir::HookFamily::Netfilter) {
    nfState_ = ctxLoad(kNfCtxState, ptr());
    nfSkb_ = ctxLoad(kNfCtxSkb, ptr());
  }
  body();
  fn_ = savedFn;
  sp_ = savedSp;
  entry_ = savedEntry;
  ctxArg_ = savedCtx;
  stateBase_ = savedState;
  nfState_ = savedNfState;
  nfSkb_ = savedNfSkb;
  setKey_ = savedSetKey;
  counterKey_ = savedCounterKey;
  b_.SetCurrentDebugLocation(savedLoc);
}

} // namespace bfc::codegen::detail
