// Large chains: predicates as 0/1 values computed without branches, so a
// rule of several tests leaves the verifier one pending branch.
#include <cmath>

#include "Internal.h"

namespace bfc::codegen::detail {

Value *ChainLowering::nonZeroBit(Value *d) {
  auto *type = FunctionType::get(i64(), {i64()}, false);
  auto *asmValue = InlineAsm::get(
      type, "$0 = $1\n$0 = -$0\n$0 |= $1\n$0 >>= 63", "=&r,r", false);
  return b_.CreateCall(asmValue, {b_.CreateZExt(d, i64())});
}

Value *ChainLowering::signBit(Value *x) {
  auto *type = FunctionType::get(i64(), {i64()}, false);
  return b_.CreateCall(InlineAsm::get(type, "$0 >>= 63", "=r,0", false), {x});
}

bool ChainLowering::hasTruthValue(const ir::Predicate &pred) const {
  if (family_ == ir::HookFamily::CgroupSockAddr)
    return false;
  switch (pred.kind) {
  case ir::Predicate::Kind::Field: {
    const ir::FieldInfo &info = ir::fieldInfo(pred.field);
    if (pred.value.size() != info.width)
      return false;
    if (pred.op == ir::CmpOp::Range)
      return pred.high.size() == info.width && info.width <= 4;
    return true;
  }
  case ir::Predicate::Kind::Iface:
    if (pred.hostSlot &&
        (!ml_.hostSlots || *pred.hostSlot >= ml_.irModule.hostSlots.size()))
      return false;
    return family_ == ir::HookFamily::Xdp || family_ == ir::HookFamily::Tc ||
           family_ == ir::HookFamily::CgroupSkb;
  case ir::Predicate::Kind::Probability:
    return !pred.perFlow;
  case ir::Predicate::Kind::Ip6HeaderChain:
    return true;
  case ir::Predicate::Kind::Set:
    return false;
  }
  return false;
}

Value *ChainLowering::truthValue(const ir::Predicate &pred) {
  if (!hasTruthValue(pred))
    return nullptr;
  Value *truth = nullptr;
  ir::Proto needs = ir::Proto::None;
  switch (pred.kind) {
  case ir::Predicate::Kind::Field: {
    const ir::FieldInfo &info = ir::fieldInfo(pred.field);
    if (pred.op == ir::CmpOp::Range && info.width > 4)
      return nullptr; // wider ranges branch (fieldTest)
    // As in emitPredicate: zero-valued absent headers fail this test.
    if (pred.negate || holdsOnZero(pred))
      needs = info.proto;
    if (pred.op == ir::CmpOp::Range) {
      Value *v = b_.CreateZExt(fieldNumeric(pred.field), i64());
      Value *below = signBit(b_.CreateSub(v, c64(fromBigEndian(pred.value))));
      Value *above = signBit(b_.CreateSub(c64(fromBigEndian(pred.high)), v));
      truth = b_.CreateXor(b_.CreateOr(below, above), c64(1));
      break;
    }
    RawValue raw = fieldRaw(pred.field);
    ir::Bytes mask(info.width, 0xff);
    if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
      mask = prefixMask(info.width, *pred.prefixLen);
    Value *diff = c64(0), *bits = c64(0);
    auto part = [&](Value *v, size_t begin, size_t count) {
      v = b_.CreateZExt(v, i64());
      uint64_t value = fromLittleEndian(&pred.value[begin], count);
      uint64_t m = fromLittleEndian(&mask[begin], count);
      Value *masked =
          b_.CreateAnd(v, c64(pred.op == ir::CmpOp::Eq ? m : value));
      uint64_t want = pred.op == ir::CmpOp::Eq ? value & m : value;
      diff = b_.CreateOr(diff, b_.CreateXor(masked, c64(want)));
      bits = b_.CreateOr(bits, masked);
    };
    part(raw.lo, 0, std::min<size_t>(info.width, 8));
    if (raw.hi)
      part(raw.hi, 8, 8);
    truth = pred.op == ir::CmpOp::AnyBits
                ? nonZeroBit(bits)
                : b_.CreateXor(nonZeroBit(diff), c64(1));
    break;
  }
  case ir::Predicate::Kind::Iface: {
    if (family_ != ir::HookFamily::Xdp && family_ != ir::HookFamily::Tc &&
        family_ != ir::HookFamily::CgroupSkb)
      return nullptr;
    Value *wanted = c32(pred.ifindex);
    if (pred.hostSlot) {
      if (!ml_.hostSlots || *pred.hostSlot >= ml_.irModule.hostSlots.size())
        return nullptr;
      wanted = hostSlot(*pred.hostSlot);
    }
    truth =
        b_.CreateXor(nonZeroBit(b_.CreateXor(ifaceIndex(), wanted)), c64(1));
    break;
  }
  case ir::Predicate::Kind::Probability: {
    if (pred.perFlow)
      return nullptr;
    double percent = std::clamp(pred.percent, 0.0, 100.0);
    uint64_t threshold =
        static_cast<uint64_t>(std::llround(percent / 100.0 * 4294967296.0));
    Value *r = b_.CreateAnd(callHelper(detail::kHelperGetPrandomU32, i64(), {}),
                            c64(0xffffffff));
    truth = signBit(b_.CreateSub(r, c64(threshold)));
    break;
  }
  case ir::Predicate::Kind::Ip6HeaderChain: {
    needs = ir::Proto::Ip6;
    Value *word = load(chainBits_[pred.protocol / 64]);
    truth = b_.CreateAnd(b_.CreateLShr(word, pred.protocol % 64), c64(1));
    break;
  }
  case ir::Predicate::Kind::Set:
    return nullptr;
  }
  if (pred.negate)
    truth = b_.CreateXor(truth, c64(1));
  // The flag hidden too: LLVM would turn `and` with a zero-extended flag
  // into a select, i.e. a branch.
  if (needs != ir::Proto::None)
    truth = b_.CreateAnd(truth, opaque(b_.CreateZExt(present(needs), i64())));
  return truth;
}

} // namespace bfc::codegen::detail
