// Which counters a replaced chain inherits: rules matched by their
// normalised text, duplicates in order, policy and error counters; and the
// copy between pinned counter maps (needs root).
#include <gtest/gtest.h>

#include <optional>

#include "LoadTestSupport.h"
#include "bfc/Load/Bpf.h"
#include "bfc/Load/CounterCarry.h"
#include "bfc/runtime/ObjectFormat.h"

using namespace bfc;
using namespace bfc::load;

namespace {

/// A chain whose rules are `texts`, every rule counting unless its text
/// lacks "counter".
object::ChainInfo chainOf(const std::vector<std::string> &texts,
                          ir::Verdict policy = ir::Verdict::Accept) {
  object::ChainInfo chain;
  chain.name = "edge";
  chain.policy = policy;
  for (const std::string &text : texts) {
    object::RuleInfo rule;
    rule.index = static_cast<uint32_t>(chain.rules.size());
    rule.text = text;
    rule.counter = text.find("counter") != std::string::npos;
    chain.rules.push_back(rule);
  }
  const uint32_t n = static_cast<uint32_t>(texts.size());
  chain.counters = {"edge_counters", n + 2, n, n + 1};
  return chain;
}

/// The carries of rules only (policy and errors left out), as from -> to.
std::vector<CounterCarry> ruleCarries(const object::ChainInfo &old,
                                      const object::ChainInfo &now) {
  std::vector<CounterCarry> rules;
  for (const CounterCarry &carry : matchCounters(old, now))
    if (carry.from < old.rules.size())
      rules.push_back(carry);
  return rules;
}

const std::string A = "rule ip4.saddr eq 10.0.0.1 counter DROP";
const std::string B = "rule tcp.dport eq 22 counter ACCEPT";
const std::string C = "rule udp.dport eq 53 counter ACCEPT";

} // namespace

TEST(NormaliseRuleText, DropsWhatTheLexerIgnores) {
  EXPECT_EQ(normaliseRuleText("  rule   ip4.saddr eq\t10.0.0.1 counter DROP  "),
            "rule ip4.saddr eq 10.0.0.1 counter DROP");
  EXPECT_EQ(normaliseRuleText("rule # why\n\n   tcp.dport eq 22 # port\r\n"
                              "   ACCEPT"),
            "rule tcp.dport eq 22 ACCEPT");
  EXPECT_EQ(normaliseRuleText("# only a comment\n \t \n"), "");
}

TEST(NormaliseRuleText, KeepsLineBreaksOfSetBodies) {
  // In a set body a line break separates elements: never a space.
  EXPECT_EQ(normaliseRuleText("rule (ip4.saddr) in {  # blocked\n"
                              "  1.1.1.1 \n\n  2.2.2.2\n}\n  DROP"),
            "rule (ip4.saddr) in {\n1.1.1.1\n2.2.2.2\n} DROP");
  EXPECT_NE(normaliseRuleText("rule (ip4.saddr) in {\n1.1.1.1\n2.2.2.2\n}"),
            normaliseRuleText("rule (ip4.saddr) in { 1.1.1.1 2.2.2.2 }"));
  EXPECT_NE(normaliseRuleText("rule tcp.dport eq 22 ACCEPT"),
            normaliseRuleText("rule tcp.dport eq 2 2 ACCEPT"));
}

TEST(MatchCounters, IdenticalChainsKeepEverything) {
  auto chain = chainOf({A, B, C});
  std::vector<CounterCarry> expected = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}};
  EXPECT_EQ(matchCounters(chain, chain), expected);
}

TEST(MatchCounters, AddedRuleShiftsTheOthers) {
  std::vector<CounterCarry> expected = {{0, 0}, {1, 2}};
  EXPECT_EQ(ruleCarries(chainOf({A, B}), chainOf({A, C, B})), expected);
  // The policy and error counters move with the rule count.
  std::vector<CounterCarry> all =
      matchCounters(chainOf({A, B}), chainOf({A, C, B}));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2], (CounterCarry{2, 3}));
  EXPECT_EQ(all[3], (CounterCarry{3, 4}));
}

TEST(MatchCounters, RemovedRuleLosesItsCounter) {
  std::vector<CounterCarry> expected = {{0, 0}, {2, 1}};
  EXPECT_EQ(ruleCarries(chainOf({A, B, C}), chainOf({A, C})), expected);
}

TEST(MatchCounters, ReorderedRulesFollowTheirText) {
  std::vector<CounterCarry> expected = {{2, 0}, {0, 1}, {1, 2}};
  EXPECT_EQ(ruleCarries(chainOf({A, B, C}), chainOf({C, A, B})), expected);
}

TEST(MatchCounters, DuplicatesPairInOrder) {
  // Old: A A B A; new: B A A. The first two A's keep the first two
  // counters; the third old A is gone.
  std::vector<CounterCarry> expected = {{2, 0}, {0, 1}, {1, 2}};
  EXPECT_EQ(ruleCarries(chainOf({A, A, B, A}), chainOf({B, A, A})), expected);
  // More copies than before: the extra one starts from zero.
  expected = {{0, 0}, {1, 2}};
  EXPECT_EQ(ruleCarries(chainOf({A, B}), chainOf({A, A, B})), expected);
}

TEST(MatchCounters, EditedRuleStartsFromZero) {
  const std::string edited = "rule tcp.dport eq 23 counter ACCEPT";
  const std::string verdict = "rule tcp.dport eq 22 counter DROP";
  std::vector<CounterCarry> expected = {{0, 0}, {2, 2}};
  EXPECT_EQ(ruleCarries(chainOf({A, B, C}), chainOf({A, edited, C})), expected);
  EXPECT_EQ(ruleCarries(chainOf({A, B, C}), chainOf({A, verdict, C})),
            expected);
}

TEST(MatchCounters, LayoutAndCommentsDoNotMatter) {
  const std::string spread = "rule\n    tcp.dport eq 22   # ssh\n"
                             "    counter\n    ACCEPT";
  const std::string oneLine = "rule tcp.dport eq 22 counter ACCEPT # ssh";
  std::vector<CounterCarry> expected = {{0, 0}};
  EXPECT_EQ(ruleCarries(chainOf({spread}), chainOf({oneLine})), expected);
}

TEST(MatchCounters, RulesWithoutCounterCarryNothing) {
  const std::string quiet = "rule tcp.dport eq 22 ACCEPT";
  EXPECT_TRUE(ruleCarries(chainOf({quiet}), chainOf({quiet})).empty());
}

TEST(MatchCounters, PolicyCounterNeedsTheSamePolicy) {
  auto old = chainOf({A}, ir::Verdict::Accept);
  auto now = chainOf({A}, ir::Verdict::Drop);
  // Rule 0 and the error counter; no policy counter.
  std::vector<CounterCarry> expected = {{0, 0}, {2, 2}};
  EXPECT_EQ(matchCounters(old, now), expected);
}

/// Per-CPU counter values written into, and read from, pinned chains.
class CarryOnBpffs : public test::Bpffs {
protected:
  std::string counterPin(const object::ChainInfo &chain) const {
    return dir_ + "/bfc/" + chain.name + "/" + chain.counters.map;
  }
  void setCounter(const object::ChainInfo &chain, uint32_t index,
                  bfc_counter perCpu) {
    Fd map = bpf::openPinned(counterPin(chain));
    std::vector<bfc_counter> values(bpf::possibleCpus());
    values.back() = perCpu; // on the last CPU: every CPU must be copied
    bpf::updateElem(map.get(), &index, values.data());
  }
  /// Loads the chain of the `xdp` test object, unattached.
  const object::ChainInfo &loadChain(Session &session) {
    object_.emplace(object::ObjectFile::fromFile(test::testObject("xdp")));
    const object::ChainInfo &info = selectChain(*object_, std::nullopt);
    session.loadChain(*object_, info);
    return info;
  }
  void updateChain(Session &session, const object::ChainInfo &info) {
    session.updateChain(*object_, info);
  }

  std::optional<object::ObjectFile> object_;
};

TEST_F(CarryOnBpffs, UpdateKeepsCountersOfTheSameRules) {
  Session session(options());
  const object::ChainInfo &info = loadChain(session);
  for (uint32_t i = 0; i < info.counters.size; ++i)
    setCounter(info, i, {i + 1, 100 * (i + 1)});
  updateChain(session, info);
  ChainState state = session.getChain(info.name, false);
  ASSERT_EQ(state.counters.size(), info.counters.size);
  for (uint32_t i = 0; i < info.counters.size; ++i) {
    EXPECT_EQ(state.counters[i].packets, i + 1) << "counter " << i;
    EXPECT_EQ(state.counters[i].bytes, 100 * (i + 1)) << "counter " << i;
  }
}

TEST_F(CarryOnBpffs, AnOddOldCounterMapOnlyResetsTheCounters) {
  Session session(options());
  const object::ChainInfo &info = loadChain(session);
  // Not per-CPU, smaller values: reading it as counters would overflow.
  ASSERT_EQ(unlink(counterPin(info).c_str()), 0);
  Fd odd = bpf::createArrayMap("odd", 8, 2);
  uint32_t key = 0;
  uint64_t value = 77;
  bpf::updateElem(odd.get(), &key, &value);
  bpf::pin(odd.get(), counterPin(info));
  testing::internal::CaptureStderr();
  updateChain(session, info);
  std::string warning = testing::internal::GetCapturedStderr();
  EXPECT_NE(warning.find("counters restart from zero"), std::string::npos)
      << warning;
  ChainState state = session.getChain(info.name, false);
  for (const CounterValue &counter : state.counters)
    EXPECT_EQ(counter.packets, 0u);
}
