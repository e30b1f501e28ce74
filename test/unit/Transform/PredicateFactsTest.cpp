// The reasoning behind the passes: what assumed predicates imply about
// others, per docs/semantics.md (header presence, negation, sock_addr hooks).

#include "TransformTestSupport.h"

#include "bfc/Transform/PredicateFacts.h"

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;

namespace {

/// Evaluates `query` on `hook` assuming every predicate of `known`.
Truth given(ir::Hook hook, const std::vector<ir::Predicate> &known,
            const ir::Predicate &query, ir::Chain *withSets = nullptr) {
  ir::Chain local;
  local.hook = hook;
  ir::Chain &chain = withSets ? *withSets : local;
  chain.hook = hook;
  PredicateFacts facts(chain);
  for (const ir::Predicate &pred : known)
    facts.assume(pred);
  return facts.evaluate(query);
}

bool contradictory(ir::Hook hook, const std::vector<ir::Predicate> &known) {
  ir::Chain chain;
  chain.hook = hook;
  PredicateFacts facts(chain);
  for (const ir::Predicate &pred : known)
    facts.assume(pred);
  return facts.contradictory();
}

constexpr auto kXdp = ir::Hook::Xdp;
const ir::Predicate kL3Ip4 = fieldIs(FieldId::MetaL3Proto, 0x0800);
const ir::Predicate kL3Ip6 = fieldIs(FieldId::MetaL3Proto, 0x86DD);

TEST(PredicateFacts, AHeaderPredicateImpliesItsEtherTypeEvenNegated) {
  ir::Predicate saddr = fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1"));
  EXPECT_EQ(given(kXdp, {saddr}, kL3Ip4), Truth::True);
  EXPECT_EQ(given(kXdp, {negated(saddr)}, kL3Ip4), Truth::True);
  EXPECT_EQ(given(kXdp, {saddr}, kL3Ip6), Truth::False);
  EXPECT_EQ(given(kXdp, {saddr}, negated(kL3Ip6)), Truth::True);
  // The other way round: an IPv4 EtherType does not make the header present
  // (it may be truncated), so a test that only needs the header is unknown.
  EXPECT_EQ(given(kXdp, {kL3Ip4}, rangeOf(FieldId::Ip4Saddr, 0, 0xffffffff)),
            Truth::Unknown);
  EXPECT_EQ(given(kXdp, {saddr}, rangeOf(FieldId::Ip4Daddr, 0, 0xffffffff)),
            Truth::True);
}

TEST(PredicateFacts, TransportHeadersFixTheProtocol) {
  ir::Predicate dport = fieldIs(FieldId::TcpDport, 22);
  EXPECT_EQ(given(kXdp, {dport}, fieldIs(FieldId::MetaL4Proto, 6)),
            Truth::True);
  EXPECT_EQ(given(kXdp, {dport}, fieldIs(FieldId::MetaL4Proto, 17)),
            Truth::False);
  // ip4.proto needs IPv4: TCP may be over IPv6.
  EXPECT_EQ(given(kXdp, {dport}, fieldIs(FieldId::Ip4Proto, 6)),
            Truth::Unknown);
  ir::Predicate saddr = fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1"));
  EXPECT_EQ(given(kXdp, {saddr, dport}, fieldIs(FieldId::Ip4Proto, 6)),
            Truth::True);
  // ip4.proto and meta.l4_proto are one value over IPv4.
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::Ip4Proto, 47)},
                  fieldIs(FieldId::MetaL4Proto, 47)),
            Truth::True);
  // meta.sport/dport read the TCP ports when TCP is there.
  EXPECT_EQ(given(kXdp, {dport}, fieldIs(FieldId::L4Dport, 22)), Truth::True);
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::L4Dport, 22)},
                  fieldIs(FieldId::TcpDport, 22)),
            Truth::Unknown);
}

TEST(PredicateFacts, HeadersThatCannotCoexist) {
  ir::Predicate tcp = fieldIs(FieldId::TcpDport, 22);
  ir::Predicate udp = fieldIs(FieldId::UdpDport, 53);
  EXPECT_TRUE(contradictory(kXdp, {tcp, udp}));
  EXPECT_TRUE(contradictory(kXdp, {tcp, negated(udp)}));
  EXPECT_TRUE(contradictory(kXdp, {fieldIs(FieldId::IcmpType, 8),
                                   fieldBytes(FieldId::Ip6Saddr, ip6("::1"))}));
  EXPECT_TRUE(contradictory(kXdp, {kL3Ip6, fieldIs(FieldId::Ip4Proto, 6)}));
  EXPECT_TRUE(contradictory(kXdp, {fieldIs(FieldId::MetaL4Proto, 17), tcp}));
  EXPECT_FALSE(contradictory(kXdp, {tcp, fieldIs(FieldId::L4Dport, 22)}));
  EXPECT_TRUE(contradictory(kXdp, {tcp, fieldIs(FieldId::L4Dport, 23)}));
}

TEST(PredicateFacts, PrefixesAndEqualities) {
  ir::Predicate net8 = fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.0"), 8);
  ir::Predicate net16 = fieldBytes(FieldId::Ip4Saddr, ip4("10.1.0.0"), 16);
  ir::Predicate host = fieldBytes(FieldId::Ip4Saddr, ip4("10.1.2.3"));
  EXPECT_EQ(given(kXdp, {net16}, net8), Truth::True);
  EXPECT_EQ(given(kXdp, {net8}, net16), Truth::Unknown);
  EXPECT_EQ(given(kXdp, {host}, net16), Truth::True);
  EXPECT_EQ(given(kXdp, {host}, negated(net8)), Truth::False);
  EXPECT_EQ(given(kXdp, {host},
                  negated(fieldBytes(FieldId::Ip4Saddr, ip4("10.1.2.4")))),
            Truth::True);
  EXPECT_TRUE(contradictory(
      kXdp, {net8, fieldBytes(FieldId::Ip4Saddr, ip4("192.168.0.0"), 16)}));
  EXPECT_TRUE(contradictory(kXdp, {host, negated(net8)}));
  // Two hosts of one /8 do not contradict the /8.
  EXPECT_FALSE(contradictory(kXdp, {net8, negated(host)}));
}

TEST(PredicateFacts, APrefixLongerThanItsFieldComparesTheWholeField) {
  // Verified BFIR has no such prefix; the facts still clamp it (Sema's old
  // copy of comparedBits did not: `not 10.1.2.3/40` after 10.1.2.3 was no
  // contradiction there).
  ir::Predicate host = fieldBytes(FieldId::Ip4Saddr, ip4("10.1.2.3"));
  ir::Predicate tooLong = fieldBytes(FieldId::Ip4Saddr, ip4("10.1.2.3"), 40);
  EXPECT_EQ(comparedBits(tooLong), 32u);
  EXPECT_EQ(comparedBits(host), 32u);
  EXPECT_EQ(comparedBits(fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.0"), 8)),
            8u);
  EXPECT_TRUE(contradictory(kXdp, {host, negated(tooLong)}));
  EXPECT_EQ(given(kXdp, {tooLong}, host), Truth::True);
}

TEST(PredicateFacts, LiteralInterfaceIndexesButNotNames) {
  EXPECT_TRUE(contradictory(kXdp, {ifaceIndex(2), ifaceIndex(3)}));
  EXPECT_EQ(given(kXdp, {ifaceIndex(2)}, ifaceIndex(2)), Truth::True);
  EXPECT_EQ(given(kXdp, {ifaceIndex(2)}, negated(ifaceIndex(3))), Truth::True);
  EXPECT_EQ(given(kXdp, {ifaceIndex(2)}, negated(ifaceIndex(2))), Truth::False);
  // A negated index tells nothing about the others.
  EXPECT_EQ(given(kXdp, {negated(ifaceIndex(2))}, ifaceIndex(3)),
            Truth::Unknown);
  // Two names may be one interface, and a name may be index 3.
  EXPECT_FALSE(contradictory(kXdp, {ifaceSlot(0), ifaceSlot(1)}));
  EXPECT_FALSE(contradictory(kXdp, {ifaceIndex(2), ifaceSlot(0)}));
}

TEST(PredicateFacts, AssumedHeaders) {
  ir::Chain chain;
  PredicateFacts tcpOverIp6(chain);
  tcpOverIp6.assumeHeaders(kHeaderTcp | kHeaderIp6);
  EXPECT_FALSE(tcpOverIp6.contradictory());
  EXPECT_EQ(tcpOverIp6.evaluate(kL3Ip6), Truth::True);
  PredicateFacts icmpOverIp6(chain);
  icmpOverIp6.assumeHeaders(kHeaderIcmp | kHeaderIp6);
  EXPECT_TRUE(icmpOverIp6.contradictory());
  // A sock_addr hook of one family has no header of the other.
  chain.hook = ir::Hook::CgroupSockAddrConnect4;
  PredicateFacts ip6OnConnect4(chain);
  ip6OnConnect4.assumeHeaders(kHeaderIp6);
  EXPECT_TRUE(ip6OnConnect4.contradictory());
}

TEST(PredicateFacts, RangesAndExclusions) {
  ir::Predicate port22 = fieldIs(FieldId::TcpDport, 22);
  EXPECT_EQ(given(kXdp, {port22}, rangeOf(FieldId::TcpDport, 1, 100)),
            Truth::True);
  EXPECT_EQ(given(kXdp, {port22}, rangeOf(FieldId::TcpDport, 23, 100)),
            Truth::False);
  EXPECT_TRUE(contradictory(kXdp, {rangeOf(FieldId::TcpDport, 10, 20),
                                   rangeOf(FieldId::TcpDport, 30, 40)}));
  // [1, 100] without [1, 50] is [51, 100].
  EXPECT_EQ(given(kXdp,
                  {rangeOf(FieldId::TcpDport, 1, 100),
                   negated(rangeOf(FieldId::TcpDport, 1, 50))},
                  rangeOf(FieldId::TcpDport, 51, 100)),
            Truth::True);
  // An empty range never holds; its negation holds on any TCP packet.
  EXPECT_TRUE(contradictory(kXdp, {rangeOf(FieldId::TcpDport, 100, 10)}));
  EXPECT_EQ(given(kXdp, {port22}, negated(rangeOf(FieldId::TcpDport, 100, 10))),
            Truth::True);
  // A range over the whole field only needs the header.
  EXPECT_EQ(given(kXdp, {}, rangeOf(FieldId::TcpDport, 0, 65535)),
            Truth::Unknown);
  EXPECT_EQ(given(kXdp, {port22}, rangeOf(FieldId::TcpSport, 0, 65535)),
            Truth::True);
}

TEST(PredicateFacts, FlagBits) {
  ir::Predicate synAck = fieldIs(FieldId::TcpFlags, 0x12, ir::CmpOp::AllBits);
  ir::Predicate anySyn = fieldIs(FieldId::TcpFlags, 0x02, ir::CmpOp::AnyBits);
  ir::Predicate anyFin = fieldIs(FieldId::TcpFlags, 0x01, ir::CmpOp::AnyBits);
  EXPECT_EQ(given(kXdp, {synAck}, anySyn), Truth::True);
  EXPECT_EQ(given(kXdp, {synAck}, anyFin), Truth::Unknown);
  EXPECT_TRUE(contradictory(kXdp, {synAck, negated(anySyn)}));
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::TcpFlags, 0x02)}, anyFin),
            Truth::False);
  // `any` of nothing never holds; `all` of nothing needs only the header.
  EXPECT_TRUE(
      contradictory(kXdp, {fieldIs(FieldId::TcpFlags, 0, ir::CmpOp::AnyBits)}));
  EXPECT_EQ(
      given(kXdp, {synAck}, fieldIs(FieldId::TcpFlags, 0, ir::CmpOp::AllBits)),
      Truth::True);
}

TEST(PredicateFacts, Ip6HeaderChain) {
  ir::Predicate v6 = fieldBytes(FieldId::Ip6Saddr, ip6("2001:db8::1"));
  ir::Predicate l4tcp = fieldIs(FieldId::MetaL4Proto, 6);
  EXPECT_EQ(given(kXdp, {v6, l4tcp}, ip6Chain(6)), Truth::True);
  EXPECT_EQ(given(kXdp, {l4tcp}, ip6Chain(6)), Truth::Unknown);
  EXPECT_EQ(given(kXdp, {v6, fieldIs(FieldId::Ip6Nexthdr, 0)}, ip6Chain(0)),
            Truth::True);
  EXPECT_EQ(given(kXdp, {v6, l4tcp}, ip6Chain(17)), Truth::Unknown);
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::Ip4Proto, 6)}, ip6Chain(6)),
            Truth::False);
}

TEST(PredicateFacts, IdentityComplementAndRandomDraws) {
  ir::Predicate iface = ifaceSlot(0);
  EXPECT_EQ(given(kXdp, {iface}, iface), Truth::True);
  EXPECT_EQ(given(kXdp, {iface}, negated(iface)), Truth::False);
  EXPECT_EQ(given(kXdp, {iface}, ifaceSlot(1)), Truth::Unknown);
  // The kernel may draw a new number per predicate: never assumed equal.
  ir::Predicate half = probability(50);
  EXPECT_EQ(given(kXdp, {half}, half), Truth::Unknown);
  EXPECT_FALSE(contradictory(kXdp, {half, negated(half)}));
  // Constant outcomes.
  EXPECT_EQ(given(kXdp, {}, probability(100)), Truth::True);
  EXPECT_EQ(given(kXdp, {}, probability(0)), Truth::False);
  EXPECT_EQ(given(kXdp, {}, negated(probability(0))), Truth::True);
  EXPECT_EQ(given(kXdp, {}, probability(1e-12)), Truth::False);
  // Per flow: deterministic, but it needs TCP or UDP.
  ir::Predicate flow = probability(30, true);
  EXPECT_EQ(given(kXdp, {flow}, flow), Truth::True);
  EXPECT_EQ(given(kXdp, {}, probability(100, true)), Truth::Unknown);
  EXPECT_EQ(
      given(kXdp, {fieldIs(FieldId::UdpDport, 53)}, probability(100, true)),
      Truth::True);
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::IcmpType, 8)}, flow), Truth::False);
}

TEST(PredicateFacts, SockAddrHooks) {
  constexpr auto kConnect4 = ir::Hook::CgroupSockAddrConnect4;
  constexpr auto kSendmsg6 = ir::Hook::CgroupSockAddrSendmsg6;
  // The family is the hook's.
  EXPECT_EQ(given(kConnect4, {}, kL3Ip4), Truth::True);
  EXPECT_EQ(given(kSendmsg6, {}, kL3Ip4), Truth::False);
  // Fields the hook never has are false, negated or not.
  ir::Predicate saddr = fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1"));
  EXPECT_EQ(given(kConnect4, {}, saddr), Truth::False);
  EXPECT_EQ(given(kConnect4, {}, negated(saddr)), Truth::False);
  EXPECT_EQ(given(kConnect4, {}, fieldIs(FieldId::TcpFlags, 2)), Truth::False);
  EXPECT_EQ(given(kSendmsg6, {}, ifaceSlot(0)), Truth::False);
  EXPECT_EQ(given(kSendmsg6, {}, ip6Chain(6)), Truth::False);
  EXPECT_EQ(given(kSendmsg6, {}, probability(100, true)), Truth::False);
  // meta.probability works as on packets.
  EXPECT_EQ(given(kSendmsg6, {}, probability(100)), Truth::True);
  EXPECT_EQ(given(kSendmsg6, {},
                  rangeOf(FieldId::Ip6Saddr, 0, 0)), // one value, any header
            Truth::Unknown);
  // The destination port is one value for tcp.dport and meta.dport.
  EXPECT_EQ(given(kConnect4, {fieldIs(FieldId::TcpDport, 80)},
                  fieldIs(FieldId::L4Dport, 80)),
            Truth::True);
  EXPECT_EQ(given(kConnect4, {fieldIs(FieldId::TcpDport, 80)},
                  fieldIs(FieldId::Ip4Proto, 6)),
            Truth::True);
}

TEST(PredicateFacts, AnonymousSetsAreConstantsNamedSetsAreNot) {
  ChainBuilder b(kXdp);
  uint32_t anon =
      b.addSet({FieldId::TcpDport}, false,
               {element(toBigEndian(22, 2)), element(toBigEndian(80, 2))});
  uint32_t named = b.addSet({FieldId::TcpDport}, false,
                            {element(toBigEndian(22, 2))}, false);
  uint32_t empty = b.addSet({FieldId::TcpDport}, false, {});
  uint32_t lpm =
      b.addSet({FieldId::Ip4Daddr}, true, {element(ip4("10.0.0.0"), 8)});
  ir::Chain &chain = b.chain();
  ir::Predicate port22 = fieldIs(FieldId::TcpDport, 22);
  EXPECT_EQ(given(kXdp, {port22}, inSet(anon), &chain), Truth::True);
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::TcpDport, 23)}, inSet(anon), &chain),
            Truth::False);
  EXPECT_EQ(given(kXdp, {port22}, inSet(named), &chain), Truth::Unknown);
  EXPECT_EQ(given(kXdp, {port22}, inSet(empty), &chain), Truth::False);
  EXPECT_EQ(given(kXdp, {port22}, negated(inSet(empty)), &chain), Truth::True);
  // A /16 inside the set's /8 is enough for an LPM lookup.
  EXPECT_EQ(given(kXdp, {fieldBytes(FieldId::Ip4Daddr, ip4("10.7.0.0"), 16)},
                  inSet(lpm), &chain),
            Truth::True);
  EXPECT_EQ(given(kXdp, {fieldBytes(FieldId::Ip4Daddr, ip4("11.0.0.0"), 8)},
                  inSet(lpm), &chain),
            Truth::False);
  // The set predicate needs the key's headers.
  EXPECT_EQ(given(kXdp, {fieldIs(FieldId::UdpDport, 22)}, inSet(anon), &chain),
            Truth::False);
}

TEST(PredicateFacts, ExpectedContradictionsAreNotFoundWhereThereIsNone) {
  // Soundness spot checks: satisfiable combinations stay satisfiable.
  EXPECT_FALSE(contradictory(kXdp, {kL3Ip4, fieldIs(FieldId::MetaL4Proto, 0)}));
  EXPECT_FALSE(
      contradictory(kXdp, {negated(fieldIs(FieldId::TcpDport, 0)),
                           negated(fieldIs(FieldId::TcpDport, 65535))}));
  EXPECT_FALSE(contradictory(
      kXdp, {fieldIs(FieldId::Ip6Nexthdr, 0), fieldIs(FieldId::TcpDport, 22)}));
  EXPECT_FALSE(
      contradictory(kXdp, {ip6Chain(44), fieldIs(FieldId::MetaL4Proto, 6)}));
}

} // namespace
