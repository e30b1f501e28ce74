// BFIR -> LLVM IR: the module (maps, kfuncs, CO-RE types, debug info,
// metadata sections) and the entry point. docs/codegen.md explains the shape
// of the generated code; docs/semantics.md is what it must compute.
#include <atomic>

#include <fmt/format.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "Internal.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Object/Metadata.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Support/Version.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::codegen::detail {

namespace {

/// Rules compiled to compares (not found through a classifier table), over
/// all chains: each gives BTF line info entries of its own.
size_t rulesInCode(const ir::Module &module,
                   const std::vector<transform::ClassifierPlan> &plans) {
  size_t n = 0;
  for (size_t i = 0; i < module.chains.size(); ++i)
    n += plans[i].empty() ? module.chains[i].rules.size()
                          : plans[i].residual.size();
  return n;
}

} // namespace

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
  // One plan per chain, shared by the code and the metadata.
  std::vector<transform::ClassifierPlan> plans =
      classifierPlans(irModule, options);
  // The source is embedded so BTF line info shows each rule's text without
  // reading files at build time (and stays deterministic). Past
  // kMaxRulesWithLineText rules tested in order, an empty source is embedded
  // instead: line info keeps lines and columns, and LLVM 19's BPF backend,
  // which finds each line's text in its string table by a linear search,
  // stays linear (docs/codegen.md, "Large chains and the verifier").
  bool lineText = rulesInCode(irModule, plans) <= kMaxRulesWithLineText;
  file = dib->createFile(sourceName, "", std::nullopt,
                         StringRef(lineText ? options.sourceText : ""));
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

  object::Metadata metadata = buildMetadata(irModule, options, plans);
  std::vector<size_t> tableCounts;
  for (const transform::ClassifierPlan &plan : plans)
    tableCounts.push_back(plan.tables.size());
  std::vector<ChainSymbols> symbols = chainSymbols(irModule, tableCounts);
  for (size_t i = 0; i < irModule.chains.size(); ++i)
    ChainLowering(*this, irModule.chains[i], symbols[i], plans[i]).run();
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
  std::string meta = object::serializeMetadata(metadata);
  meta.push_back('\0');
  addBytes(kMetaSymbol, BFC_META_SECTION, meta);
  auto addRecords = [&](const char *name, const char *section,
                        const std::vector<uint8_t> &records) {
    if (!records.empty())
      addBytes(name, section,
               StringRef(reinterpret_cast<const char *>(records.data()),
                         records.size()));
  };
  addRecords(kSetsSymbol, kSetsSection, object::encodeSetsSection(metadata));
  addRecords(kTablesSymbol, BFC_TABLES_SECTION,
             object::encodeTablesSection(metadata));

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

} // namespace bfc::codegen::detail

namespace bfc::codegen {

namespace {
/// The lowering's precondition, checked once so that it can assume it
/// (detail::assumeVerified): the module verifies, every predicate reads
/// what its hook sees, and ranges compare integers (at most 8 bytes). The
/// others are valid BFIR that Sema never produces (predicates on values a
/// sock_addr call never has are false; address ranges compare bytes): they
/// are not compiled.
bool checkLowerable(const ir::Module &module, DiagnosticEngine &diags) {
  std::vector<std::string> problems = ir::verifyModule(module);
  for (const std::string &problem : problems)
    diags.error({}, "internal error: invalid BFIR: " + problem);
  if (!problems.empty())
    return false;
  bool lowerable = true;
  for (const ir::Chain &chain : module.chains)
    for (const ir::Rule &rule : chain.rules)
      for (const ir::Predicate &pred : rule.predicates) {
        std::string_view what;
        if (ir::predicateVisibility(chain.hook, pred, chain, &what) !=
            ir::Visibility::Visible) {
          diags.error(pred.range, ir::notAvailableMessage(what, chain.hook));
          lowerable = false;
        } else if (pred.kind == ir::Predicate::Kind::Field &&
                   pred.op == ir::CmpOp::Range &&
                   ir::fieldInfo(pred.field).width > 8) {
          diags.error(pred.range, fmt::format("range is not supported on {}",
                                              ir::fieldInfo(pred.field).name));
          lowerable = false;
        }
      }
  return lowerable;
}
} // namespace

std::unique_ptr<llvm::Module> lowerToLLVM(const ir::Module &module,
                                          llvm::LLVMContext &context,
                                          const CodeGenOptions &options,
                                          DiagnosticEngine &diags) {
  if (!checkLowerable(module, diags))
    return nullptr;
  return detail::ModuleLowering(module, context, options, diags).run();
}

} // namespace bfc::codegen
