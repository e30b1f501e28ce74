// Declarations shared by the CodeGen sources (not installed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/ErrorHandling.h>

#include "DebugTypes.h"
#include "KernelAbi.h"
#include "PacketState.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/IR/BFIR.h"
#include "bfc/IR/HookModel.h"
#include "bfc/Transform/Classify.h"

namespace bfc::object {
struct Metadata;
}

namespace bfc::codegen::detail {

// The lowering sources name LLVM's IR classes unqualified.
using namespace llvm;

/// A broken invariant of the BFIR that lowerToLLVM checked before lowering
/// (ir::verifyModule, predicates the hook can read): a bfc bug, never a user
/// error.
[[noreturn]] inline void unverifiedBFIR(const char *what) {
  report_fatal_error(Twine("bfc CodeGen: unverified BFIR: ") + what);
}
inline void assumeVerified(bool holds, const char *what) {
  if (!holds)
    unverifiedBFIR(what);
}

// Module-level symbols besides programs and maps.
inline constexpr const char *kLicenseSymbol = "_license";
inline constexpr const char *kMetaSymbol = "bfc_meta";
inline constexpr const char *kSetsSymbol = "bfc_sets";
inline constexpr const char *kSetsSection = ".bfc.sets";
inline constexpr const char *kTablesSymbol = "bfc_tables";

/// CO-RE type names carry `___bfc` and 8 hex digits (a libbpf flavor, see
/// ModuleLowering.cpp); outputs show them as `___bfc00000000`.
inline constexpr const char *kCoreFlavorPrefix = "___bfc";
inline constexpr size_t kCoreFlavorDigits = 8;

/// Estimated BPF instructions per rule-group subprogram.
inline constexpr size_t kGroupBudget = 8000;
/// BTF line info carries each line's text up to this many rules compiled to
/// compares (ModuleLowering::run).
inline constexpr size_t kMaxRulesWithLineText = 2000;
/// What a rule-group subprogram returns when none of its rules decided
/// (see emitReturn()).
inline constexpr uint64_t kNoDecision = 0;

/// A rule's entry in the shared epilogue's action table (u16).
enum RuleAction : uint32_t {
  kActionVerdict = 0x7, ///< mask: the ir::Verdict
  kActionCounter = 1u << 3,
  kActionLog = 1u << 4,
  kActionLogHeadersShift = 5, ///< 3 bits of ir::LogHeaders
  kActionMark = 1u << 8,
  kActionEvery = 1u << 9,
  kActionRedirectSlot = 1u << 10, ///< the redirect entry is a host slot
  kActionRedirectIngress = 1u << 11,
};
/// At most this many calls of `<prog>_guards`: it is inlined at each.
inline constexpr unsigned kInlinedGuardCalls = 2;
/// Counter-only CONTINUE rules counted in place per chain (countInline).
inline constexpr unsigned kInlineCounters = 64;
/// What the epilogue returns for a CONTINUE entry: no i32 return code.
inline constexpr uint64_t kEpilogueContinue = uint64_t(1) << 32;

/// The classifier plan of each chain: empty plans at -O0 (every rule stays
/// a compare) and for chains too long for the best-index bits.
std::vector<transform::ClassifierPlan>
classifierPlans(const ir::Module &module, const CodeGenOptions &options);
/// The `.bfc.meta` document of `module`, with `plans`' tables.
object::Metadata
buildMetadata(const ir::Module &module, const CodeGenOptions &options,
              const std::vector<transform::ClassifierPlan> &plans);
/// Room for the plan's entries and for every element each mirrored set can
/// hold.
uint32_t tableMaxEntries(const ir::Chain &chain,
                         const transform::ClassifierTable &table);

/// Module-wide state: the LLVM module, debug info and shared globals.
class ModuleLowering {
public:
  ModuleLowering(const ir::Module &module, LLVMContext &context,
                 const CodeGenOptions &options, DiagnosticEngine &diags);

  std::unique_ptr<llvm::Module> run();

  const ir::Module &irModule;
  LLVMContext &ctx;
  const CodeGenOptions &options;
  DiagnosticEngine &diags;
  std::unique_ptr<llvm::Module> mod;
  std::unique_ptr<DIBuilder> dib;
  DIFile *file = nullptr;
  DICompileUnit *unit = nullptr;
  std::unique_ptr<DebugTypes> types;
  GlobalVariable *hostSlots = nullptr;
  std::vector<GlobalValue *> used;
  /// `___bfcNNNNNNNN`, unique per compilation in this process (see
  /// coreStruct()).
  std::string coreFlavor;
  bool failed = false;

  void error(SourceRange range, std::string message) {
    diags.error(range, std::move(message));
    failed = true;
  }

  GlobalVariable *createMap(const std::string &name, uint32_t type,
                            uint32_t maxEntries, uint32_t flags, DIType *key,
                            DIType *value);

  // Kernel functions (kfuncs) for netfilter packet access.
  Function *kfunc(const std::string &name);
  // CO-RE struct types (names and members matched against vmlinux BTF).
  struct CoreStruct {
    StructType *ir;
    DICompositeType *di;
  };
  CoreStruct &coreStruct(const std::string &name);

private:
  std::map<std::string, Function *> kfuncs_;
  std::map<std::string, CoreStruct> coreStructs_;
};

/// One chain -> one function.
class ChainLowering {
public:
  ChainLowering(ModuleLowering &ml, const ir::Chain &chain,
                const ChainSymbols &symbols,
                const transform::ClassifierPlan &plan)
      : ml_(ml), chain_(chain), sym_(symbols), plan_(plan), b_(ml.ctx),
        family_(ir::hookFamily(chain.hook)) {}

  void run();

  // ------------------------------------------------ shared epilogue ----
  // One function per chain, `<prog>_matched`, does what happens when a rule
  // matches: the counter, the log event, the mark and the verdict, read
  // from per-rule tables (Epilogue.cpp, docs/codegen.md "The shared rule
  // epilogue"). Rules only find the matched rule and call it, so the helper
  // call sites, and the verifier's work, do not grow with the rules.
  //
  // A rule index is an i32: a constant, or a value known only at run time
  // (e.g. the lowest matching rule of a classification table). Besides the
  // rules [0, n), BFC_COUNTER_POLICY(n) is the policy and
  // BFC_COUNTER_ERRORS(n) the malformed-packet counter (a CONTINUE entry).
  // Indexes beyond these do nothing and continue.

  /// Rule `ruleIndex` matched: applies its counter, log and mark, in that
  /// order, then returns its verdict from the function being emitted; a
  /// CONTINUE rule instead goes on at `next` (null only when the rule is
  /// known not to be a CONTINUE rule). The current block is terminated.
  /// `inlined`: the epilogue is inlined here (EpilogueCall::Inlined).
  void emitMatched(Value *ruleIndex, BasicBlock *next, bool inlined = false);
  /// Only the counter, log and mark of `ruleIndex` (a CONTINUE rule, or
  /// the error counter); the builder stays in the current block.
  void emitEffects(Value *ruleIndex, bool inlined = false);

private:
  enum class Access { Direct, DirectWithFallback, Dynptr, None };

  // ------------------------------------------------------------ types ----
  Type *i1() { return b_.getInt1Ty(); }
  IntegerType *i8() { return b_.getInt8Ty(); }
  IntegerType *i16() { return b_.getInt16Ty(); }
  IntegerType *i32() { return b_.getInt32Ty(); }
  IntegerType *i64() { return b_.getInt64Ty(); }
  PointerType *ptr() { return b_.getPtrTy(); }
  ConstantInt *c64(uint64_t v) { return b_.getInt64(v); }
  ConstantInt *c32(uint32_t v) { return b_.getInt32(v); }

  BasicBlock *block(const Twine &name) {
    return BasicBlock::Create(ml_.ctx, name, fn_);
  }
  /// A block placed right after the current one: the fall-through of a
  /// predicate's branch (BPF cannot invert a branch after instruction
  /// selection, so the IR order decides which side is the jump).
  BasicBlock *nextBlock(const Twine &name) {
    BasicBlock *current = b_.GetInsertBlock();
    return BasicBlock::Create(ml_.ctx, name, fn_, current->getNextNode());
  }
  AllocaInst *var(Type *type, const Twine &name, unsigned align = 8);
  Slot local(Type *type, const Twine &name) {
    return Slot{type, var(type, name), 0};
  }
  Slot stateSlot(Type *type, unsigned offset, int bit = -1) {
    return Slot{type, nullptr, offset, bit};
  }
  Value *slotPointer(const Slot &slot) {
    return slot.local
               ? static_cast<Value *>(slot.local)
               : b_.CreateConstInBoundsGEP1_64(i8(), stateBase_, slot.offset);
  }
  Value *load(const Slot &slot) {
    if (slot.bit < 0)
      return b_.CreateLoad(slot.type, slotPointer(slot));
    LoadInst *word = b_.CreateLoad(i64(), slotPointer(slot));
    // Large chains: flags and protocol numbers are read afresh from the
    // state by every rule. Kept in a register, a flag the verifier has seen
    // tested is known on each side of the test, and it would walk the
    // remaining rules once per combination of flags.
    if (!slot.local && opaqueZero_)
      word->setVolatile(true);
    return b_.CreateTrunc(b_.CreateLShr(word, slot.bit), slot.type);
  }
  void store(const Slot &slot, Value *value) {
    if (slot.bit >= 0) {
      unsigned width = slot.type->getIntegerBitWidth();
      uint64_t mask = ~(((width == 64 ? 0 : (1ull << width)) - 1) << slot.bit);
      Value *word = b_.CreateLoad(i64(), slotPointer(slot));
      value = b_.CreateOr(b_.CreateAnd(word, c64(mask)),
                          b_.CreateShl(b_.CreateZExt(value, i64()), slot.bit));
    }
    if (!slot.local && opaqueZero_)
      value = b_.CreateOr(value, b_.CreateTrunc(opaqueZero_, value->getType()));
    b_.CreateStore(value, slotPointer(slot));
  }

  // --------------------------------------------------------- builders ----
  Value *callHelper(uint64_t id, Type *ret, ArrayRef<Value *> args);
  Value *ctxLoad(unsigned offset, Type *type);
  Value *ctxField(unsigned offset);   ///< address of a context field
  Value *ctxPointer(unsigned offset); ///< data/data_end as pointers
  /// `v`, hidden from the optimiser (an empty inline asm).
  Value *opaque(Value *v) {
    auto *asmType = FunctionType::get(v->getType(), {v->getType()}, false);
    return b_.CreateCall(InlineAsm::get(asmType, "", "=r,0", false), {v});
  }
  Value *bswap(Value *v) {
    return v->getType()->getIntegerBitWidth() == 8
               ? v
               : b_.CreateUnaryIntrinsic(Intrinsic::bswap, v);
  }
  /// Byte `offset`, `width` bytes, of a header's words.
  Value *extract(ArrayRef<Slot> words, unsigned offset, unsigned width);
  Value *coreLoad(Value *base, const std::string &structName, unsigned member,
                  Type *type);

  // ------------------------------------------------------ packet view ----
  void emitPrologue();
  /// Reads `len` bytes at packet offset `off` into `words`; returns true
  /// (i1) when they were all inside the packet.
  Value *readBytes(Value *off, unsigned len, ArrayRef<Chunk> chunks,
                   ArrayRef<Slot> words);
  void loadChunks(Value *base, ArrayRef<Chunk> chunks, ArrayRef<Slot> words);
  /// True (i1) when the packet has at least `end` bytes.
  Value *packetHas(Value *end);
  /// Bytes counted by counters, as i64.
  Value *bytesCounted();

  // ------------------------------------------------------------ parse ----
  void emitParse();
  void emitSockAddrState();
  void emitIp4(BasicBlock *malformed, BasicBlock *toTransport);
  void emitIp6(BasicBlock *done, BasicBlock *toTransport,
               BasicBlock *malformed);
  void emitTransport(BasicBlock *done, BasicBlock *malformed);

  // ------------------------------------------------------------ rules ----
  Value *present(ir::Proto proto);
  ArrayRef<Slot> headerWords(ir::Proto proto) {
    switch (proto) {
    case ir::Proto::Ip4:
      return ip4_;
    case ir::Proto::Ip6:
      return ip6_;
    case ir::Proto::Tcp:
      return tcp_;
    case ir::Proto::Udp:
      return udp_;
    case ir::Proto::TcpOrUdp:
      return ports_;
    case ir::Proto::Icmp:
      return icmp_;
    case ir::Proto::Icmpv6:
      return icmp6_;
    default:
      return l2_;
    }
  }
  RawValue fieldRaw(ir::FieldId field);
  Value *fieldNumeric(ir::FieldId field);
  Value *ifaceIndex();
  Value *hostSlot(uint32_t slot);
  /// Emits `pred`; on return the builder is where it holds. Jumps to
  /// `fail` when it does not.
  void emitPredicate(const ir::Predicate &pred, BasicBlock *fail);
  Value *fieldTest(const ir::Predicate &pred);
  /// The constants fieldTest compares `pred`'s field with, as words.
  static std::vector<uint64_t> fieldOperands(const ir::Predicate &pred);
  /// Word `i` of `words` as `type`: a constant, or in a guard template the
  /// rule's parameter (guardOperands_).
  Value *operand(const std::vector<uint64_t> &words, unsigned i, Type *type);
  /// Large chains: the predicate as an i64 0 or 1 computed without any
  /// branch (see emitRule); null for predicates that need one (sets, flow
  /// probability, sock_addr fields).
  Value *truthValue(const ir::Predicate &pred);
  bool hasTruthValue(const ir::Predicate &pred) const;
  /// (d != 0) as 0/1, and x >> 63, in ALU instructions LLVM cannot turn
  /// back into compares (which BPF can only materialise with branches).
  Value *nonZeroBit(Value *d);
  Value *signBit(Value *x);
  /// Branch of a predicate: to `holds` when true, else to `fail`.
  void holdsBranch(Value *cond, BasicBlock *holds, BasicBlock *fail);
  static bool holdsOnZero(const ir::Predicate &pred);
  Value *setTest(const ir::Predicate &pred);
  Value *flowHash();
  void emitRule(const ir::Rule &rule, BasicBlock *next);
  /// Rule index ranges of `order_`, one per subprogram ([0, n) when one is
  /// enough).
  std::vector<std::pair<size_t, size_t>> ruleGroups() const;
  Function *emitGroup(size_t index, size_t begin, size_t end);
  /// Emits `body` into `f` (its entry block and debug location set up),
  /// then restores the builder and the per-function members.
  void inFunction(Function *f, DISubprogram *sp, SourceRange where,
                  const std::function<void()> &body);

  // Classification (Classify.cpp, docs/codegen.md "Classification").
  /// The table maps, and `order_`: the rules tested in order.
  void createTableMaps();
  /// Looks the tables up and stores the lowest index found in `best_`
  /// (before the first rule after a classified one, or the best rule).
  void emitTableLookups();
  /// `rule` of `order_`: applies the tables' best rule first once every
  /// classified rule is before it, runs it only while its index is below
  /// the best one, else goes on at `next`.
  void emitOrderedRule(const ir::Rule &rule, BasicBlock *next);
  /// If a table found a rule, applies it; the builder goes on where none
  /// was found.
  void emitBestRule();
  /// After the last rule: the best rule if still pending, then the policy.
  void emitChainEnd();

  // Candidates with guards and CONTINUE candidates (Candidates.cpp,
  // docs/codegen.md "Guarded candidates").
  /// The per-rule candidate table and guard parameters in .rodata.
  void buildCandidateTables();
  /// `<prog>_guards` and `<prog>_flush`, when the plan needs them.
  void emitCandidateFunctions();
  /// Table `t`'s hit, `first` (i32) its entry: walks the candidates of the
  /// key and lowers `best_`; the builder ends in `done`.
  void emitCandidateWalk(size_t t, Value *first, BasicBlock *done);
  /// Applies the effects of the pending CONTINUE candidates below `upto`
  /// (i32), in rule order; nothing when none can be pending there.
  void emitFlush(Value *upto, uint32_t known = kNoBestRule);
  /// A global function (ctx[, u32 <index>][, state]) -> u64 of this chain
  /// (no index argument when `index` is null), its debug info at `line`
  /// (0: the chain's).
  Function *globalFunction(const std::string &name, const char *index,
                           bool takesState, DISubprogram *&sp,
                           unsigned line = 0);
  /// The function's key buffer, sized for the largest set or table key.
  AllocaInst *keyBuffer();
  /// Stores `field`'s raw bytes, masked to their first `bits`, at byte `at`
  /// of `key`.
  void putKeyField(AllocaInst *key, unsigned at, ir::FieldId field,
                   unsigned bits);

  // The shared epilogue (Epilogue.cpp) and the actions it is made of
  // (Actions.cpp). Rule indexes there are i64, below the table sizes.
  struct RuleTables;
  void emitEpilogueFunction();
  RuleTables buildRuleTables();
  GlobalVariable *ruleTable(const std::string &suffix, IntegerType *type,
                            DIType *diType,
                            const std::vector<uint64_t> &values);
  Value *tableEntry(GlobalVariable *table, Value *index);
  /// A call of the epilogue; `inlined` marks it always-inline: the few
  /// places every packet passes once (the best rule, the policy) pay no
  /// call, which costs more than the epilogue's work (bench/), and with a
  /// constant index (the policy) LLVM folds the epilogue to its counter.
  Value *callEpilogue(Value *ruleIndex, bool inlined = false);
  /// `struct bfc_packet_state *`: a global function's view of the state
  /// (nullable memory of the state's size for the verifier).
  DIType *stateArgType();
  /// Uses the context argument of the global function being emitted.
  void keepContextArg();
  /// The i32 return code in what the epilogue returned.
  Value *epilogueCode(Value *result);
  void bumpCounter(Value *index);
  /// A matched CONTINUE rule whose only effect is its counter, counted in
  /// place: a call to the epilogue costs more than the update (bench/).
  /// False (nothing emitted) past kInlineCounters such rules in the chain:
  /// each inline lookup is one more instruction patch for the verifier.
  bool countInline(const ir::Rule &rule);
  /// The log event of `index`, whose action word is `action`; `every`:
  /// the table of rate limits, null when no rule has one.
  void emitLog(Value *index, Value *action, GlobalVariable *every);
  void emitMark(Value *mark);
  Value *hostSlotAt(Value *slot);
  /// CONTINUE: to `next`; else returns the constant code of `verdict`.
  void emitVerdict(ir::Verdict verdict, const ir::Rule *rule, BasicBlock *next);
  /// Returns `code` (i32) from the function being emitted; in a rule-group
  /// subprogram tagged with `ruleIndex` (i32, may be null).
  void emitReturn(Value *code, Value *ruleIndex);
  int32_t returnCode(ir::Verdict verdict);
  void setLocation(SourceRange range);

  ModuleLowering &ml_;
  const ir::Chain &chain_;
  const ChainSymbols &sym_;
  const transform::ClassifierPlan &plan_;
  IRBuilder<> b_;
  ir::HookFamily family_;
  Access access_ = Access::None;
  Function *fn_ = nullptr;
  Argument *ctxArg_ = nullptr;
  DISubprogram *sp_ = nullptr;
  BasicBlock *entry_ = nullptr;

  // Maps.
  GlobalVariable *counters_ = nullptr, *log_ = nullptr, *rate_ = nullptr;
  SetMapPlan setMaps_;
  std::vector<GlobalVariable *> sets_;   ///< per set: its (maybe shared) map
  std::vector<GlobalVariable *> tables_; ///< classifier tables

  // Classification.
  std::vector<const ir::Rule *> order_; ///< rules tested in order
  Slot best_;                           ///< i24 in the flags word
  uint32_t firstClassified_ = 0, lastClassified_ = 0;
  bool bestApplied_ = true;    ///< no table, or the best rule was applied
  bool tablesLookedUp_ = true; ///< no table, or the lookups were emitted
  /// Per rule: next candidate (bits 0-23), CONTINUE (24), guard template
  /// (25-39, 0: none), first guard parameter (40-63).
  GlobalVariable *candidates_ = nullptr;
  GlobalVariable *guardParams_ = nullptr;             ///< u64 words
  std::vector<std::vector<uint32_t>> guardTemplates_; ///< an example rule's
                                                      ///< guards, by id - 1
  std::vector<uint32_t> templateRule_; ///< the example rule of each
  Function *guards_ = nullptr, *flush_ = nullptr;
  /// Pending CONTINUE candidates: u32 slots after the packet state, each
  /// a rule index + 1 (0: empty); the first slot of each table.
  unsigned pendingSlots_ = 0;
  std::vector<unsigned> pendingBase_;
  uint32_t firstPending_ = kNoBestRule; ///< lowest CONTINUE candidate
  unsigned stateSize_ = kStateSize;
  /// Guard templates: the index of the current predicate's first parameter.
  Value *guardOperands_ = nullptr;

  // Per-packet state (promoted to SSA by the optimiser).
  Value *stateBase_ = nullptr;              // the packet state of this function
  Slot l3Proto_;                            // i16, host order
  std::array<Slot, kNumPresence> has_ = {}; // i1
  Slot l4Proto_;                            // i8
  Slot malformed_;                          // i1
  std::array<Slot, 4> chainBits_ = {};      // i64: protocols of the IPv6 chain
  std::array<Slot, kL2Words> l2_ = {};
  std::array<Slot, kIp4Words> ip4_ = {};
  std::array<Slot, kIp6Words> ip6_ = {};
  std::array<Slot, kTcpWords> tcp_ = {};
  std::array<Slot, 1> udp_ = {}, icmp_ = {}, icmp6_ = {};
  std::array<Slot, 1> ports_ = {};          // TCP or UDP: sport, dport
  std::array<Slot, kIp6Words> l3Read_ = {}; // IPv4/IPv6 before validation
  // Parser locals.
  Slot extWord_;                  // i64: first 8 bytes of an extension header
  Slot nextHdr_;                  // i8: IPv6 walk
  Slot walkOff_;                  // i64: IPv6 walk offset
  Slot l4Off_;                    // i64: transport offset
  AllocaInst *scratch_ = nullptr; // bytes for helper copies
  AllocaInst *dynptr_ = nullptr;  // struct bpf_dynptr (netfilter)
  Value *data_ = nullptr, *dataEnd_ = nullptr; // direct access pointers
  Value *nfState_ = nullptr, *nfSkb_ = nullptr;
  BasicBlock *parseDone_ = nullptr;
  bool inGroup_ = false;           ///< emitting a rule-group subprogram
  DIType *stateArgType_ = nullptr; ///< see stateArgType()
  /// Large chains: an i64 zero the verifier cannot see through, OR-ed into
  /// every packet-state store (see run()).
  Value *opaqueZero_ = nullptr;
  AllocaInst *setKey_ = nullptr; ///< set lookups: one key per function
  Function *epilogue_ = nullptr;
  bool epilogueTakesState_ = false;  ///< passed the state (for log events)
  AllocaInst *indexKey_ = nullptr;   ///< epilogue: map key of a rule index
  AllocaInst *counterKey_ = nullptr; ///< countInline: one key per function
  unsigned inlineCounters_ = 0;      ///< rules counted by countInline
  bool usesChainBits_ = false;
};

} // namespace bfc::codegen::detail
