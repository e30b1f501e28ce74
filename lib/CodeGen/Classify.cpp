// Classification in the program (docs/codegen.md, "Classification"): the
// classifier tables of the chain's plan are looked up once per packet, which
// gives the lowest matching classified rule (`best`); the residual rules run
// in order, each only while its index is below `best`, and rule `best` is
// applied through the shared epilogue once no residual rule before it
// decided.
#include <fmt/format.h>

#include "Internal.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::codegen::detail {

void ChainLowering::createTableMaps() {
  // A never-matching rule gets no code: only its counter slot and its
  // entries in the rule tables remain.
  order_.clear();
  if (plan_.empty()) {
    for (const ir::Rule &rule : chain_.rules)
      if (!rule.neverMatches)
        order_.push_back(&rule);
    return;
  }
  for (uint32_t index : plan_.residual)
    if (!chain_.rules[index].neverMatches)
      order_.push_back(&chain_.rules[index]);
  DebugTypes &types = *ml_.types;
  firstClassified_ = kNoBestRule;
  lastClassified_ = 0;
  for (size_t t = 0; t < plan_.tables.size(); ++t) {
    const transform::ClassifierTable &table = plan_.tables[t];
    unsigned keySize = table.keySize();
    DIType *key = types.arrayOf(types.u8(), keySize);
    if (table.lpm)
      key = types.structType(
          "", {{"prefixlen", types.u32(), 32}, {"addr", key, keySize * 8ull}});
    // Mirrored sets: struct bfc_table_value, whose first word is the rule.
    DIType *value =
        table.mirrors.empty()
            ? types.u32()
            : types.structType("bfc_table_value", {{"rule", types.u32(), 32},
                                                   {"base", types.u32(), 32}});
    tables_.push_back(
        ml_.createMap(sym_.tables[t], table.lpm ? kMapLpmTrie : kMapHash,
                      tableMaxEntries(chain_, table),
                      table.lpm ? kMapFlagNoPrealloc : 0, key, value));
    for (uint32_t rule : table.rules) {
      firstClassified_ = std::min(firstClassified_, rule);
      lastClassified_ = std::max(lastClassified_, rule);
    }
  }
  best_ = stateSlot(IntegerType::get(ml_.ctx, 24), kStateFlags, kBitBest);
  bestApplied_ = false;
  tablesLookedUp_ = false;
  buildCandidateTables();
}

AllocaInst *ChainLowering::keyBuffer() {
  // One key buffer per function, sized for the largest key, shared by every
  // set and table lookup: the stack is 512 bytes for the whole call chain.
  if (!setKey_) {
    unsigned largest = 0;
    for (uint32_t s = 0; s < chain_.sets.size(); ++s)
      largest = std::max(largest, setMaps_.lookupKeySize(s));
    for (const transform::ClassifierTable &t : plan_.tables)
      largest = std::max(largest, (t.lpm ? 4 : 0) + t.keySize());
    setKey_ = var(ArrayType::get(i8(), largest), "setkey", 8);
  }
  return setKey_;
}

void ChainLowering::putKeyField(AllocaInst *key, unsigned at, ir::FieldId field,
                                unsigned bits) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  RawValue raw = fieldRaw(field);
  ir::Bytes mask = prefixMask(info.width, bits);
  auto put = [&](Value *v, unsigned offset, unsigned maskBegin) {
    if (bits < info.width * 8) {
      unsigned bytes = v->getType()->getIntegerBitWidth() / 8;
      bytes = std::min(bytes, info.width - maskBegin);
      v = b_.CreateAnd(
          v, ConstantInt::get(v->getType(),
                              fromLittleEndian(&mask[maskBegin], bytes)));
    }
    Value *p = b_.CreateConstInBoundsGEP1_64(i8(), key, offset);
    StoreInst *s = b_.CreateStore(v, p);
    s->setAlignment(
        Align(offset & -offset ? std::min(offset & -offset, 8u) : 8u));
  };
  put(raw.lo, at, 0);
  if (raw.hi)
    put(raw.hi, at + 8, 8);
}

void ChainLowering::emitTableLookups() {
  tablesLookedUp_ = true;
  IntegerType *bestType = cast<IntegerType>(best_.type);
  store(best_, ConstantInt::get(bestType, kNoBestRule));
  for (size_t t = 0; t < plan_.tables.size(); ++t) {
    const transform::ClassifierTable &table = plan_.tables[t];
    // Absent headers read as zero and could match a zero key.
    Value *present = b_.getTrue();
    auto need = [&](uint8_t bit, ir::Proto proto) {
      if (table.headers & bit)
        present = b_.CreateAnd(present, this->present(proto));
    };
    need(transform::kHeaderIp4, ir::Proto::Ip4);
    need(transform::kHeaderIp6, ir::Proto::Ip6);
    need(transform::kHeaderTcp, ir::Proto::Tcp);
    need(transform::kHeaderUdp, ir::Proto::Udp);
    need(transform::kHeaderIcmp, ir::Proto::Icmp);
    need(transform::kHeaderIcmpv6, ir::Proto::Icmpv6);
    need(transform::kHeaderTcpOrUdp, ir::Proto::TcpOrUdp);
    BasicBlock *done = nextBlock(fmt::format("table{}.done", t));
    BasicBlock *lookup = nextBlock(fmt::format("table{}.lookup", t));
    b_.CreateCondBr(present, lookup, done);
    b_.SetInsertPoint(lookup);
    AllocaInst *key = keyBuffer();
    unsigned offset = 0;
    if (table.lpm) {
      // struct { u32 prefixlen; u8 addr[]; }: look up the full address.
      StoreInst *s = b_.CreateStore(c32(table.keySize() * 8), key);
      s->setAlignment(Align(8));
      offset = 4;
    }
    for (const transform::TableField &field : table.fields) {
      putKeyField(key, offset, field.field, field.bits);
      offset += ir::fieldInfo(field.field).width;
    }
    Value *found = callHelper(kHelperMapLookupElem, ptr(), {tables_[t], key});
    BasicBlock *hit = nextBlock(fmt::format("table{}.hit", t));
    b_.CreateCondBr(b_.CreateIsNotNull(found), hit, done);
    b_.SetInsertPoint(hit);
    LoadInst *rule = b_.CreateLoad(i32(), found);
    rule->setAlignment(Align(4));
    if (candidates_) {
      emitCandidateWalk(t, rule, done);
      b_.SetInsertPoint(done);
      continue;
    }
    Value *candidate = b_.CreateTrunc(rule, bestType);
    Value *best = load(best_);
    store(best_,
          b_.CreateSelect(b_.CreateICmpULT(candidate, best), candidate, best));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }
}

void ChainLowering::emitOrderedRule(const ir::Rule &rule, BasicBlock *next) {
  if (!tablesLookedUp_ && rule.index > firstClassified_)
    emitTableLookups();
  if (!bestApplied_ && rule.index > lastClassified_)
    emitBestRule();
  if (!bestApplied_ && rule.index > firstClassified_) {
    // A table found an earlier rule (indexes are distinct: best != index).
    // The test is the sign of index - best, computed without a branch on
    // best: a compare would narrow the verifier's range of best at every
    // rule, and no two rules' states would be alike enough to prune.
    BasicBlock *run = nextBlock(fmt::format("rule{}.unclassified", rule.index));
    Value *best = b_.CreateZExt(load(best_), i64());
    Value *below = signBit(b_.CreateSub(c64(rule.index), best));
    holdsBranch(b_.CreateICmpNE(below, c64(0)), run, next);
    b_.SetInsertPoint(run);
  }
  emitRule(rule, next);
}

void ChainLowering::emitBestRule() {
  if (!tablesLookedUp_)
    emitTableLookups();
  bestApplied_ = true;
  Value *best = load(best_);
  BasicBlock *none = nextBlock("best.none");
  BasicBlock *apply = nextBlock("best.apply");
  b_.CreateCondBr(
      b_.CreateICmpEQ(best, ConstantInt::get(best->getType(), kNoBestRule)),
      none, apply);
  b_.SetInsertPoint(apply);
  // Only deciding candidates set best: the epilogue returns their verdict,
  // after the CONTINUE candidates before them.
  Value *index = b_.CreateZExt(best, i32());
  emitFlush(index);
  emitMatched(index, none, /*inlined=*/true);
  b_.SetInsertPoint(none);
}

} // namespace bfc::codegen::detail
