// Field access: header presence and field values read from the packet
// state (raw network-order bits or numeric host-order values).
#include "Internal.h"

namespace bfc::codegen::detail {

Value *ChainLowering::present(ir::Proto proto) {
  switch (proto) {
  case ir::Proto::None:
    return b_.getTrue();
  case ir::Proto::Ip4:
    return load(has_[kHasIp4]);
  case ir::Proto::Ip6:
    return load(has_[kHasIp6]);
  case ir::Proto::Tcp:
    return load(has_[kHasTcp]);
  case ir::Proto::Udp:
    return load(has_[kHasUdp]);
  case ir::Proto::TcpOrUdp:
    return b_.CreateOr(load(has_[kHasTcp]), load(has_[kHasUdp]));
  case ir::Proto::Icmp:
    return load(has_[kHasIcmp]);
  case ir::Proto::Icmpv6:
    return load(has_[kHasIcmpv6]);
  }
  return b_.getFalse();
}

Value *ChainLowering::hostSlot(uint32_t slot) {
  Value *p = b_.CreateConstInBoundsGEP2_64(ml_.hostSlots->getValueType(),
                                           ml_.hostSlots, 0, slot);
  LoadInst *l = b_.CreateLoad(i32(), p);
  // The loader writes the slots into .rodata before loading: the value is
  // not known at compile time (the verifier sees it as a constant).
  l->setVolatile(true);
  l->setAlignment(Align(4));
  return l;
}

Value *ChainLowering::ifaceIndex() {
  switch (family_) {
  case ir::HookFamily::Xdp:
    return ctxLoad(kXdpIngressIfindex, i32());
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb:
    return ctxLoad(kSkbIfindex, i32());
  case ir::HookFamily::Netfilter: {
    // state->in (or ->out on output hooks); absent devices read as 0.
    unsigned member = ir::hookIsEgress(chain_.hook) ? 3 : 2;
    Value *dev = coreLoad(nfState_, "nf_hook_state", member, ptr());
    BasicBlock *from = b_.GetInsertBlock();
    BasicBlock *have = block("dev"), *join = block("dev.done");
    b_.CreateCondBr(b_.CreateIsNull(dev), join, have);
    b_.SetInsertPoint(have);
    Value *index = coreLoad(dev, "net_device", 0, i32());
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    PHINode *phi = b_.CreatePHI(i32(), 2);
    phi->addIncoming(c32(0), from);
    phi->addIncoming(index, have);
    return phi;
  }
  case ir::HookFamily::CgroupSockAddr:
    break;
  }
  unverifiedBFIR("meta.iface on a sock_addr hook");
}

RawValue ChainLowering::fieldRaw(ir::FieldId field) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  if (info.proto == ir::Proto::None || info.mask) {
    Value *v = fieldNumeric(field);
    return {bswap(v), nullptr};
  }
  if (family_ == ir::HookFamily::CgroupSockAddr) {
    auto addr16 = [&](unsigned offset) {
      auto half = [&](unsigned at) {
        Value *a = b_.CreateZExt(ctxLoad(at, i32()), i64());
        Value *c = b_.CreateZExt(ctxLoad(at + 4, i32()), i64());
        return b_.CreateOr(a, b_.CreateShl(c, 32));
      };
      return RawValue{half(offset), half(offset + 8)};
    };
    switch (field) {
    case ir::FieldId::Ip4Daddr:
      return {ctxLoad(kSockUserIp4, i32())};
    case ir::FieldId::Ip6Daddr:
      return addr16(kSockUserIp6);
    case ir::FieldId::Ip4Saddr: // sendmsg only (the hook model)
      return {ctxLoad(kSockMsgSrcIp4, i32())};
    case ir::FieldId::Ip6Saddr:
      return addr16(kSockMsgSrcIp6);
    case ir::FieldId::Ip4Proto:
      return {b_.CreateTrunc(ctxLoad(kSockProtocol, i32()), i8())};
    case ir::FieldId::L4Dport:
    case ir::FieldId::TcpDport:
    case ir::FieldId::UdpDport:
      // user_port: the port in network order in the low 16 bits.
      return {b_.CreateTrunc(ctxLoad(kSockUserPort, i32()), i16())};
    default:
      break;
    }
    unverifiedBFIR("a field the sock_addr call does not have");
  }
  ArrayRef<Slot> words = headerWords(info.proto);
  if (info.width == 16)
    return {load(words[info.offset / 8]), load(words[info.offset / 8 + 1])};
  return {extract(words, info.offset, info.width)};
}

Value *ChainLowering::fieldNumeric(ir::FieldId field) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  switch (field) {
  case ir::FieldId::MetaIfindex:
    return ifaceIndex();
  case ir::FieldId::MetaMark:
    switch (family_) {
    case ir::HookFamily::Tc:
    case ir::HookFamily::CgroupSkb:
      return ctxLoad(kSkbMark, i32());
    case ir::HookFamily::Netfilter:
      return coreLoad(nfSkb_, "sk_buff", 1, i32());
    default:
      unverifiedBFIR("meta.mark on a hook without skb");
    }
  case ir::FieldId::MetaFlowHash:
    assumeVerified(family_ == ir::HookFamily::Tc, "meta.flow_hash outside TC");
    return b_.CreateTrunc(
        callHelper(detail::kHelperGetHashRecalc, i64(), {ctxArg_}), i32());
  case ir::FieldId::MetaL3Proto:
    return load(l3Proto_);
  case ir::FieldId::MetaL4Proto:
    return load(l4Proto_);
  default:
    break;
  }
  if (info.mask) {
    assumeVerified(family_ != ir::HookFamily::CgroupSockAddr,
                   "a masked field on a sock_addr hook");
    // (big-endian load & mask) >> shift, then the value's width.
    Value *raw = extract(headerWords(info.proto), info.offset, info.loadWidth);
    Value *v = b_.CreateLShr(b_.CreateAnd(bswap(raw), info.mask), info.shift);
    return b_.CreateTrunc(v, b_.getIntNTy(info.width * 8));
  }
  assumeVerified(info.width <= 8, "the numeric value of an address");
  return bswap(fieldRaw(field).lo);
}

} // namespace bfc::codegen::detail
