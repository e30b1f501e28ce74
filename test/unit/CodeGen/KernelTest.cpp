// Generated programs in the kernel (BPF_PROG_TEST_RUN) against the reference
// interpreter: every matcher on every hook family that can test-run it, with
// packets that match, do not match, lack the header or are cut short; then
// rule options, verdicts and return codes. Needs root.
#include <set>

#include "CodeGenTestSupport.h"

using namespace bfc;
using namespace bfc::codegen;
using namespace bfc::codegen::test;
using ir::FieldId;
using ir::Hook;
using ir::Verdict;

namespace {

/// Packets for every matcher: both IP versions, every transport, extension
/// headers, fragments, VLAN and ARP, and truncated headers.
const std::vector<std::string> kPackets = {
    "eth/ip4(src=10.0.0.1,dst=10.1.2.3)/tcp(sport=1000,dport=22,flags=syn)",
    "eth/ip4(src=10.0.0.9,dscp=ef)/tcp(dport=25,flags=syn|ack)",
    "eth/ip4(src=10.0.0.1,dst=192.168.7.1)/udp(sport=53,dport=53)",
    "eth/ip4(src=192.168.1.7,frag=3)/udp(dport=53)",
    "eth/ip4(ihl=7,dscp=cs1)/tcp(dport=443,flags=fin|psh|ack)",
    "eth/ip4/icmp(type=echo-request,code=0)",
    "eth/ip4/icmp(type=3,code=1)",
    "eth/ip4(proto=47)/raw(hex=00000800)",
    "eth/ip4/tcp/truncate=40",
    "eth/ip4/truncate=24",
    "eth/ip4(ver=5)/tcp",
    "eth/ip6(src=2001:db8::1,dst=2001:db8:1::2)/tcp(sport=7,dport=22)",
    "eth/ip6(src=2001:db9::1,dscp=cs1)/hop/udp(sport=53,dport=5353)",
    "eth/ip6/route/dst/tcp(dport=80,flags=rst)",
    "eth/ip6/frag(offset=0)/udp(sport=9)",
    "eth/ip6/frag(offset=10)/udp",
    "eth/ip6/ah/icmpv6(type=echo-request)",
    "eth/ip6/icmpv6(type=1,code=4)",
    "eth/ip6/hop/hop/hop/hop/hop/hop/hop/hop/hop/udp",
    "eth/ip6/mh/tcp(dport=22)",
    "eth/ip6/hop/truncate=60",
    "eth/ip6/udp/truncate=58",
    "eth/ip6/icmp",
    "eth/vlan/ip4/tcp(dport=22)",
    "eth(type=0x0806)/raw(hex=0001080006040001)",
    "meta(mark=7)/eth/ip4(src=10.0.0.1)/tcp(dport=1000)",
};

struct MatcherCase {
  std::string name;
  ir::Predicate pred;
};

using ir::test::element;

ir::Bytes ip6(std::initializer_list<uint8_t> head) {
  ir::Bytes b(16, 0);
  std::copy(head.begin(), head.end(), b.begin());
  return b;
}

std::vector<MatcherCase> matcherCases() {
  std::vector<MatcherCase> cases;
  auto add = [&](std::string name, ir::Predicate p) {
    cases.push_back({std::move(name), std::move(p)});
  };
  add("ip4.saddr", field(FieldId::Ip4Saddr, ip4(10, 0, 0, 1)));
  ir::Predicate snet = field(FieldId::Ip4Daddr, ip4(192, 168, 0, 0));
  snet.prefixLen = 16;
  add("ip4.dnet", snet);
  add("ip4.proto", field(FieldId::Ip4Proto, {17}));
  add("ip4.dscp", field(FieldId::Ip4Dscp, {46}));
  add("ip6.saddr",
      field(FieldId::Ip6Saddr,
            ip6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})));
  ir::Predicate dnet6 =
      field(FieldId::Ip6Daddr, ip6({0x20, 0x01, 0x0d, 0xb8, 0, 1}));
  dnet6.prefixLen = 48;
  add("ip6.dnet", dnet6);
  add("ip6.nexthdr", field(FieldId::Ip6Nexthdr, {0}));
  add("ip6.dscp", field(FieldId::Ip6Dscp, {8}));
  add("tcp.dport", field(FieldId::TcpDport, be16(22)));
  add("tcp.sport range", range(FieldId::TcpSport, be16(1), be16(1000)));
  add("tcp.flags eq", field(FieldId::TcpFlags, {0x02}));
  ir::Predicate any = field(FieldId::TcpFlags, {0x05}); // fin|rst
  any.op = ir::CmpOp::AnyBits;
  add("tcp.flags any", any);
  ir::Predicate all = field(FieldId::TcpFlags, {0x12}); // syn|ack
  all.op = ir::CmpOp::AllBits;
  add("tcp.flags all", all);
  add("udp.dport", field(FieldId::UdpDport, be16(53)));
  add("udp.sport range", range(FieldId::UdpSport, be16(9), be16(52)));
  add("icmp.type", field(FieldId::IcmpType, {8}));
  add("icmp.code", field(FieldId::IcmpCode, {1}));
  add("icmpv6.type", field(FieldId::Icmpv6Type, {128}));
  add("icmpv6.code", field(FieldId::Icmpv6Code, {4}));
  add("meta.dport", field(FieldId::L4Dport, be16(22)));
  add("meta.sport range", range(FieldId::L4Sport, be16(7), be16(53)));
  add("meta.l3_proto", field(FieldId::MetaL3Proto, be16(0x86dd)));
  add("meta.l4_proto", field(FieldId::MetaL4Proto, {17}));
  ir::Predicate chain;
  chain.kind = ir::Predicate::Kind::Ip6HeaderChain;
  chain.protocol = 43; // routing
  add("ip6 chain route", chain);
  chain.protocol = 17;
  add("ip6 chain udp", chain);
  ir::Predicate always;
  always.kind = ir::Predicate::Kind::Probability;
  always.percent = 100;
  add("probability 100%", always);
  always.percent = 0;
  add("probability 0%", always);
  return cases;
}

struct HookCase {
  Hook hook;
  bool mark;    // meta.mark available
  bool perFlow; // meta.flow_probability available
};

const std::vector<HookCase> kHooks = {
    {Hook::Xdp, false, true},
    {Hook::TcIngress, true, true},
    {Hook::TcEgress, true, true},
    {Hook::NfLocalIn, true, false},
    {Hook::NfLocalOut, true, false},
    {Hook::NfPostRouting, true, false},
    {Hook::CgroupSkbIngress, true, true},
    {Hook::CgroupSkbEgress, true, true},
};

/// The packets of kPackets a hook can test-run.
std::vector<std::string> packetsFor(Hook hook) {
  std::vector<std::string> out;
  for (const std::string &spec : kPackets)
    if (!load::testRunProblem(hook, packetOf(spec)))
      out.push_back(spec);
  return out;
}

/// Runs `module` on every packet its hook can take; checks kernel and
/// interpreter agree and, unless told otherwise, that the packets were not
/// all decided the same way (by the same rule or all by the policy), so the
/// case tests something.
void expectAgreement(const ir::Module &module, const std::string &what,
                     bool expectBothOutcomes = true,
                     const std::map<std::string, uint32_t> &ifaces = {}) {
  const ir::Chain &chain = module.chains.front();
  std::vector<std::string> specs = packetsFor(chain.hook);
  load::TestRunOptions options;
  options.ifaces = ifaces;
  std::unique_ptr<Loaded> loaded = loadForTestRun(module, options);
  ASSERT_TRUE(loaded) << what;
  interp::HostEnv env;
  env.ifindexByName = ifaces;
  run::Comparer comparer(module, chain, *loaded->chain, env);
  std::set<std::optional<uint32_t>> outcomes;
  for (const std::string &spec : specs) {
    run::Comparison c = comparer.run(packetOf(spec));
    for (const std::string &d : c.differences)
      ADD_FAILURE() << what << " on " << ir::hookName(chain.hook) << ", "
                    << spec << ": " << d;
    outcomes.insert(c.interp.rule);
  }
  if (expectBothOutcomes) {
    EXPECT_GE(outcomes.size(), 2u) << what << " on " << ir::hookName(chain.hook)
                                   << ": every packet gave the same outcome";
  }
}

TEST(CodeGenKernel, EveryMatcherOnEveryHook) {
  BFC_REQUIRE_ROOT();
  for (const HookCase &hook : kHooks) {
    for (const MatcherCase &c : matcherCases()) {
      for (bool negate : {false, true}) {
        ModuleBuilder m(hook.hook);
        ir::Predicate p = c.pred;
        p.negate = negate;
        m.add(rule({p}, Verdict::Drop));
        bool bothOutcomes = c.pred.kind != ir::Predicate::Kind::Probability;
        expectAgreement(m.module, c.name + (negate ? " (negated)" : ""),
                        bothOutcomes);
      }
    }
  }
}

TEST(CodeGenKernel, MarkIfaceAndFlowProbability) {
  BFC_REQUIRE_ROOT();
  for (const HookCase &hook : kHooks) {
    if (hook.mark) {
      ModuleBuilder m(hook.hook);
      m.add(rule({field(FieldId::MetaMark, be32(7))}, Verdict::Drop));
      m.add(rule({field(FieldId::MetaMark, be32(7), true)}, Verdict::Next));
      // Netfilter test runs take no mark: every packet has mark 0.
      expectAgreement(m.module, "meta.mark",
                      ir::hookFamily(hook.hook) != ir::HookFamily::Netfilter);
    }
    if (hook.perFlow) {
      for (double percent : {0.0, 100.0}) {
        ModuleBuilder m(hook.hook);
        ir::Predicate p;
        p.kind = ir::Predicate::Kind::Probability;
        p.perFlow = true;
        p.percent = percent;
        m.add(rule({p}, Verdict::Drop));
        // Only TCP/UDP packets have a flow: both outcomes at 100%.
        expectAgreement(m.module, "meta.flow_probability", percent == 100.0);
      }
    }
    // Interfaces: the test run's device is loopback (1); netfilter test
    // runs have no input device and loopback as the output device.
    ModuleBuilder m(hook.hook);
    uint32_t slot = m.module.internIface("lo");
    ir::Predicate named;
    named.kind = ir::Predicate::Kind::Iface;
    named.hostSlot = slot;
    ir::Predicate literal = named;
    literal.hostSlot.reset();
    literal.ifindex = 1;
    m.add(rule({named, field(FieldId::TcpDport, be16(22))}, Verdict::Drop));
    m.add(rule({literal, field(FieldId::UdpDport, be16(53))}, Verdict::Drop));
    ir::Predicate none = literal;
    none.ifindex = 0;
    m.add(rule({none, field(FieldId::TcpDport, be16(80))}, Verdict::Drop));
    expectAgreement(m.module, "meta.iface", true, {{"lo", 1}});
  }
}

TEST(CodeGenKernel, Sets) {
  BFC_REQUIRE_ROOT();
  for (const HookCase &hook : kHooks) {
    ModuleBuilder m(hook.hook);
    uint32_t exact = m.addSet(
        {FieldId::Ip4Saddr, FieldId::TcpDport}, false,
        {element({10, 0, 0, 1, 0, 22}), element({10, 0, 0, 9, 0, 25})});
    uint32_t lpm4 =
        m.addSet({FieldId::Ip4Daddr}, true,
                 {element({192, 168, 0, 0}, 16), element({10, 1, 0, 0}, 16)});
    uint32_t lpm6 = m.addSet({FieldId::Ip6Saddr}, true,
                             {element(ip6({0x20, 0x01, 0x0d, 0xb8}), 32)});
    uint32_t ports = m.addSet({FieldId::UdpDport}, false,
                              {element(be16(53)), element(be16(5353))});
    auto in = [](uint32_t set, bool negate = false) {
      ir::Predicate p;
      p.kind = ir::Predicate::Kind::Set;
      p.set = set;
      p.negate = negate;
      return p;
    };
    m.add(rule({in(exact)}, Verdict::Continue));
    m.add(rule({in(lpm4)}, Verdict::Continue));
    m.add(rule({in(lpm6, true)}, Verdict::Continue));
    m.add(rule({in(ports)}, Verdict::Drop));
    m.add(rule({in(exact, true)}, Verdict::Drop));
    expectAgreement(m.module, "sets");
  }
}

TEST(CodeGenKernel, ContinueCountersAndPolicies) {
  BFC_REQUIRE_ROOT();
  for (const HookCase &hook : kHooks) {
    for (Verdict policy : {Verdict::Accept, Verdict::Drop, Verdict::Next}) {
      ModuleBuilder m(hook.hook, policy);
      m.add(rule({}, Verdict::Continue));
      m.add(rule({field(FieldId::MetaL4Proto, {6})}, Verdict::Continue));
      m.add(rule({field(FieldId::TcpDport, be16(22))}, Verdict::Accept, false));
      m.add(rule({field(FieldId::UdpDport, be16(53))}, Verdict::Next));
      m.add(rule({field(FieldId::Ip6Nexthdr, {58})}, Verdict::Drop));
      expectAgreement(m.module, "verdicts and counters");
    }
  }
}

TEST(CodeGenKernel, MarksAndLogs) {
  BFC_REQUIRE_ROOT();
  for (Hook hook : {Hook::TcIngress, Hook::TcEgress, Hook::CgroupSkbIngress,
                    Hook::CgroupSkbEgress, Hook::Xdp, Hook::NfLocalIn}) {
    bool marks = hook != Hook::Xdp && hook != Hook::NfLocalIn;
    ModuleBuilder m(hook);
    ir::Rule first =
        rule({field(FieldId::MetaL4Proto, {6})}, Verdict::Continue);
    if (marks)
      first.mark = 0x11;
    first.log = {true, ir::kLogAll, 0};
    m.add(first);
    ir::Rule second = rule({field(FieldId::UdpDport, be16(53))}, Verdict::Drop);
    second.log = {true, ir::kLogLink | ir::kLogTransport, 0};
    m.add(second);
    ir::Rule third =
        rule({field(FieldId::MetaL3Proto, be16(0x86dd))}, Verdict::Accept);
    third.log = {true, ir::kLogInternet, 0};
    if (marks)
      third.mark = 0x22;
    m.add(third);
    if (marks)
      m.add(rule({field(FieldId::MetaMark, be32(0x11))}, Verdict::Drop));
    expectAgreement(m.module, "marks and logs");
  }
}

TEST(CodeGenKernel, LogEveryRateLimits) {
  BFC_REQUIRE_ROOT();
  ModuleBuilder m(Hook::Xdp);
  ir::Rule r = rule({}, Verdict::Accept);
  r.log = {true, ir::kLogInternet, 3600ull * 1000000000ull};
  m.add(r);
  std::unique_ptr<Loaded> loaded = loadForTestRun(m.module);
  ASSERT_TRUE(loaded);
  load::PreparedPacket p = loaded->chain->prepare(packetOf("eth/ip4/udp"));
  for (int i = 0; i < 5; ++i)
    loaded->chain->run(p);
  std::vector<bfc_log_event> events = loaded->chain->drainLog();
  ASSERT_EQ(events.size(), 1u) << "one event per hour";
  EXPECT_EQ(events[0].rule, 0u);
  EXPECT_EQ(events[0].kind, BFC_LOG_PACKET);
  EXPECT_EQ(events[0].l3_proto, 0x0800);
  EXPECT_EQ(events[0].l3_len, 20);
  EXPECT_EQ(events[0].l2_len, 0) << "only the internet header was asked";
  EXPECT_GT(events[0].timestamp_ns, 0u);
}

// `every` moves its window only when an event was emitted: with the ring
// buffer full, the rate-limited rule's event is lost, and the next match
// after the buffer drained is logged (not silenced for another hour).
TEST(CodeGenKernel, LogEveryWindowWaitsForRoom) {
  BFC_REQUIRE_ROOT();
  ModuleBuilder m(Hook::Xdp);
  ir::Rule filler = rule({field(FieldId::UdpDport, be16(1))}, Verdict::Accept);
  filler.log = {true, ir::kLogAll, 0};
  m.add(filler);
  ir::Rule limited = rule({field(FieldId::UdpDport, be16(2))}, Verdict::Accept);
  limited.log = {true, ir::kLogInternet, 3600ull * 1000000000ull};
  m.add(limited);
  std::unique_ptr<Loaded> loaded = loadForTestRun(m.module);
  ASSERT_TRUE(loaded);
  load::PreparedPacket fill =
      loaded->chain->prepare(packetOf("eth/ip4/udp(dport=1)"));
  load::PreparedPacket hit =
      loaded->chain->prepare(packetOf("eth/ip4/udp(dport=2)"));
  // 256 KiB hold fewer than 2,000 events.
  loaded->chain->run(fill, 4000);
  loaded->chain->run(hit);
  std::vector<bfc_log_event> events = loaded->chain->drainLog();
  ASSERT_GT(events.size(), 1000u);
  for (const bfc_log_event &e : events)
    ASSERT_EQ(e.rule, 0u) << "the buffer was full when rule 1 matched";
  loaded->chain->run(hit);
  loaded->chain->run(hit);
  events = loaded->chain->drainLog();
  ASSERT_EQ(events.size(), 1u) << "the lost event did not start a window";
  EXPECT_EQ(events[0].rule, 1u);
}

TEST(CodeGenKernel, RedirectReturnCodes) {
  BFC_REQUIRE_ROOT();
  for (Hook hook : {Hook::Xdp, Hook::TcIngress, Hook::TcEgress}) {
    for (ir::RedirectDir dir : {ir::RedirectDir::In, ir::RedirectDir::Out}) {
      if (hook == Hook::Xdp && dir == ir::RedirectDir::In)
        continue;
      ModuleBuilder m(hook);
      ir::Rule r =
          rule({field(FieldId::TcpDport, be16(22))}, Verdict::Redirect);
      r.redirectIfindex = 1;
      r.redirectDir = dir;
      m.add(r);
      expectAgreement(m.module, "redirect");
    }
  }
}

TEST(CodeGenKernel, OptimisationLevelsAgree) {
  BFC_REQUIRE_ROOT();
  for (unsigned level : {0u, 1u}) {
    ModuleBuilder m(Hook::TcIngress);
    m.add(rule({field(FieldId::Ip4Saddr, ip4(10, 0, 0, 1)),
                field(FieldId::TcpDport, be16(22), true)},
               Verdict::Drop));
    m.add(rule({range(FieldId::UdpDport, be16(50), be16(60))}, Verdict::Next));
    std::vector<std::string> diffs =
        compareAll(m.module, packetsFor(Hook::TcIngress), {}, level);
    EXPECT_TRUE(diffs.empty()) << "-O" << level << ": " << diffs.front();
  }
}

TEST(CodeGenKernel, EveryHookLoads) {
  BFC_REQUIRE_ROOT();
  for (unsigned h = 0; h < ir::kNumHooks; ++h) {
    Hook hook = static_cast<Hook>(h);
    ModuleBuilder m(hook);
    if (ir::sockAddrFamily(hook)) {
      bool v4 = ir::sockAddrFamily(hook) == 4;
      m.add(rule({field(v4 ? FieldId::Ip4Daddr : FieldId::Ip6Daddr,
                        v4 ? ip4(10, 0, 0, 1) : ir::Bytes(16, 1))},
                 Verdict::Drop));
      m.add(rule({field(FieldId::L4Dport, be16(53)),
                  field(FieldId::MetaL4Proto, {17})},
                 Verdict::Drop));
      ir::Rule logged =
          rule({range(FieldId::UdpDport, be16(1), be16(9))}, Verdict::Accept);
      logged.log = {true, ir::kLogAll, 1000};
      m.add(logged);
      if (!ir::sockAddrIsConnect(hook))
        m.add(rule({field(v4 ? FieldId::Ip4Saddr : FieldId::Ip6Saddr,
                          v4 ? ip4(10, 0, 0, 2) : ir::Bytes(16, 2))},
                   Verdict::Drop));
    } else {
      m.add(rule({field(FieldId::TcpDport, be16(22))}, Verdict::Drop));
    }
    std::unique_ptr<Loaded> loaded = loadForTestRun(m.module);
    ASSERT_TRUE(loaded) << ir::hookName(hook);
    EXPECT_GT(loaded->chain->stats().xlatedInsns, 0u) << ir::hookName(hook);
  }
}

} // namespace
