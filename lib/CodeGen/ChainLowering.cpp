// The chain driver: one chain -> one program function (maps, packet state,
// parse, rules or rule-group subprograms, policy).
#include <fmt/format.h>

#include "bfc/runtime/ObjectFormat.h"

#include "Internal.h"
#include "ProgramSize.h"

namespace bfc::codegen::detail {

void ChainLowering::run() {
  // The context type named in BTF; the kernel checks it only for global
  // functions, but tools show it.
  std::string ctxName;
  switch (family_) {
  case ir::HookFamily::Xdp:
    ctxName = "xdp_md";
    break;
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb:
    ctxName = "__sk_buff";
    break;
  case ir::HookFamily::Netfilter:
    ctxName = "bpf_nf_ctx";
    break;
  case ir::HookFamily::CgroupSockAddr:
    ctxName = "bpf_sock_addr";
    break;
  }
  DebugTypes &types = *ml_.types;
  DIType *ctxType = types.pointerTo(types.opaqueStruct(ctxName));
  auto *fnType = FunctionType::get(i32(), {ptr()}, false);
  fn_ = Function::Create(fnType, GlobalValue::ExternalLinkage, sym_.program,
                         ml_.mod.get());
  fn_->setSection(sym_.section);
  fn_->setDSOLocal(true);
  fn_->addFnAttr(Attribute::NoUnwind);
  ctxArg_ = fn_->getArg(0);
  ctxArg_->setName("ctx");
  unsigned line = chain_.range.begin.line;
  sp_ = ml_.dib->createFunction(
      ml_.file, sym_.program, sym_.program, ml_.file, line,
      types.programType(ctxType), line, DINode::FlagPrototyped,
      DISubprogram::SPFlagDefinition | DISubprogram::SPFlagOptimized);
  fn_->setSubprogram(sp_);
  // Named parameter: the kernel rejects BTF func info without it.
  ml_.dib->createParameterVariable(sp_, "ctx", 1, ml_.file, line, ctxType,
                                   true);

  uint32_t rules = static_cast<uint32_t>(chain_.rules.size());
  counters_ = ml_.createMap(sym_.counters, detail::kMapPercpuArray, rules + 2,
                            0, types.u32(), types.counterType());
  if (!sym_.log.empty())
    log_ = ml_.createMap(sym_.log, detail::kMapRingbuf, detail::kRingbufBytes,
                         0, nullptr, nullptr);
  if (!sym_.rateMap.empty())
    rate_ = ml_.createMap(sym_.rateMap, detail::kMapArray, rules, 0,
                          types.u32(), types.u64());
  setMaps_ = planSetMaps(chain_);
  std::vector<GlobalVariable *> setMaps;
  for (size_t m = 0; m < setMaps_.maps.size(); ++m) {
    const SetMapPlan::Map &map = setMaps_.maps[m];
    assumeVerified(map.keySize != 0, "a set without key");
    // A shared map's keys start with the set id: in an LPM trie, as the
    // data's leading 32 bits.
    unsigned data = (map.shared ? 4 : 0) + map.keySize;
    DIType *key = types.arrayOf(types.u8(), data);
    if (map.lpm)
      key = types.structType(
          "", {{"prefixlen", types.u32(), 32}, {"addr", key, data * 8ull}});
    setMaps.push_back(ml_.createMap(
        sym_.setMaps[m], map.lpm ? detail::kMapLpmTrie : detail::kMapHash,
        map.maxEntries, map.lpm ? detail::kMapFlagNoPrealloc : 0, key,
        types.u8()));
  }
  for (uint32_t map : setMaps_.mapOf)
    sets_.push_back(setMaps[map]);

  createTableMaps();

  // The packet state: parsed once, read by every rule.
  l3Proto_ = stateSlot(i16(), kStateFlags, kBitL3Proto);
  l4Proto_ = stateSlot(i8(), kStateFlags, kBitL4Proto);
  malformed_ = stateSlot(i1(), kStateFlags, kBitMalformed);
  for (unsigned i = 0; i < kNumPresence; ++i)
    has_[i] = stateSlot(i1(), kStateFlags, kBitHas + static_cast<int>(i));
  for (unsigned i = 0; i < 4; ++i)
    chainBits_[i] = stateSlot(i64(), kStateChainBits + 8 * i);
  auto words = [&](auto &array, unsigned offset) {
    for (unsigned i = 0; i < array.size(); ++i)
      array[i] = stateSlot(i64(), offset + 8 * i);
  };
  words(l2_, kStateL2);
  words(ip4_, kStateIp4);
  words(ip6_, kStateIp6);
  words(tcp_, kStateTcp);
  words(udp_, kStateUdp);
  words(icmp_, kStateIcmp);
  words(icmp6_, kStateIcmpv6);
  words(ports_, kStatePorts);

  entry_ = block("entry");
  b_.SetInsertPoint(entry_);
  setLocation(chain_.range);
  stateBase_ = var(ArrayType::get(i8(), stateSize_), "state", 8);
  std::vector<std::pair<size_t, size_t>> groups = ruleGroups();
  // Known before LLVM spends minutes on such a chain: the program and its
  // rule groups alone are more functions than the verifier accepts.
  if (groups.size() > 1 && groups.size() + 1 > ml_.options.subprogramLimit) {
    ml_.error(chain_.range, tooManyFunctions(chain_.name, groups.size() + 1,
                                             ml_.options.subprogramLimit));
    return;
  }
  if (groups.size() > 1) {
    // The verifier walks the rules once per distinct set of known values it
    // has for the packet state: with constant presence flags that is one
    // walk per header combination (a dozen), too many for thousands of
    // rules. bpf_get_prandom_u32() returns a u32, so the upper half of its
    // 64-bit result is zero at run time, but the verifier does not know it
    // (unlike bpf_get_smp_processor_id(), whose range it tracks): OR-ed into
    // every state store, it makes the state opaque, and the rules are
    // walked about once.
    // hi | hi << 32 spreads the unknown bits over all 64: with hi alone,
    // the upper halves of words would still be known zeros.
    Value *hi =
        b_.CreateLShr(callHelper(detail::kHelperGetPrandomU32, i64(), {}), 32);
    opaqueZero_ = b_.CreateOr(hi, b_.CreateShl(hi, 32));
  }
  emitPrologue();
  emitParse();
  emitEpilogueFunction();
  emitCandidateFunctions();
  // Malformed packets bump the error counter once, then are filtered with
  // the headers that were present.
  BasicBlock *countError = block("error");
  BasicBlock *counted = block("errors.counted");
  b_.CreateCondBr(load(malformed_), countError, counted);
  b_.SetInsertPoint(countError);
  emitEffects(c32(BFC_COUNTER_ERRORS(rules)));
  b_.CreateBr(counted);
  b_.SetInsertPoint(counted);
  // The tables are looked up before the first rule that needs `best`
  // (emitOrderedRule): rules before every candidate may decide first.

  if (groups.size() <= 1) {
    for (const ir::Rule *rule : order_) {
      BasicBlock *next = block(fmt::format("rule{}.next", rule->index));
      emitOrderedRule(*rule, next);
      next->moveAfter(&fn_->back());
      b_.SetInsertPoint(next);
    }
    emitChainEnd();
    return;
  }

  for (size_t g = 0; g < groups.size(); ++g) {
    // The lookups store into the state with opaqueZero_: in this function.
    for (size_t i = groups[g].first; i < groups[g].second; ++i)
      if (!tablesLookedUp_ && order_[i]->index > firstClassified_)
        emitTableLookups();
    Function *group = emitGroup(g, groups[g].first, groups[g].second);
    Value *r = b_.CreateCall(group, {ctxArg_, stateBase_});
    BasicBlock *decided = block(fmt::format("group{}.decided", g));
    BasicBlock *next = block(fmt::format("group{}.next", g));
    b_.CreateCondBr(b_.CreateICmpEQ(r, c64(kNoDecision)), next, decided);
    b_.SetInsertPoint(decided);
    // The return code is the low half (masked where the verifier checks
    // it: a global function returns an unknown value); the verifier checks
    // all 64 bits of r0 against the hook's range, and LLVM would not clear
    // the upper half of an i32 return value: a 32-bit move does.
    auto *movType = FunctionType::get(i32(), {i32()}, false);
    b_.CreateRet(b_.CreateCall(
        InlineAsm::get(movType, "$0 = $1", "=w,w", false), {epilogueCode(r)}));
    b_.SetInsertPoint(next);
  }
  emitChainEnd();
}

// After the last rule: the best rule the tables found if no residual rule
// applied it already, else the policy.
void ChainLowering::emitChainEnd() {
  setLocation(chain_.range);
  if (!bestApplied_)
    emitBestRule();
  uint32_t rules = static_cast<uint32_t>(chain_.rules.size());
  emitFlush(c32(rules), rules);
  emitEffects(
      c32(BFC_COUNTER_POLICY(static_cast<uint32_t>(chain_.rules.size()))),
      /*inlined=*/true);
  emitVerdict(chain_.policy, nullptr, nullptr);
}

} // namespace bfc::codegen::detail
