// Actions of a matched rule: counters, log events, marks and verdicts.
#include <cstddef>

#include <fmt/format.h>

#include "bfc/runtime/ObjectFormat.h"

#include "Internal.h"

namespace bfc::codegen::detail {

AllocaInst *ChainLowering::keySlot() {
  // One key slot for every map lookup by index: the stack is 512 bytes for
  // the whole program, and thousands of rules may count. Between lookups it
  // holds 0 on every path (zeroed first, reset after each use, volatile so
  // LLVM keeps these "dead" stores): the verifier compares stack contents
  // when it decides whether a state was seen before, and a key left behind
  // by one rule's match would make it walk the remaining rules again.
  if (!u32Key_) {
    u32Key_ = var(i64(), "key", 8);
    auto *zero = new StoreInst(c64(0), u32Key_, true, Align(8));
    zero->insertAfter(u32Key_);
  }
  return u32Key_;
}

void ChainLowering::resetKeySlot() {
  b_.CreateAlignedStore(c64(0), keySlot(), Align(8), true);
}

void ChainLowering::bumpCounter(uint32_t index) {
  AllocaInst *key = keySlot();
  // Map keys are u32, written as a whole 8-byte stack slot.
  b_.CreateStore(c64(index), key);
  Value *entry =
      callHelper(detail::kHelperMapLookupElem, ptr(), {counters_, key});
  BasicBlock *bump = block("count"), *done = block("counted");
  b_.CreateCondBr(b_.CreateIsNull(entry), done, bump);
  b_.SetInsertPoint(bump);
  // Per-CPU entries: plain read-modify-write is enough.
  Value *packets = b_.CreateLoad(i64(), entry);
  b_.CreateStore(b_.CreateAdd(packets, c64(1)), entry);
  Value *bytesPtr = b_.CreateConstInBoundsGEP1_64(i8(), entry, 8);
  Value *bytes = b_.CreateLoad(i64(), bytesPtr);
  b_.CreateStore(b_.CreateAdd(bytes, bytesCounted()), bytesPtr);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  resetKeySlot();
}

void ChainLowering::emitLog(const ir::Rule &rule) {
  BasicBlock *done = block("logged");
  if (rule.log.rateNs) {
    // Emit when no event of this rule was emitted in the last rateNs
    // nanoseconds; the first event always is.
    AllocaInst *key = keySlot();
    b_.CreateStore(c64(rule.index), key);
    Value *last = callHelper(detail::kHelperMapLookupElem, ptr(), {rate_, key});
    resetKeySlot();
    BasicBlock *check = block("log.rate");
    b_.CreateCondBr(b_.CreateIsNull(last), done, check);
    b_.SetInsertPoint(check);
    Value *now = callHelper(detail::kHelperKtimeGetNs, i64(), {});
    Value *previous = b_.CreateLoad(i64(), last);
    Value *recent = b_.CreateAnd(
        b_.CreateICmpNE(previous, c64(0)),
        b_.CreateICmpULT(b_.CreateSub(now, previous), c64(rule.log.rateNs)));
    BasicBlock *emit = block("log.emit");
    b_.CreateCondBr(recent, done, emit);
    b_.SetInsertPoint(emit);
    b_.CreateStore(now, last);
  }
  constexpr uint64_t size = sizeof(struct bfc_log_event);
  Value *event = callHelper(detail::kHelperRingbufReserve, ptr(),
                            {log_, c64(size), c64(0)});
  BasicBlock *fill = block("log.fill");
  b_.CreateCondBr(b_.CreateIsNull(event), done, fill);
  b_.SetInsertPoint(fill);
  // Reserved ring buffer memory is not zeroed: clear it all so no stale
  // bytes reach user space.
  b_.CreateMemSet(event, b_.getInt8(0), size, MaybeAlign(8));
  auto put = [&](size_t offset, Value *v) {
    Value *p = b_.CreateConstInBoundsGEP1_64(i8(), event, offset);
    unsigned width = ml_.mod->getDataLayout().getTypeStoreSize(v->getType());
    unsigned align = 1;
    while (align < width && offset % (align * 2) == 0)
      align *= 2;
    b_.CreateStore(v, p)->setAlignment(Align(align));
  };
  put(offsetof(bfc_log_event, timestamp_ns),
      callHelper(detail::kHelperKtimeGetNs, i64(), {}));
  put(offsetof(bfc_log_event, rule), c32(rule.index));
  put(offsetof(bfc_log_event, verdict),
      b_.getInt8(static_cast<uint8_t>(rule.verdict)));
  put(offsetof(bfc_log_event, l3_proto), load(l3Proto_));
  put(offsetof(bfc_log_event, l4_proto), load(l4Proto_));
  if (family_ == ir::HookFamily::CgroupSockAddr) {
    put(offsetof(bfc_log_event, kind), b_.getInt8(uint8_t{BFC_LOG_SOCK_ADDR}));
    Value *pidTgid = callHelper(detail::kHelperGetCurrentPidTgid, i64(), {});
    put(offsetof(bfc_log_event, pid),
        b_.CreateTrunc(b_.CreateLShr(pidTgid, 32), i32()));
    callHelper(detail::kHelperGetCurrentComm, i64(),
               {b_.CreateConstInBoundsGEP1_64(i8(), event,
                                              offsetof(bfc_log_event, comm)),
                c64(16)});
    bool v4 = ir::sockAddrFamily(chain_.hook) == 4;
    RawValue daddr = fieldRaw(
        v4 ? ir::FieldId::Ip4Daddr : ir::FieldId::Ip6Daddr, rule.range);
    put(offsetof(bfc_log_event, daddr), daddr.lo);
    if (daddr.hi)
      put(offsetof(bfc_log_event, daddr) + 8, daddr.hi);
    put(offsetof(bfc_log_event, dport),
        bswap(fieldRaw(ir::FieldId::L4Dport, rule.range).lo));
  } else {
    put(offsetof(bfc_log_event, kind), b_.getInt8(uint8_t{BFC_LOG_PACKET}));
    put(offsetof(bfc_log_event, pkt_len),
        b_.CreateTrunc(bytesCounted(), i32()));
    // Headers: fixed parts only (Ethernet 14, IPv4 20, IPv6 40, TCP 20,
    // UDP/ICMP/ICMPv6 8), copied from the parsed words, when requested and
    // present.
    auto copyHeader = [&](Value *presentFlag, ArrayRef<Slot> words,
                          unsigned len, size_t lenField, size_t dataField) {
      BasicBlock *copy = block("log.copy"), *next = block("log.next");
      b_.CreateCondBr(presentFlag, copy, next);
      b_.SetInsertPoint(copy);
      put(lenField, b_.getInt8(len));
      for (unsigned at = 0; at < len; at += 8) {
        unsigned n = std::min(8u, len - at);
        Value *w = load(words[at / 8]);
        if (n == 8) {
          put(dataField + at, w);
          continue;
        }
        // Tail: 4 then 2 bytes.
        unsigned copied = 0;
        for (unsigned piece : {4u, 2u}) {
          if (n - copied < piece)
            continue;
          Value *part = b_.CreateTrunc(b_.CreateLShr(w, copied * 8),
                                       b_.getIntNTy(piece * 8));
          put(dataField + at + copied, part);
          copied += piece;
        }
      }
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    };
    uint8_t headers = rule.log.headers;
    if ((headers & ir::kLogLink) && ir::hookHasL2(chain_.hook))
      copyHeader(load(has_[kHasL2]), l2_, 14, offsetof(bfc_log_event, l2_len),
                 offsetof(bfc_log_event, l2));
    if (headers & ir::kLogInternet) {
      copyHeader(load(has_[kHasIp4]), ip4_, 20, offsetof(bfc_log_event, l3_len),
                 offsetof(bfc_log_event, l3));
      copyHeader(load(has_[kHasIp6]), ip6_, 40, offsetof(bfc_log_event, l3_len),
                 offsetof(bfc_log_event, l3));
    }
    if (headers & ir::kLogTransport) {
      copyHeader(load(has_[kHasTcp]), tcp_, 20, offsetof(bfc_log_event, l4_len),
                 offsetof(bfc_log_event, l4));
      copyHeader(load(has_[kHasUdp]), udp_, 8, offsetof(bfc_log_event, l4_len),
                 offsetof(bfc_log_event, l4));
      copyHeader(load(has_[kHasIcmp]), icmp_, 8,
                 offsetof(bfc_log_event, l4_len), offsetof(bfc_log_event, l4));
      copyHeader(load(has_[kHasIcmpv6]), icmp6_, 8,
                 offsetof(bfc_log_event, l4_len), offsetof(bfc_log_event, l4));
    }
  }
  callHelper(detail::kHelperRingbufSubmit, b_.getVoidTy(), {event, c64(0)});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void ChainLowering::emitMark(const ir::Rule &rule) {
  switch (family_) {
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb: {
    Value *p = ctxField(kSkbMark);
    b_.CreateStore(c32(*rule.mark), p)->setAlignment(Align(4));
    return;
  }
  default:
    // Netfilter programs can read skb->mark through BTF but not write it.
    ml_.error(rule.range, fmt::format("mark is not supported on {}",
                                      ir::hookName(chain_.hook)));
  }
}

int32_t ChainLowering::returnCode(ir::Verdict verdict, SourceRange where) {
  bool accept = verdict == ir::Verdict::Accept || verdict == ir::Verdict::Next;
  switch (family_) {
  case ir::HookFamily::Xdp:
    return accept ? kXdpPass : kXdpDrop;
  case ir::HookFamily::Tc:
    if (verdict == ir::Verdict::Next)
      return kTcxNext;
    return accept ? kTcxPass : kTcxDrop;
  case ir::HookFamily::Netfilter:
    return accept ? kNfAccept : kNfDrop;
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr:
    return accept ? 1 : 0;
  }
  (void)where;
  return 0;
}

void ChainLowering::emitReturn(Value *code, const ir::Rule *rule) {
  if (!inGroup_) {
    b_.CreateRet(code);
    return;
  }
  // A rule-group subprogram returns (rule index + 1) << 32 | code: 0 means
  // no decision. Distinct values per rule also keep LLVM from sharing one
  // return block between rules (a shared block would be the jump target of
  // every rule's branch, and the verifier would keep one pending state per
  // rule; see holdsBranch()).
  uint64_t tag = uint64_t(rule ? rule->index + 1 : 0) << 32;
  b_.CreateRet(b_.CreateOr(b_.CreateZExt(code, i64()), c64(tag)));
}

void ChainLowering::emitVerdict(ir::Verdict verdict, const ir::Rule *rule,
                                BasicBlock *next) {
  switch (verdict) {
  case ir::Verdict::Continue:
    if (!rule) {
      ml_.error(chain_.range, "CONTINUE is not a chain policy");
      emitReturn(c32(0), rule);
      return;
    }
    b_.CreateBr(next);
    return;
  case ir::Verdict::Redirect: {
    if (!rule ||
        (family_ != ir::HookFamily::Xdp && family_ != ir::HookFamily::Tc)) {
      ml_.error(rule ? rule->range : chain_.range,
                fmt::format("REDIRECT is not supported on {}",
                            ir::hookName(chain_.hook)));
      emitReturn(c32(0), rule);
      return;
    }
    Value *ifindex = c32(rule->redirectIfindex);
    if (rule->redirectSlot) {
      if (!ml_.hostSlots ||
          *rule->redirectSlot >= ml_.irModule.hostSlots.size()) {
        ml_.error(rule->range, "internal error: unknown host slot");
        emitReturn(c32(0), rule);
        return;
      }
      ifindex = hostSlot(*rule->redirectSlot);
    }
    uint64_t flags = family_ == ir::HookFamily::Tc &&
                             rule->redirectDir == ir::RedirectDir::In
                         ? kBpfFIngress
                         : 0;
    Value *r = callHelper(detail::kHelperRedirect, i64(),
                          {b_.CreateZExt(ifindex, i64()), c64(flags)});
    emitReturn(b_.CreateTrunc(r, i32()), rule);
    return;
  }
  default:
    emitReturn(c32(static_cast<uint32_t>(returnCode(verdict, chain_.range))),
               rule);
  }
}

} // namespace bfc::codegen::detail
