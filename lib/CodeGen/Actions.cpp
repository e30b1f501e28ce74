// Actions of a matched rule: counters, log events, marks and verdicts.
#include <cstddef>

#include <fmt/format.h>

#include "bfc/runtime/ObjectFormat.h"

#include "Internal.h"

namespace bfc::codegen::detail {

void ChainLowering::bumpCounter(Value *index) {
  // Map keys are u32, written as a whole 8-byte stack slot.
  b_.CreateStore(index, indexKey_);
  Value *entry =
      callHelper(detail::kHelperMapLookupElem, ptr(), {counters_, indexKey_});
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
}

bool ChainLowering::countInline(const ir::Rule &rule) {
  if (!rule.counter || rule.log.enabled || rule.mark ||
      rule.verdict != ir::Verdict::Continue ||
      inlineCounters_ >= kInlineCounters)
    return false;
  ++inlineCounters_;
  if (!counterKey_)
    counterKey_ = var(i64(), "counterkey", 8);
  AllocaInst *epilogueKey = indexKey_;
  indexKey_ = counterKey_;
  bumpCounter(c64(rule.index));
  indexKey_ = epilogueKey;
  return true;
}

void ChainLowering::emitLog(Value *index, Value *action,
                            GlobalVariable *every) {
  BasicBlock *done = block("logged");
  // One clock reading: the `every` window and the event's timestamp agree.
  Value *now = callHelper(detail::kHelperKtimeGetNs, i64(), {});
  // `every`: the rule's last event time, null when it has no rate limit.
  Value *last = nullptr;
  if (every) {
    // Emit when no event of this rule was emitted in the last N
    // nanoseconds; the first event always is.
    BasicBlock *limited = block("log.limited"), *check = block("log.rate");
    BasicBlock *reserve = block("log.reserve");
    BasicBlock *from = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateICmpNE(b_.CreateAnd(action, kActionEvery), c32(0)),
                    limited, reserve);
    b_.SetInsertPoint(limited);
    b_.CreateStore(index, indexKey_);
    Value *entry =
        callHelper(detail::kHelperMapLookupElem, ptr(), {rate_, indexKey_});
    b_.CreateCondBr(b_.CreateIsNull(entry), done, check);
    b_.SetInsertPoint(check);
    Value *previous = b_.CreateLoad(i64(), entry);
    Value *recent = b_.CreateAnd(b_.CreateICmpNE(previous, c64(0)),
                                 b_.CreateICmpULT(b_.CreateSub(now, previous),
                                                  tableEntry(every, index)));
    b_.CreateCondBr(recent, done, reserve);
    b_.SetInsertPoint(reserve);
    PHINode *phi = b_.CreatePHI(ptr(), 2, "last");
    phi->addIncoming(ConstantPointerNull::get(ptr()), from);
    phi->addIncoming(entry, check);
    last = phi;
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
  // The window moves only now that an event is sure to be emitted.
  if (last) {
    BasicBlock *move = block("log.window"), *moved = block("log.moved");
    b_.CreateCondBr(b_.CreateIsNull(last), moved, move);
    b_.SetInsertPoint(move);
    b_.CreateStore(now, last);
    b_.CreateBr(moved);
    b_.SetInsertPoint(moved);
  }
  put(offsetof(bfc_log_event, timestamp_ns), now);
  put(offsetof(bfc_log_event, rule), b_.CreateTrunc(index, i32()));
  put(offsetof(bfc_log_event, verdict),
      b_.CreateTrunc(b_.CreateAnd(action, kActionVerdict), i8()));
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
    RawValue daddr =
        fieldRaw(v4 ? ir::FieldId::Ip4Daddr : ir::FieldId::Ip6Daddr);
    put(offsetof(bfc_log_event, daddr), daddr.lo);
    if (daddr.hi)
      put(offsetof(bfc_log_event, daddr) + 8, daddr.hi);
    put(offsetof(bfc_log_event, dport),
        bswap(fieldRaw(ir::FieldId::L4Dport).lo));
  } else {
    put(offsetof(bfc_log_event, kind), b_.getInt8(uint8_t{BFC_LOG_PACKET}));
    put(offsetof(bfc_log_event, pkt_len),
        b_.CreateTrunc(bytesCounted(), i32()));
    // Headers: fixed parts only (Ethernet 14, IPv4 20, IPv6 40, TCP 20,
    // UDP/ICMP/ICMPv6 8), copied from the parsed words, when requested and
    // present.
    auto copyHeader = [&](uint8_t header, Presence presence,
                          ArrayRef<Slot> words, unsigned len, size_t lenField,
                          size_t dataField) {
      BasicBlock *copy = block("log.copy"), *next = block("log.next");
      Value *wanted = b_.CreateICmpNE(
          b_.CreateAnd(action, uint32_t(header) << kActionLogHeadersShift),
          c32(0));
      b_.CreateCondBr(b_.CreateAnd(wanted, load(has_[presence])), copy, next);
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
    if (ir::hookHasL2(chain_.hook))
      copyHeader(ir::kLogLink, kHasL2, l2_, 14, offsetof(bfc_log_event, l2_len),
                 offsetof(bfc_log_event, l2));
    size_t l3Len = offsetof(bfc_log_event, l3_len);
    size_t l3 = offsetof(bfc_log_event, l3);
    copyHeader(ir::kLogInternet, kHasIp4, ip4_, 20, l3Len, l3);
    copyHeader(ir::kLogInternet, kHasIp6, ip6_, 40, l3Len, l3);
    size_t l4Len = offsetof(bfc_log_event, l4_len);
    size_t l4 = offsetof(bfc_log_event, l4);
    copyHeader(ir::kLogTransport, kHasTcp, tcp_, 20, l4Len, l4);
    copyHeader(ir::kLogTransport, kHasUdp, udp_, 8, l4Len, l4);
    copyHeader(ir::kLogTransport, kHasIcmp, icmp_, 8, l4Len, l4);
    copyHeader(ir::kLogTransport, kHasIcmpv6, icmp6_, 8, l4Len, l4);
  }
  callHelper(detail::kHelperRingbufSubmit, b_.getVoidTy(), {event, c64(0)});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void ChainLowering::emitMark(Value *mark) {
  // TC and cgroup_skb only (the rule tables reject the other hooks).
  b_.CreateStore(mark, ctxField(kSkbMark))->setAlignment(Align(4));
}

Value *ChainLowering::hostSlotAt(Value *slot) {
  Value *p = b_.CreateInBoundsGEP(ml_.hostSlots->getValueType(), ml_.hostSlots,
                                  {c64(0), slot});
  LoadInst *l = b_.CreateLoad(i32(), p);
  l->setVolatile(true); // written by the loader, see hostSlot()
  l->setAlignment(Align(4));
  return l;
}

int32_t ChainLowering::returnCode(ir::Verdict verdict) {
  std::optional<int32_t> code = ir::hookReturnCode(chain_.hook, verdict);
  assumeVerified(code.has_value(), "a verdict without return code");
  return *code;
}

void ChainLowering::emitReturn(Value *code, Value *ruleIndex) {
  if (!inGroup_) {
    b_.CreateRet(code);
    return;
  }
  // A rule-group subprogram returns (rule index + 1) << 32 | code: 0 means
  // no decision. Distinct values per rule also keep LLVM from sharing one
  // return block between rules (a shared block would be the jump target of
  // every rule's branch, and the verifier would keep one pending state per
  // rule; see holdsBranch()).
  Value *tag = c64(0);
  if (ruleIndex)
    tag =
        b_.CreateShl(b_.CreateAdd(b_.CreateZExt(ruleIndex, i64()), c64(1)), 32);
  b_.CreateRet(b_.CreateOr(b_.CreateZExt(code, i64()), tag));
}

void ChainLowering::emitVerdict(ir::Verdict verdict, const ir::Rule *rule,
                                BasicBlock *next) {
  Value *index = rule ? c32(rule->index) : nullptr;
  if (verdict == ir::Verdict::Continue && rule) {
    b_.CreateBr(next);
    return;
  }
  // Policies are ACCEPT, DROP or NEXT; redirects go through the epilogue.
  assumeVerified(verdict != ir::Verdict::Continue &&
                     verdict != ir::Verdict::Redirect,
                 "a policy without return code");
  emitReturn(c32(static_cast<uint32_t>(returnCode(verdict))), index);
}

} // namespace bfc::codegen::detail
