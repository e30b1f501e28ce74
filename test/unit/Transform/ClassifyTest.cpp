// Classification plans: which rules go into tables, what the tables hold,
// and, on random chains and packets, that tables + residual rules find the
// same matched rules as the interpreter (the oracle).

#include "TransformTestSupport.h"

#include <fmt/format.h>

#include <map>
#include <random>

#include "bfc/Interp/Frame.h"
#include "bfc/Transform/Classify.h"
#include "bfc/Transform/PredicateFacts.h"

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;
using ir::test::prefix;

namespace {

/// Evaluates a plan as generated code would: the lowest index the tables
/// give, then the residual rules below it in order, then that rule.
class PlanEvaluator {
public:
  PlanEvaluator(const ir::Module &module, const ir::Chain &chain,
                const ClassifierPlan &plan)
      : module_(module), chain_(chain), plan_(plan) {
    for (const ClassifierTable &table : plan.tables) {
      auto &lookup = lookups_.emplace_back();
      for (const TableEntry &entry : table.entries)
        lookup.emplace(std::pair(entry.prefixLen, entry.key), entry.rule);
      // The loader's entries for mirrored sets: the lowest rule wins.
      for (auto m = table.mirrors.rbegin(); m != table.mirrors.rend(); ++m)
        for (const ir::SetElement &element : chain.sets[m->set].elements)
          lookup[{uint8_t{0}, element.key}] = m->rule;
    }
  }

  /// The rules that match `input`, in order (as Result::matchedRules).
  std::vector<uint32_t> matched(const packet::Input &input) const {
    interp::Frame frame(module_, chain_, env_, input);
    uint32_t best = UINT32_MAX;
    // Each table's candidates of the packet's key, in order: deciding
    // ones end the walk, matched CONTINUE ones wait for their turn.
    std::vector<uint32_t> pending;
    for (size_t t = 0; t < plan_.tables.size(); ++t) {
      for (uint32_t index = lookup(frame, t);
           index != UINT32_MAX && index != kNoCandidate;
           index = plan_.next[index]) {
        const ir::Rule &rule = chain_.rules[index];
        if (!std::all_of(
                plan_.guards[index].begin(), plan_.guards[index].end(),
                [&](uint32_t g) { return frame.holds(rule.predicates[g]); }))
          continue;
        if (rule.verdict == ir::Verdict::Continue) {
          pending.push_back(index);
          continue;
        }
        best = std::min(best, index);
        break;
      }
    }
    std::sort(pending.begin(), pending.end());
    std::vector<uint32_t> out;
    auto flush = [&](uint32_t upto) {
      for (; !pending.empty() && pending.front() < upto;
           pending.erase(pending.begin())) {
        out.push_back(pending.front());
        if (chain_.rules[pending.front()].mark)
          frame.setMark(*chain_.rules[pending.front()].mark);
      }
    };
    for (uint32_t index : plan_.residual) {
      if (index >= best)
        break;
      const ir::Rule &rule = chain_.rules[index];
      if (!std::all_of(rule.predicates.begin(), rule.predicates.end(),
                       [&](const ir::Predicate &p) { return frame.holds(p); }))
        continue;
      flush(index);
      out.push_back(index);
      if (rule.mark)
        frame.setMark(*rule.mark);
      if (rule.verdict != ir::Verdict::Continue)
        return out;
    }
    flush(best);
    if (best != UINT32_MAX)
      out.push_back(best);
    return out;
  }

private:
  uint32_t lookup(const interp::Frame &frame, size_t t) const {
    const ClassifierTable &table = plan_.tables[t];
    ir::Bytes key;
    for (const TableField &component : table.fields) {
      std::optional<ir::Bytes> value = frame.field(component.field);
      if (!value)
        return UINT32_MAX; // a header is missing: the table is not consulted
      ir::Bytes masked = maskedPrefix(*value, component.bits);
      key.insert(key.end(), masked.begin(), masked.end());
    }
    const auto &entries = lookups_[t];
    if (!table.lpm) {
      auto it = entries.find({0, key});
      return it == entries.end() ? UINT32_MAX : it->second;
    }
    for (int bits = static_cast<int>(8 * key.size()); bits >= 0; --bits) {
      auto it = entries.find({static_cast<uint8_t>(bits),
                              maskedPrefix(key, static_cast<unsigned>(bits))});
      if (it != entries.end())
        return it->second; // the longest match only
    }
    return UINT32_MAX;
  }

  const ir::Module &module_;
  const ir::Chain &chain_;
  const ClassifierPlan &plan_;
  interp::HostEnv env_{{{"eth0", 2}}};
  std::vector<std::map<std::pair<uint8_t, ir::Bytes>, uint32_t>> lookups_;
};

std::vector<uint32_t> tableRules(const ClassifierPlan &plan, size_t t) {
  return plan.tables.at(t).rules;
}

TEST(Classify, ShapesGroupTerminalEqualities) {
  ChainBuilder b(ir::Hook::Xdp);
  for (int i = 0; i < 3; ++i)
    b.addRule(
        {fieldBytes(FieldId::Ip4Saddr, ip4(fmt::format("10.0.0.{}", i)))});
  b.addRule({fieldIs(FieldId::TcpDport, 22)}, ir::Verdict::Continue);
  b.addRule({negated(fieldIs(FieldId::TcpDport, 22))});
  b.addRule({rangeOf(FieldId::TcpDport, 1, 9)});
  b.addRule({fieldIs(FieldId::MetaMark, 1)});
  for (int i = 0; i < 3; ++i)
    b.addRule({fieldIs(FieldId::TcpDport, 80 + i),
               fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1"))},
              ir::Verdict::Accept);
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.9"))});
  ClassifierPlan plan = planClassifier(b.chain(), {2, 8});
  ASSERT_EQ(plan.tables.size(), 2u);
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 1u, 2u, 10u);
  EXPECT_FALSE(plan.tables[0].lpm);
  EXPECT_EQ(plan.tables[0].headers, kHeaderIp4);
  EXPECT_ELEMENTS(tableRules(plan, 1), 7u, 8u, 9u);
  EXPECT_EQ(plan.tables[1].keySize(), 6u); // ip4.saddr, tcp.dport
  EXPECT_EQ(plan.tables[1].headers, kHeaderIp4 | kHeaderTcp);
  EXPECT_ELEMENTS(plan.residual, 3u, 4u, 5u, 6u);
}

TEST(Classify, CandidatesWithGuardsOrContinueChainByKey) {
  ChainBuilder b(ir::Hook::TcIngress);
  auto saddr = [](const char *a) {
    return fieldBytes(FieldId::Ip4Saddr, ip4(a));
  };
  b.addRule({saddr("10.0.0.1"), rangeOf(FieldId::TcpDport, 1, 9)});
  b.addRule({saddr("10.0.0.1")}, ir::Verdict::Continue);
  b.addRule({saddr("10.0.0.1"), negated(fieldIs(FieldId::TcpDport, 22))});
  b.addRule({saddr("10.0.0.2")});
  b.addRule({saddr("10.0.0.2"), rangeOf(FieldId::TcpDport, 1, 9)});
  b.addRule({saddr("10.0.0.3")}, ir::Verdict::Continue).mark = 1;
  b.addRule({saddr("10.0.0.3"), fieldIs(FieldId::MetaMark, 1)});
  b.addRule({saddr("10.0.0.4")}, ir::Verdict::Continue);
  // Two candidates per key, one of them CONTINUE.
  ClassifierPlan plan = planClassifier(b.chain(), {2, 8, 3, 4, 1u << 16, 2, 1});
  ASSERT_EQ(plan.tables.size(), 1u);
  // Rule 2 is over the key's budget; rule 4 follows a plain rule of its
  // key (never matches); rule 5 sets the mark rule 6 reads, and a guard
  // must not read the mark.
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 1u, 3u, 4u, 7u);
  EXPECT_ELEMENTS(plan.residual, 2u, 5u, 6u);
  EXPECT_EQ(plan.next[0], 1u);
  EXPECT_EQ(plan.next[1], kNoCandidate);
  EXPECT_EQ(plan.next[3], kNoCandidate);
  EXPECT_ELEMENTS(plan.guards[0], 1u);
  EXPECT_TRUE(plan.guards[1].empty());
  EXPECT_TRUE(plan.guards[2].empty()); // residual
  EXPECT_EQ(plan.tables[0].longestChain, 2u);
  EXPECT_EQ(plan.tables[0].mostContinues, 1u);
  ASSERT_EQ(plan.tables[0].entries.size(), 3u);
  EXPECT_EQ(plan.tables[0].entries[0].rule, 0u);
  // Without a pending budget, CONTINUE rules stay residual.
  plan = planClassifier(b.chain(), {2, 8, 3, 4, 1u << 16, 2, 0});
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 2u, 3u, 4u);
  EXPECT_EQ(plan.tables[0].mostContinues, 0u);
}

TEST(Classify, ExactSetRulesTakeAKeyPerElement) {
  ChainBuilder b(ir::Hook::Xdp);
  ir::Set blocked;
  blocked.name = "blocked";
  blocked.anonymous = true;
  blocked.key = {FieldId::Ip4Saddr};
  for (const char *a : {"10.0.0.1", "10.0.0.9"})
    blocked.elements.push_back({ip4(a), 0, {}});
  b.chain().sets.push_back(blocked);
  ir::Predicate in;
  in.kind = ir::Predicate::Kind::Set;
  in.set = 0;
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.9")),
             rangeOf(FieldId::TcpDport, 1, 9)});
  b.addRule({in});
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.1"))});
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.0.0.2"))});
  ClassifierPlan plan = planClassifier(b.chain(), {2, 8});
  ASSERT_EQ(plan.tables.size(), 1u);
  // Rule 2 comes after the set's 10.0.0.1: it never matches.
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 1u, 2u, 3u);
  EXPECT_TRUE(plan.residual.empty());
  ASSERT_EQ(plan.tables[0].entries.size(), 3u);
  EXPECT_EQ(plan.tables[0].entries[0].rule, 0u); // 10.0.0.9, then rule 1
  EXPECT_EQ(plan.next[0], 1u);
  EXPECT_EQ(plan.tables[0].entries[1].rule, 1u); // 10.0.0.1
  EXPECT_EQ(plan.tables[0].entries[2].rule, 3u);
  // A named set after a rule of the table stays a lookup of its own (only
  // a set before all of them can be mirrored: MirroredSetsPrecedeTheirTable).
  b.chain().sets[0].anonymous = false;
  plan = planClassifier(b.chain(), {2, 8});
  EXPECT_ELEMENTS(plan.residual, 1u);
  // So does an LPM set.
  b.chain().sets[0].anonymous = true;
  b.chain().sets[0].lpm = true;
  plan = planClassifier(b.chain(), {2, 8});
  EXPECT_ELEMENTS(plan.residual, 1u);
}

TEST(Classify, MirroredSetsPrecedeTheirTable) {
  auto build = [](auto &&head) {
    ChainBuilder b(ir::Hook::Xdp);
    head(b);
    for (uint32_t i = 0; i < 20; ++i)
      b.addRule(
          {fieldBytes(FieldId::Ip4Saddr, toBigEndian(0x0a000000 + i, 4))});
    return std::move(b.module);
  };
  auto saddrSet = [](ChainBuilder &b, bool anonymous = false) {
    return b.addSet({FieldId::Ip4Saddr}, false, {{ip4("10.0.0.1"), 0, {}}},
                    anonymous);
  };
  // Two named sets in front of the table: both mirrored, in rule order;
  // their elements are not entries of the plan (the loader writes them).
  ir::Module module = build([&](ChainBuilder &b) {
    b.addRule({inSet(saddrSet(b))}, ir::Verdict::Drop);
    b.addRule({inSet(saddrSet(b))}, ir::Verdict::Accept);
  });
  ClassifierPlan plan = planClassifier(module.chains[0]);
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_EQ(plan.tables[0].mirrors, (std::vector<MirroredSet>{{0, 0}, {1, 1}}));
  EXPECT_EQ(tableRules(plan, 0).front(), 0u);
  EXPECT_EQ(tableRules(plan, 0).size(), 22u);
  EXPECT_TRUE(plan.residual.empty());
  EXPECT_EQ(plan.tables[0].entries.size(), 20u);
  EXPECT_EQ(plan.tables[0].entries[1].rule, 3u); // 10.0.0.1: the plan's own

  // Not mirrored: a CONTINUE rule, another field, an LPM set, a rule with
  // more tests, and a set after the table's first rule.
  auto residualFirst = [&](auto &&head) {
    ir::Module m = build(head);
    ClassifierPlan p = planClassifier(m.chains[0]);
    EXPECT_TRUE(p.tables.at(0).mirrors.empty());
    return p.residual;
  };
  EXPECT_ELEMENTS(residualFirst([&](ChainBuilder &b) {
                    b.addRule({inSet(saddrSet(b))}, ir::Verdict::Continue);
                  }),
                  0u);
  EXPECT_ELEMENTS(residualFirst([&](ChainBuilder &b) {
                    b.addRule(
                        {inSet(b.addSet({FieldId::Ip4Daddr}, false,
                                        {{ip4("10.0.0.1"), 0, {}}}, false))});
                  }),
                  0u);
  EXPECT_ELEMENTS(residualFirst([&](ChainBuilder &b) {
                    b.addRule(
                        {inSet(b.addSet({FieldId::Ip4Saddr}, true,
                                        {{ip4("10.0.0.0"), 8, {}}}, false))});
                  }),
                  0u);
  EXPECT_ELEMENTS(
      residualFirst([&](ChainBuilder &b) {
        b.addRule({inSet(saddrSet(b)), rangeOf(FieldId::TcpDport, 1, 9)});
      }),
      0u);
  ChainBuilder late(ir::Hook::Xdp);
  for (uint32_t i = 0; i < 20; ++i)
    late.addRule(
        {fieldBytes(FieldId::Ip4Saddr, toBigEndian(0x0a000000 + i, 4))});
  late.addRule({inSet(saddrSet(late))});
  plan = planClassifier(late.chain());
  EXPECT_TRUE(plan.tables.at(0).mirrors.empty());
  EXPECT_ELEMENTS(plan.residual, 20u);
}

TEST(Classify, BudgetKeepsSmallShapesAsCompares) {
  ChainBuilder b(ir::Hook::Xdp);
  for (int i = 0; i < 5; ++i)
    b.addRule({fieldIs(FieldId::UdpDport, 1000 + i)});
  for (int i = 0; i < 3; ++i)
    b.addRule({fieldIs(FieldId::TcpDport, 1000 + i)});
  EXPECT_TRUE(planClassifier(b.chain(), {6, 8}).empty());
  ClassifierPlan plan = planClassifier(b.chain(), {3, 1});
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 1u, 2u, 3u, 4u);
  EXPECT_EQ(plan.residual.size(), 3u);
}

TEST(Classify, LpmEntriesTakeTheLowestIndexOfTheirAncestors) {
  ChainBuilder b(ir::Hook::Xdp);
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.0.0"), 16)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.0"), 24)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.2.2.0"), 24)});
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.2.2.7"))});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.0.0.0"), 8)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.3"), 24)}); // same as 1
  ClassifierPlan plan = planClassifier(b.chain(), {2, 8, 0});
  ASSERT_EQ(plan.tables.size(), 1u);
  const ClassifierTable &table = plan.tables[0];
  EXPECT_TRUE(table.lpm);
  std::map<std::pair<uint8_t, ir::Bytes>, uint32_t> entries;
  for (const TableEntry &entry : table.entries)
    entries[{entry.prefixLen, entry.key}] = entry.rule;
  EXPECT_EQ(entries.size(), 5u);
  EXPECT_EQ((entries[{16, ip4("10.1.0.0")}]), 0u);
  EXPECT_EQ((entries[{24, ip4("10.1.2.0")}]), 0u);
  EXPECT_EQ((entries[{24, ip4("10.2.2.0")}]), 2u);
  EXPECT_EQ((entries[{32, ip4("10.2.2.7")}]), 2u);
  EXPECT_EQ((entries[{8, ip4("10.0.0.0")}]), 4u);
  EXPECT_TRUE(plan.residual.empty());
}

TEST(Classify, FewPrefixLengthsGetOneHashTableEach) {
  ChainBuilder b(ir::Hook::Xdp);
  for (uint8_t len : {24, 32, 24, 16, 32})
    b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.3"), len)});
  ClassifierPlan plan = planClassifier(b.chain(), {1, 8, 3});
  ASSERT_EQ(plan.tables.size(), 3u);
  for (const ClassifierTable &table : plan.tables)
    EXPECT_FALSE(table.lpm);
  EXPECT_ELEMENTS(tableRules(plan, 0), 0u, 2u);
  EXPECT_EQ(plan.tables[0].fields[0].bits, 24u);
  EXPECT_EQ(plan.tables[0].entries.size(), 1u);
  EXPECT_EQ(plan.tables[0].entries[0].key, ip4("10.1.2.0"));
  plan = planClassifier(b.chain(), {1, 8, 2, 4, 0});
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_TRUE(plan.tables[0].lpm);
  EXPECT_EQ(plan.tables[0].rules.size(), 5u);
}

TEST(Classify, ManyPrefixLengthsExpandToFewHashTables) {
  ChainBuilder b(ir::Hook::Xdp);
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.0"), 26)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.0"), 24)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.1.2.128"), 25)});
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("10.1.2.7"))});
  // Targets /26 and /32 make 8 entries (/24 -> 4, /25 -> 2), the fewest
  // (/32 alone would make 449, more than the budget of 4 x 64).
  ClassifierPlan plan = planClassifier(b.chain(), {1, 8, 2, 64, 0});
  ASSERT_EQ(plan.tables.size(), 2u);
  const ClassifierTable &wide = plan.tables[0];
  EXPECT_FALSE(wide.lpm);
  EXPECT_EQ(wide.fields[0].bits, 26u);
  EXPECT_ELEMENTS(wide.rules, 0u, 1u, 2u);
  std::map<ir::Bytes, uint32_t> entries;
  for (const TableEntry &entry : wide.entries)
    entries[entry.key] = entry.rule;
  EXPECT_EQ(entries, (std::map<ir::Bytes, uint32_t>{{ip4("10.1.2.0"), 0},
                                                    {ip4("10.1.2.64"), 1},
                                                    {ip4("10.1.2.128"), 1},
                                                    {ip4("10.1.2.192"), 1}}));
  EXPECT_EQ(plan.tables[1].fields[0].bits, 32u);
  EXPECT_ELEMENTS(plan.tables[1].rules, 3u);
  // Too many entries for the allowed expansion: one LPM trie.
  plan = planClassifier(b.chain(), {1, 8, 2, 1, 0});
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_TRUE(plan.tables[0].lpm);
}

// Few rules may expand far beyond maxExpansion per rule, up to
// maxExpandedEntries in all; past that, one LPM trie.
TEST(Classify, SmallRulesetsExpandUpToTheEntryBudget) {
  ChainBuilder b(ir::Hook::Xdp);
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("10.0.0.0"), 8)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("11.1.0.0"), 16)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("11.2.0.0"), 16)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("12.1.2.0"), 24)});
  b.addRule({prefix(FieldId::Ip4Saddr, ip4("12.1.3.0"), 24)});
  b.addRule({fieldBytes(FieldId::Ip4Saddr, ip4("13.1.2.3"))});
  // Targets /16, /24, /32: the /8 becomes 256 entries, 261 in all, far
  // more than 4 per rule.
  ClassifierPlan plan = planClassifier(b.chain(), {1, 8, 3, 4, 261});
  ASSERT_EQ(plan.tables.size(), 3u);
  size_t entries = 0;
  for (const ClassifierTable &table : plan.tables) {
    EXPECT_FALSE(table.lpm);
    entries += table.entries.size();
  }
  EXPECT_EQ(entries, 261u);
  EXPECT_EQ(plan.tables[0].fields[0].bits, 16u);
  EXPECT_ELEMENTS(plan.tables[0].rules, 0u, 1u, 2u);
  plan = planClassifier(b.chain(), {1, 8, 3, 4, 260});
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_TRUE(plan.tables[0].lpm);
  // Two lookups suffice when more entries are allowed: targets /16 and /32
  // make 771 entries (the /24s become 256 each).
  plan = planClassifier(b.chain(), {1, 8, 3, 4, 771});
  ASSERT_EQ(plan.tables.size(), 2u);
  EXPECT_EQ(plan.tables[0].fields[0].bits, 16u);
  EXPECT_EQ(plan.tables[0].entries.size(), 258u);
  EXPECT_EQ(plan.tables[1].fields[0].bits, 32u);
  EXPECT_ELEMENTS(plan.tables[1].rules, 3u, 4u, 5u);
  EXPECT_EQ(plan.tables[1].entries.size(), 513u);
}

TEST(Classify, SockAddrHooksAreNotClassified) {
  ChainBuilder b(ir::Hook::CgroupSockAddrConnect4);
  for (int i = 0; i < 20; ++i)
    b.addRule({fieldIs(FieldId::TcpDport, 1000 + i)});
  EXPECT_TRUE(planClassifier(b.chain(), {2, 8}).empty());
}

// 100,000 rules of one field make one to three tables, no residual rule; the
// planner stays linear (this runs in well under a second).
TEST(Classify, HundredThousandRulesMakeFewTables) {
  ChainBuilder exact(ir::Hook::Xdp), prefixes(ir::Hook::Xdp);
  for (uint32_t i = 0; i < 100000; ++i) {
    exact
        .addRule(
            {fieldBytes(FieldId::Ip4Saddr, toBigEndian(0x0a000000 + i, 4))})
        .counter = true;
    prefixes.addRule(
        {prefix(FieldId::Ip4Saddr, toBigEndian(0x0a000000 + 256 * (i / 9), 4),
                static_cast<uint8_t>(24 + i % 9))});
  }
  ClassifierPlan plan = planClassifier(exact.chain());
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_FALSE(plan.tables[0].lpm);
  EXPECT_EQ(plan.tables[0].entries.size(), 100000u);
  EXPECT_TRUE(plan.residual.empty());
  // Nine lengths, /24 to /32: expanded to three, or one LPM trie when
  // expansion is not allowed.
  plan = planClassifier(prefixes.chain());
  ASSERT_EQ(plan.tables.size(), 3u);
  size_t rules = 0, entries = 0;
  for (const ClassifierTable &table : plan.tables) {
    EXPECT_FALSE(table.lpm);
    rules += table.rules.size();
    entries += table.entries.size();
  }
  EXPECT_EQ(rules, 100000u);
  EXPECT_GE(entries, 100000u); // overlapping prefixes share entries
  EXPECT_LE(entries, 4u * 100000u);
  EXPECT_TRUE(plan.residual.empty());
  plan = planClassifier(prefixes.chain(), {16, 8, 3, 1, 0});
  ASSERT_EQ(plan.tables.size(), 1u);
  EXPECT_TRUE(plan.tables[0].lpm);
  EXPECT_EQ(plan.tables[0].entries.size(), 100000u);
  // 10.0.0.0/25 sits under 10.0.0.0/24 (rule 0): it takes index 0.
  EXPECT_EQ(plan.tables[0].entries[1].prefixLen, 25u);
  EXPECT_EQ(plan.tables[0].entries[1].rule, 0u);
}

// --------------------------------------------- random chains vs oracle ----

class ChainGenerator {
public:
  explicit ChainGenerator(uint32_t seed) : rng_(seed), setRng_(~seed) {}

  ir::Module module(ir::Hook hook, unsigned rules) {
    ChainBuilder b(hook, pick({ir::Verdict::Accept, ir::Verdict::Drop}));
    b.module.internIface("eth0");
    // Named sets in front, mirrored in the ip4.saddr tables (drawn from
    // their own stream: the rest of the chain stays what it was).
    auto setDraw = [&](unsigned n) {
      return std::uniform_int_distribution<unsigned>(0, n - 1)(setRng_);
    };
    for (unsigned n = setDraw(4) == 0 ? 1 + setDraw(2) : 0; n > 0; --n) {
      std::vector<ir::SetElement> elements;
      for (unsigned e = setDraw(3); e > 0; --e)
        elements.push_back({ip4(kIp4[setDraw(std::size(kIp4))]), 0, {}});
      b.addRule({ir::test::inSet(b.addSet({FieldId::Ip4Saddr}, false,
                                          std::move(elements), false))},
                setDraw(2) ? ir::Verdict::Accept : ir::Verdict::Drop);
    }
    while (b.chain().rules.size() < rules) {
      std::vector<ir::Predicate> predicates =
          below(100) < 75 ? classifiable() : other();
      // Guarded candidates: a key and other tests.
      if (below(100) < 30)
        for (ir::Predicate &pred : other())
          predicates.push_back(std::move(pred));
      ir::Rule &rule = b.addRule(
          std::move(predicates),
          pick({ir::Verdict::Accept, ir::Verdict::Drop, ir::Verdict::Next}));
      if (below(100) < 12) {
        rule.verdict = ir::Verdict::Continue;
        rule.counter = true;
        if (below(2))
          rule.mark = pick({1u, 2u});
        rule.log.enabled = below(2);
      }
      rule.counter = rule.counter || below(2);
    }
    ir::test::conformToHook(b.chain());
    return std::move(b.module);
  }

  std::string packet() {
    std::string spec = fmt::format("meta(mark={},random={})/eth/",
                                   pick({0, 1, 2}), pick({0u, 0xffffffffu}));
    if (below(100) < 5)
      return spec.substr(0, spec.size() - 1) + "(type=0x0806)";
    if (below(100) < 20)
      spec += fmt::format("ip6(src={},dst={})", pick(kIp6), pick(kIp6));
    else
      spec += fmt::format("ip4(src={},dst={})", pick(kIp4), pick(kIp4));
    switch (below(4)) {
    case 0:
    case 1:
      return spec +
             fmt::format("/tcp(sport={},dport={})", pick(kPorts), pick(kPorts));
    case 2:
      return spec +
             fmt::format("/udp(sport={},dport={})", pick(kPorts), pick(kPorts));
    default:
      return spec + "/payload(len=4)";
    }
  }

private:
  static constexpr const char *kIp4[] = {"10.0.0.1", "10.0.0.2", "10.1.2.3",
                                         "0.0.0.0", "192.168.1.1"};
  static constexpr const char *kIp6[] = {"2001:db8::1", "::", "2001:db8:1::5"};
  static constexpr unsigned kPorts[] = {0, 22, 53, 80, 443};
  static constexpr uint8_t kIp4Prefixes[] = {0, 8, 16, 24, 31, 32};

  std::vector<ir::Predicate> classifiable() {
    auto saddr = [&] {
      return prefix(FieldId::Ip4Saddr, ip4(pick(kIp4)), pick(kIp4Prefixes));
    };
    switch (below(8)) {
    case 0:
      return {fieldBytes(FieldId::Ip4Saddr, ip4(pick(kIp4)))};
    case 1:
      return {saddr()};
    case 2:
      return {fieldIs(FieldId::TcpDport, pick(kPorts))};
    case 3:
      return {
          fieldIs(pick({FieldId::UdpDport, FieldId::L4Dport}), pick(kPorts))};
    case 4:
      return {fieldBytes(FieldId::Ip4Saddr, ip4(pick(kIp4))),
              fieldBytes(FieldId::Ip4Daddr, ip4(pick(kIp4))),
              fieldIs(FieldId::Ip4Proto, pick({6u, 17u})),
              fieldIs(FieldId::TcpDport, pick(kPorts))};
    case 5:
      return {prefix(FieldId::Ip6Saddr, ip6(pick(kIp6)), pick({0, 32, 128}))};
    case 6:
      return {saddr(), fieldIs(FieldId::L4Dport, pick(kPorts))};
    default:
      return {fieldBytes(FieldId::Ip6Daddr, ip6(pick(kIp6))),
              fieldIs(FieldId::UdpDport, pick(kPorts))};
    }
  }

  std::vector<ir::Predicate> other() {
    switch (below(5)) {
    case 0:
      return {negated(fieldIs(FieldId::TcpDport, pick(kPorts)))};
    case 1:
      return {rangeOf(FieldId::TcpDport, 20, 60)};
    case 2:
      return {fieldIs(FieldId::MetaMark, pick({1u, 2u}))};
    case 3:
      return {probability(50)};
    default:
      return {fieldIs(FieldId::TcpDport, pick(kPorts)),
              fieldIs(FieldId::TcpDport, pick(kPorts))};
    }
  }

  unsigned below(unsigned n) {
    return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_);
  }
  template <typename T, size_t N> T pick(const T (&values)[N]) {
    return values[below(N)];
  }
  template <typename T> T pick(std::initializer_list<T> values) {
    return values.begin()[below(static_cast<unsigned>(values.size()))];
  }

  std::mt19937 rng_, setRng_;
};

TEST(Classify, RandomPlansAgreeWithTheInterpreter) {
  size_t runs = 0, decidedByTable = 0, continued = 0, guarded = 0,
         pendingApplied = 0, decidedByMirror = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    ChainGenerator gen(seed);
    unsigned size = seed % 3 == 0 ? 600 : 20 + seed;
    ir::Module module =
        gen.module(seed % 2 ? ir::Hook::Xdp : ir::Hook::TcIngress, size);
    const ir::Chain &chain = module.chains.front();
    // Default options, or small tables with prefixes as one LPM trie, or
    // expanded to 1, 2 or 3 lengths.
    // Guard chains and pending slots vary too.
    const ClassifyOptions variants[] = {{2, 4, 0, 64, 1u << 16, 8, 8},
                                        {2, 4, 1, 64, 1u << 16, 2, 1},
                                        {2, 4, 2, 64, 1u << 16, 1, 0},
                                        {2, 4, 3, 4, 0, 3, 2}};
    ClassifierPlan plan = planClassifier(
        chain, seed % 3 == 0 ? ClassifyOptions{} : variants[seed % 4]);
    ASSERT_FALSE(plan.empty()) << seed;
    PlanEvaluator evaluator(module, chain, plan);
    interp::Interpreter interpreter(module, chain, {{{"eth0", 2}}});
    interp::InterpreterState state(chain);
    for (int i = 0; i < 200; ++i) {
      std::string spec = gen.packet();
      packet::Input in = input(spec);
      interp::Result expected = *interpreter.run(in, state);
      std::vector<uint32_t> got = evaluator.matched(in);
      ASSERT_EQ(got, expected.matchedRules) << "seed " << seed << ": " << spec;
      ++runs;
      auto inTable = [&](uint32_t index) {
        return !std::binary_search(plan.residual.begin(), plan.residual.end(),
                                   index);
      };
      if (!got.empty() && inTable(got.back())) {
        ++decidedByTable;
        guarded += !plan.guards[got.back()].empty();
        for (const ClassifierTable &table : plan.tables)
          for (const MirroredSet &mirror : table.mirrors)
            decidedByMirror += mirror.rule == got.back();
      }
      for (size_t j = 0; j + 1 < got.size(); ++j)
        pendingApplied += inTable(got[j]);
      continued += got.size() > 1;
    }
  }
  // The test must exercise tables and CONTINUE rules before them.
  EXPECT_EQ(runs, 60u * 200u);
  EXPECT_GT(decidedByTable, runs / 5);
  EXPECT_GT(continued, runs / 50);
  // ... and candidates with guards, and CONTINUE candidates.
  EXPECT_GT(guarded, runs / 100);
  EXPECT_GT(pendingApplied, 10u);
  // ... and mirrored named sets.
  EXPECT_GT(decidedByMirror, runs / 100);
}

} // namespace
