// Predicates as branches: field compares, set lookups and per-flow
// probability (the flow hash).
#include <cmath>

#include <llvm/IR/MDBuilder.h>

#include "Internal.h"

namespace bfc::codegen::detail {

void ChainLowering::emitPredicate(const ir::Predicate &pred, BasicBlock *fail) {
  setLocation(pred.range);
  // A predicate on a header the packet does not have is false, negated or
  // not: test presence first, then `negate XOR test`.
  auto requireHeader = [&](ir::Proto proto) {
    if (proto == ir::Proto::None)
      return;
    BasicBlock *have = nextBlock("have");
    holdsBranch(present(proto), have, fail);
    b_.SetInsertPoint(have);
  };
  Value *test = nullptr;
  switch (pred.kind) {
  case ir::Predicate::Kind::Field:
    // Header words are zero when the header is absent: a test that fails on
    // zero fails on absent headers by itself (not when negated, and not on
    // sock_addr hooks, whose fields come from the context).
    // Guard templates do not know the value: they always test.
    if (pred.negate || family_ == ir::HookFamily::CgroupSockAddr ||
        guardOperands_ || holdsOnZero(pred))
      requireHeader(ir::fieldInfo(pred.field).proto);
    test = fieldTest(pred);
    break;
  case ir::Predicate::Kind::Iface: {
    Value *index = ifaceIndex();
    Value *wanted = c32(pred.ifindex);
    if (pred.hostSlot)
      wanted = hostSlot(*pred.hostSlot);
    test = b_.CreateICmpEQ(index, wanted);
    break;
  }
  case ir::Predicate::Kind::Probability: {
    // T = llround(P / 100 * 2^32): r < T with r a 32-bit random value (or
    // the flow hash); P = 100 gives T = 2^32, always true.
    double percent = std::clamp(pred.percent, 0.0, 100.0);
    uint64_t threshold =
        static_cast<uint64_t>(std::llround(percent / 100.0 * 4294967296.0));
    Value *r = nullptr;
    if (pred.perFlow) {
      requireHeader(ir::Proto::TcpOrUdp);
      r = flowHash();
    } else {
      r = callHelper(detail::kHelperGetPrandomU32, i64(), {});
      r = b_.CreateAnd(r, c64(0xffffffff));
    }
    test = b_.CreateICmpULT(r, c64(threshold));
    break;
  }
  case ir::Predicate::Kind::Ip6HeaderChain: {
    requireHeader(ir::Proto::Ip6);
    Value *word = load(chainBits_[pred.protocol / 64]);
    Value *bit = b_.CreateAnd(b_.CreateLShr(word, pred.protocol % 64), 1);
    test = b_.CreateICmpNE(bit, c64(0));
    break;
  }
  case ir::Predicate::Kind::Set: {
    for (ir::FieldId f : chain_.sets[pred.set].key)
      requireHeader(ir::fieldInfo(f).proto);
    test = setTest(pred);
    break;
  }
  }
  if (!test)
    return;
  if (pred.negate)
    test = b_.CreateNot(test);
  BasicBlock *holds = nextBlock("holds");
  holdsBranch(test, holds, fail);
  b_.SetInsertPoint(holds);
}

void ChainLowering::holdsBranch(Value *cond, BasicBlock *holds,
                                BasicBlock *fail) {
  BranchInst *br = b_.CreateCondBr(cond, holds, fail);
  if (!opaqueZero_)
    return;
  // Large chains: lay the "holds" side out as the fall-through. The
  // verifier follows fall-throughs first and keeps the jump targets for
  // later, at most 8192 of them: with "fail" (the next rule) as the jump
  // target, the rule's short match path is walked and the pending state is
  // the next rule; the other way round, one state per rule would pile up.
  br->setMetadata(LLVMContext::MD_prof,
                  MDBuilder(ml_.ctx).createBranchWeights(1000, 1));
}

bool ChainLowering::holdsOnZero(const ir::Predicate &pred) {
  const ir::FieldInfo &info = ir::fieldInfo(pred.field);
  if (pred.value.size() != info.width)
    return true; // reported by fieldTest
  ir::Bytes mask(info.width, 0xff);
  if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
    mask = prefixMask(info.width, *pred.prefixLen);
  bool valueZero = true;
  for (size_t i = 0; i < info.width; ++i)
    valueZero &= (pred.value[i] & mask[i]) == 0;
  switch (pred.op) {
  case ir::CmpOp::Eq:
  case ir::CmpOp::AllBits:
    return valueZero;
  case ir::CmpOp::Range:
    return valueZero; // low bound 0
  case ir::CmpOp::AnyBits:
    return false;
  }
  return true;
}

std::vector<uint64_t> ChainLowering::fieldOperands(const ir::Predicate &pred) {
  // As fieldTest uses them: the range bounds as numbers; else the raw
  // (network order) value, masked for equalities, one word per 8 bytes.
  const ir::FieldInfo &info = ir::fieldInfo(pred.field);
  if (pred.op == ir::CmpOp::Range)
    return {fromBigEndian(pred.value), fromBigEndian(pred.high)};
  ir::Bytes mask(info.width, 0xff);
  if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
    mask = prefixMask(info.width, *pred.prefixLen);
  bool eq = pred.op == ir::CmpOp::Eq;
  std::vector<uint64_t> words;
  for (unsigned begin = 0; begin < info.width; begin += 8) {
    unsigned count = std::min(8u, info.width - begin);
    uint64_t value = fromLittleEndian(&pred.value[begin], count);
    words.push_back(eq ? value & fromLittleEndian(&mask[begin], count) : value);
  }
  return words;
}

Value *ChainLowering::operand(const std::vector<uint64_t> &words, unsigned i,
                              Type *type) {
  if (!guardOperands_)
    return ConstantInt::get(type, words[i]);
  // A guard template: the rule's value from its parameters (Candidates.cpp).
  Value *word = tableEntry(guardParams_, b_.CreateAdd(guardOperands_, c64(i)));
  return b_.CreateTrunc(word, type);
}

Value *ChainLowering::fieldTest(const ir::Predicate &pred) {
  const ir::FieldInfo &info = ir::fieldInfo(pred.field);
  std::vector<uint64_t> words = fieldOperands(pred);
  if (pred.op == ir::CmpOp::Range) {
    Value *v = fieldNumeric(pred.field);
    Type *type = v->getType();
    return b_.CreateAnd(b_.CreateICmpUGE(v, operand(words, 0, type)),
                        b_.CreateICmpULE(v, operand(words, 1, type)));
  }
  // Bitwise tests work on the raw (network order) bits with constants in
  // the same order: no byte swap at run time.
  RawValue raw = fieldRaw(pred.field);
  ir::Bytes mask(info.width, 0xff);
  if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
    mask = prefixMask(info.width, *pred.prefixLen);
  auto part = [&](Value *v, size_t begin, size_t count) -> Value * {
    Type *type = v->getType();
    Value *value = operand(words, begin / 8, type);
    uint64_t m = fromLittleEndian(&mask[begin], count);
    switch (pred.op) {
    case ir::CmpOp::Eq:
    case ir::CmpOp::Range:
      if (m == 0)
        return b_.getTrue();
      if (m != (count == 8 ? ~0ull : (1ull << (count * 8)) - 1))
        v = b_.CreateAnd(v, ConstantInt::get(type, m));
      return b_.CreateICmpEQ(v, value);
    case ir::CmpOp::AnyBits:
      return b_.CreateICmpNE(b_.CreateAnd(v, value), ConstantInt::get(type, 0));
    case ir::CmpOp::AllBits:
      return b_.CreateICmpEQ(b_.CreateAnd(v, value), value);
    }
    return b_.getFalse();
  };
  if (info.width == 16) {
    if (pred.op == ir::CmpOp::Eq) {
      // One comparison of both halves' differences, hidden from LLVM so
      // it stays one branch: after two, the first half would be known to
      // the verifier on the path that goes on, and rules after it that
      // look at the same (register-held) half would be walked twice.
      uint64_t m0 = fromLittleEndian(&mask[0], 8),
               m1 = fromLittleEndian(&mask[8], 8);
      Value *d0 =
          b_.CreateXor(b_.CreateAnd(raw.lo, c64(m0)), operand(words, 0, i64()));
      Value *d1 =
          b_.CreateXor(b_.CreateAnd(raw.hi, c64(m1)), operand(words, 1, i64()));
      return b_.CreateICmpEQ(opaque(b_.CreateOr(d0, d1)), c64(0));
    }
    Value *lo = part(raw.lo, 0, 8), *hi = part(raw.hi, 8, 8);
    if (pred.op == ir::CmpOp::AnyBits)
      return b_.CreateOr(lo, hi);
    return b_.CreateAnd(lo, hi);
  }
  return part(raw.lo, 0, info.width);
}

Value *ChainLowering::setTest(const ir::Predicate &pred) {
  const ir::Set &set = chain_.sets[pred.set];
  unsigned keySize = set.keySize();
  AllocaInst *key = keyBuffer();
  std::optional<uint32_t> id = setMaps_.idOf[pred.set];
  unsigned offset = 0;
  if (set.lpm) {
    // struct { u32 prefixlen; u8 addr[]; }: look up the full address (and
    // the whole id in a shared map).
    StoreInst *s = b_.CreateStore(c32((id ? 32 : 0) + keySize * 8), key);
    s->setAlignment(Align(8));
    offset = 4;
  }
  if (id) {
    StoreInst *s = b_.CreateStore(
        c32(*id), b_.CreateConstInBoundsGEP1_64(i8(), key, offset));
    s->setAlignment(Align(4));
    offset += 4;
  }
  for (ir::FieldId f : set.key) {
    unsigned width = ir::fieldInfo(f).width;
    putKeyField(key, offset, f, width * 8);
    offset += width;
  }
  Value *found =
      callHelper(detail::kHelperMapLookupElem, ptr(), {sets_[pred.set], key});
  return b_.CreateIsNotNull(found);
}

Value *ChainLowering::flowHash() {
  // fmix32-chained hash of (saddr, daddr, sport << 16 | dport, proto), each
  // as big-endian 32-bit words (docs/semantics.md).
  auto fmix = [&](Value *h) {
    h = b_.CreateXor(h, b_.CreateLShr(h, 16));
    h = b_.CreateMul(h, c32(0x85ebca6b));
    h = b_.CreateXor(h, b_.CreateLShr(h, 13));
    h = b_.CreateMul(h, c32(0xc2b2ae35));
    return b_.CreateXor(h, b_.CreateLShr(h, 16));
  };
  auto mix = [&](Value *h, Value *word) { return fmix(b_.CreateXor(h, word)); };
  Value *ports = bswap(extract(ports_, 0, 4)); // sport:dport, big-endian
  Value *proto = b_.CreateZExt(load(l4Proto_), i32());

  BasicBlock *v4 = block("flow.ip4"), *v6 = block("flow.ip6");
  BasicBlock *join = block("flow.hash");
  b_.CreateCondBr(load(has_[kHasIp4]), v4, v6);
  b_.SetInsertPoint(v4);
  Value *h4 = c32(0);
  h4 = mix(h4, bswap(extract(ip4_, 12, 4)));
  h4 = mix(h4, bswap(extract(ip4_, 16, 4)));
  h4 = mix(h4, ports);
  h4 = mix(h4, proto);
  BasicBlock *v4End = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(v6);
  Value *h6 = c32(0);
  for (unsigned at = 8; at < 40; at += 4)
    h6 = mix(h6, bswap(extract(ip6_, at, 4)));
  h6 = mix(h6, ports);
  h6 = mix(h6, proto);
  BasicBlock *v6End = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  PHINode *h = b_.CreatePHI(i32(), 2);
  h->addIncoming(h4, v4End);
  h->addIncoming(h6, v6End);
  return b_.CreateZExt(h, i64());
}

} // namespace bfc::codegen::detail
