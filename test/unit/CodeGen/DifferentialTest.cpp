// Differential test: random chains x random packets, in the kernel
// (BPF_PROG_TEST_RUN) and in the reference interpreter; every verdict,
// return code, counter, mark and log event must agree. Seeded, so a failure
// reproduces; each chain is loaded once and runs many packets. Needs root.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>

#include <fmt/format.h>

#include "CodeGenTestSupport.h"
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

class Random {
public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  unsigned below(unsigned n) {
    return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T> const T &pick(const std::vector<T> &v) {
    return v[below(static_cast<unsigned>(v.size()))];
  }

private:
  std::mt19937 rng_;
};

// Small value pools shared by the rule and packet generators, so that rules
// match some packets.
const std::vector<std::string> kIp4 = {"10.0.0.1", "10.0.0.2", "10.1.2.3",
                                       "192.168.1.7", "172.16.5.4"};
const std::vector<ir::Bytes> kIp4Bytes = {{10, 0, 0, 1},
                                          {10, 0, 0, 2},
                                          {10, 1, 2, 3},
                                          {192, 168, 1, 7},
                                          {172, 16, 5, 4}};
const std::vector<std::string> kIp6 = {"2001:db8::1", "2001:db8::2",
                                       "2001:db8:1::5", "fe80::1"};
ir::Bytes ip6Bytes(unsigned i) {
  ir::Bytes b(16, 0);
  if (i == 3) {
    b[0] = 0xfe;
    b[1] = 0x80;
    b[15] = 1;
    return b;
  }
  b[0] = 0x20;
  b[1] = 0x01;
  b[2] = 0x0d;
  b[3] = 0xb8;
  if (i == 2)
    b[5] = 1;
  b[15] = i == 2 ? 5 : i + 1;
  return b;
}
const std::vector<uint16_t> kPorts = {22, 53, 80, 443, 1000, 5353};
const std::vector<uint8_t> kProtos = {6, 17, 1, 58, 47, 0};
const std::vector<uint8_t> kDscp = {0, 8, 46};
const std::vector<uint8_t> kIcmpTypes = {0, 3, 8, 128, 129};
const std::vector<std::string> kExt = {
    "hop", "route", "dst", "frag", "frag(offset=3)", "ah", "mh"};

const std::vector<Hook> kHooks = {
    Hook::Xdp,          Hook::TcIngress,        Hook::TcEgress,
    Hook::NfLocalIn,    Hook::NfLocalOut,       Hook::NfPostRouting,
    Hook::NfPreRouting, Hook::CgroupSkbIngress, Hook::CgroupSkbEgress};

struct Generator {
  Random &r;
  Hook hook;
  ir::Module &module;

  ir::HookFamily family() const { return ir::hookFamily(hook); }

  uint16_t port() {
    return r.chance(0.85) ? r.pick(kPorts) : uint16_t(r.below(65536));
  }

  ir::Predicate fieldPredicate() {
    switch (r.below(17)) {
    case 0: {
      ir::Predicate p =
          field(r.chance(0.5) ? FieldId::Ip4Saddr : FieldId::Ip4Daddr,
                r.pick(kIp4Bytes));
      if (r.chance(0.4))
        p.prefixLen = static_cast<uint8_t>(r.below(33));
      return p;
    }
    case 1: {
      ir::Predicate p =
          field(r.chance(0.5) ? FieldId::Ip6Saddr : FieldId::Ip6Daddr,
                ip6Bytes(r.below(4)));
      if (r.chance(0.4))
        p.prefixLen = static_cast<uint8_t>(r.below(129));
      return p;
    }
    case 2:
      return field(r.chance(0.5) ? FieldId::Ip4Proto : FieldId::Ip6Nexthdr,
                   {r.pick(kProtos)});
    case 3:
      return field(r.chance(0.5) ? FieldId::Ip4Dscp : FieldId::Ip6Dscp,
                   {r.pick(kDscp)});
    case 4:
    case 5: {
      static const std::vector<FieldId> ports = {
          FieldId::TcpSport, FieldId::TcpDport, FieldId::UdpSport,
          FieldId::UdpDport, FieldId::L4Sport,  FieldId::L4Dport};
      FieldId f = r.pick(ports);
      if (r.chance(0.3)) {
        uint16_t a = port(), b = port();
        return range(f, be16(std::min(a, b)), be16(std::max(a, b)));
      }
      return field(f, be16(port()));
    }
    case 6: {
      ir::Predicate p = field(FieldId::TcpFlags, {uint8_t(r.below(64))});
      p.op = static_cast<ir::CmpOp>(r.chance(0.3) ? 0 : 2 + r.below(2));
      return p;
    }
    case 7:
      return field(r.chance(0.5) ? FieldId::IcmpType : FieldId::Icmpv6Type,
                   {r.pick(kIcmpTypes)});
    case 8:
      return field(r.chance(0.5) ? FieldId::IcmpCode : FieldId::Icmpv6Code,
                   {uint8_t(r.below(5))});
    case 9:
      return field(FieldId::MetaL3Proto, be16(r.chance(0.45)  ? 0x0800
                                              : r.chance(0.8) ? 0x86dd
                                                              : 0x0806));
    case 10:
      return field(FieldId::MetaL4Proto, {r.pick(kProtos)});
    case 11: {
      ir::Predicate p;
      p.kind = ir::Predicate::Kind::Ip6HeaderChain;
      static const std::vector<uint8_t> chain = {0, 43, 44, 51, 60, 135, 6, 17};
      p.protocol = r.pick(chain);
      return p;
    }
    case 12: {
      if (family() == ir::HookFamily::Xdp)
        return fieldPredicate();
      return field(FieldId::MetaMark, be32(r.chance(0.5) ? 7 : r.below(3)));
    }
    case 13: {
      ir::Predicate p;
      p.kind = ir::Predicate::Kind::Probability;
      if (family() != ir::HookFamily::Netfilter && r.chance(0.6)) {
        p.perFlow = true;
        p.percent = r.below(1001) / 10.0;
      } else {
        p.percent = r.chance(0.5) ? 0 : 100;
      }
      return p;
    }
    case 14: {
      ir::Predicate p;
      p.kind = ir::Predicate::Kind::Iface;
      if (r.chance(0.5))
        p.hostSlot = module.internIface(r.chance(0.8) ? "lo" : "nothere");
      else
        p.ifindex = r.below(3);
      return p;
    }
    default:
      return setPredicate();
    }
  }

  ir::Predicate setPredicate() {
    ir::Chain &chain = module.chains.front();
    ir::Set set;
    set.name = fmt::format("s{}", chain.sets.size());
    unsigned kind = r.below(4);
    unsigned n = r.below(6);
    if (kind == 0) {
      set.key = {r.chance(0.5) ? FieldId::Ip4Saddr : FieldId::Ip4Daddr};
      set.lpm = r.chance(0.5);
      for (unsigned i = 0; i < n; ++i)
        set.elements.push_back(
            {r.pick(kIp4Bytes), uint8_t(set.lpm ? r.below(33) : 0), {}});
    } else if (kind == 1) {
      set.key = {r.chance(0.5) ? FieldId::Ip6Saddr : FieldId::Ip6Daddr};
      set.lpm = r.chance(0.5);
      for (unsigned i = 0; i < n; ++i)
        set.elements.push_back(
            {ip6Bytes(r.below(4)), uint8_t(set.lpm ? r.below(129) : 0), {}});
    } else if (kind == 2) {
      set.key = {FieldId::Ip4Saddr, FieldId::Ip4Proto};
      for (unsigned i = 0; i < n; ++i) {
        ir::Bytes key = r.pick(kIp4Bytes);
        key.push_back(r.pick(kProtos));
        set.elements.push_back({key, 0, {}});
      }
    } else {
      static const std::vector<FieldId> ports = {
          FieldId::TcpDport, FieldId::UdpDport, FieldId::TcpSport};
      set.key = {r.pick(ports)};
      if (r.chance(0.3))
        set.key.push_back(FieldId::Ip6Nexthdr);
      for (unsigned i = 0; i < n; ++i) {
        ir::Bytes key = be16(port());
        if (set.key.size() == 2)
          key.push_back(r.pick(kProtos));
        set.elements.push_back({key, 0, {}});
      }
    }
    chain.sets.push_back(std::move(set));
    ir::Predicate p;
    p.kind = ir::Predicate::Kind::Set;
    p.set = static_cast<uint32_t>(chain.sets.size() - 1);
    return p;
  }

  ir::Rule makeRule(uint32_t index) {
    ir::Rule rule;
    rule.index = index;
    rule.text = fmt::format("rule {}", index);
    unsigned n = r.below(4);
    for (unsigned i = 0; i < n; ++i) {
      ir::Predicate p = fieldPredicate();
      p.negate = r.chance(0.25);
      rule.predicates.push_back(std::move(p));
    }
    rule.counter = r.chance(0.7);
    bool marks =
        family() == ir::HookFamily::Tc || family() == ir::HookFamily::CgroupSkb;
    if (marks && r.chance(0.2))
      rule.mark = r.chance(0.5) ? 7 : r.below(100000);
    if (r.chance(0.1)) {
      rule.log.enabled = true;
      rule.log.headers = static_cast<uint8_t>(r.below(8));
    }
    static const std::vector<Verdict> verdicts = {
        Verdict::Continue, Verdict::Continue, Verdict::Accept, Verdict::Drop,
        Verdict::Next};
    rule.verdict = r.pick(verdicts);
    bool redirects =
        family() == ir::HookFamily::Xdp || family() == ir::HookFamily::Tc;
    if (redirects && r.chance(0.05)) {
      rule.verdict = Verdict::Redirect;
      rule.redirectIfindex = 1;
      rule.redirectDir = family() == ir::HookFamily::Tc && r.chance(0.5)
                             ? ir::RedirectDir::In
                             : ir::RedirectDir::Out;
    }
    return rule;
  }
};

std::string randomPacket(Random &r) {
  std::string spec;
  if (r.chance(0.15))
    spec += fmt::format("meta(mark={})/", r.chance(0.5) ? 7 : r.below(3));
  spec += "eth/";
  if (r.chance(0.05))
    spec += "vlan/";
  unsigned l3 = r.below(20);
  if (l3 == 0)
    return spec + "raw(hex=0001080006040001)";
  if (l3 == 1) { // random bytes claiming to be IPv4 or IPv6
    spec = (r.chance(0.5) ? "eth(type=0x0800)" : "eth(type=0x86dd)") +
           std::string("/raw(hex=");
    unsigned len = r.below(70);
    for (unsigned i = 0; i < len; ++i)
      spec += fmt::format("{:02x}", r.below(256));
    return spec + (len ? ")" : "00)");
  }
  bool v6 = l3 % 2 == 0;
  if (v6) {
    spec += fmt::format("ip6(src={},dst={},dscp={})", r.pick(kIp6),
                        r.pick(kIp6), r.pick(kDscp));
    unsigned ext = r.chance(0.4) ? r.below(4) : 0;
    if (r.chance(0.02))
      ext = 9;
    for (unsigned i = 0; i < ext; ++i)
      spec += "/" + r.pick(kExt);
  } else {
    spec += fmt::format("ip4(src={},dst={},dscp={}", r.pick(kIp4), r.pick(kIp4),
                        r.pick(kDscp));
    if (r.chance(0.1))
      spec += ",frag=" + std::to_string(r.below(3));
    if (r.chance(0.1))
      spec += ",ihl=" + std::to_string(5 + r.below(3));
    spec += ")";
  }
  unsigned l4 = r.below(10);
  if (l4 < 4)
    spec += fmt::format("/tcp(sport={},dport={},flags={})", r.pick(kPorts),
                        r.pick(kPorts), r.below(64));
  else if (l4 < 7)
    spec +=
        fmt::format("/udp(sport={},dport={})", r.pick(kPorts), r.pick(kPorts));
  else if (l4 < 9)
    spec += fmt::format("/{}(type={},code={})", v6 ? "icmpv6" : "icmp",
                        r.pick(kIcmpTypes), r.below(5));
  else
    spec += "/payload(len=12)";
  return spec;
}

/// Some packets are cut short somewhere after the Ethernet header.
void maybeTruncate(Random &r, packet::Packet &pkt, std::string &spec) {
  if (pkt.data.size() <= 15 || !r.chance(0.12))
    return;
  size_t size = 14 + r.below(static_cast<unsigned>(
                         std::min<size_t>(60, pkt.data.size() - 14)));
  pkt.data.resize(size);
  spec += fmt::format("/truncate={}", size);
}

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
    ir::Module module;
    module.sourceName = fmt::format("random{}.bf", seed);
    ir::Chain chain;
    chain.name = "random";
    chain.hook = r.pick(kHooks);
    static const std::vector<Verdict> policies = {Verdict::Accept,
                                                  Verdict::Drop, Verdict::Next};
    chain.policy = r.pick(policies);
    module.chains.push_back(chain);
    Generator gen{r, chain.hook, module};
    // Every tenth chain is long enough to be split into subprograms.
    unsigned rules = seed % 10 == 0 ? 350 + r.below(200) : r.below(25);
    large += seed % 10 == 0;
    for (unsigned i = 0; i < rules; ++i)
      module.chains.front().rules.push_back(gen.makeRule(i));
    std::vector<std::string> problems =
        ir::verifyChain(module, module.chains.front());
    ASSERT_TRUE(problems.empty()) << "seed " << seed << ": " << problems[0];

    std::map<std::string, uint32_t> ifaces = {{"lo", 1}, {"nothere", 77}};
    run::LoadOptions options;
    options.ifaces = ifaces;
    if (const char *dump = std::getenv("BFC_DIFF_DUMP")) {
      std::optional<std::string> bytes = compile(module);
      std::ofstream(dump, std::ios::binary) << bytes.value_or("");
    }
    std::unique_ptr<Loaded> loaded;
    try {
      loaded = load(module, options);
    } catch (const run::RunError &e) {
      FAIL() << "seed " << seed << ": " << e.what();
    }
    ASSERT_TRUE(loaded) << "seed " << seed;
    interp::HostEnv env;
    env.ifindexByName = ifaces;
    run::Comparer comparer(module, module.chains.front(), *loaded->chain, env);
    unsigned failures = 0;
    for (unsigned i = 0; i < kPacketsPerChain; ++i) {
      std::string spec = randomPacket(r);
      packet::SpecResult<packet::Packet> pkt = packet::buildPacket(spec);
      ASSERT_TRUE(pkt.ok()) << spec << ": " << pkt.error().describe(spec);
      maybeTruncate(r, *pkt, spec);
      if (run::testRunProblem(chain.hook, *pkt))
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
    std::optional<std::string> bytes = compile(b.module);
    ASSERT_TRUE(bytes);
    const object::ChainInfo &info =
        objectFile(*bytes).metadata().chains.front();
    ASSERT_GE(info.tables.size(), 3u) << ir::hookName(hook);
    size_t entries = 0;
    for (const object::TableInfo &t : info.tables)
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

} // namespace
