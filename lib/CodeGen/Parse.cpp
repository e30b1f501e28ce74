// Header parsing: Ethernet, IPv4, the IPv6 extension-header walk and the
// transport headers, once per packet into the packet state.

#include <fmt/format.h>

#include "Internal.h"

namespace bfc::codegen::detail {

void ChainLowering::emitParse() {
  // Every state variable starts at zero: absent headers read as zero, and
  // nothing is ever undefined (the verifier and LLVM both like that).
  for (const ir::Rule &rule : chain_.rules)
    for (const ir::Predicate &p : rule.predicates)
      usesChainBits_ |= p.kind == ir::Predicate::Kind::Ip6HeaderChain;
  // The whole state starts at zero.
  if (opaqueZero_) {
    for (unsigned at = 0; at < stateSize_; at += 8)
      b_.CreateStore(opaqueZero_,
                     b_.CreateConstInBoundsGEP1_64(i8(), stateBase_, at));
  } else {
    b_.CreateMemSet(stateBase_, b_.getInt8(0), stateSize_, MaybeAlign(8));
  }

  BasicBlock *done = block("parse.done");
  parseDone_ = done;
  if (family_ == ir::HookFamily::CgroupSockAddr) {
    emitSockAddrState();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    return;
  }

  Value *l3Off = nullptr;
  switch (family_) {
  case ir::HookFamily::Xdp:
  case ir::HookFamily::Tc: {
    // A frame shorter than an Ethernet header is malformed.
    Value *ok = readBytes(c64(0), wire::kEthernetHeaderSize, kEthChunks, l2_);
    BasicBlock *eth = block("eth"), *runt = block("runt");
    b_.CreateCondBr(ok, eth, runt);
    b_.SetInsertPoint(runt);
    store(malformed_, b_.getTrue());
    b_.CreateBr(done);
    b_.SetInsertPoint(eth);
    store(has_[kHasL2], b_.getTrue());
    store(l3Proto_, bswap(extract(l2_, 12, 2)));
    l3Off = c64(wire::kEthernetHeaderSize);
    break;
  }
  case ir::HookFamily::CgroupSkb:
    // skb->protocol holds the EtherType in network order.
    store(l3Proto_, bswap(b_.CreateTrunc(ctxLoad(kSkbProtocol, i32()), i16())));
    l3Off = c64(0);
    break;
  case ir::HookFamily::Netfilter: {
    Value *pf = coreLoad(nfState_, "nf_hook_state", 1, i8());
    Value *proto = b_.CreateSelect(
        b_.CreateICmpEQ(pf, b_.getInt8(2)), b_.getInt16(wire::kEtherTypeIp4),
        b_.CreateSelect(b_.CreateICmpEQ(pf, b_.getInt8(10)),
                        b_.getInt16(wire::kEtherTypeIp6), b_.getInt16(0)));
    store(l3Proto_, proto);
    Value *r = b_.CreateCall(ml_.kfunc("bpf_dynptr_from_skb"),
                             {nfSkb_, c64(0), dynptr_});
    BasicBlock *haveData = block("dynptr");
    b_.CreateCondBr(b_.CreateICmpEQ(r, c32(0)), haveData, done);
    b_.SetInsertPoint(haveData);
    l3Off = c64(0);
    break;
  }
  case ir::HookFamily::CgroupSockAddr:
    break;
  }

  l4Off_ = local(i64(), "l4off");
  store(l4Off_, c64(0));
  for (Slot &w : l3Read_)
    w = local(i64(), "l3read");
  BasicBlock *ip4 = block("ip4"), *ip6 = block("ip6");
  BasicBlock *transport = block("transport");
  BasicBlock *malformed = block("malformed");
  walkOff_ = local(i64(), "walkoff");
  store(walkOff_, l3Off);
  SwitchInst *sw = b_.CreateSwitch(load(l3Proto_), done, 2);
  sw->addCase(b_.getInt16(wire::kEtherTypeIp4), ip4);
  sw->addCase(b_.getInt16(wire::kEtherTypeIp6), ip6);

  b_.SetInsertPoint(ip4);
  emitIp4(malformed, transport);
  b_.SetInsertPoint(ip6);
  emitIp6(done, transport, malformed);
  b_.SetInsertPoint(malformed);
  store(malformed_, b_.getTrue());
  b_.CreateBr(done);
  b_.SetInsertPoint(transport);
  emitTransport(done, malformed);
  b_.SetInsertPoint(done);
}

void ChainLowering::emitSockAddrState() {
  unsigned family = ir::sockAddrFamily(chain_.hook);
  store(l3Proto_,
        b_.getInt16(family == 4 ? wire::kEtherTypeIp4 : wire::kEtherTypeIp6));
  store(has_[family == 4 ? kHasIp4 : kHasIp6], b_.getTrue());
  Value *proto = b_.CreateTrunc(ctxLoad(kSockProtocol, i32()), i8());
  store(l4Proto_, proto);
  store(has_[kHasTcp], b_.CreateICmpEQ(proto, b_.getInt8(wire::kIpProtoTcp)));
  store(has_[kHasUdp], b_.CreateICmpEQ(proto, b_.getInt8(wire::kIpProtoUdp)));
}

void ChainLowering::emitIp4(BasicBlock *malformed, BasicBlock *toTransport) {
  // Present when 20 bytes, version 4, IHL >= 5 and IHL * 4 bytes are
  // there; anything else claiming to be IPv4 is malformed.
  Value *l3Off = load(walkOff_);
  Value *ok = readBytes(l3Off, 20, kIp4Chunks, l3Read_);
  BasicBlock *check = block("ip4.check");
  b_.CreateCondBr(ok, check, malformed);
  b_.SetInsertPoint(check);
  Value *b0 = extract(l3Read_, 0, 1);
  Value *version = b_.CreateLShr(b0, 4);
  Value *ihl = b_.CreateAnd(b0, 0x0f);
  Value *hlen = b_.CreateShl(b_.CreateZExt(ihl, i64()), 2);
  Value *l4Off = b_.CreateAdd(l3Off, hlen);
  Value *valid = b_.CreateAnd(b_.CreateICmpEQ(version, b_.getInt8(4)),
                              b_.CreateICmpUGE(ihl, b_.getInt8(5)));
  BasicBlock *lenCheck = block("ip4.len");
  b_.CreateCondBr(valid, lenCheck, malformed);
  b_.SetInsertPoint(lenCheck);
  BasicBlock *present = block("ip4.present");
  b_.CreateCondBr(packetHas(l4Off), present, malformed);
  b_.SetInsertPoint(present);
  store(has_[kHasIp4], b_.getTrue());
  for (unsigned i = 0; i < kIp4Words; ++i)
    store(ip4_[i], load(l3Read_[i]));
  store(l4Proto_, extract(l3Read_, 9, 1));
  // A non-first fragment has no transport header.
  Value *fragOff =
      b_.CreateAnd(bswap(extract(l3Read_, 6, 2)), b_.getInt16(0x1fff));
  store(l4Off_, l4Off);
  BasicBlock *fragment = block("ip4.fragment");
  b_.CreateCondBr(b_.CreateICmpEQ(fragOff, b_.getInt16(0)), toTransport,
                  fragment);
  b_.SetInsertPoint(fragment);
  b_.CreateBr(parseDone_);
}

void ChainLowering::emitIp6(BasicBlock *done, BasicBlock *toTransport,
                            BasicBlock *malformed) {
  Value *l3Off = load(walkOff_);
  Value *ok = readBytes(l3Off, 40, kIp6Chunks, l3Read_);
  BasicBlock *check = block("ip6.check");
  b_.CreateCondBr(ok, check, malformed);
  b_.SetInsertPoint(check);
  Value *version = b_.CreateLShr(extract(l3Read_, 0, 1), 4);
  BasicBlock *present = block("ip6.present");
  b_.CreateCondBr(b_.CreateICmpEQ(version, b_.getInt8(6)), present, malformed);
  b_.SetInsertPoint(present);
  store(has_[kHasIp6], b_.getTrue());
  for (unsigned i = 0; i < kIp6Words; ++i)
    store(ip6_[i], load(l3Read_[i]));
  nextHdr_ = local(i8(), "nexthdr");
  extWord_ = local(i64(), "extword");
  store(nextHdr_, extract(l3Read_, 6, 1));
  store(walkOff_, b_.CreateAdd(l3Off, c64(40)));

  // The walk, unrolled: at most wire::kMaxIp6ExtensionHeaders extension
  // headers, the limit the interpreter applies too.
  auto recordChainBit = [&](Value *nh) {
    if (!usesChainBits_)
      return;
    // One bit per protocol number seen in the chain. The bit is computed
    // from the loaded byte, not per case, so it stays an unknown scalar to
    // the verifier and does not multiply its states.
    Value *nh64 = b_.CreateZExt(nh, i64());
    Value *bit = b_.CreateShl(c64(1), b_.CreateAnd(nh64, 63));
    Value *wordIndex = b_.CreateLShr(nh64, 6);
    for (unsigned w = 0; w < 4; ++w) {
      Value *mine = b_.CreateICmpEQ(wordIndex, c64(w));
      Value *old = load(chainBits_[w]);
      store(chainBits_[w],
            b_.CreateOr(old, b_.CreateSelect(mine, bit, c64(0))));
    }
  };

  for (unsigned step = 0; step <= wire::kMaxIp6ExtensionHeaders; ++step) {
    Value *nh = load(nextHdr_);
    recordChainBit(nh);
    // Until an extension header says otherwise, this is the transport.
    store(l4Proto_, nh);
    store(l4Off_, load(walkOff_));
    BasicBlock *body = block(fmt::format("ext{}", step));
    // After wire::kMaxIp6ExtensionHeaders headers, one more is a malformed
    // chain.
    BasicBlock *ext = step == wire::kMaxIp6ExtensionHeaders ? malformed : body;
    SwitchInst *sw =
        b_.CreateSwitch(nh, toTransport, wire::kIp6ExtensionHeaders.size());
    for (uint8_t e : wire::kIp6ExtensionHeaders)
      sw->addCase(b_.getInt8(e), ext);
    if (step == wire::kMaxIp6ExtensionHeaders) {
      body->eraseFromParent();
      break;
    }
    b_.SetInsertPoint(body);
    Value *off = load(walkOff_);
    Value *readOk = readBytes(off, 8, kSmallL4Chunks, {extWord_});
    BasicBlock *got = block(fmt::format("ext{}.got", step));
    b_.CreateCondBr(readOk, got, malformed);
    b_.SetInsertPoint(got);
    Value *word = load(extWord_);
    Value *len = b_.CreateAnd(b_.CreateLShr(word, 8), 0xff);
    Value *isFrag = b_.CreateICmpEQ(nh, b_.getInt8(wire::kIpProtoFragment));
    Value *isAh = b_.CreateICmpEQ(nh, b_.getInt8(wire::kIpProtoAh));
    Value *extLen = b_.CreateSelect(
        isFrag, c64(8),
        b_.CreateSelect(isAh, b_.CreateShl(b_.CreateAdd(len, c64(2)), 2),
                        b_.CreateShl(b_.CreateAdd(len, c64(1)), 3)));
    Value *end = b_.CreateAdd(off, extLen);
    BasicBlock *inside = block(fmt::format("ext{}.inside", step));
    b_.CreateCondBr(packetHas(end), inside, malformed);
    b_.SetInsertPoint(inside);
    // A fragment header with a non-zero offset ends the walk: no
    // transport header in this fragment.
    Value *fragOff =
        b_.CreateAnd(bswap(b_.CreateTrunc(b_.CreateLShr(word, 16), i16())),
                     b_.getInt16(0xfff8));
    Value *laterFragment =
        b_.CreateAnd(isFrag, b_.CreateICmpNE(fragOff, b_.getInt16(0)));
    BasicBlock *next = block(fmt::format("ext{}.next", step));
    Value *nextNh = b_.CreateTrunc(word, i8());
    store(nextHdr_, nextNh);
    store(walkOff_, end);
    BasicBlock *fragStop = block(fmt::format("ext{}.fragment", step));
    b_.CreateCondBr(laterFragment, fragStop, next);
    b_.SetInsertPoint(fragStop);
    store(l4Proto_, nextNh);
    recordChainBit(nextNh);
    b_.CreateBr(done);
    b_.SetInsertPoint(next);
  }
}

void ChainLowering::emitTransport(BasicBlock *done, BasicBlock *malformed) {
  // Reached from IPv4 and from the IPv6 walk, with l4proto and l4off set.
  Value *proto = load(l4Proto_);
  Value *off = load(l4Off_);
  BasicBlock *tcp = block("tcp"), *udp = block("udp"), *icmp = block("icmp");
  BasicBlock *icmp6 = block("icmpv6");
  SwitchInst *sw = b_.CreateSwitch(proto, done, 4);
  sw->addCase(b_.getInt8(wire::kIpProtoTcp), tcp);
  sw->addCase(b_.getInt8(wire::kIpProtoUdp), udp);
  sw->addCase(b_.getInt8(wire::kIpProtoIcmp), icmp);
  sw->addCase(b_.getInt8(wire::kIpProtoIcmpv6), icmp6);

  auto header = [&](BasicBlock *bb, unsigned len, ArrayRef<Chunk> chunks,
                    ArrayRef<Slot> words, Presence flag,
                    std::optional<Presence> needs) {
    b_.SetInsertPoint(bb);
    if (needs) {
      // ICMP only over IPv4, ICMPv6 only over IPv6.
      BasicBlock *go = block(bb->getName() + ".read");
      b_.CreateCondBr(load(has_[*needs]), go, done);
      b_.SetInsertPoint(go);
    }
    // A transport header cut short is malformed. The words are only
    // written when the whole header was read.
    Value *ok = readBytes(off, len, chunks, words);
    store(has_[flag], ok);
    if (flag == kHasTcp || flag == kHasUdp)
      store(ports_[0], b_.CreateAnd(load(words[0]), c64(0xffffffff)));
    b_.CreateCondBr(ok, done, malformed);
  };
  header(tcp, 20, kTcpChunks, tcp_, kHasTcp, std::nullopt);
  header(udp, 8, kSmallL4Chunks, udp_, kHasUdp, std::nullopt);
  header(icmp, 8, kSmallL4Chunks, icmp_, kHasIcmp, kHasIp4);
  header(icmp6, 8, kSmallL4Chunks, icmp6_, kHasIcmpv6, kHasIp6);
}

} // namespace bfc::codegen::detail
