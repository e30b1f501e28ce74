// simplify-predicates, dead-rules and order-predicates on parsed and
// hand-built rulesets.

#include "TransformTestSupport.h"

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;

namespace {

std::vector<std::string> simplified(const std::string &source,
                                    size_t rule = 0) {
  Compiled c = compile(source);
  if (c.module.chains.empty())
    return {"<no module>"};
  runPass(c.module, createSimplifyPredicatesPass());
  const ir::Chain &chain = c.module.chains.front();
  return printedRule(c.module, chain, chain.rules.at(rule));
}

const std::string kNever = "never";

TEST(SimplifyPredicates, DropsTheEtherTypeAHeaderPredicateImplies) {
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule meta.l3_proto eq ipv4 ip4.saddr eq 10.0.0.1 "
                             "DROP\n"),
                  "ip4.saddr [ip4+12:4] eq 10.0.0.1");
  // A negated predicate needs its header too.
  EXPECT_ELEMENTS(
      simplified("chain c BF_HOOK_XDP ACCEPT\n"
                 "rule meta.l3_proto eq ipv6 ip6.saddr not ::1 DROP\n"),
      "ip6.saddr [ip6+8:16] not eq ::1");
  // Without a header predicate the EtherType test stays.
  EXPECT_ELEMENTS(
      simplified("chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                 "rule meta.l3_proto eq ipv4 meta.mark eq 1 DROP\n"),
      "meta.l3_proto [meta] eq ipv4", "meta.mark [meta] eq 0x1");
}

TEST(SimplifyPredicates, DropsTheProtocolATransportPredicateImplies) {
  EXPECT_ELEMENTS(
      simplified("chain c BF_HOOK_XDP ACCEPT\n"
                 "rule meta.l4_proto eq tcp tcp.dport eq 22 DROP\n"),
      "tcp.dport [tcp+2:2] eq 22");
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule ip4.proto eq udp ip4.daddr eq 10.0.0.1 "
                             "udp.dport eq 53 DROP\n"),
                  "ip4.daddr [ip4+16:4] eq 10.0.0.1",
                  "udp.dport [udp+2:2] eq 53");
  // Over IPv4 or IPv6: ip4.proto is the only IPv4 test and stays.
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule ip4.proto eq tcp tcp.dport eq 22 DROP\n"),
                  "ip4.proto [ip4+9:1] eq tcp", "tcp.dport [tcp+2:2] eq 22");
}

TEST(SimplifyPredicates, DropsDuplicatesWiderPrefixesAndRanges) {
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule tcp.dport eq 22 tcp.dport eq 22 DROP\n"),
                  "tcp.dport [tcp+2:2] eq 22");
  EXPECT_ELEMENTS(
      simplified("chain c BF_HOOK_XDP ACCEPT\n"
                 "rule ip4.snet eq 10.0.0.0/8 ip4.saddr eq 10.1.2.3 "
                 "DROP\n"),
      "ip4.saddr [ip4+12:4] eq 10.1.2.3");
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule tcp.dport range 1-1024 tcp.dport eq 22 "
                             "tcp.dport not 80 DROP\n"),
                  "tcp.dport [tcp+2:2] eq 22");
}

TEST(SimplifyPredicates, CanonicalFormsAndConstantProbabilities) {
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule tcp.dport range 22-22 DROP\n"),
                  "tcp.dport [tcp+2:2] eq 22");
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule ip4.snet eq 10.1.2.3/32 DROP\n"),
                  "ip4.saddr [ip4+12:4] eq 10.1.2.3");
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule meta.probability eq 100% tcp.dport eq 22 "
                             "DROP\n"),
                  "tcp.dport [tcp+2:2] eq 22");
  // A random draw is kept, each time it appears.
  EXPECT_ELEMENTS(simplified("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule meta.probability eq 50% "
                             "meta.probability eq 50% DROP\n"),
                  "meta.probability eq 50%", "meta.probability eq 50%");
}

TEST(SimplifyPredicates, NeverMatchingRulesKeepIndexAndOptions) {
  Compiled c = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "rule tcp.dport eq 1 ACCEPT\n"
                       "rule tcp.dport eq 22 tcp.dport eq 23 counter "
                       "log internet DROP\n"
                       "rule tcp.dport eq 3 ACCEPT\n");
  runPass(c.module, createSimplifyPredicatesPass());
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.rules.size(), 3u);
  const ir::Rule &never = chain.rules[1];
  EXPECT_EQ(never.index, 1u);
  EXPECT_TRUE(isNeverMatching(never));
  EXPECT_ELEMENTS(printedRule(c.module, chain, never), kNever);
  EXPECT_TRUE(never.counter);
  EXPECT_TRUE(never.log.enabled);
  EXPECT_EQ(never.verdict, ir::Verdict::Drop);
  EXPECT_EQ(never.text, "rule tcp.dport eq 22 tcp.dport eq 23 counter log "
                        "internet DROP");
  EXPECT_FALSE(isNeverMatching(chain.rules[0]));
  EXPECT_FALSE(isNeverMatching(chain.rules[2]));
}

TEST(SimplifyPredicates, ContradictionsBecomeNeverMatching) {
  for (const char *rule : {
           "rule tcp.dport eq 80 udp.dport eq 53 DROP",
           "rule ip4.saddr eq 10.0.0.1 ip6.daddr eq ::1 DROP",
           "rule meta.l3_proto eq ipv6 ip4.proto eq tcp DROP",
           "rule tcp.dport range 10-20 tcp.dport range 30-40 DROP",
           "rule tcp.flags all syn tcp.flags not any syn DROP",
           "rule meta.l4_proto eq udp tcp.sport eq 1 DROP",
           "rule ip4.snet eq 10.0.0.0/8 ip4.saddr eq 11.0.0.1 DROP",
       }) {
    EXPECT_ELEMENTS(
        simplified(std::string("chain c BF_HOOK_XDP ACCEPT\n") + rule + "\n"),
        kNever)
        << rule;
  }
}

TEST(SimplifyPredicates, HandBuiltEmptyRangeAndSets) {
  ChainBuilder b(ir::Hook::TcIngress);
  uint32_t named =
      b.addSet({FieldId::TcpDport}, false, {}, /*anonymous=*/false);
  uint32_t anon =
      b.addSet({FieldId::TcpDport}, false, {element(toBigEndian(22, 2))});
  b.addRule(
      {fieldIs(FieldId::MetaMark, 1), rangeOf(FieldId::UdpDport, 100, 10)});
  // An empty named set may be filled after loading: not folded.
  b.addRule({inSet(named)});
  // tcp.dport eq 22 answers the anonymous lookup.
  b.addRule({fieldIs(FieldId::TcpDport, 22), inSet(anon)});
  b.addRule({fieldIs(FieldId::TcpDport, 23), inSet(anon)});
  runPass(b.module, createSimplifyPredicatesPass());
  const ir::Chain &chain = b.chain();
  EXPECT_ELEMENTS(printedRule(b.module, chain, chain.rules[0]), kNever);
  EXPECT_FALSE(isNeverMatching(chain.rules[1]));
  EXPECT_EQ(chain.rules[1].predicates.size(), 1u);
  EXPECT_ELEMENTS(printedRule(b.module, chain, chain.rules[2]),
                  "tcp.dport [tcp+2:2] eq 22");
  EXPECT_TRUE(isNeverMatching(chain.rules[3]));
}

TEST(DeadRules, EffectFreeContinueRulesAndShadowedRules) {
  Compiled c = compile("chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                       "rule tcp.dport eq 22 CONTINUE\n"
                       "rule tcp.dport eq 22 counter CONTINUE\n"
                       "rule tcp.dport eq 22 mark 0x1 CONTINUE\n"
                       "rule ip4.snet eq 10.0.0.0/8 DROP\n"
                       "rule ip4.saddr eq 10.1.2.3 tcp.dport eq 80 counter "
                       "ACCEPT\n"
                       "rule ip4.saddr eq 11.1.2.3 ACCEPT\n");
  runPass(c.module, createDeadRulesPass());
  const auto &rules = c.module.chains.front().rules;
  EXPECT_TRUE(isNeverMatching(rules[0]));
  EXPECT_FALSE(isNeverMatching(rules[1]));
  EXPECT_FALSE(isNeverMatching(rules[2]));
  EXPECT_FALSE(isNeverMatching(rules[3]));
  EXPECT_TRUE(isNeverMatching(rules[4]));
  EXPECT_TRUE(rules[4].counter); // its counter slot stays, at 0
  EXPECT_FALSE(isNeverMatching(rules[5]));
}

TEST(DeadRules, AMarkSetInBetweenKeepsAMarkTest) {
  Compiled c = compile("chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                       "rule meta.mark eq 0x1 ACCEPT\n"
                       "rule tcp.dport eq 22 mark 0x1 CONTINUE\n"
                       "rule meta.mark eq 0x1 DROP\n"
                       "rule meta.mark eq 0x2 ACCEPT\n"
                       "rule meta.mark eq 0x2 DROP\n");
  runPass(c.module, createDeadRulesPass());
  const auto &rules = c.module.chains.front().rules;
  // Packets marked by rule 1 reach rule 2 with mark 1.
  EXPECT_FALSE(isNeverMatching(rules[2]));
  // Rules 3 and 4 both run after the mark: 4 is shadowed.
  EXPECT_FALSE(isNeverMatching(rules[3]));
  EXPECT_TRUE(isNeverMatching(rules[4]));
}

TEST(OrderPredicates, CheapTestsFirstStable) {
  ChainBuilder b(ir::Hook::TcIngress);
  uint32_t set =
      b.addSet({FieldId::Ip4Saddr}, false, {element(ip4("10.0.0.1"))});
  b.addRule({probability(30, true), inSet(set),
             fieldBytes(FieldId::Ip6Daddr, ip6("::1")), probability(50),
             fieldIs(FieldId::TcpDport, 22), fieldIs(FieldId::MetaMark, 1),
             fieldIs(FieldId::TcpSport, 1)});
  runPass(b.module, createOrderPredicatesPass());
  EXPECT_ELEMENTS(printedRule(b.module, b.chain(), b.chain().rules[0]),
                  "meta.mark [meta] eq 0x1", "tcp.dport [tcp+2:2] eq 22",
                  "tcp.sport [tcp+0:2] eq 1", "ip6.daddr [ip6+24:16] eq ::1",
                  "meta.probability eq 50%", "(ip4.saddr) in set 0 __anon0",
                  "meta.flow_probability eq 30%");
}

} // namespace
