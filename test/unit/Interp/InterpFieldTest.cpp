// Every field: match, no match, negation, missing header (negation does not
// rescue it) and truncated packet; then the operators.
#include <set>

#include "InterpTestSupport.h"

using namespace bfc;
using namespace bfc::interp;
using namespace bfc::interp::test;
using ir::FieldId;

namespace {

struct FieldCase {
  const char *name;
  ir::Predicate pred;
  const char *matching;
  const char *other;               ///< header present, value differs
  const char *missing = nullptr;   ///< header absent (wrong protocol)
  const char *truncated = nullptr; ///< header cut off: malformed
};

/// TC ingress sees Ethernet frames and every metadata field.
std::vector<FieldCase> fieldCases() {
  return {
      {"meta.ifindex", fieldIs(FieldId::MetaIfindex, 3), "meta(ifindex=3)/eth",
       "meta(ifindex=4)/eth"},
      {"meta.mark", fieldIs(FieldId::MetaMark, 0x10), "meta(mark=0x10)/eth",
       "meta(mark=0x11)/eth"},
      {"meta.flow_hash", fieldIs(FieldId::MetaFlowHash, 0xabcd),
       "meta(hash=0xabcd)/eth/ip4", "meta(hash=0xabce)/eth/ip4"},
      {"meta.l3_proto", fieldIs(FieldId::MetaL3Proto, 0x86DD), "eth/ip6",
       "eth/ip4"},
      {"meta.l4_proto", fieldIs(FieldId::MetaL4Proto, 17),
       "eth/ip6/hop/dst/udp", "eth/ip4/tcp"},
      {"l4.sport tcp", fieldIs(FieldId::L4Sport, 1234),
       "eth/ip4/tcp(sport=1234)", "eth/ip4/tcp(sport=1235)", "eth/ip4/icmp",
       "eth/ip4/tcp(sport=1234)/truncate=40"},
      {"l4.dport udp", fieldIs(FieldId::L4Dport, 53), "eth/ip6/udp(dport=53)",
       "eth/ip6/udp(dport=54)", "eth/ip6/icmpv6",
       "eth/ip6/udp(dport=53)/truncate=60"},
      {"ip4.saddr", fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.9")),
       "eth/ip4(src=10.0.0.9)", "eth/ip4(src=10.0.0.8)", "eth/ip6",
       "eth/ip4(src=10.0.0.9)/truncate=33"},
      {"ip4.daddr", fieldBytes(FieldId::Ip4Daddr, ip4("192.168.1.1")),
       "eth/ip4(dst=192.168.1.1)", "eth/ip4", "eth(type=0x0806)/raw(hex=00)",
       "eth/ip4(dst=192.168.1.1,ihl=6)/truncate=37"},
      {"ip4.proto", fieldIs(FieldId::Ip4Proto, 6), "eth/ip4/tcp", "eth/ip4/udp",
       "eth/ip6/tcp", "eth/ip4/tcp/truncate=20"},
      {"ip4.dscp", fieldIs(FieldId::Ip4Dscp, 46), "eth/ip4(dscp=ef,ecn=3)",
       "eth/ip4(dscp=cs1)", "eth/ip6(dscp=ef)", "eth/ip4(dscp=ef)/truncate=20"},
      {"ip6.saddr", fieldBytes(FieldId::Ip6Saddr, ip6("2001:db8::9")),
       "eth/ip6(src=2001:db8::9)", "eth/ip6", "eth/ip4",
       "eth/ip6(src=2001:db8::9)/truncate=53"},
      {"ip6.daddr", fieldBytes(FieldId::Ip6Daddr, ip6("::1")),
       "eth/ip6(dst=::1)", "eth/ip6(dst=::2)", "eth/ip4",
       "eth/ip6(dst=::1)/truncate=40"},
      {"ip6.nexthdr", fieldIs(FieldId::Ip6Nexthdr, 0), "eth/ip6/hop/tcp",
       "eth/ip6/tcp", "eth/ip4", "eth/ip6/hop/tcp/truncate=53"},
      {"ip6.dscp", fieldIs(FieldId::Ip6Dscp, 10), "eth/ip6(dscp=af11,ecn=1)",
       "eth/ip6(dscp=af12)", "eth/ip4(dscp=af11)",
       "eth/ip6(dscp=af11)/truncate=30"},
      {"tcp.sport", fieldIs(FieldId::TcpSport, 22), "eth/ip4/tcp(sport=22)",
       "eth/ip4/tcp(sport=23)", "eth/ip4/udp(sport=22)",
       "eth/ip4/tcp(sport=22)/truncate=53"},
      {"tcp.dport", fieldIs(FieldId::TcpDport, 80), "eth/ip6/tcp(dport=80)",
       "eth/ip6/tcp(dport=8080)", "eth/ip6/udp(dport=80)",
       "eth/ip6/tcp(dport=80)/truncate=70"},
      {"tcp.flags", fieldIs(FieldId::TcpFlags, 0x02), "eth/ip4/tcp(flags=syn)",
       "eth/ip4/tcp(flags=syn|ack)", "eth/ip4/udp",
       "eth/ip4/tcp(flags=syn)/truncate=50"},
      {"udp.sport", fieldIs(FieldId::UdpSport, 5353), "eth/ip4/udp(sport=5353)",
       "eth/ip4/udp", "eth/ip4/tcp(sport=5353)",
       "eth/ip4/udp(sport=5353)/truncate=41"},
      {"udp.dport", fieldIs(FieldId::UdpDport, 53), "eth/ip6/udp(dport=53)",
       "eth/ip6/udp(dport=5353)", "eth/ip6/tcp(dport=53)",
       "eth/ip6/udp(dport=53)/truncate=61"},
      {"icmp.type", fieldIs(FieldId::IcmpType, 8),
       "eth/ip4/icmp(type=echo-request)", "eth/ip4/icmp(type=echo-reply)",
       "eth/ip6/icmpv6(type=8)", "eth/ip4/icmp/truncate=41"},
      {"icmp.code", fieldIs(FieldId::IcmpCode, 3),
       "eth/ip4/icmp(type=3,code=3)", "eth/ip4/icmp(type=3,code=1)",
       "eth/ip4/udp", "eth/ip4/icmp(code=3)/truncate=36"},
      {"icmpv6.type", fieldIs(FieldId::Icmpv6Type, 128), "eth/ip6/icmpv6",
       "eth/ip6/icmpv6(type=echo-reply)", "eth/ip4/icmp(type=128)",
       "eth/ip6/icmpv6/truncate=61"},
      {"icmpv6.code", fieldIs(FieldId::Icmpv6Code, 4),
       "eth/ip6/icmpv6(type=1,code=4)", "eth/ip6/icmpv6(type=1)", "eth/ip6/udp",
       "eth/ip6/icmpv6(code=4)/truncate=54"},
  };
}

TEST(InterpFields, EveryFieldMatchesNegatesAndNeedsItsHeader) {
  for (const FieldCase &c : fieldCases()) {
    SCOPED_TRACE(c.name);
    ChainHarness plain(ir::Hook::TcIngress);
    plain.addRule({c.pred});
    ChainHarness neg(ir::Hook::TcIngress);
    neg.addRule({negated(c.pred)});

    EXPECT_TRUE(plain.firstRuleMatches(c.matching)) << c.matching;
    EXPECT_FALSE(neg.firstRuleMatches(c.matching)) << c.matching;
    EXPECT_FALSE(plain.firstRuleMatches(c.other)) << c.other;
    EXPECT_TRUE(neg.firstRuleMatches(c.other)) << c.other;
    if (c.missing) {
      EXPECT_FALSE(plain.firstRuleMatches(c.missing)) << c.missing;
      EXPECT_FALSE(neg.firstRuleMatches(c.missing)) << c.missing;
    }
    if (c.truncated) {
      Result r = plain.run(c.truncated);
      EXPECT_NE(r.rule, std::optional<uint32_t>(0)) << c.truncated;
      EXPECT_TRUE(r.malformed) << c.truncated;
      EXPECT_EQ(r.counterDeltas.back().packets, 1u) << c.truncated;
      EXPECT_FALSE(neg.firstRuleMatches(c.truncated)) << c.truncated;
    }
  }
}

TEST(InterpFields, EveryFieldIsCovered) {
  std::set<FieldId> covered;
  for (const FieldCase &c : fieldCases())
    covered.insert(c.pred.field);
  EXPECT_EQ(covered.size(), ir::kNumFields);
}

TEST(InterpFields, L4ProtoIsZeroWithoutAnIpHeader) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::MetaL4Proto, 0)});
  EXPECT_TRUE(h.firstRuleMatches("eth(type=0x0806)/raw(hex=0001)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(proto=0)/payload(len=4)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4/udp"));
}

TEST(InterpFields, L3HooksTakeTheProtocolFromMetadata) {
  ChainHarness h(ir::Hook::NfLocalIn);
  h.addRule(
      {fieldIs(FieldId::MetaL3Proto, 0x86DD), fieldIs(FieldId::UdpDport, 53)});
  EXPECT_TRUE(h.firstRuleMatches("ip6/udp(dport=53)"));
  EXPECT_FALSE(h.firstRuleMatches("ip4/udp(dport=53)"));
  // An IPv6 packet handed over as IPv4 has no valid IPv4 header.
  Result r = h.run("meta(l3=ipv4)/ip6/udp(dport=53)");
  EXPECT_FALSE(r.rule.has_value());
  EXPECT_TRUE(r.malformed);
}

TEST(InterpOperators, RangeIsInclusive) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({rangeOf(FieldId::TcpDport, 1000, 2000)});
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4/tcp(dport=999)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4/tcp(dport=1000)"));
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4/tcp(dport=2000)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4/tcp(dport=2001)"));
  ChainHarness neg(ir::Hook::Xdp);
  neg.addRule({negated(rangeOf(FieldId::L4Dport, 1000, 2000))});
  EXPECT_TRUE(neg.firstRuleMatches("eth/ip4/udp(dport=2001)"));
  EXPECT_FALSE(neg.firstRuleMatches("eth/ip4/udp(dport=1500)"));
  EXPECT_FALSE(neg.firstRuleMatches("eth/ip4/icmp"));
}

TEST(InterpOperators, RangeComparesUnsignedMultiByteValues) {
  ChainHarness h(ir::Hook::TcIngress);
  h.addRule({rangeOf(FieldId::MetaFlowHash, 0x7fffffff, 0x80000001)});
  EXPECT_TRUE(h.firstRuleMatches("meta(hash=0x80000000)/eth"));
  EXPECT_FALSE(h.firstRuleMatches("meta(hash=0xffffffff)/eth"));
  EXPECT_FALSE(h.firstRuleMatches("meta(hash=0x00000001)/eth"));
}

TEST(InterpOperators, TcpFlagsAnyAllEq) {
  const uint8_t synAck = 0x12;
  ChainHarness any(ir::Hook::Xdp);
  any.addRule({fieldIs(FieldId::TcpFlags, synAck, ir::CmpOp::AnyBits)});
  EXPECT_TRUE(any.firstRuleMatches("eth/ip4/tcp(flags=syn)"));
  EXPECT_TRUE(any.firstRuleMatches("eth/ip4/tcp(flags=ack|psh)"));
  EXPECT_FALSE(any.firstRuleMatches("eth/ip4/tcp(flags=fin|rst)"));

  ChainHarness all(ir::Hook::Xdp);
  all.addRule({fieldIs(FieldId::TcpFlags, synAck, ir::CmpOp::AllBits)});
  EXPECT_TRUE(all.firstRuleMatches("eth/ip4/tcp(flags=syn|ack|psh)"));
  EXPECT_FALSE(all.firstRuleMatches("eth/ip4/tcp(flags=syn)"));

  ChainHarness notAll(ir::Hook::Xdp);
  notAll.addRule(
      {negated(fieldIs(FieldId::TcpFlags, synAck, ir::CmpOp::AllBits))});
  EXPECT_TRUE(notAll.firstRuleMatches("eth/ip4/tcp(flags=syn)"));
  EXPECT_FALSE(notAll.firstRuleMatches("eth/ip4/tcp(flags=syn|ack)"));
  EXPECT_FALSE(notAll.firstRuleMatches("eth/ip4/udp"));

  ChainHarness eq(ir::Hook::Xdp);
  eq.addRule({fieldIs(FieldId::TcpFlags, synAck)});
  EXPECT_TRUE(eq.firstRuleMatches("eth/ip4/tcp(flags=syn|ack)"));
  EXPECT_FALSE(eq.firstRuleMatches("eth/ip4/tcp(flags=syn|ack|psh)"));
}

TEST(InterpOperators, Prefixes) {
  ChainHarness v4(ir::Hook::Xdp);
  v4.addRule({prefix(FieldId::Ip4Saddr, ip4("10.128.0.0"), 9)});
  EXPECT_TRUE(v4.firstRuleMatches("eth/ip4(src=10.200.1.1)"));
  EXPECT_FALSE(v4.firstRuleMatches("eth/ip4(src=10.127.255.255)"));

  ChainHarness v6(ir::Hook::Xdp);
  v6.addRule({prefix(FieldId::Ip6Daddr, ip6("2001:db8:1::"), 48)});
  EXPECT_TRUE(v6.firstRuleMatches("eth/ip6(dst=2001:db8:1:ffff::1)"));
  EXPECT_FALSE(v6.firstRuleMatches("eth/ip6(dst=2001:db8:2::1)"));

  ChainHarness all(ir::Hook::Xdp);
  all.addRule({prefix(FieldId::Ip4Daddr, ip4("1.2.3.4"), 0)});
  EXPECT_TRUE(all.firstRuleMatches("eth/ip4(dst=200.1.1.1)"));
  EXPECT_FALSE(all.firstRuleMatches("eth/ip6"));

  ChainHarness host(ir::Hook::Xdp);
  host.addRule({negated(prefix(FieldId::Ip4Daddr, ip4("10.0.0.2"), 32))});
  EXPECT_FALSE(host.firstRuleMatches("eth/ip4(dst=10.0.0.2)"));
  EXPECT_TRUE(host.firstRuleMatches("eth/ip4(dst=10.0.0.3)"));
}

TEST(InterpOperators, PredicatesAreAnded) {
  ChainHarness h(ir::Hook::Xdp);
  h.addRule({fieldIs(FieldId::Ip4Proto, 6), fieldIs(FieldId::TcpDport, 22),
             negated(fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1")))});
  EXPECT_TRUE(h.firstRuleMatches("eth/ip4(src=10.0.0.5)/tcp(dport=22)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(src=10.0.0.1)/tcp(dport=22)"));
  EXPECT_FALSE(h.firstRuleMatches("eth/ip4(src=10.0.0.5)/tcp(dport=23)"));
  ChainHarness empty(ir::Hook::Xdp);
  empty.addRule({});
  EXPECT_TRUE(empty.firstRuleMatches("eth(type=0x1234)/raw(hex=00)"));
}

} // namespace
