// The pipeline keeps behaviour: random rulesets x random packets, the
// interpreter's results before and after the default pipeline must agree on
// verdict, return code, redirect, mark, malformed flag, every counter and
// every log event. The deciding rule may only change from a rule that was
// merged into an earlier set lookup (no counter, log or mark: unobservable).

#include "TransformTestSupport.h"

#include <dirent.h>
#include <fmt/format.h>

#include <fstream>
#include <random>

#include "bfc/IR/Reader.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Transform/PredicateFacts.h"

using namespace bfc;
using namespace bfc::transform;
using namespace bfc::transform::test;
using ir::FieldId;

namespace {

const interp::HostEnv kEnv{{{"eth0", 2}, {"eth1", 3}}};

/// Everything about one run that the kernel can observe.
void expectSameRun(const interp::Result &before, const interp::Result &after,
                   const ir::Chain &original, const ir::Chain &optimized,
                   const std::string &context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(before.verdict, after.verdict);
  EXPECT_EQ(before.returnCode, after.returnCode);
  EXPECT_EQ(before.redirectIfindex, after.redirectIfindex);
  if (before.redirectIfindex) {
    EXPECT_EQ(before.redirectDir, after.redirectDir);
  }
  EXPECT_EQ(before.mark, after.mark);
  EXPECT_EQ(before.markSet, after.markSet);
  EXPECT_EQ(before.malformed, after.malformed);
  EXPECT_EQ(before.counterDeltas, after.counterDeltas);
  ASSERT_EQ(before.logs.size(), after.logs.size());
  for (size_t i = 0; i < before.logs.size(); ++i) {
    const interp::LogEvent &a = before.logs[i], &b = after.logs[i];
    EXPECT_EQ(a.rule, b.rule);
    EXPECT_EQ(a.verdict, b.verdict);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.timestampNs, b.timestampNs);
    EXPECT_EQ(a.sockAddr, b.sockAddr);
    EXPECT_EQ(a.l3Proto, b.l3Proto);
    EXPECT_EQ(a.l4Proto, b.l4Proto);
    EXPECT_EQ(a.packetLength, b.packetLength);
    EXPECT_EQ(a.l2, b.l2);
    EXPECT_EQ(a.l3, b.l3);
    EXPECT_EQ(a.l4, b.l4);
    EXPECT_EQ(a.daddr, b.daddr);
    EXPECT_EQ(a.dport, b.dport);
  }
  if (before.rule == after.rule)
    return;
  // Only equalities-to-sets moves the deciding rule: to the first rule of
  // the run, from a rule that is now a placeholder, same verdict, nothing
  // per rule.
  ASSERT_TRUE(before.rule && after.rule);
  uint32_t was = *before.rule, now = *after.rule;
  EXPECT_LT(now, was);
  EXPECT_TRUE(isNeverMatching(optimized.rules[was]));
  for (uint32_t r : {was, now}) {
    const ir::Rule &rule = original.rules[r];
    EXPECT_FALSE(rule.counter || rule.log.enabled || rule.mark) << r;
    EXPECT_EQ(rule.verdict, original.rules[was].verdict);
  }
}

/// How the runs of expectSameBehaviour went, to check the test tests.
struct RunStats {
  size_t runs = 0, decidedByRule = 0, malformed = 0, logged = 0, moved = 0;
};

/// Runs `inputs` through both chains, in order, with persistent state.
void expectSameBehaviour(const ir::Module &before, const ir::Module &after,
                         const std::vector<packet::Input> &inputs,
                         const std::vector<std::string> &specs,
                         const std::string &context, RunStats &stats) {
  ASSERT_EQ(before.chains.size(), after.chains.size());
  for (size_t c = 0; c < before.chains.size(); ++c) {
    const ir::Chain &original = before.chains[c];
    const ir::Chain &optimized = after.chains[c];
    ASSERT_EQ(original.rules.size(), optimized.rules.size());
    for (size_t r = 0; r < original.rules.size(); ++r)
      ASSERT_EQ(optimized.rules[r].index, r);
    interp::Interpreter a(before, original, kEnv), b(after, optimized, kEnv);
    ASSERT_TRUE(a.checkChain().empty()) << a.checkChain().front();
    ASSERT_TRUE(b.checkChain().empty()) << b.checkChain().front();
    interp::InterpreterState stateA(original), stateB(optimized);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (a.checkInput(inputs[i]))
        continue;
      stateA.now = stateB.now = 1000 + 700 * i;
      interp::Result ra = *a.run(inputs[i], stateA);
      interp::Result rb = *b.run(inputs[i], stateB);
      ++stats.runs;
      stats.decidedByRule += ra.rule.has_value();
      stats.malformed += ra.malformed;
      stats.logged += !ra.logs.empty();
      stats.moved += ra.rule != rb.rule;

      expectSameRun(ra, rb, original, optimized,
                    context + "\nchain " + original.name + ", input " +
                        specs[i]);
      if (::testing::Test::HasFailure())
        return;
    }
    EXPECT_EQ(stateA.counters, stateB.counters);
  }
}

// ------------------------------------------------------- random rulesets ----

class Generator {
public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  ir::Module module(ir::Hook hook) {
    ir::Module module;
    module.sourceName = "random.bf";
    module.internIface("eth0");
    module.internIface("eth1");
    ir::Chain chain;
    chain.name = "c";
    chain.hook = hook;
    chain.policy =
        pick({ir::Verdict::Accept, ir::Verdict::Drop, ir::Verdict::Next});
    unsigned sets = below(4);
    for (unsigned i = 0; i < sets; ++i)
      chain.sets.push_back(randomSet(i));
    unsigned target = 1 + below(14);
    while (chain.rules.size() < target) {
      unsigned roll = below(100);
      if (roll < 25)
        addEqualityRun(chain);
      else if (roll < 30)
        addMarkScenario(chain);
      else if (roll < 40 && !chain.rules.empty())
        chain.rules.push_back(copiedRule(chain));
      else
        chain.rules.push_back(randomRule(chain));
    }
    for (size_t i = 0; i < chain.rules.size(); ++i)
      chain.rules[i].index = static_cast<uint32_t>(i);
    ir::test::conformToHook(chain);
    module.chains.push_back(std::move(chain));
    return module;
  }

  /// A packet spec for `hook` (or a sock_addr call).
  std::string inputSpec(ir::Hook hook) {
    std::string meta = fmt::format(
        "meta(ifindex={},mark={},hash={},random={})", pick({1, 2, 3}),
        pick({0, 1, 2}), pick({0u, 0x80000000u, 0xffffffffu, 12345u}),
        pick({0u, 1u, 0x40000000u, 0x80000000u, 0xffffffffu}));
    if (unsigned family = ir::sockAddrFamily(hook)) {
      return fmt::format("{}/sock{}(proto={},dst={},dport={},src={})", meta,
                         family, pick({"tcp", "udp", "icmp", "47"}),
                         family == 4 ? pick(kIp4) : pick(kIp6), pick(kPorts),
                         family == 4 ? pick(kIp4) : pick(kIp6));
    }
    bool l2 = ir::hookHasL2(hook);
    std::string spec = meta + "/";
    if (l2) {
      spec += "eth/";
      if (chance(5))
        spec += "vlan(id=5)/";
      if (chance(5))
        return meta + "/eth(type=0x0806)/raw(hex=0001080006040001)";
    } else if (chance(5)) {
      return meta.substr(0, meta.size() - 1) + ",l3=0x0806)/raw(hex=00010800)";
    }
    bool v6 = chance(45);
    if (!v6) {
      spec +=
          fmt::format("ip4(src={},dst={},dscp={}{})", pick(kIp4), pick(kIp4),
                      pick({0, 46, 10}), chance(10) ? ",frag=3" : "");
    } else {
      spec += fmt::format("ip6(src={},dst={},dscp={})", pick(kIp6), pick(kIp6),
                          pick({0, 46, 10}));
      unsigned ext = chance(30) ? 1 + below(2) : 0;
      for (unsigned i = 0; i < ext; ++i)
        spec += pick(
            {"/hop", "/route", "/dst", "/frag(offset=0)", "/frag(offset=1)"});
    }
    switch (below(6)) {
    case 0:
    case 1:
      spec += fmt::format("/tcp(sport={},dport={},flags={})", pick(kPorts),
                          pick(kPorts), pick({0, 1, 2, 4, 16, 18, 0x3f}));
      break;
    case 2:
    case 3:
      spec +=
          fmt::format("/udp(sport={},dport={})", pick(kPorts), pick(kPorts));
      break;
    case 4:
      spec += fmt::format("/{}(type={},code={})", v6 ? "icmpv6" : "icmp",
                          pick({0, 8, 3, 128}), pick({0, 1}));
      break;
    default:
      spec += "/payload(len=4)";
      break;
    }
    return spec;
  }

  /// Sometimes cuts a packet short (malformed headers).
  void maybeTruncate(packet::Input &input) {
    auto *pkt = std::get_if<packet::Packet>(&input);
    if (!pkt || pkt->data.empty() || !chance(12))
      return;
    pkt->data.resize(below(static_cast<unsigned>(pkt->data.size())));
  }

private:
  static constexpr const char *kIp4[] = {"10.0.0.1", "10.0.0.2", "10.1.2.3",
                                         "192.168.1.1"};
  static constexpr const char *kIp6[] = {"2001:db8::1", "2001:db8::2", "::1",
                                         "2001:db8:1::5"};
  static constexpr unsigned kPorts[] = {22, 53, 80, 443, 0, 65535};

  unsigned below(unsigned n) {
    return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_);
  }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T, size_t N> T pick(const T (&values)[N]) {
    return values[below(N)];
  }
  template <typename T> T pick(std::initializer_list<T> values) {
    return values.begin()[below(static_cast<unsigned>(values.size()))];
  }

  ir::Bytes value(FieldId field) {
    unsigned width = ir::fieldInfo(field).width;
    switch (field) {
    case FieldId::Ip4Saddr:
    case FieldId::Ip4Daddr:
      return ip4(pick(kIp4));
    case FieldId::Ip6Saddr:
    case FieldId::Ip6Daddr:
      return ip6(pick(kIp6));
    case FieldId::L4Sport:
    case FieldId::L4Dport:
    case FieldId::TcpSport:
    case FieldId::TcpDport:
    case FieldId::UdpSport:
    case FieldId::UdpDport:
      return toBigEndian(pick(kPorts), 2);
    case FieldId::MetaL3Proto:
      return toBigEndian(pick({0x0800, 0x86DD, 0x0806}), 2);
    case FieldId::MetaL4Proto:
    case FieldId::Ip4Proto:
    case FieldId::Ip6Nexthdr:
      return toBigEndian(pick({6, 17, 1, 58, 47, 0, 44}), 1);
    case FieldId::TcpFlags:
      return toBigEndian(pick({0x01, 0x02, 0x04, 0x10, 0x12, 0x00}), 1);
    case FieldId::Ip4Dscp:
    case FieldId::Ip6Dscp:
      return toBigEndian(pick({0, 46, 10}), 1);
    case FieldId::IcmpType:
    case FieldId::Icmpv6Type:
      return toBigEndian(pick({0, 8, 3, 128}), 1);
    case FieldId::MetaMark:
      return toBigEndian(pick({0, 1, 2}), 4);
    case FieldId::MetaIfindex:
      return toBigEndian(pick({1, 2}), 4);
    case FieldId::MetaFlowHash:
      return toBigEndian(pick({0u, 12345u, 0xffffffffu}), 4);
    default:
      return toBigEndian(pick({0, 1}), width);
    }
  }

  static bool isAddress(FieldId field) {
    return field == FieldId::Ip4Saddr || field == FieldId::Ip4Daddr ||
           field == FieldId::Ip6Saddr || field == FieldId::Ip6Daddr;
  }

  ir::Predicate fieldPredicate(FieldId field) {
    ir::Predicate pred;
    pred.kind = ir::Predicate::Kind::Field;
    pred.field = field;
    pred.value = value(field);
    unsigned width = ir::fieldInfo(field).width;
    unsigned roll = below(100);
    if (isAddress(field)) {
      if (roll < 40)
        pred.prefixLen =
            width == 4 ? pick({8, 16, 24, 32}) : pick({16, 32, 64, 128});
      else if (roll < 50) {
        pred.op = ir::CmpOp::Range;
        pred.high = value(field);
      }
    } else if (field == FieldId::TcpFlags) {
      pred.op = roll < 30   ? ir::CmpOp::Eq
                : roll < 65 ? ir::CmpOp::AnyBits
                            : ir::CmpOp::AllBits;
    } else if (roll < 30) {
      pred.op = ir::CmpOp::Range;
      pred.high = value(field);
    } else if (roll < 38) {
      pred.op = chance(50) ? ir::CmpOp::AnyBits : ir::CmpOp::AllBits;
    }
    pred.negate = chance(25);
    return pred;
  }

  /// A field a rule of this profile would test: mostly from the rule's
  /// internet and transport headers (and available on the hook), sometimes
  /// any field at all.
  FieldId randomField(const ir::Chain &chain, ir::Proto l3, ir::Proto l4) {
    std::vector<FieldId> fields;
    for (unsigned f = 0; f < ir::kNumFields; ++f) {
      auto field = static_cast<FieldId>(f);
      ir::Proto proto = ir::fieldInfo(field).proto;
      bool fits = proto == ir::Proto::None || proto == l3 || proto == l4 ||
                  (proto == ir::Proto::TcpOrUdp &&
                   (l4 == ir::Proto::Tcp || l4 == ir::Proto::Udp));
      if (fits && !fieldAvailability(field, chain.hook).never)
        fields.push_back(field);
    }
    if (fields.empty() || chance(10))
      return static_cast<FieldId>(below(ir::kNumFields));
    return fields[below(static_cast<unsigned>(fields.size()))];
  }

  ir::Predicate randomPredicate(const ir::Chain &chain, ir::Proto l3,
                                ir::Proto l4) {
    unsigned roll = below(100);
    ir::Predicate pred;
    if (roll < 5) {
      pred.kind = ir::Predicate::Kind::Iface;
      if (chance(50))
        pred.hostSlot = 0;
      else
        pred.ifindex = pick({1u, 2u});
    } else if (roll < 12) {
      pred.kind = ir::Predicate::Kind::Probability;
      pred.percent = pick({0.0, 100.0, 50.0, 25.0, 75.0});
      pred.perFlow = chance(30);
    } else if (roll < 18) {
      pred.kind = ir::Predicate::Kind::Ip6HeaderChain;
      pred.protocol = pick({0, 6, 17, 44, 58, 43});
    } else if (roll < 30 && !chain.sets.empty()) {
      pred.kind = ir::Predicate::Kind::Set;
      pred.set = below(static_cast<unsigned>(chain.sets.size()));
    } else {
      return fieldPredicate(randomField(chain, l3, l4));
    }
    pred.negate = chance(25);
    return pred;
  }

  /// Predicates that the simplifier can drop, next to the one they follow.
  void addRedundancy(std::vector<ir::Predicate> &preds) {
    if (preds.empty() || preds.back().kind != ir::Predicate::Kind::Field)
      return;
    ir::Proto proto = ir::fieldInfo(preds.back().field).proto;
    if (proto == ir::Proto::Ip4 || proto == ir::Proto::Ip6) {
      ir::Predicate l3 = fieldPredicate(FieldId::MetaL3Proto);
      l3.op = ir::CmpOp::Eq;
      l3.negate = false;
      l3.value = toBigEndian(proto == ir::Proto::Ip4 ? 0x0800 : 0x86DD, 2);
      preds.insert(preds.begin(), l3);
    } else if (proto == ir::Proto::Tcp || proto == ir::Proto::Udp) {
      ir::Predicate l4 = fieldPredicate(FieldId::MetaL4Proto);
      l4.op = ir::CmpOp::Eq;
      l4.negate = chance(20);
      l4.value = toBigEndian(proto == ir::Proto::Tcp ? 6 : 17, 1);
      preds.insert(preds.begin(), l4);
    } else if (chance(50)) {
      preds.push_back(preds.back()); // a duplicate
    }
  }

  void options(const ir::Chain &chain, ir::Rule &rule, bool perRule) {
    if (perRule) {
      rule.counter = chance(40);
      if (chance(15)) {
        rule.log.enabled = true;
        rule.log.headers = static_cast<uint8_t>(below(8));
        rule.log.rateNs = chance(50) ? 0 : 1000;
      }
      if (chance(15))
        rule.mark = pick({1u, 2u});
    }
    bool redirect = ir::hookFamily(chain.hook) == ir::HookFamily::Xdp ||
                    ir::hookFamily(chain.hook) == ir::HookFamily::Tc;
    unsigned roll = below(100);
    rule.verdict = roll < 25                ? ir::Verdict::Accept
                   : roll < 50              ? ir::Verdict::Drop
                   : roll < 75              ? ir::Verdict::Continue
                   : roll < 87 || !redirect ? ir::Verdict::Next
                                            : ir::Verdict::Redirect;
    if (rule.verdict == ir::Verdict::Redirect) {
      if (chance(50))
        rule.redirectSlot = 1;
      else
        rule.redirectIfindex = pick({3u, 4u});
      rule.redirectDir =
          ir::hookFamily(chain.hook) == ir::HookFamily::Tc && chance(50)
              ? ir::RedirectDir::In
              : ir::RedirectDir::Out;
    }
  }

  ir::Rule randomRule(const ir::Chain &chain) {
    ir::Rule rule;
    ir::Proto l3 = pick({ir::Proto::Ip4, ir::Proto::Ip6, ir::Proto::None});
    ir::Proto l4 =
        pick({ir::Proto::Tcp, ir::Proto::Udp, ir::Proto::None,
              l3 == ir::Proto::Ip6 ? ir::Proto::Icmpv6 : ir::Proto::Icmp});
    unsigned count = chance(2) ? 0 : 1 + below(3);
    for (unsigned i = 0; i < count; ++i) {
      rule.predicates.push_back(randomPredicate(chain, l3, l4));
      if (chance(25))
        addRedundancy(rule.predicates);
    }
    options(chain, rule, true);
    rule.text = "random rule";
    return rule;
  }

  /// An earlier rule's predicates, maybe one more, with new options: what
  /// makes shadowed rules (and marks read again after a CONTINUE sets one).
  ir::Rule copiedRule(const ir::Chain &chain) {
    ir::Rule rule;
    const ir::Rule &source =
        chain.rules[below(static_cast<unsigned>(chain.rules.size()))];
    rule.predicates = source.predicates;
    if (chance(50))
      rule.predicates.push_back(
          randomPredicate(chain, ir::Proto::None, ir::Proto::None));
    if (chance(30))
      rule.predicates.push_back(fieldIs(FieldId::MetaMark, pick({1, 2})));
    options(chain, rule, true);
    rule.text = "copied rule";
    return rule;
  }

  /// A rule on meta.mark, a CONTINUE rule that sets that mark, and the
  /// first rule again: the third one is not shadowed.
  void addMarkScenario(ir::Chain &chain) {
    uint32_t mark = pick({1u, 2u});
    ir::Rule first;
    first.predicates = {fieldIs(FieldId::MetaMark, mark)};
    if (chance(50))
      first.predicates.push_back(
          randomPredicate(chain, ir::Proto::None, ir::Proto::None));
    options(chain, first, true);
    if (first.verdict == ir::Verdict::Continue)
      first.verdict = ir::Verdict::Accept;
    first.text = "mark test";
    ir::Rule setter = randomRule(chain);
    setter.mark = mark;
    setter.verdict = ir::Verdict::Continue;
    ir::Rule again = first;
    again.verdict = pick({ir::Verdict::Drop, ir::Verdict::Next});
    again.counter = true;
    chain.rules.push_back(std::move(first));
    chain.rules.push_back(std::move(setter));
    chain.rules.push_back(std::move(again));
  }

  /// 3 to 7 rules `FIELD eq V` with one verdict, some with options.
  void addEqualityRun(ir::Chain &chain) {
    FieldId field =
        pick({FieldId::TcpDport, FieldId::UdpSport, FieldId::Ip4Saddr,
              FieldId::Ip6Daddr, FieldId::Ip4Proto, FieldId::L4Dport,
              FieldId::IcmpType});
    ir::Rule shape;
    options(chain, shape, false);
    if (shape.verdict == ir::Verdict::Continue)
      shape.verdict = ir::Verdict::Drop;
    unsigned count = 3 + below(5);
    for (unsigned i = 0; i < count; ++i) {
      ir::Rule rule = shape;
      ir::Predicate pred = fieldPredicate(field);
      pred.op = ir::CmpOp::Eq;
      pred.high.clear();
      pred.negate = chance(5);
      if (!isAddress(field))
        pred.prefixLen.reset();
      rule.predicates = {pred};
      rule.counter = chance(8);
      rule.text = "run rule";
      chain.rules.push_back(std::move(rule));
    }
  }

  ir::Set randomSet(unsigned index) {
    static const std::vector<std::vector<FieldId>> kKeys = {
        {FieldId::Ip4Saddr},
        {FieldId::Ip6Daddr},
        {FieldId::TcpDport},
        {FieldId::L4Dport},
        {FieldId::Ip4Saddr, FieldId::Ip4Proto},
        {FieldId::Ip6Saddr, FieldId::UdpDport},
    };
    ir::Set set;
    set.key = kKeys[below(static_cast<unsigned>(kKeys.size()))];
    set.anonymous = chance(70);
    set.name = set.anonymous ? fmt::format("__anon{}", index)
                             : fmt::format("named{}", index);
    set.lpm = set.key.size() == 1 && isAddress(set.key[0]) && chance(50);
    unsigned count = below(5);
    for (unsigned i = 0; i < count; ++i) {
      ir::SetElement element;
      for (FieldId field : set.key) {
        ir::Bytes part = value(field);
        element.key.insert(element.key.end(), part.begin(), part.end());
      }
      if (set.lpm)
        element.prefixLen = static_cast<uint8_t>(set.key[0] == FieldId::Ip4Saddr
                                                     ? pick({8, 16, 32})
                                                     : pick({16, 64, 128}));
      set.elements.push_back(std::move(element));
    }
    return set;
  }

  std::mt19937 rng_;
};

struct Totals {
  size_t neverRules = 0, sets = 0, predicatesBefore = 0, predicatesAfter = 0;
};

void count(const ir::Module &before, const ir::Module &after, Totals &t) {
  for (size_t c = 0; c < before.chains.size(); ++c) {
    for (const ir::Rule &rule : before.chains[c].rules)
      t.predicatesBefore += rule.predicates.size();
    for (const ir::Rule &rule : after.chains[c].rules) {
      t.neverRules += isNeverMatching(rule);
      t.predicatesAfter += isNeverMatching(rule) ? 0 : rule.predicates.size();
    }
    t.sets += after.chains[c].sets.size() > before.chains[c].sets.size();
  }
}

/// The optimised module survives printing and reading back.
void expectRoundTrip(const ir::Module &module) {
  std::string text = ir::toString(module);
  SourceBuffer buffer("opt.bfir", text);
  DiagnosticEngine diags(&buffer);
  std::optional<ir::Module> back = ir::readModule(buffer, diags);
  ASSERT_TRUE(back) << text;
  EXPECT_EQ(ir::toString(*back), text);
}

TEST(PipelineProperty, RandomRulesetsKeepTheirBehaviour) {
  constexpr ir::Hook kHooks[] = {
      ir::Hook::Xdp,
      ir::Hook::TcIngress,
      ir::Hook::TcEgress,
      ir::Hook::NfLocalIn,
      ir::Hook::NfPostRouting,
      ir::Hook::CgroupSkbIngress,
      ir::Hook::CgroupSockAddrConnect4,
      ir::Hook::CgroupSockAddrSendmsg4,
      ir::Hook::CgroupSockAddrSendmsg6,
  };
  constexpr unsigned kModules = 450, kInputsPerModule = 40;
  Generator gen(20240611);
  Totals totals;
  RunStats stats;
  for (unsigned m = 0; m < kModules; ++m) {
    ir::Hook hook = kHooks[m % std::size(kHooks)];
    ir::Module before = gen.module(hook);
    ASSERT_TRUE(ir::verifyModule(before).empty())
        << ir::verifyModule(before).front();
    ir::Module after = before;
    PipelineOptions options;
    options.minEqualitiesForSet = 3;
    DiagnosticEngine diags;
    options.verifyEach = true;
    ASSERT_TRUE(runDefaultPipeline(after, diags, options))
        << ir::toString(before);
    std::vector<packet::Input> inputs;
    std::vector<std::string> specs;
    for (unsigned i = 0; i < kInputsPerModule; ++i) {
      std::string spec = gen.inputSpec(hook);
      Expected<packet::Input> in = packet::parseInput(spec);
      ASSERT_TRUE(in.ok()) << packet::describeSpecError(in.error(), spec);
      gen.maybeTruncate(*in);
      inputs.push_back(*in);
      specs.push_back(spec);
    }
    expectSameBehaviour(before, after, inputs, specs,
                        "module " + std::to_string(m) + " before:\n" +
                            ir::toString(before) + "after:\n" +
                            ir::toString(after),
                        stats);
    if (HasFailure())
      return;
    expectRoundTrip(after);
    count(before, after, totals);
  }
  // Enough runs, many decided by rules, some malformed, logged, or decided
  // by a set that replaced the rule that decided before.
  EXPECT_EQ(stats.runs, kModules * kInputsPerModule);
  EXPECT_GT(stats.decidedByRule, stats.runs / 4);
  EXPECT_GT(stats.malformed, 500u);
  EXPECT_GT(stats.logged, 200u);
  EXPECT_GT(stats.moved, 200u);
  // The passes did something on these rulesets.
  EXPECT_GT(totals.neverRules, 200u);
  EXPECT_GT(totals.sets, 30u);
  EXPECT_LT(totals.predicatesAfter, totals.predicatesBefore);
}

// ------------------------------------------------------------- examples ----

std::vector<std::string> exampleFiles() {
  std::vector<std::string> files;
  std::string dir = std::string(BFC_SOURCE_DIR) + "/examples";
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name.size() > 3 && name.ends_with(".bf"))
        files.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PipelineProperty, ExampleRulesetsKeepTheirBehaviour) {
  std::vector<std::string> files = exampleFiles();
  ASSERT_FALSE(files.empty());
  Generator gen(7);
  for (const std::string &file : files) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    Compiled c = compile(text);
    ASSERT_FALSE(c.module.chains.empty()) << file;
    ir::Module after = c.module;
    optimize(after, c.buffer.get());
    for (size_t k = 0; k < c.module.chains.size(); ++k) {
      ir::Module one = c.module, oneAfter = after;
      one.chains = {c.module.chains[k]};
      oneAfter.chains = {after.chains[k]};
      std::vector<packet::Input> inputs;
      std::vector<std::string> specs;
      for (unsigned i = 0; i < 300; ++i) {
        std::string spec = gen.inputSpec(one.chains[0].hook);
        Expected<packet::Input> parsed = packet::parseInput(spec);
        ASSERT_TRUE(parsed.ok())
            << packet::describeSpecError(parsed.error(), spec);
        gen.maybeTruncate(*parsed);
        inputs.push_back(*parsed);
        specs.push_back(spec);
      }
      RunStats stats;
      expectSameBehaviour(one, oneAfter, inputs, specs, file, stats);
      EXPECT_EQ(stats.runs, inputs.size()) << file;
    }
  }
}

} // namespace
