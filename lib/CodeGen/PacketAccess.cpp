// Packet access: the prologue that sets up direct, dynptr or skb_load_bytes
// access, bounded reads of header bytes into words, and the packet length.

#include "Internal.h"

namespace bfc::codegen::detail {

void ChainLowering::emitPrologue() {
  switch (family_) {
  case ir::HookFamily::Xdp:
    access_ = Access::Direct;
    data_ = ctxPointer(kXdpData);
    dataEnd_ = ctxPointer(kXdpDataEnd);
    break;
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb:
    // Headers are normally in the linear part; when not (or when the
    // packet is short), bpf_skb_load_bytes decides.
    access_ = Access::DirectWithFallback;
    data_ = ctxPointer(kSkbData);
    dataEnd_ = ctxPointer(kSkbDataEnd);
    break;
  case ir::HookFamily::Netfilter:
    access_ = Access::Dynptr;
    nfState_ = ctxLoad(kNfCtxState, ptr());
    nfSkb_ = ctxLoad(kNfCtxSkb, ptr());
    dynptr_ = var(ArrayType::get(i64(), 2), "dynptr");
    break;
  case ir::HookFamily::CgroupSockAddr:
    access_ = Access::None;
    break;
  }
  if (access_ != Access::Direct && access_ != Access::None)
    scratch_ = var(ArrayType::get(i8(), kScratchBytes), "scratch");
}

void ChainLowering::loadChunks(Value *base, ArrayRef<Chunk> chunks,
                               ArrayRef<Slot> words) {
  std::vector<Value *> values(words.size(), nullptr);
  for (const Chunk &chunk : chunks) {
    Type *type = b_.getIntNTy(chunk.size * 8);
    Value *p = b_.CreateConstInBoundsGEP1_64(i8(), base, chunk.offset);
    // Packet data is not aligned in memory, but BPF loads need not be
    // (only strict-alignment architectures check, and the verifier accepts
    // this on them too without BPF_F_STRICT_ALIGNMENT). Claiming natural
    // alignment keeps LLVM from splitting the load into bytes.
    LoadInst *l = b_.CreateLoad(type, p);
    l->setAlignment(Align(chunk.size));
    Value *v = b_.CreateZExt(l, i64());
    if (unsigned shift = (chunk.offset % 8) * 8)
      v = b_.CreateShl(v, shift);
    Value *&word = values[chunk.offset / 8];
    word = word ? b_.CreateOr(word, v) : v;
  }
  for (size_t i = 0; i < words.size(); ++i)
    if (values[i])
      store(words[i], values[i]);
}

Value *ChainLowering::readBytes(Value *off, unsigned len,
                                ArrayRef<Chunk> chunks, ArrayRef<Slot> words) {
  BasicBlock *join = block("read.done");
  BasicBlock *ok = block("read.ok");
  BasicBlock *from = b_.GetInsertBlock();
  std::vector<std::pair<BasicBlock *, bool>> incoming;
  switch (access_) {
  case Access::Direct:
  case Access::DirectWithFallback: {
    Value *p = b_.CreateInBoundsGEP(i8(), data_, off);
    Value *end = b_.CreateConstInBoundsGEP1_64(i8(), p, len);
    Value *outside = b_.CreateICmpUGT(end, dataEnd_);
    BasicBlock *slow = access_ == Access::Direct ? join : block("read.slow");
    b_.CreateCondBr(outside, slow, ok);
    if (access_ == Access::Direct)
      incoming.push_back({from, false});
    b_.SetInsertPoint(ok);
    loadChunks(p, chunks, words);
    b_.CreateBr(join);
    incoming.push_back({ok, true});
    if (access_ == Access::DirectWithFallback) {
      b_.SetInsertPoint(slow);
      Value *r =
          callHelper(detail::kHelperSkbLoadBytes, i64(),
                     {ctxArg_, b_.CreateTrunc(off, i32()), scratch_, c32(len)});
      BasicBlock *slowOk = block("read.slow.ok");
      b_.CreateCondBr(b_.CreateICmpEQ(r, c64(0)), slowOk, join);
      incoming.push_back({slow, false});
      b_.SetInsertPoint(slowOk);
      loadChunks(scratch_, chunks, words);
      b_.CreateBr(join);
      incoming.push_back({slowOk, true});
    }
    break;
  }
  case Access::Dynptr: {
    Value *p = b_.CreateCall(
        ml_.kfunc("bpf_dynptr_slice"),
        {dynptr_, b_.CreateTrunc(off, i32()), scratch_, c32(len)});
    b_.CreateCondBr(b_.CreateIsNull(p), join, ok);
    incoming.push_back({from, false});
    b_.SetInsertPoint(ok);
    loadChunks(p, chunks, words);
    b_.CreateBr(join);
    incoming.push_back({ok, true});
    break;
  }
  case Access::None:
    b_.CreateBr(join);
    incoming.push_back({from, false});
    ok->eraseFromParent();
    break;
  }
  b_.SetInsertPoint(join);
  PHINode *phi = b_.CreatePHI(i1(), incoming.size());
  for (auto [bb, value] : incoming)
    phi->addIncoming(b_.getInt1(value), bb);
  return phi;
}

Value *ChainLowering::packetHas(Value *end) {
  switch (access_) {
  case Access::Direct: {
    Value *p = b_.CreateInBoundsGEP(i8(), data_, end);
    return b_.CreateICmpULE(p, dataEnd_);
  }
  case Access::DirectWithFallback:
    return b_.CreateICmpULE(end, b_.CreateZExt(ctxLoad(kSkbLen, i32()), i64()));
  case Access::Dynptr:
    return b_.CreateICmpULE(
        end, b_.CreateZExt(coreLoad(nfSkb_, "sk_buff", 0, i32()), i64()));
  case Access::None:
    return b_.getFalse();
  }
  return b_.getFalse();
}

Value *ChainLowering::bytesCounted() {
  switch (family_) {
  case ir::HookFamily::Xdp: {
    Value *data = b_.CreatePtrToInt(ctxPointer(kXdpData), i64());
    Value *end = b_.CreatePtrToInt(ctxPointer(kXdpDataEnd), i64());
    // The verifier only accepts `data_end - data` between the two packet
    // pointers themselves: keep LLVM from reassociating the difference into
    // the counter arithmetic.
    return opaque(b_.CreateSub(end, data));
  }
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb:
    return b_.CreateZExt(ctxLoad(kSkbLen, i32()), i64());
  case ir::HookFamily::Netfilter:
    return b_.CreateZExt(coreLoad(nfSkb_, "sk_buff", 0, i32()), i64());
  case ir::HookFamily::CgroupSockAddr:
    return c64(0);
  }
  return c64(0);
}

} // namespace bfc::codegen::detail
