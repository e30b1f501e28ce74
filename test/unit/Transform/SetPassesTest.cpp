// equalities-to-sets, merge-rule-sets and prune-sets.

#include "TransformTestSupport.h"

#include <fmt/format.h>
#include <tuple>

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;

namespace {

std::vector<std::string> elementsOf(const ir::Set &set) {
  std::vector<std::string> out;
  for (const ir::SetElement &e : set.elements)
    out.push_back(ir::formatSetElement(set, e));
  return out;
}

std::string rules(const std::vector<std::string> &lines) {
  std::string text = "chain c BF_HOOK_XDP ACCEPT\n";
  for (const std::string &line : lines)
    text += line + "\n";
  return text;
}

TEST(EqualitiesToSets, ARunOfEqualitiesBecomesOneLookup) {
  Compiled c = compile(rules(
      {"rule tcp.dport eq 1 counter ACCEPT", "rule ip4.saddr eq 10.0.0.1 DROP",
       "rule ip4.saddr eq 10.0.0.2 DROP", "rule ip4.saddr eq 10.0.0.3 DROP",
       "rule ip4.saddr eq 10.0.0.2 DROP", "rule ip4.saddr eq 10.0.0.4 DROP",
       "rule tcp.dport eq 2 ACCEPT"}));
  runPass(c.module, createEqualitiesToSetsPass());
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.rules.size(), 7u);
  ASSERT_EQ(chain.sets.size(), 1u);
  const ir::Set &set = chain.sets[0];
  EXPECT_TRUE(set.anonymous);
  EXPECT_FALSE(set.lpm);
  EXPECT_EQ(set.key, std::vector<FieldId>{FieldId::Ip4Saddr});
  EXPECT_ELEMENTS(elementsOf(set), "10.0.0.1", "10.0.0.2", "10.0.0.3",
                  "10.0.0.4");
  EXPECT_ELEMENTS(printedRule(c.module, chain, chain.rules[1]),
                  "(ip4.saddr) in set 0 " + set.name);
  for (size_t i = 2; i <= 5; ++i) {
    EXPECT_TRUE(isNeverMatching(chain.rules[i])) << i;
    EXPECT_EQ(chain.rules[i].index, i);
  }
  EXPECT_FALSE(isNeverMatching(chain.rules[0]));
  EXPECT_FALSE(isNeverMatching(chain.rules[6]));
}

TEST(EqualitiesToSets, ShortRunsStayUnlessAskedFor) {
  std::string text =
      rules({"rule udp.dport eq 53 DROP", "rule udp.dport eq 123 DROP",
             "rule udp.dport eq 1900 DROP"});
  Compiled c = compile(text);
  runPass(c.module, createEqualitiesToSetsPass());
  EXPECT_TRUE(c.module.chains.front().sets.empty());

  Compiled d = compile(text);
  PipelineOptions options;
  options.minEqualitiesForSet = 3;
  runPass(d.module, createEqualitiesToSetsPass(), nullptr, options);
  ASSERT_EQ(d.module.chains.front().sets.size(), 1u);
  EXPECT_ELEMENTS(elementsOf(d.module.chains.front().sets[0]), "53", "123",
                  "1900");
}

TEST(EqualitiesToSets, RunsBreakOnAnythingPerRuleOrDifferent) {
  PipelineOptions options;
  options.minEqualitiesForSet = 2;
  for (const auto &[why, second] :
       std::vector<std::pair<std::string, std::string>>{
           {"counter", "rule tcp.dport eq 2 counter DROP"},
           {"log", "rule tcp.dport eq 2 log transport DROP"},
           {"verdict", "rule tcp.dport eq 2 ACCEPT"},
           {"field", "rule tcp.sport eq 2 DROP"},
           {"negation", "rule tcp.dport not 2 DROP"},
           {"second predicate", "rule tcp.dport eq 2 tcp.sport eq 1 DROP"},
       }) {
    Compiled c = compile(rules({"rule tcp.dport eq 1 DROP", second}));
    runPass(c.module, createEqualitiesToSetsPass(), nullptr, options);
    EXPECT_TRUE(c.module.chains.front().sets.empty()) << why;
  }
  // CONTINUE runs are not merged (dead-rules removes effect-free ones).
  Compiled c = compile(
      rules({"rule tcp.dport eq 1 CONTINUE", "rule tcp.dport eq 2 CONTINUE"}));
  runPass(c.module, createEqualitiesToSetsPass(), nullptr, options);
  EXPECT_TRUE(c.module.chains.front().sets.empty());
}

TEST(EqualitiesToSets, PrefixesMakeAnLpmSet) {
  PipelineOptions options;
  options.minEqualitiesForSet = 2;
  Compiled c = compile(rules({"rule ip4.dnet eq 10.0.0.0/8 DROP",
                              "rule ip4.daddr eq 192.168.1.1 DROP",
                              "rule ip4.dnet eq 172.16.0.0/12 DROP"}));
  runPass(c.module, createEqualitiesToSetsPass(), nullptr, options);
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.sets.size(), 1u);
  EXPECT_TRUE(chain.sets[0].lpm);
  EXPECT_ELEMENTS(elementsOf(chain.sets[0]), "10.0.0.0/8", "192.168.1.1/32",
                  "172.16.0.0/12");
}

TEST(EqualitiesToSets, AnonymousSetsJoinTheRunNamedOnesDoNot) {
  Compiled c = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "set named (tcp.dport) in { 7 }\n"
                       "rule (tcp.dport) in { 1; 2 } DROP\n"
                       "rule tcp.dport eq 3 DROP\n"
                       "rule (tcp.dport) in { 2; 4 } DROP\n"
                       "rule (tcp.dport) in named DROP\n"
                       "rule tcp.dport eq 5 DROP\n");
  runPasses(c.module, [] {
    std::vector<std::unique_ptr<Pass>> passes;
    passes.push_back(createEqualitiesToSetsPass());
    passes.push_back(createPruneSetsPass());
    return passes;
  }());
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_EQ(chain.sets[0].name, "named");
  EXPECT_FALSE(chain.sets[0].anonymous);
  EXPECT_ELEMENTS(elementsOf(chain.sets[1]), "1", "2", "3", "4");
  EXPECT_EQ(chain.rules[0].predicates[0].set, 1u);
  EXPECT_TRUE(isNeverMatching(chain.rules[1]));
  EXPECT_TRUE(isNeverMatching(chain.rules[2]));
  EXPECT_EQ(chain.rules[3].predicates[0].set, 0u); // renumbered, still named
  EXPECT_FALSE(isNeverMatching(chain.rules[4]));
}

TEST(EqualitiesToSets, PlaceholdersDoNotBreakARunAndRedirectTargetsMust) {
  ChainBuilder b(ir::Hook::Xdp);
  b.addRule({fieldIs(FieldId::UdpDport, 1)}, ir::Verdict::Redirect)
      .redirectIfindex = 3;
  ir::Rule &placeholder = b.addRule({fieldIs(FieldId::UdpDport, 9)});
  makeNeverMatching(placeholder);
  b.addRule({fieldIs(FieldId::UdpDport, 2)}, ir::Verdict::Redirect)
      .redirectIfindex = 3;
  b.addRule({fieldIs(FieldId::UdpDport, 3)}, ir::Verdict::Redirect)
      .redirectIfindex = 4;
  PipelineOptions options;
  options.minEqualitiesForSet = 2;
  runPass(b.module, createEqualitiesToSetsPass(), nullptr, options);
  const ir::Chain &chain = b.chain();
  ASSERT_EQ(chain.sets.size(), 1u);
  EXPECT_ELEMENTS(elementsOf(chain.sets[0]), "1", "2");
  EXPECT_TRUE(isNeverMatching(chain.rules[2]));
  EXPECT_FALSE(isNeverMatching(chain.rules[3]));
  EXPECT_EQ(chain.rules[3].predicates[0].kind, ir::Predicate::Kind::Field);
}

/// `runs` runs of `perRun` equality rules on `field`, verdicts alternating
/// so that runs do not join; run k's values come from `value(k, j)`.
std::string equalityRuns(unsigned runs, unsigned perRun,
                         const std::string &field,
                         std::string (*value)(unsigned, unsigned)) {
  std::vector<std::string> lines;
  for (unsigned k = 0; k < runs; ++k)
    for (unsigned j = 0; j < perRun; ++j)
      lines.push_back(fmt::format("rule {} eq {} {}", field, value(k, j),
                                  k % 2 ? "ACCEPT" : "DROP"));
  return rules(lines);
}

std::string ip4Value(unsigned k, unsigned j) {
  return fmt::format("10.{}.0.{}", k, j);
}
std::string ip6Value(unsigned k, unsigned j) {
  return fmt::format("2001:db8:{:x}::{:x}", k, j + 1);
}
std::string ip6Net(unsigned k, unsigned j) {
  return fmt::format("2001:db8:{:x}:{:x}::/64", k, j);
}

/// Maps and key bytes the way PipelineOptions counts them.
std::pair<unsigned, unsigned> setCost(const ir::Chain &chain) {
  unsigned bytes = 0;
  for (const ir::Set &set : chain.sets)
    bytes += ((set.lpm ? 4 : 0) + set.keySize() + 7) / 8 * 8;
  return {static_cast<unsigned>(chain.sets.size()), bytes};
}

TEST(EqualitiesToSets, StaysWithinTheMapAndStackBudget) {
  PipelineOptions options;
  // 70 runs of 4: one set each would be 70 maps (the kernel allows 64 per
  // program) and 560 to 1,680 key bytes (the stack is 512).
  for (auto [field, value, keyBytes] :
       std::vector<std::tuple<std::string, std::string (*)(unsigned, unsigned),
                              unsigned>>{{"ip4.saddr", ip4Value, 8},
                                         {"ip6.saddr", ip6Value, 16},
                                         {"ip6.snet", ip6Net, 24}}) {
    SCOPED_TRACE(field);
    Compiled c = compile(equalityRuns(70, 4, field, value));
    optimize(c.module, nullptr, options);
    const ir::Chain &chain = c.module.chains.front();
    auto [sets, bytes] = setCost(chain);
    EXPECT_EQ(sets, std::min(options.maxSetsPerChain,
                             options.maxSetKeyBytes / keyBytes));
    EXPECT_LE(bytes, options.maxSetKeyBytes);
    // The runs left over stay rules, untouched.
    size_t never = 0;
    for (const ir::Rule &rule : chain.rules)
      never += isNeverMatching(rule);
    EXPECT_EQ(never, 3 * sets);
  }
}

TEST(EqualitiesToSets, TheLongestRunsGetTheBudget) {
  PipelineOptions options;
  options.maxSetsPerChain = 2;
  // Runs of 4, 6, 5 and 7 rules: the sets go to the runs of 7 and 6.
  std::vector<std::string> lines;
  unsigned k = 0;
  for (unsigned length : {4u, 6u, 5u, 7u}) {
    for (unsigned j = 0; j < length; ++j)
      lines.push_back(fmt::format("rule tcp.dport eq {} {}", 100 * k + j,
                                  k % 2 ? "ACCEPT" : "DROP"));
    ++k;
  }
  Compiled c = compile(rules(lines));
  runPass(c.module, createEqualitiesToSetsPass(), nullptr, options);
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_ELEMENTS(printedRule(c.module, chain, chain.rules[4]),
                  "(tcp.dport) in set 0 " + chain.sets[0].name);
  EXPECT_ELEMENTS(printedRule(c.module, chain, chain.rules[15]),
                  "(tcp.dport) in set 1 " + chain.sets[1].name);
  EXPECT_FALSE(isNeverMatching(chain.rules[1]));
  EXPECT_FALSE(isNeverMatching(chain.rules[11]));
}

TEST(EqualitiesToSets, ARunThatReplacesSetsIgnoresTheBudget) {
  // Two anonymous sets and two equalities become one set: fewer maps, so
  // the run merges even with no budget left.
  PipelineOptions options;
  options.maxSetsPerChain = 0;
  options.maxSetKeyBytes = 0;
  Compiled c = compile(
      rules({"rule (tcp.dport) in { 1; 2 } DROP", "rule tcp.dport eq 3 DROP",
             "rule (tcp.dport) in { 4 } DROP", "rule tcp.dport eq 5 DROP"}));
  optimize(c.module, nullptr, options);
  const ir::Chain &chain = c.module.chains.front();
  ASSERT_EQ(chain.sets.size(), 1u);
  EXPECT_ELEMENTS(elementsOf(chain.sets[0]), "1", "2", "3", "4", "5");
}

TEST(MergeRuleSets, IntersectionOfInUnionOfNotIn) {
  ChainBuilder b(ir::Hook::Xdp);
  auto ports = [](std::vector<uint16_t> values) {
    std::vector<ir::SetElement> out;
    for (uint16_t v : values)
      out.push_back(element(toBigEndian(v, 2)));
    return out;
  };
  uint32_t a = b.addSet({FieldId::TcpDport}, false, ports({1, 2, 3}));
  uint32_t c = b.addSet({FieldId::TcpDport}, false, ports({2, 3, 4}));
  uint32_t d = b.addSet({FieldId::TcpDport}, false, ports({9}));
  uint32_t named = b.addSet({FieldId::TcpDport}, false, ports({2}), false);
  b.addRule({inSet(a), fieldIs(FieldId::TcpSport, 7), inSet(c)});
  b.addRule({negated(inSet(a)), negated(inSet(d))});
  b.addRule({inSet(a), inSet(d)}); // empty intersection
  b.addRule({inSet(a), inSet(named)});
  runPass(b.module, createMergeRuleSetsPass());
  const ir::Chain &chain = b.chain();
  const auto &r0 = chain.rules[0].predicates;
  ASSERT_EQ(r0.size(), 2u);
  EXPECT_ELEMENTS(elementsOf(chain.sets[r0[0].set]), "2", "3");
  const auto &r1 = chain.rules[1].predicates;
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_TRUE(r1[0].negate);
  EXPECT_ELEMENTS(elementsOf(chain.sets[r1[0].set]), "1", "2", "3", "9");
  EXPECT_TRUE(isNeverMatching(chain.rules[2]));
  EXPECT_EQ(chain.rules[3].predicates.size(), 2u);
}

TEST(PruneSets, RemovesUnusedAnonymousSetsOnly) {
  ChainBuilder b(ir::Hook::Xdp);
  b.addSet({FieldId::TcpDport}, false, {element(toBigEndian(1, 2))});
  b.addSet({FieldId::TcpDport}, false, {element(toBigEndian(2, 2))}, false);
  uint32_t used =
      b.addSet({FieldId::TcpDport}, false, {element(toBigEndian(3, 2))});
  b.addRule({inSet(used)});
  runPass(b.module, createPruneSetsPass());
  const ir::Chain &chain = b.chain();
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_EQ(chain.sets[0].name, "named1");
  EXPECT_FALSE(chain.sets[0].anonymous);
  EXPECT_EQ(chain.rules[0].predicates[0].set, 1u);
  EXPECT_ELEMENTS(elementsOf(chain.sets[1]), "3");
}

} // namespace
