// BFIR -> LLVM IR. docs/codegen.md explains the shape of the generated code;
// docs/semantics.md is what it must compute.
//
// A program parses the packet once, up front: header presence flags, the
// transport protocol, the IPv6 header-chain bitmap and the bytes of every
// fixed header, loaded into scalars ("words"). Rules then only compare
// scalars and branch. No packet pointer survives the parse, so the verifier
// sees one small state per header combination at the first rule instead of
// one per path through the parser, and the per-rule cost is a compare and a
// branch.
#include <atomic>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsBPF.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "DebugTypes.h"
#include "Internal.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/Support/Version.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::codegen {

using namespace llvm;
using detail::DebugTypes;

namespace {

constexpr uint16_t kEthIp4 = 0x0800;
constexpr uint16_t kEthIp6 = 0x86dd;
constexpr unsigned kEthHeaderLen = 14;
constexpr unsigned kMaxExtHeaders = 8;
constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17,
                  kProtoIcmpv6 = 58;
constexpr uint8_t kExtHop = 0, kExtRoute = 43, kExtFrag = 44, kExtAh = 51,
                  kExtDst = 60, kExtMobility = 135;
constexpr uint8_t kExtHeaders[] = {kExtHop, kExtRoute, kExtFrag,
                                   kExtAh,  kExtDst,   kExtMobility};

/// Estimated BPF instructions per rule-group subprogram.
constexpr size_t kGroupBudget = 8000;
/// What a rule-group subprogram returns when none of its rules decided
/// (see emitReturn()).
constexpr uint64_t kNoDecision = 0;

// Return codes (docs/semantics.md).
constexpr int32_t kXdpDrop = 1, kXdpPass = 2;
constexpr int32_t kTcxPass = 0, kTcxDrop = 2, kTcxNext = -1;
constexpr int32_t kNfDrop = 0, kNfAccept = 1;
constexpr uint64_t kBpfFIngress = 1;

// Context offsets (UAPI structs, stable).
constexpr unsigned kXdpData = 0, kXdpDataEnd = 4, kXdpIngressIfindex = 12;
constexpr unsigned kSkbLen = 0, kSkbMark = 8, kSkbProtocol = 16,
                   kSkbIfindex = 40, kSkbData = 76, kSkbDataEnd = 80;
constexpr unsigned kNfCtxState = 0, kNfCtxSkb = 8;
constexpr unsigned kSockUserIp4 = 4, kSockUserIp6 = 8, kSockUserPort = 24,
                   kSockProtocol = 36, kSockMsgSrcIp4 = 40, kSockMsgSrcIp6 = 44;

/// A load of `size` bytes at `offset` of a header, OR-ed into word
/// offset / 8 at bit (offset % 8) * 8. Fields never straddle two words.
struct Chunk {
  unsigned offset;
  unsigned size;
};
constexpr Chunk kEthChunks[] = {{0, 8}, {8, 4}, {12, 2}};
constexpr Chunk kIp4Chunks[] = {{0, 8}, {8, 8}, {16, 4}};
constexpr Chunk kIp6Chunks[] = {{0, 8}, {8, 8}, {16, 8}, {24, 8}, {32, 8}};
constexpr Chunk kTcpChunks[] = {{0, 8}, {8, 8}, {16, 4}};
constexpr Chunk kSmallL4Chunks[] = {{0, 8}};
constexpr unsigned kL2Words = 2, kIp4Words = 3, kIp6Words = 5, kTcpWords = 3;
constexpr unsigned kScratchBytes = 40;

/// Header presence flags.
enum Presence : unsigned {
  kHasL2,
  kHasIp4,
  kHasIp6,
  kHasTcp,
  kHasUdp,
  kHasIcmp,
  kHasIcmpv6,
  kNumPresence
};

/// A per-packet variable: a local alloca of the current function, or bytes
/// `offset` of the packet state, which the program's main function fills and
/// rule-group subprograms read through a pointer.
struct Slot {
  Type *type = nullptr;
  AllocaInst *local = nullptr;
  unsigned offset = 0;
  int bit = -1; ///< >= 0: bits [bit, bit + width) of the i64 at `offset`
};

// Packet state layout (bytes). Every header has its own words, zero unless
// the header is present: a test that is false on zero needs no separate
// presence test. The small values share the first word, always written
// whole: the verifier tells an 8-byte store (a spilled register) from
// narrower ones (plain bytes), and paths that stored different flags must
// look alike to it.
constexpr unsigned kStateFlags = 0, kStateChainBits = 8, kStateL2 = 40,
                   kStateIp4 = 56, kStateIp6 = 80, kStateTcp = 120,
                   kStateUdp = 144, kStateIcmp = 152, kStateIcmpv6 = 160,
                   kStatePorts = 168, kStateSize = 176;
// Bits of the flags word.
constexpr int kBitL3Proto = 0, kBitL4Proto = 16, kBitMalformed = 24,
              kBitHas = 32;

/// A field's value as loaded from memory in network byte order into
/// little-endian words ("raw"): a 16-byte field is two i64 halves.
struct RawValue {
  Value *lo = nullptr;
  Value *hi = nullptr; ///< 16-byte fields only: bytes 8..15
};

uint64_t decodeLE(const ir::Bytes &bytes, size_t begin, size_t count) {
  uint64_t v = 0;
  for (size_t i = 0; i < count; ++i)
    v |= uint64_t(bytes[begin + i]) << (8 * i);
  return v;
}

uint64_t decodeBE(const ir::Bytes &bytes) {
  uint64_t v = 0;
  for (uint8_t byte : bytes)
    v = v << 8 | byte;
  return v;
}

/// The mask of the first `prefixLen` bits of a `width`-byte value, as bytes.
ir::Bytes prefixMask(unsigned width, unsigned prefixLen) {
  ir::Bytes mask(width, 0);
  for (unsigned bit = 0; bit < prefixLen && bit < width * 8; ++bit)
    mask[bit / 8] |= uint8_t(0x80 >> (bit % 8));
  return mask;
}

} // namespace

namespace detail {

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
                const ChainSymbols &symbols)
      : ml_(ml), chain_(chain), sym_(symbols), b_(ml.ctx),
        family_(ir::hookFamily(chain.hook)) {}

  void run();

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
  RawValue fieldRaw(ir::FieldId field, SourceRange where);
  Value *fieldNumeric(ir::FieldId field, SourceRange where);
  Value *ifaceIndex(SourceRange where);
  Value *hostSlot(uint32_t slot);
  /// Emits `pred`; on return the builder is where it holds. Jumps to
  /// `fail` when it does not.
  void emitPredicate(const ir::Predicate &pred, BasicBlock *fail);
  Value *fieldTest(const ir::Predicate &pred);
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
  /// Rule index ranges, one per subprogram ([0, n) when one is enough).
  std::vector<std::pair<size_t, size_t>> ruleGroups() const;
  Function *emitGroup(size_t index, size_t begin, size_t end,
                      const std::function<void()> &prologue);
  void bumpCounter(uint32_t index);
  AllocaInst *keySlot();
  void resetKeySlot();
  void emitLog(const ir::Rule &rule);
  void emitMark(const ir::Rule &rule);
  void emitVerdict(ir::Verdict verdict, const ir::Rule *rule, BasicBlock *next);
  void emitReturn(Value *code, const ir::Rule *rule);
  int32_t returnCode(ir::Verdict verdict, SourceRange where);
  void setLocation(SourceRange range);

  ModuleLowering &ml_;
  const ir::Chain &chain_;
  const ChainSymbols &sym_;
  IRBuilder<> b_;
  ir::HookFamily family_;
  Access access_ = Access::None;
  Function *fn_ = nullptr;
  Argument *ctxArg_ = nullptr;
  DISubprogram *sp_ = nullptr;
  BasicBlock *entry_ = nullptr;

  // Maps.
  GlobalVariable *counters_ = nullptr, *log_ = nullptr, *rate_ = nullptr;
  std::vector<GlobalVariable *> sets_;

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
  bool inGroup_ = false; ///< emitting a rule-group subprogram
  /// Large chains: an i64 zero the verifier cannot see through, OR-ed into
  /// every packet-state store (see run()).
  Value *opaqueZero_ = nullptr;
  AllocaInst *u32Key_ = nullptr;
  std::map<uint32_t, AllocaInst *> setKeys_;
  bool usesChainBits_ = false;
};

// ================================================================ module ==

ModuleLowering::ModuleLowering(const ir::Module &module, LLVMContext &context,
                               const CodeGenOptions &options,
                               DiagnosticEngine &diags)
    : irModule(module), ctx(context), options(options), diags(diags) {}

GlobalVariable *ModuleLowering::createMap(const std::string &name,
                                          uint32_t type, uint32_t maxEntries,
                                          uint32_t flags, DIType *key,
                                          DIType *value) {
  DICompositeType *diType = types->mapType(type, maxEntries, flags, key, value);
  unsigned members = 2 + (flags ? 1 : 0) + (key ? 1 : 0) + (value ? 1 : 0);
  std::vector<Type *> fields(members, PointerType::get(ctx, 0));
  auto *irType = StructType::get(ctx, fields);
  auto *gv =
      new GlobalVariable(*mod, irType, false, GlobalValue::ExternalLinkage,
                         Constant::getNullValue(irType), name);
  gv->setSection(".maps");
  gv->setAlignment(Align(8));
  gv->setDSOLocal(true);
  auto *expr = dib->createGlobalVariableExpression(unit, name, name, file, 0,
                                                   diType, false);
  gv->addDebugInfo(expr);
  used.push_back(gv);
  return gv;
}

Function *ModuleLowering::kfunc(const std::string &name) {
  if (auto it = kfuncs_.find(name); it != kfuncs_.end())
    return it->second;
  auto *p = PointerType::get(ctx, 0);
  auto *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  DIType *dynptr = types->pointerTo(types->opaqueStruct("bpf_dynptr"));
  FunctionType *type = nullptr;
  DISubroutineType *diType = nullptr;
  if (name == "bpf_dynptr_from_skb") {
    // int bpf_dynptr_from_skb(struct __sk_buff *s, u64 flags,
    //                         struct bpf_dynptr *ptr__uninit)
    type = FunctionType::get(i32, {p, i64, p}, false);
    diType = dib->createSubroutineType(dib->getOrCreateTypeArray(
        {types->intType(), types->pointerTo(types->opaqueStruct("__sk_buff")),
         types->u64(), dynptr}));
  } else {
    // void *bpf_dynptr_slice(const struct bpf_dynptr *p, u32 offset,
    //                        void *buffer__opt, u32 buffer__szk)
    type = FunctionType::get(p, {p, i32, p, i32}, false);
    diType = dib->createSubroutineType(
        dib->getOrCreateTypeArray({types->voidPtr(), dynptr, types->u32(),
                                   types->voidPtr(), types->u32()}));
  }
  Function *f =
      Function::Create(type, GlobalValue::ExternalLinkage, name, mod.get());
  f->setSection(".ksyms");
  f->setDSOLocal(true);
  f->setSubprogram(dib->createFunction(file, name, name, file, 0, diType, 0,
                                       DINode::FlagPrototyped,
                                       DISubprogram::SPFlagOptimized));
  kfuncs_[name] = f;
  return f;
}

ModuleLowering::CoreStruct &
ModuleLowering::coreStruct(const std::string &name) {
  if (auto it = coreStructs_.find(name); it != coreStructs_.end())
    return it->second;
  // Only the members the programs read; libbpf finds them by name in the
  // running kernel's BTF (also inside anonymous unions) and patches offsets.
  //
  // The type is named `<name>___bfcNNNNNNNN`, a libbpf "flavor" of <name>:
  // libbpf ignores the suffix when it matches kernel types. LLVM's CO-RE
  // pass (BPFAbstractMemberAccess) caches the relocation globals it creates
  // in a process-wide map keyed by type name and access, never cleared: a
  // second module compiled in the same process with the same key would get
  // a global of a freed module. A suffix unique per compilation avoids
  // that; emit() rewrites it to a fixed value so outputs stay identical.
  std::string flavored = name + coreFlavor;
  auto *p = PointerType::get(ctx, 0);
  auto *i8 = Type::getInt8Ty(ctx), *i32 = Type::getInt32Ty(ctx);
  CoreStruct s{};
  if (name == "nf_hook_state") {
    DIType *netDevice = types->pointerTo(coreStruct("net_device").di);
    s.ir = StructType::create(ctx, {i8, i8, p, p}, "struct.nf_hook_state");
    s.di = types->structType(flavored, {{"hook", types->u8(), 8},
                                        {"pf", types->u8(), 8},
                                        {"in", netDevice, 64},
                                        {"out", netDevice, 64}});
  } else if (name == "net_device") {
    s.ir = StructType::create(ctx, {i32}, "struct.net_device");
    s.di = types->structType(flavored, {{"ifindex", types->intType(), 32}});
  } else {
    s.ir = StructType::create(ctx, {i32, i32}, "struct.sk_buff");
    s.di = types->structType(
        flavored, {{"len", types->u32(), 32}, {"mark", types->u32(), 32}});
  }
  return coreStructs_[name] = s;
}

std::unique_ptr<llvm::Module> ModuleLowering::run() {
  static std::atomic<uint32_t> compilations{0};
  coreFlavor =
      fmt::format("{}{:08x}", detail::kCoreFlavorPrefix, ++compilations);
  mod = std::make_unique<llvm::Module>(
      irModule.sourceName.empty() ? "ruleset" : irModule.sourceName, ctx);
  mod->setTargetTriple("bpfel");
  // The BPF data layout (the TargetMachine's), set now so IRBuilder gives
  // loads and stores their natural alignment.
  mod->setDataLayout("e-m:e-p:64:64-i64:64-i128:128-n32:64-S128");
  mod->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
  mod->addModuleFlag(llvm::Module::Warning, "Debug Info Version",
                     DEBUG_METADATA_VERSION);
  dib = std::make_unique<DIBuilder>(*mod);
  std::string sourceName =
      options.sourceName.empty() ? irModule.sourceName : options.sourceName;
  if (sourceName.empty())
    sourceName = "<bfir>";
  // The source is embedded so BTF line info shows each rule's text without
  // reading files at build time (and stays deterministic).
  file = dib->createFile(sourceName, "", std::nullopt,
                         StringRef(options.sourceText));
  unit = dib->createCompileUnit(dwarf::DW_LANG_C11, file,
                                fmt::format("bfc {}", kVersion),
                                options.optLevel > 0, "", 0);
  types = std::make_unique<DebugTypes>(*dib, file, unit);

  if (!irModule.hostSlots.empty()) {
    auto *type =
        ArrayType::get(Type::getInt32Ty(ctx), irModule.hostSlots.size());
    hostSlots =
        new GlobalVariable(*mod, type, true, GlobalValue::ExternalLinkage,
                           Constant::getNullValue(type), BFC_HOST_SLOTS_SYMBOL);
    hostSlots->setSection(".rodata");
    hostSlots->setAlignment(Align(4));
    hostSlots->setDSOLocal(true);
    DIType *elem = dib->createQualifiedType(
        dwarf::DW_TAG_const_type,
        dib->createQualifiedType(dwarf::DW_TAG_volatile_type, types->u32()));
    hostSlots->addDebugInfo(dib->createGlobalVariableExpression(
        unit, BFC_HOST_SLOTS_SYMBOL, BFC_HOST_SLOTS_SYMBOL, file, 0,
        types->arrayOf(elem, irModule.hostSlots.size()), false));
    used.push_back(hostSlots);
  }

  std::vector<ChainSymbols> symbols = chainSymbols(irModule);
  for (size_t i = 0; i < irModule.chains.size(); ++i)
    ChainLowering(*this, irModule.chains[i], symbols[i]).run();
  if (failed) {
    dib->finalize();
    return nullptr;
  }

  auto addBytes = [&](const char *name, const char *section, StringRef bytes) {
    Constant *init = ConstantDataArray::getString(ctx, bytes, false);
    auto *gv = new GlobalVariable(*mod, init->getType(), true,
                                  GlobalValue::ExternalLinkage, init, name);
    gv->setSection(section);
    gv->setAlignment(Align(1));
    gv->setDSOLocal(true);
    used.push_back(gv);
  };
  addBytes(kLicenseSymbol, "license", StringRef("GPL\0", 4));
  std::string meta = metadataJSON(irModule, options);
  meta.push_back('\0');
  addBytes(kMetaSymbol, BFC_META_SECTION, meta);
  std::vector<uint8_t> sets = setsSection(irModule);
  if (!sets.empty())
    addBytes(
        kSetsSymbol, kSetsSection,
        StringRef(reinterpret_cast<const char *>(sets.data()), sets.size()));

  // llvm.compiler.used keeps the maps, the metadata and the other globals
  // nobody references from the code (llvm.used would also mark their ELF
  // sections SHF_GNU_RETAIN, one section per function, which libbpf 1.1
  // cannot relocate calls into).
  std::vector<Constant *> usedValues(used.begin(), used.end());
  auto *usedType = ArrayType::get(PointerType::get(ctx, 0), usedValues.size());
  auto *usedVar = new GlobalVariable(
      *mod, usedType, false, GlobalValue::AppendingLinkage,
      ConstantArray::get(usedType, usedValues), "llvm.compiler.used");
  usedVar->setSection("llvm.metadata");

  dib->finalize();
  std::string verifyErrors;
  raw_string_ostream os(verifyErrors);
  if (verifyModule(*mod, &os)) {
    diags.error({}, "internal error: invalid LLVM IR generated: " + os.str());
    return nullptr;
  }
  return std::move(mod);
}

// ================================================================= chain ==

AllocaInst *ChainLowering::var(Type *type, const Twine &name, unsigned align) {
  IRBuilder<> entry(entry_, entry_->begin());
  AllocaInst *a = entry.CreateAlloca(type, nullptr, name);
  a->setAlignment(Align(align));
  return a;
}

Value *ChainLowering::callHelper(uint64_t id, Type *ret,
                                 ArrayRef<Value *> args) {
  std::vector<Type *> argTypes;
  for (Value *a : args)
    argTypes.push_back(a->getType());
  auto *type = FunctionType::get(ret, argTypes, false);
  Value *callee = ConstantExpr::getIntToPtr(c64(id), ptr());
  return b_.CreateCall(type, callee, args);
}

Value *ChainLowering::ctxField(unsigned offset) {
  // The verifier only accepts context accesses as `*(ctx + constant)` with
  // the context register itself: llvm.preserve.static.offset makes the BPF
  // passes keep each access in that form, where LLVM would otherwise share
  // `ctx + offset` in a register between accesses.
  Function *preserve = Intrinsic::getDeclaration(
      ml_.mod.get(), Intrinsic::preserve_static_offset);
  Value *base = b_.CreateCall(preserve, {ctxArg_});
  return b_.CreateConstInBoundsGEP1_64(i8(), base, offset);
}

Value *ChainLowering::ctxLoad(unsigned offset, Type *type) {
  Value *p = ctxField(offset);
  LoadInst *l = b_.CreateLoad(type, p);
  l->setAlignment(ml_.mod->getDataLayout().getABITypeAlign(type));
  return l;
}

Value *ChainLowering::ctxPointer(unsigned offset) {
  return b_.CreateIntToPtr(b_.CreateZExt(ctxLoad(offset, i32()), i64()), ptr());
}

Value *ChainLowering::extract(ArrayRef<Slot> words, unsigned offset,
                              unsigned width) {
  Value *word = load(words[offset / 8]);
  unsigned shift = (offset % 8) * 8;
  if (shift)
    word = b_.CreateLShr(word, shift);
  return b_.CreateTrunc(word, b_.getIntNTy(width * 8));
}

Value *ChainLowering::coreLoad(Value *base, const std::string &structName,
                               unsigned member, Type *type) {
  ModuleLowering::CoreStruct &s = ml_.coreStruct(structName);
  Function *access = Intrinsic::getDeclaration(
      ml_.mod.get(), Intrinsic::preserve_struct_access_index, {ptr(), ptr()});
  CallInst *p = b_.CreateCall(access, {base, c32(member), c32(member)});
  p->addParamAttr(0, Attribute::get(ml_.ctx, Attribute::ElementType, s.ir));
  p->setMetadata(LLVMContext::MD_preserve_access_index, s.di);
  return b_.CreateLoad(type, p);
}

void ChainLowering::setLocation(SourceRange range) {
  unsigned line = range.begin.line ? range.begin.line : chain_.range.begin.line;
  unsigned column = range.begin.line ? range.begin.column : 0;
  b_.SetCurrentDebugLocation(DILocation::get(ml_.ctx, line, column, sp_));
}

// ------------------------------------------------------------ prologue ----

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

// --------------------------------------------------------------- parse ----

void ChainLowering::emitParse() {
  // Every state variable starts at zero: absent headers read as zero, and
  // nothing is ever undefined (the verifier and LLVM both like that).
  for (const ir::Rule &rule : chain_.rules)
    for (const ir::Predicate &p : rule.predicates)
      usesChainBits_ |= p.kind == ir::Predicate::Kind::Ip6HeaderChain;
  // The whole state starts at zero.
  if (opaqueZero_) {
    for (unsigned at = 0; at < kStateSize; at += 8)
      b_.CreateStore(opaqueZero_,
                     b_.CreateConstInBoundsGEP1_64(i8(), stateBase_, at));
  } else {
    b_.CreateMemSet(stateBase_, b_.getInt8(0), kStateSize, MaybeAlign(8));
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
    Value *ok = readBytes(c64(0), kEthHeaderLen, kEthChunks, l2_);
    BasicBlock *eth = block("eth"), *runt = block("runt");
    b_.CreateCondBr(ok, eth, runt);
    b_.SetInsertPoint(runt);
    store(malformed_, b_.getTrue());
    b_.CreateBr(done);
    b_.SetInsertPoint(eth);
    store(has_[kHasL2], b_.getTrue());
    store(l3Proto_, bswap(extract(l2_, 12, 2)));
    l3Off = c64(kEthHeaderLen);
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
        b_.CreateICmpEQ(pf, b_.getInt8(2)), b_.getInt16(kEthIp4),
        b_.CreateSelect(b_.CreateICmpEQ(pf, b_.getInt8(10)),
                        b_.getInt16(kEthIp6), b_.getInt16(0)));
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
  sw->addCase(b_.getInt16(kEthIp4), ip4);
  sw->addCase(b_.getInt16(kEthIp6), ip6);

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
  store(l3Proto_, b_.getInt16(family == 4 ? kEthIp4 : kEthIp6));
  store(has_[family == 4 ? kHasIp4 : kHasIp6], b_.getTrue());
  Value *proto = b_.CreateTrunc(ctxLoad(kSockProtocol, i32()), i8());
  store(l4Proto_, proto);
  store(has_[kHasTcp], b_.CreateICmpEQ(proto, b_.getInt8(kProtoTcp)));
  store(has_[kHasUdp], b_.CreateICmpEQ(proto, b_.getInt8(kProtoUdp)));
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

  // The walk, unrolled: at most kMaxExtHeaders extension headers.
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

  for (unsigned step = 0; step <= kMaxExtHeaders; ++step) {
    Value *nh = load(nextHdr_);
    recordChainBit(nh);
    // Until an extension header says otherwise, this is the transport.
    store(l4Proto_, nh);
    store(l4Off_, load(walkOff_));
    BasicBlock *body = block(fmt::format("ext{}", step));
    // After kMaxExtHeaders headers, one more is a malformed chain.
    BasicBlock *ext = step == kMaxExtHeaders ? malformed : body;
    SwitchInst *sw = b_.CreateSwitch(nh, toTransport, 6);
    for (uint8_t e : kExtHeaders)
      sw->addCase(b_.getInt8(e), ext);
    if (step == kMaxExtHeaders) {
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
    Value *isFrag = b_.CreateICmpEQ(nh, b_.getInt8(kExtFrag));
    Value *isAh = b_.CreateICmpEQ(nh, b_.getInt8(kExtAh));
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
  sw->addCase(b_.getInt8(kProtoTcp), tcp);
  sw->addCase(b_.getInt8(kProtoUdp), udp);
  sw->addCase(b_.getInt8(kProtoIcmp), icmp);
  sw->addCase(b_.getInt8(kProtoIcmpv6), icmp6);

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

// -------------------------------------------------------------- fields ----

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

Value *ChainLowering::ifaceIndex(SourceRange where) {
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
  ml_.error(where, "meta.iface is not available on cgroup sock_addr hooks");
  return c32(0);
}

RawValue ChainLowering::fieldRaw(ir::FieldId field, SourceRange where) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  if (info.proto == ir::Proto::None || info.mask) {
    Value *v = fieldNumeric(field, where);
    return {bswap(v), nullptr};
  }
  if (family_ == ir::HookFamily::CgroupSockAddr) {
    bool sendmsg = !ir::sockAddrIsConnect(chain_.hook);
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
    case ir::FieldId::Ip4Saddr:
      if (sendmsg)
        return {ctxLoad(kSockMsgSrcIp4, i32())};
      break;
    case ir::FieldId::Ip6Saddr:
      if (sendmsg)
        return addr16(kSockMsgSrcIp6);
      break;
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
    ml_.error(where, fmt::format("{} is not available on {}", info.name,
                                 ir::hookName(chain_.hook)));
    return {b_.getIntN(info.width * 8, 0), info.width == 16 ? c64(0) : nullptr};
  }
  ArrayRef<Slot> words = headerWords(info.proto);
  if (info.width == 16)
    return {load(words[info.offset / 8]), load(words[info.offset / 8 + 1])};
  return {extract(words, info.offset, info.width)};
}

Value *ChainLowering::fieldNumeric(ir::FieldId field, SourceRange where) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  switch (field) {
  case ir::FieldId::MetaIfindex:
    return ifaceIndex(where);
  case ir::FieldId::MetaMark:
    switch (family_) {
    case ir::HookFamily::Tc:
    case ir::HookFamily::CgroupSkb:
      return ctxLoad(kSkbMark, i32());
    case ir::HookFamily::Netfilter:
      return coreLoad(nfSkb_, "sk_buff", 1, i32());
    default:
      ml_.error(where, fmt::format("meta.mark is not available on {}",
                                   ir::hookName(chain_.hook)));
      return c32(0);
    }
  case ir::FieldId::MetaFlowHash:
    if (family_ != ir::HookFamily::Tc) {
      ml_.error(where, fmt::format("meta.flow_hash is not available on {}",
                                   ir::hookName(chain_.hook)));
      return c32(0);
    }
    return b_.CreateTrunc(
        callHelper(detail::kHelperGetHashRecalc, i64(), {ctxArg_}), i32());
  case ir::FieldId::MetaL3Proto:
    return load(l3Proto_);
  case ir::FieldId::MetaL4Proto:
    return load(l4Proto_);
  default:
    break;
  }
  if (info.mask && family_ == ir::HookFamily::CgroupSockAddr) {
    ml_.error(where, fmt::format("{} is not available on {}", info.name,
                                 ir::hookName(chain_.hook)));
    return b_.getIntN(info.width * 8, 0);
  }
  if (info.mask) {
    // (big-endian load & mask) >> shift, then the value's width.
    Value *raw = extract(headerWords(info.proto), info.offset, info.loadWidth);
    Value *v = b_.CreateLShr(b_.CreateAnd(bswap(raw), info.mask), info.shift);
    return b_.CreateTrunc(v, b_.getIntNTy(info.width * 8));
  }
  if (info.width > 8) {
    ml_.error(where, fmt::format("{} has no numeric value", info.name));
    return c64(0);
  }
  return bswap(fieldRaw(field, where).lo);
}

// ---------------------------------------------------------- predicates ----

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
    if (pred.negate || family_ == ir::HookFamily::CgroupSockAddr ||
        holdsOnZero(pred))
      requireHeader(ir::fieldInfo(pred.field).proto);
    test = fieldTest(pred);
    break;
  case ir::Predicate::Kind::Iface: {
    Value *index = ifaceIndex(pred.range);
    Value *wanted = c32(pred.ifindex);
    if (pred.hostSlot) {
      if (!ml_.hostSlots || *pred.hostSlot >= ml_.irModule.hostSlots.size()) {
        ml_.error(pred.range, "internal error: unknown host slot");
        return;
      }
      wanted = hostSlot(*pred.hostSlot);
    }
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
      if (family_ == ir::HookFamily::CgroupSockAddr) {
        ml_.error(pred.range, "meta.flow_probability is not available on "
                              "cgroup sock_addr hooks");
        return;
      }
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
    if (family_ == ir::HookFamily::CgroupSockAddr) {
      ml_.error(pred.range, "ip6.nexthdr is not available on cgroup "
                            "sock_addr hooks");
      return;
    }
    Value *word = load(chainBits_[pred.protocol / 64]);
    Value *bit = b_.CreateAnd(b_.CreateLShr(word, pred.protocol % 64), 1);
    test = b_.CreateICmpNE(bit, c64(0));
    break;
  }
  case ir::Predicate::Kind::Set: {
    if (pred.set >= chain_.sets.size()) {
      ml_.error(pred.range, "internal error: unknown set");
      return;
    }
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

Value *ChainLowering::fieldTest(const ir::Predicate &pred) {
  const ir::FieldInfo &info = ir::fieldInfo(pred.field);
  if (pred.value.size() != info.width ||
      (pred.op == ir::CmpOp::Range && pred.high.size() != info.width)) {
    ml_.error(pred.range,
              fmt::format("internal error: {} value of {} bytes, expected {}",
                          info.name, pred.value.size(), info.width));
    return nullptr;
  }
  if (pred.op == ir::CmpOp::Range) {
    if (info.width > 8) {
      ml_.error(pred.range,
                fmt::format("range is not supported on {}", info.name));
      return nullptr;
    }
    Value *v = fieldNumeric(pred.field, pred.range);
    Type *type = v->getType();
    return b_.CreateAnd(
        b_.CreateICmpUGE(v, ConstantInt::get(type, decodeBE(pred.value))),
        b_.CreateICmpULE(v, ConstantInt::get(type, decodeBE(pred.high))));
  }
  // Bitwise tests work on the raw (network order) bits with constants in
  // the same order: no byte swap at run time.
  RawValue raw = fieldRaw(pred.field, pred.range);
  ir::Bytes mask(info.width, 0xff);
  if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
    mask = prefixMask(info.width, *pred.prefixLen);
  auto part = [&](Value *v, size_t begin, size_t count) -> Value * {
    Type *type = v->getType();
    uint64_t value = decodeLE(pred.value, begin, count);
    uint64_t m = decodeLE(mask, begin, count);
    switch (pred.op) {
    case ir::CmpOp::Eq:
    case ir::CmpOp::Range:
      if (m == 0)
        return b_.getTrue();
      if (m != (count == 8 ? ~0ull : (1ull << (count * 8)) - 1))
        v = b_.CreateAnd(v, ConstantInt::get(type, m));
      return b_.CreateICmpEQ(v, ConstantInt::get(type, value & m));
    case ir::CmpOp::AnyBits:
      return b_.CreateICmpNE(b_.CreateAnd(v, ConstantInt::get(type, value)),
                             ConstantInt::get(type, 0));
    case ir::CmpOp::AllBits:
      return b_.CreateICmpEQ(b_.CreateAnd(v, ConstantInt::get(type, value)),
                             ConstantInt::get(type, value));
    }
    return b_.getFalse();
  };
  if (info.width == 16) {
    if (pred.op == ir::CmpOp::Eq) {
      // One comparison of both halves' differences, hidden from LLVM so
      // it stays one branch: after two, the first half would be known to
      // the verifier on the path that goes on, and rules after it that
      // look at the same (register-held) half would be walked twice.
      uint64_t m0 = decodeLE(mask, 0, 8), m1 = decodeLE(mask, 8, 8);
      Value *d0 = b_.CreateXor(b_.CreateAnd(raw.lo, c64(m0)),
                               c64(decodeLE(pred.value, 0, 8) & m0));
      Value *d1 = b_.CreateXor(b_.CreateAnd(raw.hi, c64(m1)),
                               c64(decodeLE(pred.value, 8, 8) & m1));
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
  unsigned addrOffset = set.lpm ? 4 : 0;
  // One key buffer per set, shared by every rule that looks it up.
  AllocaInst *&key = setKeys_[pred.set];
  if (!key)
    key = var(ArrayType::get(i8(), addrOffset + keySize), "setkey", 8);
  if (set.lpm) {
    // struct { u32 prefixlen; u8 addr[]; }: look up the full address.
    StoreInst *s = b_.CreateStore(c32(keySize * 8), key);
    s->setAlignment(Align(8));
  }
  unsigned offset = addrOffset;
  for (ir::FieldId f : set.key) {
    const ir::FieldInfo &info = ir::fieldInfo(f);
    RawValue raw = fieldRaw(f, pred.range);
    auto put = [&](Value *v, unsigned at) {
      Value *p = b_.CreateConstInBoundsGEP1_64(i8(), key, at);
      StoreInst *s = b_.CreateStore(v, p);
      s->setAlignment(Align(at & -at ? std::min(at & -at, 8u) : 8u));
    };
    put(raw.lo, offset);
    if (raw.hi)
      put(raw.hi, offset + 8);
    offset += info.width;
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

// --------------------------------------------------------------- rules ----

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
    if (pred.value.size() != info.width ||
        (pred.op == ir::CmpOp::Range &&
         (pred.high.size() != info.width || info.width > 4)))
      return nullptr; // fieldTest reports it
    // As in emitPredicate: zero-valued absent headers fail this test.
    if (pred.negate || holdsOnZero(pred))
      needs = info.proto;
    if (pred.op == ir::CmpOp::Range) {
      Value *v = b_.CreateZExt(fieldNumeric(pred.field, pred.range), i64());
      Value *below = signBit(b_.CreateSub(v, c64(decodeBE(pred.value))));
      Value *above = signBit(b_.CreateSub(c64(decodeBE(pred.high)), v));
      truth = b_.CreateXor(b_.CreateOr(below, above), c64(1));
      break;
    }
    RawValue raw = fieldRaw(pred.field, pred.range);
    ir::Bytes mask(info.width, 0xff);
    if (pred.op == ir::CmpOp::Eq && pred.prefixLen)
      mask = prefixMask(info.width, *pred.prefixLen);
    Value *diff = c64(0), *bits = c64(0);
    auto part = [&](Value *v, size_t begin, size_t count) {
      v = b_.CreateZExt(v, i64());
      uint64_t value = decodeLE(pred.value, begin, count);
      uint64_t m = decodeLE(mask, begin, count);
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
    truth = b_.CreateXor(
        nonZeroBit(b_.CreateXor(ifaceIndex(pred.range), wanted)), c64(1));
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

void ChainLowering::emitRule(const ir::Rule &rule, BasicBlock *next) {
  setLocation(rule.range);
  // Large chains, rules of several tests: the verifier keeps every branch
  // it has not followed yet, at most 8192 of them, and each extra test of a
  // rule leaves one behind (its failure also leads to the next rule). So
  // such rules combine their tests as 0/1 values into one branch.
  bool branchless = false;
  if (opaqueZero_) {
    size_t tests = 0;
    bool simple = true;
    for (const ir::Predicate &pred : rule.predicates) {
      bool field = pred.kind == ir::Predicate::Kind::Field;
      tests += field && !pred.negate && !holdsOnZero(pred) ? 1 : 2;
      simple &= hasTruthValue(pred);
    }
    branchless = simple && tests > 1;
  }
  if (branchless) {
    Value *all = c64(1);
    for (const ir::Predicate &pred : rule.predicates) {
      setLocation(pred.range);
      all = b_.CreateAnd(all, truthValue(pred));
    }
    BasicBlock *holds = nextBlock("holds");
    holdsBranch(b_.CreateICmpNE(all, c64(0)), holds, next);
    b_.SetInsertPoint(holds);
  } else {
    for (const ir::Predicate &pred : rule.predicates)
      emitPredicate(pred, next);
  }
  setLocation(rule.range);
  // On a match: counter, log, mark, then the verdict.
  if (rule.counter)
    bumpCounter(rule.index);
  if (rule.log.enabled)
    emitLog(rule);
  if (rule.mark)
    emitMark(rule);
  emitVerdict(rule.verdict, &rule, next);
}

std::vector<std::pair<size_t, size_t>> ChainLowering::ruleGroups() const {
  // A rough upper bound of the BPF instructions of each rule. Conditional
  // jumps reach +-32767 instructions and LLVM's BPF v3 target cannot relax
  // longer ones, so a long chain is cut into subprograms small enough for
  // any jump inside them; this also keeps LLVM's optimiser linear.
  auto estimate = [&](const ir::Rule &rule) {
    size_t n = 6;
    for (const ir::Predicate &p : rule.predicates) {
      switch (p.kind) {
      case ir::Predicate::Kind::Field:
        n += ir::fieldInfo(p.field).width == 16 ? 16 : 8;
        break;
      case ir::Predicate::Kind::Set:
        n += 32 +
             (p.set < chain_.sets.size() ? chain_.sets[p.set].keySize() : 0);
        break;
      case ir::Predicate::Kind::Probability:
        n += p.perFlow ? 120 : 10;
        break;
      default:
        n += 16;
        break;
      }
    }
    if (rule.counter)
      n += 20;
    if (rule.log.enabled)
      n += 260;
    if (rule.mark || rule.verdict == ir::Verdict::Redirect)
      n += 12;
    return n;
  };
  std::vector<std::pair<size_t, size_t>> groups;
  size_t begin = 0, size = 0;
  for (size_t i = 0; i < chain_.rules.size(); ++i) {
    size_t n = estimate(chain_.rules[i]);
    if (size + n > kGroupBudget && i > begin) {
      groups.emplace_back(begin, i);
      begin = i;
      size = 0;
    }
    size += n;
  }
  if (begin < chain_.rules.size() || groups.empty())
    groups.emplace_back(begin, chain_.rules.size());
  return groups;
}

Function *ChainLowering::emitGroup(size_t index, size_t begin, size_t end,
                                   const std::function<void()> &prologue) {
  // int <prog>_rules<index>(ctx, state): the rules [begin, end); returns
  // the program's return code, or kNoDecision to go on with the next group.
  DebugTypes &types = *ml_.types;
  std::string name = fmt::format("{}_rules{}", sym_.program, index);
  auto *type = FunctionType::get(i64(), {ptr(), ptr()}, false);
  Function *f =
      Function::Create(type, GlobalValue::InternalLinkage, name, ml_.mod.get());
  f->setSection(".text");
  f->addFnAttr(Attribute::NoUnwind);
  f->addFnAttr(Attribute::NoInline);
  // Kept in llvm.compiler.used so interprocedural passes leave its signature
  // (and so its BTF) alone.
  ml_.used.push_back(f);
  unsigned line = chain_.rules[begin].range.begin.line;
  if (!line)
    line = chain_.range.begin.line;
  DIType *ctxType = sp_->getType()->getTypeArray()[1];
  DIType *stateType = types.pointerTo(types.arrayOf(types.u8(), kStateSize));
  DISubprogram *sp = ml_.dib->createFunction(
      ml_.file, name, name, ml_.file, line,
      ml_.dib->createSubroutineType(
          ml_.dib->getOrCreateTypeArray({types.u64(), ctxType, stateType})),
      line, DINode::FlagPrototyped,
      DISubprogram::SPFlagDefinition | DISubprogram::SPFlagOptimized |
          DISubprogram::SPFlagLocalToUnit);
  f->setSubprogram(sp);
  ml_.dib->createParameterVariable(sp, "ctx", 1, ml_.file, line, ctxType, true);
  ml_.dib->createParameterVariable(sp, "state", 2, ml_.file, line, stateType,
                                   true);

  // Switch the builder to the new function, then back.
  IRBuilderBase::InsertPointGuard guard(b_);
  DebugLoc savedLoc = b_.getCurrentDebugLocation();
  Function *savedFn = fn_;
  BasicBlock *savedEntry = entry_;
  Argument *savedCtx = ctxArg_;
  Value *savedState = stateBase_, *savedNfState = nfState_,
        *savedNfSkb = nfSkb_;
  DISubprogram *savedSp = sp_;
  AllocaInst *savedKey = u32Key_;
  auto savedSetKeys = std::move(setKeys_);
  fn_ = f;
  sp_ = sp;
  ctxArg_ = f->getArg(0);
  ctxArg_->setName("ctx");
  stateBase_ = f->getArg(1);
  stateBase_->setName("state");
  u32Key_ = nullptr;
  setKeys_.clear();
  inGroup_ = true;
  entry_ = block("entry");
  b_.SetInsertPoint(entry_);
  setLocation(chain_.rules[begin].range);
  if (family_ == ir::HookFamily::Netfilter) {
    nfState_ = ctxLoad(kNfCtxState, ptr());
    nfSkb_ = ctxLoad(kNfCtxSkb, ptr());
  }
  if (prologue)
    prologue();
  for (size_t i = begin; i < end; ++i) {
    const ir::Rule &rule = chain_.rules[i];
    BasicBlock *next = block(fmt::format("rule{}.next", rule.index));
    emitRule(rule, next);
    // After the rule's match path: its predicates fall through towards the
    // match, and a failing one jumps here.
    next->moveAfter(&fn_->back());
    b_.SetInsertPoint(next);
  }
  b_.CreateRet(c64(kNoDecision));

  inGroup_ = false;
  fn_ = savedFn;
  sp_ = savedSp;
  entry_ = savedEntry;
  ctxArg_ = savedCtx;
  stateBase_ = savedState;
  nfState_ = savedNfState;
  nfSkb_ = savedNfSkb;
  u32Key_ = savedKey;
  setKeys_ = std::move(savedSetKeys);
  b_.SetCurrentDebugLocation(savedLoc);
  return f;
}

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
  for (size_t i = 0; i < chain_.sets.size(); ++i) {
    const ir::Set &set = chain_.sets[i];
    DIType *key = nullptr;
    if (set.lpm) {
      key = types.structType("",
                             {{"prefixlen", types.u32(), 32},
                              {"addr", types.arrayOf(types.u8(), set.keySize()),
                               set.keySize() * 8ull}});
    } else {
      key = types.arrayOf(types.u8(), set.keySize());
    }
    if (set.keySize() == 0) {
      ml_.error(set.range, "internal error: set without key");
      return;
    }
    sets_.push_back(ml_.createMap(
        sym_.sets[i], set.lpm ? detail::kMapLpmTrie : detail::kMapHash,
        setMaxEntries(set), set.lpm ? detail::kMapFlagNoPrealloc : 0, key,
        types.u8()));
  }

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
  stateBase_ = var(ArrayType::get(i8(), kStateSize), "state", 8);
  std::vector<std::pair<size_t, size_t>> groups = ruleGroups();
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
  if (chain_.policy == ir::Verdict::Continue ||
      chain_.policy == ir::Verdict::Redirect) {
    ml_.error(chain_.range, fmt::format("{} is not a chain policy",
                                        ir::verdictName(chain_.policy)));
    b_.CreateRet(c32(0));
    return;
  }
  // Malformed packets bump the error counter once, then are filtered with
  // the headers that were present.
  auto countErrors = [&] {
    BasicBlock *countError = block("error");
    BasicBlock *counted = block("errors.counted");
    b_.CreateCondBr(load(malformed_), countError, counted);
    b_.SetInsertPoint(countError);
    bumpCounter(BFC_COUNTER_ERRORS(rules));
    b_.CreateBr(counted);
    b_.SetInsertPoint(counted);
  };

  if (groups.size() <= 1) {
    countErrors();
    for (const ir::Rule &rule : chain_.rules) {
      BasicBlock *next = block(fmt::format("rule{}.next", rule.index));
      emitRule(rule, next);
      next->moveAfter(&fn_->back());
      b_.SetInsertPoint(next);
    }
    setLocation(chain_.range);
    bumpCounter(BFC_COUNTER_POLICY(rules));
    emitVerdict(chain_.policy, nullptr, nullptr);
    return;
  }

  // Subprograms. The first one counts errors, in its own stack frame: in
  // the main function, the counter key left on the stack by the error path
  // would make the verifier walk every subprogram twice (with and without).
  for (size_t g = 0; g < groups.size(); ++g) {
    Function *group =
        emitGroup(g, groups[g].first, groups[g].second,
                  g == 0 ? std::function<void()>(countErrors) : nullptr);
    Value *r = b_.CreateCall(group, {ctxArg_, stateBase_});
    BasicBlock *decided = block(fmt::format("group{}.decided", g));
    BasicBlock *next = block(fmt::format("group{}.next", g));
    b_.CreateCondBr(b_.CreateICmpEQ(r, c64(kNoDecision)), next, decided);
    b_.SetInsertPoint(decided);
    // The return code is the low half; the verifier checks all 64 bits of
    // r0 against the hook's range, and LLVM would not clear the upper half
    // of an i32 return value: a 32-bit move does.
    auto *movType = FunctionType::get(i32(), {i32()}, false);
    b_.CreateRet(
        b_.CreateCall(InlineAsm::get(movType, "$0 = $1", "=w,w", false),
                      {b_.CreateTrunc(r, i32())}));
    b_.SetInsertPoint(next);
  }
  setLocation(chain_.range);
  bumpCounter(BFC_COUNTER_POLICY(rules));
  emitVerdict(chain_.policy, nullptr, nullptr);
}

} // namespace detail

std::unique_ptr<llvm::Module> lowerToLLVM(const ir::Module &module,
                                          LLVMContext &context,
                                          const CodeGenOptions &options,
                                          DiagnosticEngine &diags) {
  return detail::ModuleLowering(module, context, options, diags).run();
}

} // namespace bfc::codegen
