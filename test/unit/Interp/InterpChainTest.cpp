// Chain-level semantics: sets, CONTINUE, counters, marks, logs, policies,
// return codes, IPv6 extension headers, malformed packets, probabilities,
// interfaces and sock_addr calls.
#include "InterpTestSupport.h"

using namespace bfc;
using namespace bfc::interp;
using namespace bfc::interp::test;
using ir::FieldId;
using ir::Verdict;

namespace {

ir::Bytes concat(ir::Bytes a, const ir::Bytes &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ------------------------------------------------------------------ sets ----

TEST(InterpSets, ExactMultiComponentKeys) {
  ChainHarness h(ir::Hook::Xdp);
  uint32_t set = h.addSet({FieldId::Ip4Saddr, FieldId::Ip4Proto}, false,
                          {element(concat(ip4("192.168.1.1"), {6})),
                           element(concat(ip4("192.168.1.2"), {17}))});
  h.addRule({inSet(set)});
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(src=192.168.1.1)/tcp"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(src=192.168.1.2)/udp"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(src=192.168.1.1)/udp"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(src=192.168.1.3)/tcp"));
}

TEST(InterpSets, KeysSpanningHeadersNeedEveryHeader) {
  ChainHarness h(ir::Hook::TcEgress);
  uint32_t set = h.addSet({FieldId::Ip6Daddr, FieldId::TcpDport}, false,
                          {element(concat(ip6("::1"), toBigEndian(22, 2)))});
  h.addRule({negated(inSet(set))});
  EXPECT_FALSE(h.firstRuleMatches("eth/ip6(dst=::1)/tcp(dport=22)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip6(dst=::1)/tcp(dport=23)"));
  // `not in` on a packet without TCP: the key cannot be built, no match.
  EXPECT_FALSE(h.firstRuleMatches("eth/ip6(dst=::1)/udp(dport=22)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4/tcp(dport=22)"));
}

TEST(InterpSets, LongestPrefixMatch) {
  ChainHarness h(ir::Hook::Xdp);
  uint32_t set =
      h.addSet({FieldId::Ip4Daddr}, true,
               {element(ip4("10.0.0.0"), 8), element(ip4("192.168.0.0"), 16),
                element(ip4("172.16.5.4"), 32)});
  h.addRule({inSet(set)});
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(dst=10.255.0.1)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(dst=192.168.77.1)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(dst=172.16.5.4)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(dst=172.16.5.5)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(dst=11.0.0.1)"));

  ChainHarness v6(ir::Hook::Xdp);
  uint32_t set6 =
      v6.addSet({FieldId::Ip6Saddr}, true, {element(ip6("2001:db8::"), 32)});
  v6.addRule({inSet(set6)});
  EXPECT_TRUE(v6.firstRuleMatches("eth/ip6(src=2001:db8:ffff::5)"));
  EXPECT_FALSE(v6.firstRuleMatches("eth/ip6(src=2001:db9::5)"));
}

TEST(InterpSets, EmptySetNeverContainsAndNotInMatches) {
  ChainHarness h(ir::Hook::Xdp);
  uint32_t set = h.addSet({FieldId::TcpDport}, false, {});
  h.addRule({inSet(set)});
  h.addRule({negated(inSet(set))}, Verdict::Accept);
  Result r = h.run("eth/ip4/tcp");
  EXPECT_EQ(r.rule, std::optional<uint32_t>(1));
}

// ------------------------------------------- CONTINUE, counters, marks ----

TEST(InterpRules, ContinueCountersAndPolicy) {
  ChainHarness h(ir::Hook::TcIngress, Verdict::Drop);
  ir::Rule &first =
      h.addRule({fieldIs(FieldId::Ip4Proto, 6)}, Verdict::Continue);
  first.counter = true;
  ir::Rule &second =
      h.addRule({fieldIs(FieldId::TcpDport, 22)}, Verdict::Accept);
  second.counter = true;
  h.addRule({fieldIs(FieldId::TcpDport, 23)}, Verdict::Accept); // no counter

  Result ssh = h.run("eth/ip4/tcp(dport=22)/payload(len=6)"); // 60 bytes
  EXPECT_EQ(ssh.verdict, Verdict::Accept);
  EXPECT_EQ(ssh.rule, std::optional<uint32_t>(1));
  EXPECT_EQ(ssh.returnCode, 0);
  EXPECT_EQ(ssh.matchedRules, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(ssh.counterDeltas.size(), 5u);
  EXPECT_EQ(ssh.counterDeltas[0], (Counter{1, 60}));
  EXPECT_EQ(ssh.counterDeltas[1], (Counter{1, 60}));
  EXPECT_EQ(ssh.counterDeltas[3], (Counter{0, 0})); // policy
  EXPECT_EQ(ssh.counterDeltas[4], (Counter{0, 0})); // errors

  Result telnet = h.run("eth/ip4/tcp(dport=23)"); // 54 bytes
  EXPECT_EQ(telnet.rule, std::optional<uint32_t>(2));
  EXPECT_EQ(telnet.counterDeltas[2], (Counter{0, 0}))
      << "rule 2 has no counter";

  Result udp = h.run("eth/ip4/udp"); // 42 bytes, policy DROP
  EXPECT_FALSE(udp.rule.has_value());
  EXPECT_EQ(udp.verdict, Verdict::Drop);
  EXPECT_EQ(udp.returnCode, 2);
  EXPECT_TRUE(udp.matchedRules.empty());
  EXPECT_EQ(udp.counterDeltas[3], (Counter{1, 42}));

  // The state accumulates every run.
  const InterpreterState &state = h.state();
  EXPECT_EQ(state.counters[0], (Counter{2, 114}));
  EXPECT_EQ(state.counters[1], (Counter{1, 60}));
  EXPECT_EQ(state.policyCounter(), (Counter{1, 42}));
  EXPECT_EQ(state.errorCounter(), (Counter{0, 0}));
}

TEST(InterpRules, ContinueOnlyRulesFallToThePolicy) {
  ChainHarness h(ir::Hook::NfForward, Verdict::Drop);
  h.addRule({}, Verdict::Continue).counter = true;
  Result r = h.run("ip4");
  EXPECT_EQ(r.matchedRules, (std::vector<uint32_t>{0}));
  EXPECT_FALSE(r.rule.has_value());
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_EQ(r.returnCode, 0); // NF_DROP
  EXPECT_EQ(r.counterDeltas[0], (Counter{1, 20}));
  EXPECT_EQ(r.counterDeltas[1], (Counter{1, 20}));
}

TEST(InterpRules, MarkIsSetInOrderAndSeenByLaterRules) {
  ChainHarness h(ir::Hook::TcEgress);
  h.addRule({}, Verdict::Continue).mark = 0x42;
  h.addRule({fieldIs(FieldId::MetaMark, 0x42)}, Verdict::Next).mark = 0x43;
  Result r = h.run("meta(mark=7)/eth/ip4");
  EXPECT_EQ(r.rule, std::optional<uint32_t>(1));
  EXPECT_EQ(r.mark, 0x43u);
  EXPECT_TRUE(r.markSet);
  EXPECT_EQ(r.verdict, Verdict::Next);
  EXPECT_EQ(r.returnCode, -1); // TCX_NEXT

  ChainHarness untouched(ir::Hook::TcEgress);
  untouched.addRule({fieldIs(FieldId::MetaMark, 0x42)}).mark = 1;
  Result u = untouched.run("meta(mark=7)/eth/ip4");
  EXPECT_EQ(u.mark, 7u);
  EXPECT_FALSE(u.markSet);
}

// ------------------------------------------------------------------ logs ----

TEST(InterpLogs, EveryRateLimitsPerRule) {
  ChainHarness h(ir::Hook::Xdp);
  ir::Rule &rule =
      h.addRule({fieldIs(FieldId::Ip4Proto, 17)}, Verdict::Continue);
  rule.log = {true, ir::kLogAll, 1000};
  ir::Rule &other = h.addRule({}, Verdict::Accept);
  other.log = {true, ir::kLogInternet, 0};

  auto logsAt = [&](uint64_t now) {
    h.state().now = now;
    std::vector<uint32_t> rules;
    for (const LogEvent &event : h.run("eth/ip4/udp").logs) {
      EXPECT_EQ(event.timestampNs, now);
      rules.push_back(event.rule);
    }
    return rules;
  };
  using V = std::vector<uint32_t>;
  EXPECT_EQ(logsAt(5000), (V{0, 1})); // the first event always goes out
  EXPECT_EQ(logsAt(5500), (V{1}));
  EXPECT_EQ(logsAt(5999), (V{1}));
  EXPECT_EQ(logsAt(6000), (V{0, 1})); // FREQ after the last one
  EXPECT_EQ(logsAt(6999), (V{1}));
  EXPECT_EQ(logsAt(7000), (V{0, 1}));
  // Counters are not rate limited.
  EXPECT_EQ(h.state().counters[2].packets, 0u);
}

TEST(InterpLogs, EventsCarryTheRequestedHeaders) {
  ChainHarness h(ir::Hook::TcIngress);
  h.addRule({}, Verdict::Continue).log = {true, ir::kLogAll, 0};
  h.addRule({}, Verdict::Drop).log = {true, ir::kLogLink | ir::kLogTransport,
                                      0};
  Result r = h.run("eth/ip6/hop/tcp(dport=22)/payload(len=3)");
  ASSERT_EQ(r.logs.size(), 2u);
  const LogEvent &all = r.logs[0];
  EXPECT_EQ(all.verdict, Verdict::Continue);
  EXPECT_EQ(all.l3Proto, 0x86DD);
  EXPECT_EQ(all.l4Proto, 6);
  EXPECT_EQ(all.packetLength, 14u + 40 + 8 + 20 + 3);
  EXPECT_EQ(all.l2.size(), 14u);
  ASSERT_EQ(all.l3.size(), 40u);
  EXPECT_EQ(all.l3[0] >> 4, 6);
  ASSERT_EQ(all.l4.size(), 20u);
  EXPECT_EQ(all.l4[3], 22); // the TCP header, after the hop-by-hop header
  const LogEvent &some = r.logs[1];
  EXPECT_EQ(some.verdict, Verdict::Drop);
  EXPECT_EQ(some.l2.size(), 14u);
  EXPECT_TRUE(some.l3.empty());
  EXPECT_EQ(some.l4.size(), 20u);

  ChainHarness l3(ir::Hook::CgroupSkbIngress);
  l3.addRule({}).log = {true, ir::kLogAll, 0};
  Result u = l3.run("ip4/udp");
  ASSERT_EQ(u.logs.size(), 1u);
  EXPECT_TRUE(u.logs[0].l2.empty()); // no link header on L3 hooks
  EXPECT_EQ(u.logs[0].l3.size(), 20u);
  EXPECT_EQ(u.logs[0].l4.size(), 8u);
}

// ------------------------------------------------- hooks, return codes ----

TEST(InterpHooks, ReturnCodeTable) {
  struct Row {
    ir::Hook hook;
    int accept, drop, next;
    std::optional<int> redirect;
  };
  const Row rows[] = {
      {ir::Hook::Xdp, 2, 1, 2, 4},
      {ir::Hook::TcIngress, 0, 2, -1, 7},
      {ir::Hook::TcEgress, 0, 2, -1, 7},
      {ir::Hook::NfPreRouting, 1, 0, 1, std::nullopt},
      {ir::Hook::NfLocalIn, 1, 0, 1, std::nullopt},
      {ir::Hook::NfForward, 1, 0, 1, std::nullopt},
      {ir::Hook::NfLocalOut, 1, 0, 1, std::nullopt},
      {ir::Hook::NfPostRouting, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSkbIngress, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSkbEgress, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSockAddrConnect4, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSockAddrConnect6, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSockAddrSendmsg4, 1, 0, 1, std::nullopt},
      {ir::Hook::CgroupSockAddrSendmsg6, 1, 0, 1, std::nullopt},
  };
  ASSERT_EQ(std::size(rows), ir::kNumHooks);
  for (const Row &row : rows) {
    SCOPED_TRACE(ir::hookName(row.hook));
    EXPECT_EQ(hookReturnCode(row.hook, Verdict::Accept), row.accept);
    EXPECT_EQ(hookReturnCode(row.hook, Verdict::Drop), row.drop);
    EXPECT_EQ(hookReturnCode(row.hook, Verdict::Next), row.next);
    EXPECT_EQ(hookReturnCode(row.hook, Verdict::Redirect), row.redirect);
    EXPECT_EQ(hookReturnCode(row.hook, Verdict::Continue), std::nullopt);
  }
}

TEST(InterpHooks, PolicyPerHook) {
  struct Case {
    ir::Hook hook;
    const char *spec;
  };
  const Case cases[] = {
      {ir::Hook::Xdp, "eth/ip4"},
      {ir::Hook::TcIngress, "eth/ip6"},
      {ir::Hook::NfPostRouting, "ip4"},
      {ir::Hook::CgroupSkbEgress, "ip6"},
      {ir::Hook::CgroupSockAddrConnect4, "sock4"},
      {ir::Hook::CgroupSockAddrSendmsg6, "sock6(proto=udp)"},
  };
  for (const Case &c : cases) {
    for (Verdict policy : {Verdict::Accept, Verdict::Drop, Verdict::Next}) {
      SCOPED_TRACE(std::string(ir::hookName(c.hook)) + " " +
                   std::string(ir::verdictName(policy)));
      ChainHarness h(c.hook, policy);
      h.addRule({fieldIs(FieldId::MetaL4Proto, 99)});
      Result r = h.run(c.spec);
      EXPECT_FALSE(r.rule.has_value());
      EXPECT_EQ(r.verdict, policy);
      EXPECT_EQ(r.returnCode, *hookReturnCode(c.hook, policy));
      EXPECT_EQ(r.counterDeltas[1].packets, 1u);
    }
  }
}

TEST(InterpHooks, RedirectResolvesHostSlots) {
  ChainHarness h(ir::Hook::TcIngress);
  uint32_t slot = h.module.internIface("veth1");
  ir::Rule &rule =
      h.addRule({fieldIs(FieldId::TcpDport, 80)}, Verdict::Redirect);
  rule.redirectSlot = slot;
  rule.redirectDir = ir::RedirectDir::In;
  ir::Rule &literal = h.addRule({}, Verdict::Redirect);
  literal.redirectIfindex = 9;
  h.env.ifindexByName["veth1"] = 12;

  Result r = h.run("eth/ip4/tcp(dport=80)");
  EXPECT_EQ(r.verdict, Verdict::Redirect);
  EXPECT_EQ(r.returnCode, 7);
  EXPECT_EQ(r.redirectIfindex, std::optional<uint32_t>(12));
  EXPECT_EQ(r.redirectDir, ir::RedirectDir::In);

  Result l = h.run("eth/ip4/udp");
  EXPECT_EQ(l.redirectIfindex, std::optional<uint32_t>(9));
  EXPECT_EQ(l.redirectDir, ir::RedirectDir::Out);

  ChainHarness x(ir::Hook::Xdp);
  x.addRule({}, Verdict::Redirect).redirectIfindex = 3;
  EXPECT_EQ(x.run("eth").returnCode, 4);
}

TEST(InterpHooks, IfaceMatchesHostSlotsAndLiterals) {
  ChainHarness h(ir::Hook::NfLocalOut);
  uint32_t slot = h.module.internIface("eth0");
  h.env.ifindexByName["eth0"] = 2;
  h.addRule({ifaceSlot(slot)});
  h.addRule({negated(ifaceIndex(5))}, Verdict::Next);
  EXPECT_EQ(h.run("meta(ifindex=2)/ip4").rule, std::optional<uint32_t>(0));
  EXPECT_EQ(h.run("meta(ifindex=3)/ip4").rule, std::optional<uint32_t>(1));
  EXPECT_FALSE(h.run("meta(ifindex=5)/ip4").rule.has_value());
}

TEST(InterpHooks, ChecksRejectWhatCannotRun) {
  ir::Module module;
  ir::Chain chain;
  chain.name = "c";
  chain.hook = ir::Hook::Xdp;
  ir::Rule rule;
  rule.predicates.push_back(ifaceSlot(module.internIface("eth9")));
  chain.rules.push_back(rule);
  Interpreter interp(module, chain);
  std::vector<std::string> problems = interp.checkChain();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("'eth9'"), std::string::npos) << problems[0];
  InterpreterState state(chain);
  Expected<Result> missingIface = interp.run(input("eth"), state);
  ASSERT_FALSE(missingIface);
  EXPECT_EQ(missingIface.error().message, problems[0]);

  Interpreter ok(module, chain, HostEnv{{{"eth9", 4}}});
  EXPECT_TRUE(ok.checkChain().empty());
  EXPECT_NE(ok.checkInput(input("ip4")).value_or("").find("Ethernet frames"),
            std::string::npos);
  EXPECT_NE(ok.checkInput(input("sock4")).value_or("").find("not socket calls"),
            std::string::npos);
  EXPECT_FALSE(ok.checkInput(input("eth/ip4")).has_value());
  Expected<Result> l3OnXdp = ok.run(input("ip4"), state);
  ASSERT_FALSE(l3OnXdp);
  EXPECT_NE(l3OnXdp.error().message.find("Ethernet frames"), std::string::npos);

  chain.hook = ir::Hook::CgroupSockAddrConnect4;
  Interpreter sock(module, chain, HostEnv{{{"eth9", 4}}});
  EXPECT_NE(sock.checkInput(input("sock6")).value_or("").find("IPv4"),
            std::string::npos);
  EXPECT_NE(sock.checkInput(input("ip4")).value_or("").find("not packets"),
            std::string::npos);

  chain.hook = ir::Hook::NfLocalIn;
  chain.rules[0].verdict = Verdict::Redirect;
  Interpreter nf(module, chain, HostEnv{{{"eth9", 4}}});
  ASSERT_FALSE(nf.checkChain().empty());
  EXPECT_NE(nf.checkChain()[0].find("REDIRECT"), std::string::npos);
  EXPECT_NE(nf.checkInput(input("eth/ip4")).value_or("").find("L3 packets"),
            std::string::npos);
}

// ------------------------------------------- IPv6 extension headers ----

TEST(InterpIpv6, NexthdrChainMatchesEveryHeader) {
  for (uint8_t proto : {uint8_t(0), uint8_t(6)}) {
    ChainHarness h(ir::Hook::Xdp);
    h.addRule({ip6Chain(proto)});
    EXPECT_TRUE(h.firstRuleMatches("eth/ip6/hop/tcp")) << int(proto);
  }
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({ip6Chain(44)});
  h.addRule({negated(ip6Chain(44))}, Verdict::Next);
  EXPECT_EQ(h.run("eth/ip6/hop/route/frag/dst/udp").rule,
            std::optional<uint32_t>(0));
  EXPECT_EQ(h.run("eth/ip6/hop/udp").rule, std::optional<uint32_t>(1));
  EXPECT_FALSE(h.run("eth/ip4/tcp").rule.has_value())
      << "needs IPv6, even negated";

  // The field form reads the fixed header only.
  ChainHarness field(ir::Hook::Xdp);
  field.addRule({fieldIs(FieldId::Ip6Nexthdr, 6)});
  EXPECT_FALSE(field.firstRuleMatches("eth/ip6/hop/tcp"));
  EXPECT_TRUE(field.firstRuleMatches("eth/ip6/tcp"));
}

TEST(InterpIpv6, TransportAfterEveryExtensionHeader) {
  ChainHarness h(ir::Hook::TcIngress);
  h.addRule(
      {fieldIs(FieldId::TcpDport, 443), fieldIs(FieldId::MetaL4Proto, 6)});
  EXPECT_TRUE(h.firstRuleMatches(
      "eth/ip6/hop(len=2)/route/dst/frag/ah(len=6)/mh/tcp(dport=443)"));
  EXPECT_FALSE(h.run("eth/ip6/hop/tcp(dport=443)").malformed);
}

TEST(InterpIpv6, NonFirstFragmentHasNoTransport) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::UdpDport, 53)});
  h.addRule({fieldIs(FieldId::MetaL4Proto, 17), ip6Chain(17)}, Verdict::Next);
  Result r = h.run("eth/ip6/frag(offset=1)/udp(dport=53)");
  EXPECT_EQ(r.rule, std::optional<uint32_t>(1));
  EXPECT_FALSE(r.malformed);
  EXPECT_TRUE(
      h.firstRuleMatches("eth/ip6/frag(offset=0,more=1)/udp(dport=53)"));
}

TEST(InterpIpv6, LongOrTruncatedChainsAreMalformed) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::TcpDport, 80)});
  h.addRule({fieldIs(FieldId::MetaL4Proto, 60)}, Verdict::Next);
  // Eight extension headers are walked...
  Result eight = h.run("eth/ip6/dst/dst/dst/dst/dst/dst/dst/dst/tcp");
  EXPECT_EQ(eight.rule, std::optional<uint32_t>(0));
  EXPECT_FALSE(eight.malformed);
  // ...a ninth is too many: no transport, l4_proto is the header not walked.
  Result nine = h.run("eth/ip6/dst/dst/dst/dst/dst/dst/dst/dst/dst/tcp");
  EXPECT_EQ(nine.rule, std::optional<uint32_t>(1));
  EXPECT_TRUE(nine.malformed);
  EXPECT_EQ(nine.counterDeltas.back().packets, 1u);
  // A header cut off in the middle.
  Result cut = h.run("eth/ip6/hop/dst(len=1)/tcp/truncate=70");
  EXPECT_EQ(cut.rule, std::optional<uint32_t>(1));
  EXPECT_TRUE(cut.malformed);
}

// ----------------------------------------------------- IPv4 specifics ----

TEST(InterpIpv4, OptionsMoveTheTransportHeader) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::TcpDport, 22)});
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(ihl=6)/tcp(dport=22)"));
  EXPECT_TRUE(
      h.firstRuleMatches("eth/ip4(opts=0102030405060708)/tcp(dport=22)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(ihl=15)/tcp(dport=22)"));
}

TEST(InterpIpv4, FragmentsAfterTheFirstHaveNoTransport) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::TcpDport, 22)});
  h.addRule({fieldIs(FieldId::Ip4Proto, 6), fieldIs(FieldId::MetaL4Proto, 6)},
            Verdict::Next);
  EXPECT_EQ(h.run("eth/ip4(flags=mf)/tcp(dport=22)").rule,
            std::optional<uint32_t>(0));
  Result later = h.run("eth/ip4(frag=100)/tcp(dport=22)/truncate=40");
  EXPECT_EQ(later.rule, std::optional<uint32_t>(1));
  EXPECT_FALSE(later.malformed) << "a short non-first fragment is fine";
}

TEST(InterpMalformed, BadHeadersBumpTheErrorCounterOnce) {
  const char *malformed[] = {
      "eth/truncate=13",          "eth/ip4(ver=5)",
      "eth/ip4(ihl=4)",           "eth/ip4(ihl=8)/truncate=40",
      "eth/ip6(ver=4)",           "eth/ip6/truncate=30",
      "eth/ip4/tcp/truncate=50",  "eth/ip6/udp/truncate=60",
      "eth/ip4/icmp/truncate=40", "eth/ip6/icmpv6/truncate=58",
  };
  ChainHarness h(ir::Hook::Xdp, Verdict::Drop);
  h.addRule({fieldIs(FieldId::MetaL3Proto, 0x0806)}, Verdict::Accept);
  uint64_t bytes = 0;
  for (const char *spec : malformed) {
    Result r = h.run(spec);
    EXPECT_TRUE(r.malformed) << spec;
    EXPECT_EQ(r.counterDeltas.back().packets, 1u) << spec;
    EXPECT_EQ(r.verdict, Verdict::Drop) << spec << ": filtered normally";
    bytes += r.counterDeltas.back().bytes;
  }
  EXPECT_EQ(h.state().errorCounter().packets, std::size(malformed));
  EXPECT_EQ(h.state().errorCounter().bytes, bytes);

  const char *fine[] = {"eth(type=0x0806)/raw(hex=0001)", "eth/ip4(proto=47)",
                        "eth/ip6/icmp/truncate=56", "eth/vlan/ip4",
                        "eth/ip4/ip6/truncate=40"};
  for (const char *spec : fine)
    EXPECT_FALSE(h.run(spec).malformed) << spec;

  // Short frame: no EtherType either.
  ChainHarness zero(ir::Hook::Xdp);
  zero.addRule({fieldIs(FieldId::MetaL3Proto, 0)});
  EXPECT_TRUE(zero.firstRuleMatches("eth/truncate=10"));
}

TEST(InterpMalformed, VlanFramesHaveNoIpHeader) {
  ChainHarness h(ir::Hook::TcIngress);
  h.addRule({fieldIs(FieldId::MetaL3Proto, 0x8100)});
  h.addRule({fieldBytes(FieldId::Ip4Daddr, ip4("10.0.0.2"))}, Verdict::Next);
  EXPECT_TRUE(h.firstRuleMatches("eth/vlan(id=3)/ip4"));
  ChainHarness ip(ir::Hook::TcIngress);
  ip.addRule({negated(fieldBytes(FieldId::Ip4Daddr, ip4("1.1.1.1")))});
  EXPECT_FALSE(ip.firstRuleMatches("eth/vlan(id=3)/ip4"));
}

// --------------------------------------------------- probabilities ----

TEST(InterpProbability, ThresholdIsExact) {
  EXPECT_EQ(probabilityThreshold(0), 0u);
  EXPECT_EQ(probabilityThreshold(50), 0x80000000u);
  EXPECT_EQ(probabilityThreshold(100), 0x100000000u);
  EXPECT_EQ(probabilityThreshold(25), 0x40000000u);
  EXPECT_EQ(probabilityThreshold(0.1), 4294967u); // llround(4294967.296)

  ChainHarness half(ir::Hook::NfLocalIn);
  half.addRule({probability(50, false)});
  EXPECT_TRUE(half.firstRuleMatches("meta(random=0x7fffffff)/ip4"));
  EXPECT_FALSE(half.firstRuleMatches("meta(random=0x80000000)/ip4"));
  ChainHarness always(ir::Hook::NfLocalIn);
  always.addRule({probability(100, false)});
  EXPECT_TRUE(always.firstRuleMatches("meta(random=0xffffffff)/ip4"));
  ChainHarness never(ir::Hook::NfLocalIn);
  never.addRule({probability(0, false)});
  EXPECT_FALSE(never.firstRuleMatches("meta(random=0)/ip4"));
  ChainHarness notHalf(ir::Hook::NfLocalIn);
  notHalf.addRule({negated(probability(50, false))});
  EXPECT_TRUE(notHalf.firstRuleMatches("meta(random=0x80000000)/ip4"));
}

TEST(InterpProbability, FlowHashFollowsTheDocumentedFormula) {
  // Reference values computed independently from docs/semantics.md.
  const uint8_t s4[] = {10, 0, 0, 1}, d4[] = {10, 0, 0, 2};
  EXPECT_EQ(flowHash(s4, d4, 4, 1234, 80, 6), 0xdb34745bu);
  ir::Bytes s6 = ip6("2001:db8::1"), d6 = ip6("2001:db8::2");
  EXPECT_EQ(flowHash(s6.data(), d6.data(), 16, 53, 5353, 17), 0x8c758296u);

  // 0xdb34745b / 2^32 = 85.6...%: matches at 86%, not at 85%.
  ChainHarness yes(ir::Hook::Xdp);
  yes.addRule({probability(86, true)});
  EXPECT_TRUE(yes.firstRuleMatches("eth/ip4/tcp(sport=1234,dport=80)"));
  ChainHarness no(ir::Hook::Xdp);
  no.addRule({probability(85, true)});
  EXPECT_FALSE(no.firstRuleMatches("eth/ip4/tcp(sport=1234,dport=80)"));
  // 0x8c758296 / 2^32 = 54.8...%
  ChainHarness v6(ir::Hook::CgroupSkbIngress);
  v6.addRule({probability(55, true)});
  v6.addRule({negated(probability(55, true))}, Verdict::Next);
  EXPECT_EQ(v6.run("ip6/udp(sport=53,dport=5353)").rule,
            std::optional<uint32_t>(0));
  EXPECT_EQ(v6.run("ip6/udp(sport=53,dport=5354)").rule,
            std::optional<uint32_t>(1))
      << "another flow, another hash";
  // No TCP/UDP: no flow, false even negated.
  EXPECT_FALSE(v6.run("ip6/icmpv6").rule.has_value());
}

// --------------------------------------------------------- sock_addr ----

TEST(InterpSockAddr, ConnectSeesDestinationAndProtocol) {
  ChainHarness h(ir::Hook::CgroupSockAddrConnect4, Verdict::Accept);
  h.addRule({fieldBytes(FieldId::Ip4Daddr, ip4("10.1.1.1")),
             fieldIs(FieldId::TcpDport, 80), fieldIs(FieldId::Ip4Proto, 6),
             fieldIs(FieldId::MetaL3Proto, 0x0800)})
      .counter = true;
  h.addRule({fieldIs(FieldId::UdpDport, 53)}, Verdict::Drop);
  h.addRule({fieldIs(FieldId::L4Dport, 53), fieldIs(FieldId::MetaL4Proto, 6)},
            Verdict::Next);
  Result web = h.run("sock4(proto=tcp,dst=10.1.1.1,dport=80)");
  EXPECT_EQ(web.rule, std::optional<uint32_t>(0));
  EXPECT_EQ(web.returnCode, 0);
  EXPECT_EQ(web.counterDeltas[0], (Counter{1, 0})) << "sock_addr counts calls";
  EXPECT_EQ(h.run("sock4(proto=tcp,dst=10.1.1.1,dport=81)").rule, std::nullopt);
  // udp.dport needs UDP; meta.dport covers both.
  EXPECT_EQ(h.run("sock4(proto=tcp,dst=10.1.1.1,dport=53)").rule,
            std::optional<uint32_t>(2));
  EXPECT_EQ(h.run("sock4(proto=udp,dport=53)").rule,
            std::optional<uint32_t>(1));
}

TEST(InterpSockAddr, SourceAddressOnlyOnSendmsg) {
  ir::Predicate fromLocal = negated(fieldBytes(FieldId::Ip6Saddr, ip6("::1")));
  ChainHarness send(ir::Hook::CgroupSockAddrSendmsg6);
  send.addRule({fromLocal, prefix(FieldId::Ip6Daddr, ip6("fd00::"), 8)});
  EXPECT_TRUE(
      send.firstRuleMatches("sock6(proto=udp,dst=fd00::5,src=fe80::1)"));
  EXPECT_FALSE(send.firstRuleMatches("sock6(proto=udp,dst=fd00::5,src=::1)"));
  ChainHarness connect(ir::Hook::CgroupSockAddrConnect6);
  connect.addRule({fromLocal});
  EXPECT_FALSE(connect.firstRuleMatches("sock6(dst=fd00::5,src=fe80::1)"));
}

TEST(InterpSockAddr, PacketOnlyPredicatesNeverMatch) {
  ChainHarness h(ir::Hook::CgroupSockAddrConnect4);
  h.addRule({negated(fieldIs(FieldId::MetaMark, 1))});
  h.addRule({negated(ifaceIndex(1))});
  h.addRule({negated(fieldIs(FieldId::TcpSport, 1))});
  h.addRule({negated(probability(50, true))});
  h.addRule({negated(fieldBytes(FieldId::Ip6Daddr, ip6("::1")))});
  h.addRule({probability(50, false)}, Verdict::Next);
  Result r = h.run("meta(random=1)/sock4");
  EXPECT_EQ(r.rule, std::optional<uint32_t>(5));
}

TEST(InterpSockAddr, LogEventsCarryTheDestination) {
  ChainHarness h(ir::Hook::CgroupSockAddrSendmsg4);
  h.addRule({}).log = {true, 0, 0};
  Result r = h.run("sock4(proto=udp,dst=192.0.2.1,dport=5000)");
  ASSERT_EQ(r.logs.size(), 1u);
  const LogEvent &e = r.logs[0];
  EXPECT_TRUE(e.sockAddr);
  EXPECT_EQ(e.l3Proto, 0x0800);
  EXPECT_EQ(e.l4Proto, 17);
  EXPECT_EQ(e.dport, 5000);
  EXPECT_EQ(e.daddr[0], 192);
  EXPECT_EQ(e.daddr[3], 1);
  EXPECT_EQ(e.packetLength, 0u);
}

} // namespace
