// bfc diff's analysis on hand-written ruleset pairs, and on random pairs
// where sampled packets check that the classes are exact: a packet whose
// fate differs lies in exactly one reported class, any other in none.

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include <fmt/format.h>

#include "bfc/Diff/Diff.h"
#include "bfc/Interp/Frame.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"

#include "../Transform/TransformTestSupport.h"

using namespace bfc;
using namespace bfc::diff;
using bfc::transform::test::compile;
using bfc::transform::test::Compiled;

namespace {

struct Pair {
  Compiled before, after;
  ModuleDiff diff;
};

Pair diffOf(const std::string &before, const std::string &after,
            DiffOptions options = {}) {
  Pair pair{compile(before), compile(after), {}};
  Expected<ModuleDiff> diff =
      diffModules(pair.before.module, pair.after.module, options);
  EXPECT_TRUE(diff) << diff.error().message;
  if (diff)
    pair.diff = std::move(diff).value();
  return pair;
}

std::string report(const Pair &pair) {
  std::ostringstream os;
  printDiff(pair.diff, {*pair.before.buffer, *pair.after.buffer}, os);
  return os.str();
}

TEST(DiffTest, SameRulesetsHaveNoClasses) {
  const char *text = "chain c BF_HOOK_XDP ACCEPT\n"
                     "  rule tcp.dport eq 22 ip4.snet eq 10.0.0.0/8 DROP\n"
                     "  rule (udp.dport) in { 53; 123 } DROP\n";
  Pair pair = diffOf(text, text);
  EXPECT_FALSE(pair.diff.changed());
  EXPECT_EQ(report(pair), "");
}

TEST(DiffTest, ANeverMatchingRuleMatchesNoPacket) {
  // The optimised form of `rule tcp.dport eq 22 udp.dport eq 53 DROP`: a
  // never-matching rule, no predicates. It changes nothing, unlike a rule
  // without predicates.
  const char *text = "chain c BF_HOOK_XDP ACCEPT\n"
                     "  rule tcp.dport eq 22 udp.dport eq 53 DROP\n"
                     "  rule tcp.dport eq 80 DROP\n";
  Pair pair{compile(text),
            compile("chain c BF_HOOK_XDP ACCEPT\n"
                    "  rule DROP\n"
                    "  rule tcp.dport eq 80 DROP\n"),
            {}};
  ir::Rule &never = pair.after.module.chains[0].rules[0];
  never.neverMatches = true;
  pair.diff = *diffModules(pair.before.module, pair.after.module, {});
  EXPECT_FALSE(pair.diff.changed()) << report(pair);
  never.neverMatches = false;
  pair.diff = *diffModules(pair.before.module, pair.after.module, {});
  EXPECT_TRUE(pair.diff.changed());
}

TEST(DiffTest, AMatcherItCannotModelIsAnUnsupportedErrorInItsRuleset) {
  Compiled before = compile("chain c BF_HOOK_XDP ACCEPT\n"
                            "  rule ip4.saddr eq 10.0.0.1 DROP\n");
  Compiled after = compile("chain c BF_HOOK_XDP ACCEPT\n"
                           "  rule ip4.saddr eq 10.0.0.1 DROP\n");
  // No matcher of the language tests bits of a 32-bit field: make one.
  ir::Predicate &pred = after.module.chains[0].rules[0].predicates[0];
  pred.op = ir::CmpOp::AnyBits;
  Expected<ModuleDiff> diff = diffModules(before.module, after.module);
  ASSERT_FALSE(diff);
  EXPECT_EQ(diff.error().kind, ErrorKind::Unsupported);
  EXPECT_EQ(diff.error().input, 1u);
  EXPECT_EQ(diff.error().range.begin.line, pred.range.begin.line);
  EXPECT_EQ(diff.error().range.begin.column, pred.range.begin.column);
  EXPECT_NE(diff.error().message.find("cannot decide"), std::string::npos)
      << diff.error().message;
  // The same matcher in the old ruleset points there.
  Expected<ModuleDiff> reversed = diffModules(after.module, before.module);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().input, 0u);
}

TEST(DiffTest, ReorderedOverlappingRules) {
  Pair pair = diffOf("chain c BF_HOOK_XDP ACCEPT\n"
                     "  rule tcp.dport eq 22 ACCEPT\n"
                     "  rule ip4.snet eq 10.0.0.0/8 DROP\n",
                     "chain c BF_HOOK_XDP ACCEPT\n"
                     "  rule ip4.snet eq 10.0.0.0/8 DROP\n"
                     "  rule tcp.dport eq 22 ACCEPT\n");
  ASSERT_EQ(pair.diff.chains.size(), 1u);
  const ChainDiff &chain = pair.diff.chains[0];
  ASSERT_EQ(chain.classes.size(), 1u) << report(pair);
  const ChangedClass &cls = chain.classes[0];
  EXPECT_EQ(cls.shape->describe(), "ip4, tcp");
  EXPECT_EQ(cls.before.verdict, ir::Verdict::Accept);
  EXPECT_EQ(cls.after.verdict, ir::Verdict::Drop);
  EXPECT_EQ(cls.before.rule, 0u);
  EXPECT_EQ(cls.after.rule, 0u);
  std::vector<ClassPredicate> preds = describeClass(cls, pair.diff);
  ASSERT_EQ(preds.size(), 2u);
  EXPECT_EQ(preds[0].field, "ip4.saddr");
  EXPECT_EQ(preds[0].text, "10.0.0.0/8");
  EXPECT_EQ(preds[1].field, "tcp.dport");
  EXPECT_EQ(preds[1].text, "22");
  EXPECT_EQ(cls.witness, "eth/ip4/tcp(dport=22)");
}

TEST(DiffTest, RulesOptionReportsAChangedDecider) {
  const char *before = "chain c BF_HOOK_XDP ACCEPT\n"
                       "  rule tcp.dport eq 22 DROP\n"
                       "  rule ip4.snet eq 10.0.0.0/8 DROP\n";
  const char *after = "chain c BF_HOOK_XDP ACCEPT\n"
                      "  rule ip4.snet eq 10.0.0.0/8 DROP\n"
                      "  rule tcp.dport eq 22 DROP\n";
  EXPECT_FALSE(diffOf(before, after).diff.changed());
  Pair pair = diffOf(before, after, {.rules = true});
  ASSERT_EQ(pair.diff.chains[0].classes.size(), 1u) << report(pair);
  EXPECT_EQ(pair.diff.chains[0].classes[0].before.rule, 0u);
  EXPECT_EQ(pair.diff.chains[0].classes[0].after.rule, 0u);
}

TEST(DiffTest, MarkSetByContinueRulesIsAFateAndIsReadBack) {
  // The CONTINUE rule's mark makes rule 1 match in the old version only.
  Pair pair = diffOf("chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                     "  rule tcp.dport eq 80 mark 0x7 CONTINUE\n"
                     "  rule meta.mark eq 0x7 DROP\n",
                     "chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                     "  rule tcp.dport eq 81 mark 0x7 CONTINUE\n"
                     "  rule meta.mark eq 0x7 DROP\n");
  std::string text = report(pair);
  EXPECT_NE(text.find("chain c: ip4, tcp, meta.mark not 0x7, tcp.dport 80: "
                      "DROP, mark 0x7 -> ACCEPT (rule 1 at test.bf:3 -> "
                      "policy)"),
            std::string::npos)
      << text;
  // A packet that already carries 0x7 leaves with it either way.
  EXPECT_EQ(text.find("DROP, mark 0x7 -> DROP"), std::string::npos) << text;
  for (const ChangedClass &cls : pair.diff.chains[0].classes)
    EXPECT_FALSE(cls.witness.empty());
}

TEST(DiffTest, ChainsAddedRemovedAndMoved) {
  Pair pair = diffOf("chain a BF_HOOK_XDP ACCEPT\nchain b BF_HOOK_XDP DROP\n",
                     "chain b BF_HOOK_TC_INGRESS DROP\n"
                     "chain c BF_HOOK_XDP ACCEPT\n");
  ASSERT_EQ(pair.diff.chains.size(), 3u);
  EXPECT_EQ(pair.diff.chains[0].status, ChainDiff::Status::Removed);
  EXPECT_EQ(pair.diff.chains[1].status, ChainDiff::Status::HookChanged);
  EXPECT_EQ(pair.diff.chains[2].status, ChainDiff::Status::Added);
}

// ---------------------------------------------------------- property ----

/// The fate of one run, compared as the diff compares it: the verdict and
/// the mark the packet leaves with.
std::pair<ir::Verdict, uint32_t> fateOf(const interp::Result &result) {
  return {result.verdict, result.mark};
}

/// The classes of `chain` holding the packet.
size_t classesHolding(const ChainDiff &chain, const packet::Packet &pkt,
                      const ir::Module &module) {
  ir::Chain empty;
  empty.hook = chain.before->hook;
  interp::HostEnv env;
  // The frame keeps a reference to its input: a named one, not a temporary.
  const packet::Input input = pkt;
  interp::Frame frame(module, empty, env, input);
  const interp::PacketLayout &layout = frame.layout();
  size_t holding = 0;
  for (const ChangedClass &cls : chain.classes) {
    const Shape &shape = *cls.shape;
    bool network = shape.network == Shape::Network::Ip4
                       ? layout.ip4Offset.has_value()
                   : shape.network == Shape::Network::Ip6
                       ? layout.ip6Offset.has_value()
                       : !layout.ip4Offset && !layout.ip6Offset;
    std::optional<uint8_t> extension;
    if (layout.ip6HeaderChain.size() > 1)
      extension = layout.ip6HeaderChain[0];
    if (!network || shape.transport != layout.l4Header ||
        shape.extension != extension)
      continue;
    bool inside = true;
    for (unsigned dim = 0; dim < kNumDims && inside; ++dim) {
      if (!shape.domain[dim])
        continue;
      Value value;
      if (dim == kDimRandom) {
        value = pkt.meta.random;
      } else if (dim == kDimFlowHash) {
        continue; // no per-flow rules in these rulesets
      } else {
        std::optional<ir::Bytes> bytes =
            frame.field(static_cast<ir::FieldId>(dim));
        EXPECT_TRUE(bytes.has_value()) << dim;
        if (!bytes)
          return ~size_t(0);
        value = valueOfBytes(bytes->data(), bytes->size());
      }
      inside = cls.values[dim].contains(value);
    }
    holding += inside;
  }
  return holding;
}

std::string randomRule(std::mt19937 &rng) {
  auto pick = [&](std::initializer_list<const char *> options) {
    std::uniform_int_distribution<size_t> d(0, options.size() - 1);
    return std::string(options.begin()[d(rng)]);
  };
  std::vector<std::string> matchers;
  std::uniform_int_distribution<int> count(0, 2);
  for (int i = count(rng); i >= 0; --i)
    matchers.push_back(pick({
        "tcp.dport eq 22",
        "tcp.dport range 20-23",
        "udp.dport eq 53",
        "meta.dport eq 23",
        "ip4.saddr eq 10.0.0.1",
        "ip4.snet eq 10.0.0.0/30",
        "ip4.snet not 10.0.0.2/31",
        "ip4.proto eq udp",
        "meta.l4_proto eq tcp",
        "meta.l3_proto eq ipv6",
        "ip6.snet eq 2001:db8::/126",
        "ip6.nexthdr eq hop",
        "ip6.nexthdr eq udp",
        "meta.l4_proto eq udp",
        "meta.mark eq 0x1",
        "tcp.flags any syn,fin",
        "tcp.flags all syn,ack",
        "meta.probability eq 50%",
        "(ip4.saddr) in { 10.0.0.1; 10.0.0.3 }",
        "(ip4.saddr, tcp.dport) in { 10.0.0.1, 22; 10.0.0.2, 23 }",
        "(tcp.dport) not in { 21; 22 }",
    }));
  std::string rule = "  rule";
  for (const std::string &m : matchers)
    rule += " " + m;
  return rule +
         pick({" ACCEPT", " DROP", " NEXT", " mark 0x1 CONTINUE",
               " mark 0x2 ACCEPT", " counter CONTINUE"}) +
         "\n";
}

std::string randomRuleset(std::mt19937 &rng) {
  std::uniform_int_distribution<int> rules(0, 4);
  std::string text = std::string("chain c BF_HOOK_TC_INGRESS ") +
                     (rng() % 2 ? "ACCEPT" : "DROP") + "\n";
  for (int i = rules(rng); i > 0; --i)
    text += randomRule(rng);
  return text;
}

std::string randomPacket(std::mt19937 &rng) {
  auto pick = [&](std::initializer_list<const char *> options) {
    std::uniform_int_distribution<size_t> d(0, options.size() - 1);
    return std::string(options.begin()[d(rng)]);
  };
  std::string meta = fmt::format("meta(mark={},random={})", rng() % 3,
                                 rng() % 2 ? 0u : static_cast<unsigned>(rng()));
  std::string ip = pick(
      {"ip4(src=10.0.0.0)", "ip4(src=10.0.0.1)", "ip4(src=10.0.0.2)",
       "ip4(src=10.0.0.3)", "ip4(src=10.0.0.4)", "ip6(src=2001:db8::1)",
       "ip6(src=2001:db8::9)", "ip6(src=2001:db8::1)/hop",
       "ip6(src=2001:db8::2)/frag", "ip6(src=2001:db8::3)/frag(offset=2)"});
  std::string l4 = pick({"/tcp(dport=22)", "/tcp(dport=23,flags=syn|ack)",
                         "/tcp(dport=21,flags=fin)", "/udp(dport=53)",
                         "/udp(dport=23)", "", "/icmp"});
  if (ip.starts_with("ip6") && l4 == "/icmp")
    l4 = "/icmpv6";
  if (rng() % 10 == 0)
    return meta + "/eth(type=0x0806)";
  return meta + "/eth/" + ip + l4;
}

TEST(DiffPropertyTest, ClassesAreExactOnSampledPackets) {
  std::mt19937 rng(20261207);
  size_t differing = 0, same = 0;
  for (int round = 0; round < 300; ++round) {
    std::string before = randomRuleset(rng), after = randomRuleset(rng);
    SCOPED_TRACE("old:\n" + before + "new:\n" + after);
    Pair pair = diffOf(before, after);
    const ChainDiff &chain = pair.diff.chains.at(0);
    const ir::Chain &a = pair.before.module.chains[0];
    const ir::Chain &b = pair.after.module.chains[0];
    interp::Interpreter runA(pair.before.module, a), runB(pair.after.module, b);
    for (int p = 0; p < 60; ++p) {
      std::string spec = randomPacket(rng);
      Expected<packet::Packet> pkt = packet::buildPacket(spec);
      ASSERT_TRUE(pkt) << spec;
      interp::InterpreterState stateA(a), stateB(b);
      bool differs =
          fateOf(*runA.run(*pkt, stateA)) != fateOf(*runB.run(*pkt, stateB));
      (differs ? differing : same) += 1;
      EXPECT_EQ(classesHolding(chain, *pkt, pair.before.module),
                differs ? 1u : 0u)
          << spec << "\n"
          << report(pair);
    }
  }
  // The test tests something only if both kinds of packets were common.
  EXPECT_GT(differing, 1000u);
  EXPECT_GT(same, 1000u);
}

} // namespace
