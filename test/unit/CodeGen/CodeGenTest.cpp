// lib/CodeGen without the kernel: emit kinds, determinism, ELF layout,
// metadata and set records, diagnostics for what a hook cannot do.
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "CodeGenTestSupport.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Object/Metadata.h"

using namespace bfc;
using namespace bfc::codegen;
using namespace bfc::codegen::test;
using ir::FieldId;
using ir::Hook;
using ir::Verdict;

namespace {

ir::Module twoChains() {
  ModuleBuilder m(Hook::Xdp);
  m.add(rule({field(FieldId::Ip4Saddr, ip4(10, 0, 0, 1))}, Verdict::Drop));
  ir::Chain tc;
  tc.name = "egress-filter"; // not a C identifier
  tc.hook = Hook::TcEgress;
  tc.policy = Verdict::Next;
  tc.hasOptions = true;
  tc.options.ifindex = 3;
  ir::Rule r = rule({field(FieldId::TcpDport, be16(22))}, Verdict::Accept);
  r.mark = 0x42;
  r.text = "rule tcp.dport eq 22 mark 0x42 ACCEPT";
  tc.rules.push_back(r);
  m.module.chains.push_back(tc);
  return m.module;
}

TEST(CodeGenEmit, ObjectIsDeterministic) {
  ir::Module module = twoChains();
  for (unsigned level : {0u, 1u, 2u}) {
    std::optional<std::string> a = compile(module, EmitKind::Object, level);
    std::optional<std::string> b = compile(module, EmitKind::Object, level);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b) << "-O" << level;
  }
  std::optional<std::string> o0 = compile(module, EmitKind::Object, 0);
  std::optional<std::string> o2 = compile(module, EmitKind::Object, 2);
  ASSERT_TRUE(o0 && o2);
  EXPECT_NE(*o0, *o2) << "-O0 and -O2 should give different code";
}

// A chain the verifier could not walk within its 1,000,000 instructions
// is an error at the chain, with no object (the limit lowered to what
// these small chains need: a real one takes about 100,000 rules).
TEST(CodeGenEmit, ChainsOverTheVerifierLimitAreErrors) {
  ir::Module module = twoChains();
  module.chains[1].range.begin = {7, 3, 0};
  CodeGenOptions options;
  options.sourceText = "# test\n";
  for (uint64_t limit : {uint64_t(100'000), uint64_t(20)}) {
    options.verifierInsnLimit = limit;
    DiagnosticEngine diags;
    std::optional<std::string> out =
        emit(module, options, EmitKind::Object, diags);
    if (limit == 100'000) {
      EXPECT_TRUE(out.has_value());
      EXPECT_EQ(diags.errorCount(), 0u);
      continue;
    }
    EXPECT_FALSE(out.has_value());
    ASSERT_EQ(diags.errorCount(), 2u);
    const Diagnostic &d = diags.diagnostics()[1];
    EXPECT_EQ(d.range.begin.line, 7u);
    EXPECT_NE(d.message.find("chain 'egress-filter' compiles to "),
              std::string::npos)
        << d.message;
    EXPECT_NE(d.message.find("more than the 20 "), std::string::npos)
        << d.message;
  }
}

// Likewise a chain of more functions than the verifier accepts in one
// program (BPF_MAX_SUBPROGS, 256; lowered here to 1: the program and its
// shared epilogue are two).
TEST(CodeGenEmit, ChainsOverTheSubprogramLimitAreErrors) {
  ir::Module module = twoChains();
  module.chains[1].range.begin = {7, 3, 0};
  CodeGenOptions options;
  options.sourceText = "# test\n";
  options.subprogramLimit = 1;
  DiagnosticEngine diags;
  EXPECT_FALSE(emit(module, options, EmitKind::Object, diags).has_value());
  ASSERT_GE(diags.errorCount(), 1u);
  const Diagnostic &d = diags.diagnostics().back();
  EXPECT_EQ(d.range.begin.line, 7u);
  EXPECT_NE(d.message.find("chain 'egress-filter' compiles to 2 BPF "
                           "functions, more than the 1 "),
            std::string::npos)
      << d.message;
  options.subprogramLimit = 2;
  DiagnosticEngine fits;
  EXPECT_TRUE(emit(module, options, EmitKind::Object, fits).has_value());
  EXPECT_EQ(fits.errorCount(), 0u);
}

// A chain cut into more rule groups than the limit allows is an error
// before LLVM runs: 100,000 rules no table takes spent 3 minutes in the
// backend before the object's check saw 378 functions.
TEST(CodeGenEmit, TooManyRuleGroupsAreAnErrorBeforeLLVM) {
  ModuleBuilder m(Hook::Xdp);
  for (uint16_t i = 0; i < 2000; ++i) {
    ir::Rule r =
        rule({range(FieldId::TcpSport, be16(1024 + 2 * i), be16(1025 + 2 * i)),
              range(FieldId::TcpDport, be16(1), be16(2))},
             Verdict::Drop);
    r.counter = true;
    m.add(r);
  }
  CodeGenOptions options;
  options.sourceText = "# test\n";
  options.subprogramLimit = 3;
  llvm::LLVMContext context;
  DiagnosticEngine diags;
  EXPECT_EQ(lowerToLLVM(m.module, context, options, diags), nullptr);
  ASSERT_EQ(diags.errorCount(), 1u);
  EXPECT_NE(diags.diagnostics()[0].message.find(
                "BPF functions, more than the 3 the kernel's verifier"),
            std::string::npos)
      << diags.diagnostics()[0].message;
  options.subprogramLimit = 256;
  DiagnosticEngine fits;
  EXPECT_NE(lowerToLLVM(m.module, context, options, fits), nullptr);
  EXPECT_EQ(fits.errorCount(), 0u);
}

TEST(CodeGenEmit, ObjectIsBpfElfWithMetadata) {
  std::optional<std::string> bytes = compile(twoChains());
  ASSERT_TRUE(bytes);
  ASSERT_GE(bytes->size(), 20u);
  EXPECT_EQ(bytes->substr(0, 4), "\x7f"
                                 "ELF");
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[18]), 247) << "e_machine EM_BPF";
  object::ObjectFile obj = objectFile(*bytes);
  const object::Metadata &meta = obj.metadata();
  ASSERT_EQ(meta.chains.size(), 2u);
  EXPECT_EQ(meta.chains[0].program, "test");
  EXPECT_EQ(meta.chains[0].section, "xdp");
  EXPECT_EQ(meta.chains[1].name, "egress-filter");
  EXPECT_EQ(meta.chains[1].program, "bfc_egress_filter");
  EXPECT_EQ(meta.chains[1].section, "tc");
  EXPECT_EQ(meta.chains[1].counters.map, "bfc_egress_filter_counters");
  EXPECT_EQ(meta.chains[1].counters.size, 3u);
  EXPECT_EQ(meta.chains[1].counters.policy, 1u);
  EXPECT_EQ(meta.chains[1].counters.errors, 2u);
  EXPECT_TRUE(meta.chains[1].attach);
  EXPECT_FALSE(meta.chains[0].attach);
  EXPECT_EQ(meta.chains[1].options.ifindex, 3u);
  EXPECT_EQ(meta.chains[1].rules[0].mark, 0x42u);
  EXPECT_EQ(meta.format, "bfc-object");
  EXPECT_EQ(meta.version, 1u);
  EXPECT_EQ(meta.source.sha256.size(), 64u);
}

TEST(CodeGenEmit, Sha256OfSource) {
  ModuleBuilder m(Hook::Xdp);
  CodeGenOptions options;
  options.sourceText = "abc";
  object::Metadata meta =
      object::parseMetadata(metadataJSON(m.module, options));
  EXPECT_EQ(meta.source.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(meta.source.name, "test.bf");
}

TEST(CodeGenEmit, LLVMIRShowsSectionsMapsAndLicense) {
  std::optional<std::string> ir = compile(twoChains(), EmitKind::LLVMIR);
  ASSERT_TRUE(ir);
  EXPECT_NE(ir->find("i32 @test(ptr"), std::string::npos);
  EXPECT_NE(ir->find("section \"xdp\""), std::string::npos);
  EXPECT_NE(ir->find("@bfc_egress_filter("), std::string::npos);
  EXPECT_NE(ir->find("section \"tc\""), std::string::npos);
  EXPECT_NE(ir->find("@test_counters = "), std::string::npos);
  EXPECT_NE(ir->find("section \".maps\""), std::string::npos);
  EXPECT_NE(ir->find("c\"GPL\\00\", section \"license\""), std::string::npos);
  EXPECT_NE(ir->find("section \".bfc.meta\""), std::string::npos);
}

TEST(CodeGenEmit, AssemblyIsBpf) {
  std::optional<std::string> text = compile(twoChains(), EmitKind::Assembly);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find(".section\txdp"), std::string::npos);
  EXPECT_NE(text->find("call 1"), std::string::npos) << "map lookups";
  EXPECT_NE(text->find("exit"), std::string::npos);
}

TEST(CodeGenEmit, LowerToLLVMGivesVerifiedModule) {
  llvm::LLVMContext context;
  DiagnosticEngine diags;
  ir::Module module = twoChains();
  std::unique_ptr<llvm::Module> m =
      lowerToLLVM(module, context, CodeGenOptions{}, diags);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->getTargetTriple(), "bpfel");
  EXPECT_TRUE(m->getFunction("test"));
  EXPECT_TRUE(m->getFunction("bfc_egress_filter"));
  EXPECT_TRUE(m->getNamedGlobal("bfc_meta"));
  optimize(*m, CodeGenOptions{});
  EXPECT_TRUE(m->getFunction("test")) << "programs survive optimisation";
}

TEST(CodeGenSymbols, SanitisedAndUniqueNames) {
  ir::Module module;
  for (const char *name : {"a-b", "a.b", "int", "ok", "9x"}) {
    ir::Chain c;
    c.name = name;
    module.chains.push_back(c);
  }
  std::vector<ChainSymbols> s = chainSymbols(module);
  EXPECT_EQ(s[0].program, "bfc_a_b");
  EXPECT_EQ(s[1].program, "bfc_a_b_1");
  EXPECT_EQ(s[2].program, "bfc_int") << "C keywords are not identifiers";
  EXPECT_EQ(s[3].program, "ok");
  EXPECT_EQ(s[4].program, "bfc_9x");
  EXPECT_EQ(s[3].counters, "ok_counters");
  EXPECT_TRUE(s[3].log.empty());
}

TEST(CodeGenSymbols, HookSections) {
  EXPECT_EQ(hookSection(Hook::Xdp), "xdp");
  EXPECT_EQ(hookSection(Hook::TcIngress), "tc");
  EXPECT_EQ(hookSection(Hook::NfForward), "netfilter");
  EXPECT_EQ(hookSection(Hook::CgroupSkbEgress), "cgroup_skb/egress");
  EXPECT_EQ(hookSection(Hook::CgroupSockAddrSendmsg6), "cgroup/sendmsg6");
}

TEST(CodeGenMetadata, SetsLogsAndHostSlots) {
  ModuleBuilder m(Hook::TcIngress);
  m.module.internIface("eth0");
  uint32_t exact =
      m.addSet({FieldId::Ip4Saddr, FieldId::Ip4Proto}, false,
               {{{10, 0, 0, 1, 6}, 0, {}}, {{10, 0, 0, 2, 17}, 0, {}}});
  uint32_t lpm =
      m.addSet({FieldId::Ip6Saddr}, true, {{ir::Bytes(16, 0x20), 48, {}}});
  ir::Predicate inExact;
  inExact.kind = ir::Predicate::Kind::Set;
  inExact.set = exact;
  ir::Rule logged = rule({inExact}, Verdict::Drop);
  logged.log = {true, ir::kLogInternet, 1000};
  m.add(logged);
  ir::Predicate inLpm = inExact;
  inLpm.set = lpm;
  ir::Rule redirect = rule({inLpm}, Verdict::Redirect);
  redirect.redirectSlot = 0;
  redirect.redirectDir = ir::RedirectDir::In;
  m.add(redirect);

  std::optional<std::string> bytes = compile(m.module);
  ASSERT_TRUE(bytes);
  object::ObjectFile obj = objectFile(*bytes);
  const object::ChainInfo &chain = obj.metadata().chains.at(0);
  ASSERT_EQ(obj.metadata().hostSlots.size(), 1u);
  EXPECT_EQ(obj.metadata().hostSlots[0].name, "eth0");
  ASSERT_TRUE(chain.log);
  EXPECT_EQ(chain.log->map, "test_log");
  EXPECT_EQ(chain.log->rateMap, "test_logrl");
  ASSERT_TRUE(chain.rules[0].log);
  EXPECT_EQ(chain.rules[0].log->everyNs, 1000u);
  ASSERT_TRUE(chain.rules[1].redirect);
  EXPECT_EQ(chain.rules[1].redirect->slot, 0u);
  EXPECT_EQ(chain.rules[1].redirect->dir, ir::RedirectDir::In);
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_EQ(chain.sets[0].map, "test_set0");
  EXPECT_EQ(chain.sets[0].keySize, 5u);
  EXPECT_FALSE(chain.sets[0].lpm);
  EXPECT_GE(chain.sets[0].maxEntries, 2u);
  ASSERT_EQ(chain.sets[0].elements.size(), 2u);
  EXPECT_EQ(chain.sets[0].elements[1].key, (ir::Bytes{10, 0, 0, 2, 17}));
  EXPECT_TRUE(chain.sets[1].lpm);
  EXPECT_EQ(chain.sets[1].keySize, 16u);
  ASSERT_EQ(chain.sets[1].elements.size(), 1u);
  EXPECT_EQ(chain.sets[1].elements[0].prefixLen, 48u);
  // The same records as setsSection() gives.
  std::vector<uint8_t> records = setsSection(m.module);
  EXPECT_EQ(records.size(), 2 * (8 + 5) + (8 + 16));
}

TEST(CodeGenMetadata, MaxEntriesLeaveRoom) {
  ir::Set set;
  set.key = {FieldId::Ip4Saddr};
  EXPECT_EQ(setMaxEntries(set), 16u);
  set.elements.resize(100000);
  EXPECT_GE(setMaxEntries(set), 125000u);
}

TEST(CodeGenMetadata, SetMapPlan) {
  auto set = [](std::vector<FieldId> key, bool lpm, size_t elements) {
    ir::Set s;
    s.key = std::move(key);
    s.lpm = lpm;
    s.elements.resize(elements);
    return s;
  };
  ir::Chain chain;
  chain.name = "t";
  chain.sets.push_back(set({FieldId::Ip4Saddr}, false, 100));
  chain.sets.push_back(set({FieldId::Ip6Saddr}, true, 1));
  chain.sets.push_back(set({FieldId::Ip4Daddr}, false, 1));
  chain.sets.push_back(set({FieldId::Ip4Saddr, FieldId::TcpDport}, false, 1));
  chain.sets.push_back(set({FieldId::Ip6Daddr}, true, 1));
  SetMapPlan plan = planSetMaps(chain);
  // The 4-byte hash sets share; the LPM sets (few) and the only 6-byte set
  // have maps of their own.
  ASSERT_EQ(plan.maps.size(), 4u);
  EXPECT_EQ(plan.mapOf, (std::vector<uint32_t>{0, 1, 0, 2, 3}));
  EXPECT_EQ(plan.idOf[0], 0u);
  EXPECT_EQ(plan.idOf[2], 2u);
  EXPECT_EQ(plan.idOf[1], std::nullopt);
  EXPECT_EQ(plan.idOf[3], std::nullopt);
  EXPECT_TRUE(plan.maps[0].shared);
  EXPECT_FALSE(plan.maps[1].shared);
  EXPECT_EQ(plan.maps[0].maxEntries,
            setMaxEntries(chain.sets[0]) + setMaxEntries(chain.sets[2]));
  EXPECT_EQ(plan.lookupKeySize(0), 8u);
  EXPECT_EQ(plan.lookupKeySize(1), 20u);
  ir::Module module;
  module.chains.push_back(chain);
  EXPECT_EQ(chainSymbols(module)[0].sets,
            (std::vector<std::string>{"t_setmap0", "t_set1", "t_setmap0",
                                      "t_set3", "t_set4"}));

  // Beyond kPrivateSetMapsUpTo set maps, LPM sets of one size share too.
  for (size_t i = 0; i < kPrivateSetMapsUpTo; ++i)
    chain.sets.push_back(set({FieldId::Ip4Saddr}, true, 1));
  plan = planSetMaps(chain);
  ASSERT_EQ(plan.maps.size(), 4u);
  EXPECT_TRUE(plan.maps[1].shared);
  EXPECT_EQ(plan.mapOf[4], 1u);
  EXPECT_EQ(plan.idOf[4], 4u);
  EXPECT_EQ(plan.lookupKeySize(4), 24u);
  EXPECT_EQ(plan.mapOf.back(), 3u);
  EXPECT_EQ(plan.maps[3].maxEntries, 16u * kPrivateSetMapsUpTo);
}

// ------------------------------------------------------------ diagnostics --

std::string diagnose(const ir::Module &module) {
  DiagnosticEngine diags;
  std::optional<std::string> out =
      emit(module, CodeGenOptions{}, EmitKind::Object, diags);
  EXPECT_FALSE(out.has_value());
  std::ostringstream os;
  diags.print(os);
  return os.str();
}

TEST(CodeGenDiagnostics, MarkOnNetfilterIsAnError) {
  ModuleBuilder m(Hook::NfLocalIn);
  ir::Rule r = rule({}, Verdict::Accept);
  r.mark = 1;
  r.range.begin = {3, 5, 0};
  m.add(r);
  EXPECT_NE(diagnose(m.module).find("mark is not supported on "
                                    "BF_HOOK_NF_LOCAL_IN"),
            std::string::npos);
}

TEST(CodeGenDiagnostics, RedirectOutsideXdpAndTcIsAnError) {
  ModuleBuilder m(Hook::CgroupSkbIngress);
  m.add(rule({}, Verdict::Redirect));
  EXPECT_NE(diagnose(m.module).find("REDIRECT is not supported"),
            std::string::npos);
}

TEST(CodeGenDiagnostics, FieldsAHookCannotSee) {
  ModuleBuilder xdp(Hook::Xdp);
  xdp.add(rule({field(FieldId::MetaMark, be32(1))}, Verdict::Drop));
  EXPECT_NE(diagnose(xdp.module).find("meta.mark is not available"),
            std::string::npos);
  ModuleBuilder sock(Hook::CgroupSockAddrConnect4);
  sock.add(rule({field(FieldId::Icmpv6Type, {128})}, Verdict::Drop));
  EXPECT_NE(diagnose(sock.module).find("icmpv6.type is not available"),
            std::string::npos);
}

TEST(CodeGenDiagnostics, ValidBFIRItDoesNotCompile) {
  // A source port on connect() is false (valid BFIR, the interpreter's
  // semantics) and an address range compares bytes: neither is compiled.
  ModuleBuilder sock(Hook::CgroupSockAddrConnect4);
  sock.add(rule({field(FieldId::TcpSport, be16(22))}, Verdict::Drop));
  ASSERT_TRUE(ir::verifyModule(sock.module).empty());
  EXPECT_NE(diagnose(sock.module)
                .find("tcp.sport is not available on "
                      "BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4"),
            std::string::npos);
  ModuleBuilder range(Hook::TcIngress);
  ir::Predicate wide = field(FieldId::Ip6Saddr, ir::Bytes(16, 0));
  wide.op = ir::CmpOp::Range;
  wide.high = ir::Bytes(16, 0xff);
  range.add(rule({wide}, Verdict::Drop));
  ASSERT_TRUE(ir::verifyModule(range.module).empty());
  EXPECT_NE(diagnose(range.module).find("range is not supported on ip6.saddr"),
            std::string::npos);
}

TEST(CodeGenDiagnostics, MalformedBFIRIsReportedNotCrashing) {
  ModuleBuilder m(Hook::Xdp);
  m.add(rule({field(FieldId::Ip4Saddr, {1, 2})}, Verdict::Drop));
  EXPECT_NE(diagnose(m.module).find("internal error"), std::string::npos);
  ModuleBuilder policy(Hook::Xdp, Verdict::Continue);
  EXPECT_NE(diagnose(policy.module)
                .find("policy CONTINUE is not ACCEPT, DROP or NEXT"),
            std::string::npos);
}

} // namespace
