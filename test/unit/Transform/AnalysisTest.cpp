// findShadowedRules and its warnings, never-matching rules, and the pass
// manager.

#include <sstream>

#include "TransformTestSupport.h"

#include "bfc/IR/Verifier.h"
#include "bfc/Transform/PredicateFacts.h"

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;

namespace {

std::vector<std::pair<uint32_t, uint32_t>> shadowedIn(const std::string &src) {
  Compiled c = compile(src);
  std::vector<std::pair<uint32_t, uint32_t>> out;
  if (c.module.chains.empty())
    return out;
  for (const ShadowedRule &s : findShadowedRules(c.module.chains.front()))
    out.emplace_back(s.rule, s.by);
  return out;
}

TEST(ShadowedRules, SubsetsOfPredicatesAndImpliedOnes) {
  EXPECT_ELEMENTS(
      shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                 "rule tcp.dport eq 22 DROP\n"
                 "rule ip4.saddr eq 10.0.0.1 tcp.dport eq 22 ACCEPT\n"
                 "rule ip4.saddr eq 10.0.0.1 ACCEPT\n"),
      std::make_pair(1u, 0u));
  EXPECT_ELEMENTS(shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule ip4.snet eq 10.0.0.0/8 DROP\n"
                             "rule ip4.snet eq 10.1.0.0/16 ACCEPT\n"
                             "rule ip4.saddr eq 10.1.2.3 ACCEPT\n"
                             "rule ip4.saddr eq 11.1.2.3 ACCEPT\n"),
                  std::make_pair(1u, 0u), std::make_pair(2u, 0u));
  // Implied, not written: TCP to port 22 is a TCP packet.
  EXPECT_ELEMENTS(
      shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                 "rule meta.l4_proto eq tcp NEXT\n"
                 "rule tcp.dport range 20-30 tcp.flags any syn DROP\n"),
      std::make_pair(1u, 0u));
  EXPECT_ELEMENTS(shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                             "rule tcp.dport range 20-30 DROP\n"
                             "rule tcp.dport eq 22 ACCEPT\n"
                             "rule meta.dport eq 22 ACCEPT\n"),
                  std::make_pair(1u, 0u));
}

TEST(ShadowedRules, WhatDoesNotShadow) {
  // CONTINUE does not end the chain; a narrower earlier rule does not cover
  // a wider one; a random draw is never the same twice.
  EXPECT_TRUE((shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                          "rule tcp.dport eq 22 counter CONTINUE\n"
                          "rule tcp.dport eq 22 DROP\n"
                          "rule ip4.saddr eq 10.1.2.3 DROP\n"
                          "rule ip4.snet eq 10.0.0.0/8 ACCEPT\n"
                          "rule meta.probability eq 50% DROP\n"
                          "rule meta.probability eq 50% ACCEPT\n"
                          "rule tcp.dport not 22 DROP\n"
                          "rule udp.sport not 22 DROP\n"))
                  .empty());
  // Rules that can never match on their own are warnNeverMatchingRules'.
  EXPECT_TRUE((shadowedIn("chain c BF_HOOK_XDP ACCEPT\n"
                          "rule tcp.dport eq 22 DROP\n"
                          "rule tcp.dport eq 22 udp.dport eq 1 ACCEPT\n"))
                  .empty());
}

TEST(ShadowedRules, IndexFindsTheFirstShadowingRuleInLongChains) {
  std::string src = "chain c BF_HOOK_XDP ACCEPT\n";
  for (int i = 0; i < 300; ++i)
    src += "rule ip4.saddr eq 10.0." + std::to_string(i / 250) + "." +
           std::to_string(i % 250) + " DROP\n";
  src += "rule ip4.snet eq 10.0.1.0/24 DROP\n";
  src += "rule ip4.saddr eq 10.0.1.7 tcp.dport eq 1 ACCEPT\n"; // by 257
  src += "rule ip4.saddr eq 10.0.1.99 ACCEPT\n";               // by 300
  EXPECT_ELEMENTS(shadowedIn(src), std::make_pair(301u, 257u),
                  std::make_pair(302u, 300u));
}

TEST(ShadowedRules, WarningsPointAtBothRules) {
  Compiled c = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "  rule tcp.dport eq 22 DROP\n"
                       "  rule ip4.saddr eq 10.0.0.1 tcp.dport eq 22 ACCEPT\n");
  std::string diags =
      runPass(c.module, createShadowedRulesPass(), c.buffer.get());
  EXPECT_CONTAINS(diags, "test.bf:3:3: warning: rule can never match: "
                         "it is shadowed by an earlier rule "
                         "[-Wshadowed-rule]\n"
                         "  rule ip4.saddr eq 10.0.0.1 tcp.dport eq 22 "
                         "ACCEPT\n"
                         "  ^~~~\n");
  EXPECT_CONTAINS(diags, "test.bf:2:3: note: every packet the shadowed "
                         "rule would match is matched here first, "
                         "ending the chain with DROP");
  // An analysis: the module is unchanged.
  EXPECT_FALSE(isNeverMatching(c.module.chains.front().rules[1]));
}

TEST(ShadowedRules, NoWarningAfterARuleThatMatchesEverything) {
  // -Wunreachable-rule reports what follows a rule without matchers; a rule
  // whose matchers always hold is treated the same.
  for (const char *catchAll :
       {"rule DROP", "rule meta.probability eq 100% DROP"}) {
    Compiled c = compile(std::string("chain c BF_HOOK_XDP ACCEPT\n") +
                         "rule tcp.dport eq 22 DROP\n" + catchAll +
                         "\nrule tcp.dport eq 22 ACCEPT\n");
    EXPECT_EQ(findShadowedRules(c.module.chains.front()).size(), 1u);
    EXPECT_EQ(runPass(c.module, createShadowedRulesPass(), c.buffer.get()), "")
        << catchAll;
  }
}

// ------------------------------------------------ never-matching rules ----

/// The never-matching warnings on the first chain of `src`, for the rules
/// `lowered` lists (all when empty).
std::string neverMatchingWarnings(const std::string &src,
                                  std::vector<bool> lowered = {}) {
  Compiled c = compile(src);
  const ir::Chain &chain = c.module.chains.front();
  if (lowered.empty())
    lowered.assign(chain.rules.size(), true);
  DiagnosticEngine diags(c.buffer.get());
  warnNeverMatchingRules(chain, lowered, diags);
  std::ostringstream os;
  diags.print(os);
  return os.str();
}

TEST(NeverMatchingWarnings, OnlyRulesLoweredWithoutErrors) {
  std::string src = "chain c BF_HOOK_XDP ACCEPT\n"
                    "rule tcp.dport eq 1 tcp.dport eq 2 DROP\n"
                    "rule udp.dport eq 1 udp.dport eq 2 DROP\n";
  std::string both = neverMatchingWarnings(src);
  EXPECT_CONTAINS(both, "test.bf:2:21: warning: rule can never match: "
                        "'tcp.dport eq 2' contradicts 'tcp.dport eq 1'");
  EXPECT_CONTAINS(both, "test.bf:3:21: warning:");
  std::string second = neverMatchingWarnings(src, {false, true});
  EXPECT_EQ(second.find("test.bf:2:"), std::string::npos) << second;
  EXPECT_CONTAINS(second, "test.bf:3:21: warning:");
}

TEST(NeverMatchingWarnings, AMarkedRuleIsNoCatchAll) {
  // Without predicates, but matching nothing: what follows still runs.
  Compiled c = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "rule DROP\n"
                       "rule tcp.dport eq 22 ACCEPT\n");
  ir::Chain &chain = c.module.chains.front();
  DiagnosticEngine diags(c.buffer.get());
  warnNeverMatchingRules(chain, {true, true}, diags);
  EXPECT_EQ(diags.warningCount(), 1u);
  makeNeverMatching(chain.rules[0]);
  DiagnosticEngine none(c.buffer.get());
  warnNeverMatchingRules(chain, {true, true}, none);
  EXPECT_EQ(none.warningCount(), 0u);
  EXPECT_TRUE(findShadowedRules(chain).empty());

  // Nor does it stop the shadowed-rule warnings after it.
  Compiled d = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "rule DROP\n"
                       "rule tcp.dport eq 22 DROP\n"
                       "rule tcp.dport eq 22 ACCEPT\n");
  makeNeverMatching(d.module.chains.front().rules[0]);
  EXPECT_CONTAINS(runPass(d.module, createShadowedRulesPass(), d.buffer.get()),
                  "test.bf:4:1: warning: rule can never match: it is shadowed");
}

// ---------------------------------------------------------- pass manager ----

/// Breaks the module on purpose: a predicate on a set that does not exist.
class BreakingPass : public Pass {
public:
  std::string_view name() const override { return "breaking"; }
  Kind kind() const override { return Kind::Optimization; }
  bool run(ir::Module &module, PassContext &) override {
    module.chains.front().rules.front().predicates.push_back(inSet(42));
    return true;
  }
};

TEST(PassManager, DefaultPipelineOrderAndPrintAfterEachPass) {
  EXPECT_ELEMENTS(createDefaultPipeline().passNames(), "shadowed-rules",
                  "simplify-predicates", "dead-rules", "merge-rule-sets",
                  "equalities-to-sets", "prune-sets", "order-predicates");
  Compiled c = compile("chain c BF_HOOK_XDP ACCEPT\n"
                       "rule tcp.dport eq 1 DROP\n");
  std::vector<std::string> seen;
  PipelineOptions options;
  options.afterPass = [&](std::string_view pass, const ir::Module &m) {
    seen.emplace_back(pass);
    EXPECT_EQ(&m, &c.module);
  };
  optimize(c.module, c.buffer.get(), options);
  EXPECT_EQ(seen, createDefaultPipeline().passNames());
}

TEST(PassManager, O0RunsOnlyAnalyses) {
  std::string src = "chain c BF_HOOK_XDP ACCEPT\n"
                    "rule tcp.dport eq 22 DROP\n"
                    "rule tcp.dport eq 22 meta.l4_proto eq tcp ACCEPT\n";
  Compiled c = compile(src);
  std::string before = ir::toString(c.module);
  std::vector<std::string> seen;
  PipelineOptions options;
  options.optLevel = 0;
  options.afterPass = [&](std::string_view pass, const ir::Module &) {
    seen.emplace_back(pass);
  };
  std::string diags = optimize(c.module, c.buffer.get(), options);
  EXPECT_ELEMENTS(seen, "shadowed-rules");
  EXPECT_EQ(ir::toString(c.module), before);
  EXPECT_CONTAINS(diags, "[-Wshadowed-rule]");

  Compiled d = compile(src);
  optimize(d.module, d.buffer.get());
  EXPECT_NE(ir::toString(d.module), before);
  EXPECT_TRUE(isNeverMatching(d.module.chains.front().rules[1]));
}

TEST(PassManager, VerificationStopsAtTheFirstBrokenPass) {
  Compiled c =
      compile("chain c BF_HOOK_XDP ACCEPT\nrule tcp.dport eq 1 DROP\n");
  PassPipeline pipeline;
  pipeline.add(std::make_unique<BreakingPass>())
      .add(createSimplifyPredicatesPass());
  std::vector<std::string> seen;
  PipelineOptions options;
  options.verifyEach = true;
  options.afterPass = [&](std::string_view pass, const ir::Module &) {
    seen.emplace_back(pass);
  };
  DiagnosticEngine diags(c.buffer.get());
  EXPECT_FALSE(pipeline.run(c.module, diags, options));
  EXPECT_TRUE(diags.hasErrors());
  EXPECT_CONTAINS(diags.diagnostics().front().message,
                  "internal error: invalid BFIR after pass 'breaking'");
  EXPECT_TRUE((seen).empty());

  // Without verification the pipeline does not look.
  Compiled d =
      compile("chain c BF_HOOK_XDP ACCEPT\nrule tcp.dport eq 1 DROP\n");
  options.verifyEach = false;
  DiagnosticEngine quiet(d.buffer.get());
  PassPipeline one;
  one.add(std::make_unique<BreakingPass>());
  EXPECT_TRUE(one.run(d.module, quiet, options));
  EXPECT_FALSE(ir::verifyModule(d.module).empty());
}

TEST(PassManager, NeverMatchingHelpers) {
  ir::Rule rule;
  rule.predicates = {fieldIs(FieldId::TcpDport, 1)};
  rule.counter = true;
  EXPECT_FALSE(isNeverMatching(rule));
  makeNeverMatching(rule);
  EXPECT_TRUE(isNeverMatching(rule));
  EXPECT_TRUE(rule.neverMatches);
  EXPECT_TRUE(rule.predicates.empty());
  EXPECT_TRUE(rule.counter);
  EXPECT_FALSE(isNeverPredicate(negated(probability(0))));
  EXPECT_FALSE(isNeverPredicate(probability(0, true)));
  EXPECT_TRUE(isNeverPredicate(probability(1e-12)));
  EXPECT_FALSE(isNeverPredicate(probability(0.001)));
  EXPECT_TRUE(isNeverPredicate(probability(0)));
  EXPECT_TRUE(isNeverPredicate(rangeOf(FieldId::TcpDport, 10, 5)));
  EXPECT_FALSE(isNeverPredicate(negated(rangeOf(FieldId::TcpDport, 10, 5))));
  EXPECT_FALSE(isNeverPredicate(rangeOf(FieldId::TcpDport, 5, 5)));
  // A predicate false by its form makes its rule never-matching unmarked.
  ir::Rule zero;
  zero.predicates = {fieldIs(FieldId::TcpDport, 1), probability(0)};
  EXPECT_TRUE(isNeverMatching(zero));
  EXPECT_FALSE(zero.neverMatches);
  // The facts of a marked rule are contradictory, on every hook.
  for (ir::Hook hook :
       {ir::Hook::Xdp, ir::Hook::NfLocalIn, ir::Hook::CgroupSockAddrConnect6}) {
    ir::Chain chain;
    chain.hook = hook;
    EXPECT_TRUE(factsOfRule(chain, rule).contradictory());
  }
}

} // namespace
