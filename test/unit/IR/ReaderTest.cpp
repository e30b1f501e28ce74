// BFIR reader: round trips with the printer, keeps semantics (the
// interpreter gives the same results), reports bad text with locations.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "SampleModule.h"
#include "bfc/IR/Printer.h"
#include "bfc/IR/Reader.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Interp/Interpreter.h"

using namespace bfc;
using namespace bfc::ir;
using namespace bfc::ir::test;

namespace {

std::optional<Module> read(const std::string &text,
                           std::string *errors = nullptr) {
  SourceBuffer buffer("test.bfir", text);
  DiagnosticEngine diags(&buffer);
  std::optional<Module> module = readModule(buffer, diags);
  if (errors) {
    errors->clear();
    for (const Diagnostic &d : diags.diagnostics())
      *errors += diags.format(d);
  }
  EXPECT_EQ(module.has_value(), !diags.hasErrors());
  return module;
}

TEST(Reader, RoundTripIsStable) {
  Module original = sampleModule();
  ASSERT_TRUE(verifyModule(original).empty());
  std::string text = toString(original);
  std::string errors;
  std::optional<Module> back = read(text, &errors);
  ASSERT_TRUE(back) << errors;
  EXPECT_EQ(toString(*back), text);
}

TEST(Reader, RoundTripKeepsEveryField) {
  Module original = sampleModule();
  std::optional<Module> back = read(toString(original));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sourceName, original.sourceName);
  ASSERT_EQ(back->hostSlots.size(), 2u);
  EXPECT_EQ(back->hostSlots[1].name, "odd \"name\"");
  ASSERT_EQ(back->chains.size(), original.chains.size());
  for (size_t c = 0; c < original.chains.size(); ++c) {
    const Chain &a = original.chains[c], &b = back->chains[c];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.hook, b.hook);
    EXPECT_EQ(a.policy, b.policy);
    EXPECT_EQ(a.hasOptions, b.hasOptions);
    EXPECT_EQ(a.options.ifindex, b.options.ifindex);
    EXPECT_EQ(a.options.cgpath, b.options.cgpath);
    EXPECT_EQ(a.options.priorities, b.options.priorities);
    EXPECT_EQ(a.options.familyGiven, b.options.familyGiven);
    ASSERT_EQ(a.sets.size(), b.sets.size());
    for (size_t s = 0; s < a.sets.size(); ++s) {
      EXPECT_EQ(a.sets[s].name, b.sets[s].name);
      EXPECT_EQ(a.sets[s].anonymous, b.sets[s].anonymous);
      EXPECT_EQ(a.sets[s].lpm, b.sets[s].lpm);
      EXPECT_EQ(a.sets[s].key, b.sets[s].key);
      ASSERT_EQ(a.sets[s].elements.size(), b.sets[s].elements.size());
      for (size_t e = 0; e < a.sets[s].elements.size(); ++e) {
        EXPECT_EQ(a.sets[s].elements[e].key, b.sets[s].elements[e].key);
        EXPECT_EQ(a.sets[s].elements[e].prefixLen,
                  b.sets[s].elements[e].prefixLen);
      }
    }
    ASSERT_EQ(a.rules.size(), b.rules.size());
    for (size_t r = 0; r < a.rules.size(); ++r) {
      const Rule &x = a.rules[r], &y = b.rules[r];
      EXPECT_EQ(x.index, y.index);
      EXPECT_EQ(x.text, y.text);
      EXPECT_EQ(x.range.begin.line, y.range.begin.line);
      EXPECT_EQ(x.range.begin.column, y.range.begin.column);
      EXPECT_EQ(x.counter, y.counter);
      EXPECT_EQ(x.log.enabled, y.log.enabled);
      EXPECT_EQ(x.log.headers, y.log.headers);
      EXPECT_EQ(x.log.rateNs, y.log.rateNs);
      EXPECT_EQ(x.mark, y.mark);
      EXPECT_EQ(x.verdict, y.verdict);
      EXPECT_EQ(x.redirectSlot, y.redirectSlot);
      EXPECT_EQ(x.redirectIfindex, y.redirectIfindex);
      EXPECT_EQ(x.redirectDir, y.redirectDir);
      ASSERT_EQ(x.predicates.size(), y.predicates.size());
      for (size_t p = 0; p < x.predicates.size(); ++p) {
        const Predicate &u = x.predicates[p], &v = y.predicates[p];
        SCOPED_TRACE(fmt::format("chain {} rule {} predicate {}", c, r, p));
        EXPECT_EQ(u.kind, v.kind);
        EXPECT_EQ(u.negate, v.negate);
        EXPECT_EQ(u.field, v.field);
        EXPECT_EQ(u.op, v.op);
        EXPECT_EQ(u.value, v.value);
        EXPECT_EQ(u.high, v.high);
        EXPECT_EQ(u.prefixLen, v.prefixLen);
        EXPECT_EQ(u.hostSlot, v.hostSlot);
        EXPECT_EQ(u.ifindex, v.ifindex);
        EXPECT_EQ(u.percent, v.percent);
        EXPECT_EQ(u.perFlow, v.perFlow);
        EXPECT_EQ(u.protocol, v.protocol);
        EXPECT_EQ(u.set, v.set);
      }
    }
  }
}

TEST(Reader, ReadModuleRunsLikeTheOriginal) {
  Module original = sampleModule();
  std::optional<Module> back = read(toString(original));
  ASSERT_TRUE(back);
  const char *packets[] = {
      "eth/ip4(src=10.0.0.1)/tcp",
      "eth/ip4(src=192.168.1.1)/tcp(dport=5000,flags=syn)",
      "eth/ip4(src=192.168.1.2,dst=10.1.1.1)/udp",
      "eth/ip4(src=192.168.1.2,dst=11.1.1.1,dscp=ef)/udp(sport=53)",
      "meta(ifindex=9)/eth/ip6",
  };
  interp::HostEnv env{{{"eth0", 9}, {"odd \"name\"", 3}}};
  interp::Interpreter a(original, original.chains[0], env);
  interp::Interpreter b(*back, back->chains[0], env);
  interp::InterpreterState sa(original.chains[0]), sb(back->chains[0]);
  for (const char *spec : packets) {
    auto in = packet::parseInput(spec);
    ASSERT_TRUE(in.ok()) << spec;
    interp::Result x = *a.run(*in, sa), y = *b.run(*in, sb);
    EXPECT_EQ(x.rule, y.rule) << spec;
    EXPECT_EQ(x.verdict, y.verdict) << spec;
    EXPECT_EQ(x.matchedRules, y.matchedRules) << spec;
    EXPECT_EQ(x.logs.size(), y.logs.size()) << spec;
    EXPECT_EQ(x.redirectIfindex, y.redirectIfindex) << spec;
  }
  EXPECT_EQ(sa.counters, sb.counters);
}

TEST(Reader, NeverMatchingRulesRoundTripAndNeverMatch) {
  const std::string text = "bfir module \"m\"\n"
                           "\n"
                           "chain c BF_HOOK_TC_INGRESS policy ACCEPT\n"
                           "  rule 0\n"
                           "    never\n"
                           "    counter\n"
                           "    verdict DROP\n"
                           "  rule 1\n"
                           "    counter\n"
                           "    verdict DROP\n";
  std::string errors;
  std::optional<Module> module = read(text, &errors);
  ASSERT_TRUE(module) << errors;
  const Chain &chain = module->chains[0];
  EXPECT_TRUE(chain.rules[0].neverMatches);
  EXPECT_TRUE(chain.rules[0].predicates.empty());
  EXPECT_TRUE(chain.rules[0].counter);
  EXPECT_FALSE(chain.rules[1].neverMatches);
  EXPECT_EQ(toString(*module), text);
  // Rule 1 has no predicates: it takes every packet; rule 0 none.
  interp::Interpreter interpreter(*module, chain, {});
  interp::InterpreterState state(chain);
  auto in = packet::parseInput("eth/ip4/tcp(dport=22)");
  ASSERT_TRUE(in.ok());
  interp::Result result = *interpreter.run(*in, state);
  EXPECT_EQ(result.rule, 1u);
  EXPECT_EQ(result.matchedRules, std::vector<uint32_t>{1});
  EXPECT_EQ(state.counters[0].packets, 0u);
  EXPECT_EQ(state.counters[1].packets, 1u);

  // The verifier rejects a never-matching rule that still has predicates.
  Module broken = *module;
  broken.chains[0].rules[0].predicates.emplace_back();
  std::vector<std::string> problems = verifyModule(broken);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("rule 0: a never-matching rule has predicates"),
            std::string::npos)
      << problems[0];
}

TEST(Reader, CommentsBlankLinesAndRangesWithNames) {
  std::string errors;
  auto m = read("# produced by hand\n"
                "bfir module \"x\"\n"
                "\n"
                "chain c BF_HOOK_XDP policy ACCEPT\n"
                "  # a rule\n"
                "  rule 0\n"
                "    icmp.type [icmp+0:1] range echo-reply-echo-request\n"
                "    ip4.dscp [ip4+1:1&0xfc>>2] range voice-admit-ef\n"
                "    tcp.flags [tcp+13:1] eq 18\n"
                "    verdict DROP\n",
                &errors);
  ASSERT_TRUE(m) << errors;
  const Rule &r = m->chains[0].rules[0];
  EXPECT_EQ(r.predicates[0].value, Bytes{0});
  EXPECT_EQ(r.predicates[0].high, Bytes{8});
  EXPECT_EQ(r.predicates[1].value, Bytes{44});
  EXPECT_EQ(r.predicates[1].high, Bytes{46});
  EXPECT_EQ(r.predicates[2].value, Bytes{0x12});
}

struct BadText {
  const char *body; ///< lines after the module header and a chain line
  const char *location;
  const char *message;
};

TEST(Reader, ErrorsHaveLocations) {
  const BadText cases[] = {
      {"  rule 0\n    ip4.sadr [ip4+12:4] eq 1.2.3.4\n    verdict DROP\n",
       ":4:5:", "unknown field or rule option 'ip4.sadr'"},
      {"  rule 0\n    ip4.saddr [ip4+16:4] eq 1.2.3.4\n    verdict DROP\n",
       ":4:15:", "ip4.saddr lives at [ip4+12:4], not [ip4+16:4]"},
      {"  rule 0\n    ip4.saddr [ip4+12:4] eq 1.2.3\n    verdict DROP\n",
       ":4:29:", "bad value '1.2.3' for ip4.saddr"},
      {"  rule 0\n    tcp.dport [tcp+2:2] range 5\n    verdict DROP\n",
       ":4:31:", "expected LOW-HIGH values"},
      {"  rule 0\n    tcp.dport [tcp+2:2] eq 70000\n    verdict DROP\n",
       ":4:28:", "bad value '70000'"},
      {"  rule 0\n    tcp.dport [tcp+2:2] like 1\n    verdict DROP\n",
       ":4:25:", "unknown operator 'like'"},
      {"  rule 0\n    counter\n", ":3:3:", "rule without a verdict line"},
      {"  rule 0\n    verdict DROP\n    counter\n",
       ":5:5:", "nothing may follow the verdict"},
      {"  rule 1\n    verdict DROP\n",
       ":3:8:", "rule 1 out of order (expected 0)"},
      {"  rule 0\n    verdict MAYBE\n", ":4:13:", "unknown verdict 'MAYBE'"},
      {"  rule 0\n    meta.iface eq slot 0 \"eth0\"\n    verdict DROP\n",
       ":4:24:", "no host slot 0 for \"eth0\""},
      {"  rule 0\n    (ip4.saddr) in set 0 s\n    verdict DROP\n",
       ":4:24:", "set 0 does not exist"},
      {"  set 0 s (ip4.saddr) exact\n    1.2.3.4, 5\n",
       ":4:5:", "expected 1 comma-separated values"},
      {"  set 0 s (ip4.saddr) lpm\n    1.2.3.4\n",
       ":4:5:", "expected ADDRESS/PREFIXLEN"},
      {"  set 0 s (ip4.sadr) exact\n", ":3:12:", "unknown field 'ip4.sadr'"},
      {"   rule 0\n", ":3:4:", "unexpected indentation (3 spaces)"},
      {"  rule 0\n    log all\n    verdict DROP\n",
       ":4:9:", "unknown log header 'all'"},
      {"  rule 0\n    log none every 5s\n    verdict DROP\n",
       ":4:20:", "expected every Nns"},
      {"  rule 0\n    meta.probability eq 50\n    verdict DROP\n",
       ":4:25:", "expected a percentage"},
      {"  rule 0\n    meta.probability eq 150%\n    verdict DROP\n",
       ":2:1:", "probability 150% is not in [0, 100]"},
      {"  rule 0\n    never\n    tcp.dport [tcp+2:2] eq 1\n    verdict DROP\n",
       ":5:5:", "a 'never' rule has no predicates"},
      {"  rule 0\n    tcp.dport [tcp+2:2] eq 1\n    never\n    verdict DROP\n",
       ":5:5:", "a 'never' rule has no predicates"},
      {"  rule 0\n    never\n    never\n    verdict DROP\n",
       ":5:5:", "a 'never' rule has no predicates"},
  };
  for (const BadText &c : cases) {
    std::string text =
        std::string("bfir module \"m\"\nchain c BF_HOOK_TC_INGRESS "
                    "policy ACCEPT\n") +
        c.body;
    std::string errors;
    EXPECT_FALSE(read(text, &errors)) << c.body;
    EXPECT_NE(errors.find(std::string("test.bfir") + c.location),
              std::string::npos)
        << c.body << "\n"
        << errors;
    EXPECT_NE(errors.find(c.message), std::string::npos) << c.body << "\n"
                                                         << errors;
  }
}

TEST(Reader, ModuleLevelErrors) {
  std::string errors;
  EXPECT_FALSE(read("", &errors));
  EXPECT_NE(errors.find("expected 'bfir module"), std::string::npos) << errors;
  EXPECT_FALSE(
      read("bfir module \"m\"\nchain c BF_HOOK_NOPE policy ACCEPT\n", &errors));
  EXPECT_NE(errors.find("test.bfir:2:9: error: unknown hook 'BF_HOOK_NOPE'"),
            std::string::npos)
      << errors;
  EXPECT_FALSE(
      read("bfir module \"m\"\nchain c BF_HOOK_XDP {ifindex=x} policy ACCEPT\n",
           &errors));
  EXPECT_NE(errors.find("bad ifindex 'x'"), std::string::npos) << errors;
  EXPECT_FALSE(read("bfir module \"m\"\nchain c BF_HOOK_XDP policy CONTINUE\n",
                    &errors));
  EXPECT_NE(errors.find("policy CONTINUE is not ACCEPT, DROP or NEXT"),
            std::string::npos)
      << errors;
  EXPECT_FALSE(read("bfir module \"m\"\n  rule 0\n", &errors));
  EXPECT_NE(errors.find("expected a chain before sets and rules"),
            std::string::npos)
      << errors;
  EXPECT_FALSE(read("bfir module \"m\"\nhost_slot 1 iface \"x\"\n", &errors));
  EXPECT_NE(errors.find("host slot 1 out of order"), std::string::npos)
      << errors;
  // Several errors in one run.
  EXPECT_FALSE(read("bfir module \"m\"\nchain c BF_HOOK_XDP policy ACCEPT\n"
                    "  rule 0\n    bogus\n    verdict DROP\n"
                    "  rule 1\n    verdict NOPE\n",
                    &errors));
  EXPECT_NE(errors.find(":4:5:"), std::string::npos) << errors;
  EXPECT_NE(errors.find(":7:13:"), std::string::npos) << errors;
  // A rule left without a verdict does not hide the next line's error.
  EXPECT_FALSE(
      read("bfir module \"m\"\nchain c BF_HOOK_XDP policy ACCEPT\n"
           "  rule 0\n    counter\nchain d BF_HOOK_BAD policy ACCEPT\n",
           &errors));
  EXPECT_NE(errors.find(":3:3: error: rule without a verdict line"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(":5:9: error: unknown hook 'BF_HOOK_BAD'"),
            std::string::npos)
      << errors;
}

} // namespace
