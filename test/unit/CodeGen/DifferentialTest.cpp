// Differential test: random chains x random packets, in the kernel
// (BPF_PROG_TEST_RUN) and in the reference interpreter; every verdict,
// return code, counter, mark and log event must agree. Seeded, so a failure
// reproduces; each chain is loaded once and runs many packets. Needs root.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "RandomChains.h"
#include "bfc/IR/Verifier.h"

using namespace bfc;
using namespace bfc::codegen;
using namespace bfc::codegen::test;
using ir::FieldId;
using ir::Hook;
using ir::Verdict;

namespace {

constexpr unsigned kChains = 200;
constexpr unsigned kPacketsPerChain = 600;

TEST(CodeGenDifferential, RandomChainsAndPackets) {
  BFC_REQUIRE_ROOT();
  // BFC_DIFF_SEED=N replays one chain; BFC_DIFF_DUMP=FILE also writes its
  // object there.
  unsigned first = 1, last = kChains;
  if (const char *only = std::getenv("BFC_DIFF_SEED"))
    first = last = static_cast<unsigned>(std::atoi(only));
  unsigned packetsRun = 0, chainsRun = 0, large = 0;
  for (unsigned seed = first; seed <= last; ++seed) {
    Random r(seed);
    ir::Module module = randomModule(r, seed);
    const ir::Chain &chain = module.chains.front();
    Generator gen{r, chain.hook, module};
    // Every tenth chain is long enough to be split into subprograms.
    unsigned rules = seed % 10 == 0 ? 350 + r.below(200) : r.below(25);
    large += seed % 10 == 0;
    for (unsigned i = 0; i < rules; ++i)
      module.chains.front().rules.push_back(gen.makeRule(i));
    std::vector<std::string> problems =
        ir::verifyChain(module, module.chains.front());
    ASSERT_TRUE(problems.empty()) << "seed " << seed << ": " << problems[0];

    load::TestRunOptions options;
    options.ifaces = kIfaces;
    if (const char *dump = std::getenv("BFC_DIFF_DUMP")) {
      std::optional<std::string> bytes = compile(module);
      std::ofstream(dump, std::ios::binary) << bytes.value_or("");
    }
    std::unique_ptr<Loaded> loaded;
    try {
      loaded = loadForTestRun(module, options);
    } catch (const load::LoadError &e) {
      FAIL() << "seed " << seed << ": " << e.what();
    }
    ASSERT_TRUE(loaded) << "seed " << seed;
    interp::HostEnv env;
    env.ifindexByName = kIfaces;
    run::Comparer comparer(module, module.chains.front(), *loaded->chain, env);
    unsigned failures = 0;
    for (unsigned i = 0; i < kPacketsPerChain; ++i) {
      std::string spec = randomPacket(r);
      Expected<packet::Packet> pkt = packet::buildPacket(spec);
      ASSERT_TRUE(pkt.ok())
          << spec << ": " << packet::describeSpecError(pkt.error(), spec);
      maybeTruncate(r, *pkt, spec);
      if (load::testRunProblem(chain.hook, *pkt))
        continue;
      run::Comparison c = comparer.run(*pkt);
      ++packetsRun;
      if (!c.differences.empty() && failures++ < 5)
        ADD_FAILURE() << "seed " << seed << " (" << ir::hookName(chain.hook)
                      << "), packet " << spec << ": " << c.differences.front();
    }
    ++chainsRun;
  }
  std::cout << "[ differential ] " << chainsRun << " chains (" << large
            << " split into subprograms), " << packetsRun
            << " packets compared\n";
  if (first != 1 || last != kChains)
    return;
  EXPECT_EQ(chainsRun, kChains);
  EXPECT_GE(large, 20u);
  EXPECT_GE(packetsRun, 100000u) << "packets the hooks could test-run";
}

// The long chains' hooks (with and without marks) and rule i's source
// address, 10.(i >> 8).(i & 255).1.
const Hook kLongChainHooks[] = {Hook::TcIngress, Hook::Xdp,
                                Hook::CgroupSkbEgress};
ir::Bytes source(unsigned i) { return ip4(10, uint8_t(i >> 8), uint8_t(i), 1); }

/// The classifier tables of `module`'s compiled chain (a copy: the object
/// owns its metadata).
std::vector<object::TableInfo> classifierTables(const ir::Module &module) {
  std::optional<std::string> bytes = compile(module);
  if (!bytes) {
    ADD_FAILURE() << "the module does not compile";
    return {};
  }
  const object::ObjectFile object = objectFile(*bytes);
  return object.metadata().chains.front().tables;
}

void expectSameAsInterpreter(Hook hook, const ir::Module &module,
                             const std::vector<std::string> &specs) {
  std::vector<std::string> diffs = compareAll(module, specs);
  EXPECT_TRUE(diffs.empty())
      << ir::hookName(hook) << ": " << diffs.size()
      << " differences, first: " << (diffs.empty() ? "" : diffs.front());
}

// Long chains of CONTINUE rules with counters, logs and marks, all applied
// in the shared epilogue: packets aimed at the first, a middle, the last and
// no rule, every counter compared rule by rule (the comparer checks each
// counter's delta, the mark and the log events of every packet).
TEST(CodeGenDifferential, ManyContinueRulesWithEffects) {
  BFC_REQUIRE_ROOT();
  constexpr unsigned kRules = 3000;
  for (Hook hook : kLongChainHooks) {
    bool marks = ir::hookFamily(hook) != ir::HookFamily::Xdp;
    ModuleBuilder b(hook, Verdict::Drop);
    for (unsigned i = 0; i < kRules; ++i) {
      // Every rule matches its own source address; every seventh also
      // matches all of TCP port 80, so one packet runs many CONTINUE rules.
      ir::Rule r =
          rule({field(i % 7 ? FieldId::Ip4Saddr : FieldId::TcpDport,
                      i % 7 ? source(i) : be16(80))},
               i % 50 == 49 ? Verdict::Accept : Verdict::Continue, i % 3 != 2);
      if (i % 4 == 1) {
        r.log.enabled = true;
        r.log.headers = static_cast<uint8_t>(i % 8);
      }
      if (marks && i % 5 == 3)
        r.mark = i;
      b.add(std::move(r));
    }
    std::vector<std::string> specs;
    for (unsigned target : {1u, 2u, kRules / 2 + 1, kRules - 2, kRules - 1})
      for (const char *l4 : {"tcp(dport=80)", "tcp(dport=22)", "udp"})
        specs.push_back(fmt::format("eth/ip4(src=10.{}.{}.1)/{}", target >> 8,
                                    target & 255, l4));
    specs.push_back("eth/ip4(src=192.0.2.1)/tcp(dport=80)");
    specs.push_back("eth/ip4(src=192.0.2.1)/udp");
    specs.push_back("eth/ip6/tcp(dport=80)");
    expectSameAsInterpreter(hook, b.module, specs);
  }
}

// Classified chains (docs/codegen.md, "Classification"): thousands of
// rules found by table lookups (exact addresses, /24 prefixes, address and
// port pairs) between residual rules (ranges, negations) and CONTINUE rules
// with counters, logs and marks that must still run in order before the
// best rule the tables found. Packets aimed at the first, a middle, the last
// and no rule; the comparer checks every counter's delta, the mark and the
// log events of each packet.
TEST(CodeGenDifferential, ClassifiedChainsWithContinueAndEffects) {
  BFC_REQUIRE_ROOT();
  constexpr unsigned kRules = 3000;
  for (Hook hook : kLongChainHooks) {
    bool marks = ir::hookFamily(hook) != ir::HookFamily::Xdp;
    ModuleBuilder b(hook, Verdict::Accept);
    for (unsigned i = 0; i < kRules; ++i) {
      Verdict verdict = i % 2 ? Verdict::Drop : Verdict::Accept;
      ir::Rule r;
      switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        r = rule({field(FieldId::Ip4Saddr, source(i))}, verdict, i % 3 != 2);
        break;
      case 4: {
        ir::Predicate net = field(FieldId::Ip4Saddr, source(i));
        net.value[3] = 0;
        net.prefixLen = 24;
        r = rule({net}, verdict);
        break;
      }
      case 5:
        r = rule({field(FieldId::Ip4Saddr, source(i)),
                  field(FieldId::TcpDport, be16(uint16_t(1000 + i)))},
                 verdict);
        break;
      case 6: // every TCP packet to port 80 runs all of these
        r = rule({field(FieldId::TcpDport, be16(80))}, Verdict::Continue,
                 i % 4 != 2);
        break;
      case 7:
        r = rule({range(FieldId::UdpDport, be16(uint16_t(5000 + i % 100)),
                        be16(uint16_t(5000 + i % 100)))},
                 verdict);
        break;
      case 8:
        r = rule({field(FieldId::Ip4Saddr, source(i)),
                  field(FieldId::TcpDport, be16(22), true)},
                 Verdict::Continue);
        break;
      default:
        r = rule({field(FieldId::Ip4Saddr, source(i)),
                  field(FieldId::TcpSport, be16(7))},
                 verdict);
        break;
      }
      if (i % 4 == 1 && r.verdict == Verdict::Continue) {
        r.log.enabled = true;
        r.log.headers = static_cast<uint8_t>(i % 8);
      }
      if (marks && i % 5 == 3 && r.verdict == Verdict::Continue)
        r.mark = i;
      b.add(std::move(r));
    }
    // The tables are there: most rules are classified.
    std::vector<object::TableInfo> tables = classifierTables(b.module);
    ASSERT_GE(tables.size(), 3u) << ir::hookName(hook);
    size_t entries = 0;
    for (const object::TableInfo &t : tables)
      entries += t.entries.size();
    EXPECT_GE(entries, kRules / 2) << ir::hookName(hook);

    std::vector<std::string> specs;
    for (unsigned target : {0u, 1u, 4u, 5u, 8u, kRules / 2 + 1, kRules / 2 + 4,
                            kRules - 6, kRules - 5, kRules - 2, kRules - 1})
      for (std::string l4 :
           {std::string("tcp(dport=80)"), std::string("tcp(dport=22)"),
            fmt::format("tcp(dport={})", 1000 + target),
            std::string("tcp(sport=7,dport=9)"), std::string("udp"),
            fmt::format("udp(dport={})", 5000 + target % 100)})
        for (unsigned host : {1u, 9u})
          specs.push_back(fmt::format("eth/ip4(src=10.{}.{}.{})/{}",
                                      target >> 8, target & 255, host, l4));
    specs.push_back("eth/ip4(src=192.0.2.1)/tcp(dport=80)");
    specs.push_back("eth/ip4(src=192.0.2.1)/udp(dport=5007)");
    specs.push_back("eth/ip4(src=192.0.2.1)/udp");
    specs.push_back("eth/ip4(src=0.0.0.0)/tcp(sport=0,dport=0)");
    specs.push_back("eth/ip6/tcp(dport=80)");
    expectSameAsInterpreter(hook, b.module, specs);
  }
}

// Guarded candidates and CONTINUE candidates (docs/codegen.md, "Guarded
// candidates"), like bench/rulesets.py's mix: thousands of rules, each an
// address key and other tests (ranges, negations, flags, a set), CONTINUE
// rules with counters, logs and marks found by the table and applied in
// order with the rules that run in order (a CONTINUE rule first, two port
// ranges in the middle); every tenth rule shares the key of a CONTINUE
// rule three before it. Packets aimed at the first, middle, last and no
// rule; the comparer checks every counter's delta, the mark and the log
// events, in order, of each packet.
TEST(CodeGenDifferential, GuardedAndContinueCandidates) {
  BFC_REQUIRE_ROOT();
  constexpr unsigned kRules = 4000;
  for (Hook hook : kLongChainHooks) {
    bool marks = ir::hookFamily(hook) != ir::HookFamily::Xdp;
    ModuleBuilder b(hook, Verdict::Accept);
    ir::Set services;
    services.name = "services";
    services.key = {FieldId::TcpDport};
    for (uint16_t port : {80, 443})
      services.elements.push_back({be16(port), 0, {}});
    b.chain().sets.push_back(std::move(services));
    ir::Predicate inServices;
    inServices.kind = ir::Predicate::Kind::Set;
    inServices.set = 0;
    // A blocklist whose elements are keys of the table (one shadows a
    // later rule).
    ir::Set blocked;
    blocked.name = "blocked";
    blocked.key = {FieldId::Ip4Saddr};
    for (const ir::Bytes &a : {source(kRules / 3 + 4), ip4(192, 0, 2, 7)})
      blocked.elements.push_back({a, 0, {}});
    b.chain().sets.push_back(std::move(blocked));
    ir::Predicate inBlocked = inServices;
    inBlocked.set = 1;
    ir::Predicate anySynFin = field(FieldId::TcpFlags, {0x03});
    anySynFin.op = ir::CmpOp::AnyBits;
    for (unsigned i = 0; i < kRules; ++i) {
      ir::Predicate key = field(FieldId::Ip4Saddr, source(i));
      ir::Rule r;
      if (i == 0) {
        ir::Predicate syn = field(FieldId::TcpFlags, {0x02});
        syn.op = ir::CmpOp::AnyBits;
        r = rule({syn}, Verdict::Continue);
        r.log.enabled = true;
      } else if (i == kRules / 3) {
        r = rule({inBlocked}, Verdict::Drop);
      } else if (i == kRules / 2) {
        r = rule({range(FieldId::UdpDport, be16(5000), be16(5010))},
                 Verdict::Continue);
        r.log.enabled = true;
      } else if (i == kRules / 2 + 1) {
        r = rule({range(FieldId::UdpDport, be16(6000), be16(6010))},
                 Verdict::Drop);
      } else {
        switch (i % 10) {
        case 0:
          r = rule({key, range(FieldId::TcpDport, be16(400), be16(500))},
                   Verdict::Drop);
          break;
        case 1:
          r = rule({key, field(FieldId::Ip4Proto, {17}, true)},
                   Verdict::Accept);
          break;
        case 2:
          r = rule({key}, Verdict::Continue, i % 3 != 0);
          r.log.enabled = true;
          r.log.headers = static_cast<uint8_t>(i % 8);
          break;
        case 3:
          r = rule({key, inServices}, Verdict::Accept);
          break;
        case 4:
          r = rule({key, field(FieldId::TcpDport, be16(22), true)},
                   Verdict::Drop);
          break;
        case 5:
          r = rule({key, anySynFin}, Verdict::Drop);
          break;
        case 6:
          r = rule({key, range(FieldId::TcpSport, be16(1024), be16(65535))},
                   Verdict::Continue);
          r.log.enabled = i % 4 != 0;
          if (marks)
            r.mark = i;
          break;
        case 7:
          r = rule({key, range(FieldId::L4Dport, be16(1), be16(1023))},
                   Verdict::Drop);
          break;
        case 8:
          r = rule({key}, Verdict::Drop);
          break;
        default:
          r = rule({field(FieldId::Ip4Saddr, source(i - 3)),
                    range(FieldId::UdpDport, be16(1), be16(100))},
                   Verdict::Accept);
          break;
        }
      }
      b.add(std::move(r));
    }
    // Nearly every rule is in the one table.
    std::vector<object::TableInfo> tables = classifierTables(b.module);
    ASSERT_EQ(tables.size(), 1u) << ir::hookName(hook);
    EXPECT_GE(tables[0].entries.size(), kRules * 8 / 10);

    std::vector<unsigned> targets;
    for (unsigned t = 1; t < 13; ++t)
      for (unsigned base : {0u, kRules / 3 - 4, kRules / 2 - 4, kRules - 13})
        targets.push_back(base + t);
    std::vector<std::string> specs;
    for (unsigned target : targets)
      for (const char *l4 :
           {"tcp(sport=2000,dport=450,flags=syn)", "tcp(sport=100,dport=22)",
            "tcp(sport=2000,dport=80)", "tcp(sport=7,dport=9,flags=fin)",
            "udp(sport=2000,dport=5005)", "udp(sport=9,dport=6005)",
            "udp(sport=2000,dport=53)"})
        specs.push_back(fmt::format("eth/ip4(src=10.{}.{}.1)/{}", target >> 8,
                                    target & 255, l4));
    specs.push_back("eth/ip4(src=192.0.2.1)/tcp(sport=2000,dport=80)");
    specs.push_back("eth/ip4(src=192.0.2.1)/udp(dport=5007)");
    specs.push_back("eth/ip4(src=192.0.2.7)/udp(dport=5007)");
    specs.push_back("eth/ip6/tcp(dport=80)");
    expectSameAsInterpreter(hook, b.module, specs);
  }
}

} // namespace
