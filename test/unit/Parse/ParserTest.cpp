// Unit tests for lib/Parse: the AST built from source text, its source
// ranges, syntax-error recovery, and robustness against arbitrary bytes.
#include <random>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "bfc/Parse/ParseRuleset.h"

namespace bfc {
namespace {

/// Parses `text`, keeping the buffer and diagnostics alive for inspection.
struct Parsed {
  explicit Parsed(std::string text, std::string name = "test.bf")
      : buffer(std::move(name), std::move(text)), diags(&buffer) {
    ok = parseRuleset(buffer, diags, ruleset);
  }

  /// The source text a range covers.
  std::string_view textOf(const SourceRange &range) const {
    return std::string_view(buffer.text())
        .substr(range.begin.offset, range.end.offset - range.begin.offset);
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const Diagnostic &d : diags.diagnostics())
      if (d.severity == Severity::Error)
        out.push_back(fmt::format("{}:{}: {}", d.range.begin.line,
                                  d.range.begin.column, d.message));
    return out;
  }

  SourceBuffer buffer;
  DiagnosticEngine diags;
  ast::Ruleset ruleset;
  bool ok = false;
};

void expectLoc(const SourceLoc &loc, uint32_t line, uint32_t column,
               uint32_t offset) {
  EXPECT_EQ(loc.line, line);
  EXPECT_EQ(loc.column, column);
  EXPECT_EQ(loc.offset, offset);
}

TEST(ParserTest, ChainHeaderTokensHaveExactRanges) {
  Parsed p("chain my_chain BF_HOOK_XDP{ifindex=2,family=inet4} DROP\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  ASSERT_EQ(p.ruleset.chains.size(), 1u);
  const ast::Chain &chain = p.ruleset.chains[0];

  EXPECT_EQ(chain.name.text, "my_chain");
  expectLoc(chain.name.range.begin, 1, 7, 6);
  expectLoc(chain.name.range.end, 1, 15, 14);
  EXPECT_EQ(chain.hook.text, "BF_HOOK_XDP");
  expectLoc(chain.hook.range.begin, 1, 16, 15);
  EXPECT_TRUE(chain.hasOptionBlock);
  ASSERT_EQ(chain.options.size(), 2u);
  EXPECT_EQ(chain.options[0].key.text, "ifindex");
  EXPECT_EQ(chain.options[0].value.text, "2");
  EXPECT_EQ(p.textOf(chain.options[0].range), "ifindex=2");
  EXPECT_EQ(chain.options[1].key.text, "family");
  EXPECT_EQ(chain.options[1].value.text, "inet4");
  EXPECT_EQ(chain.policy.text, "DROP");
  expectLoc(chain.policy.range.begin, 1, 52, 51);
  EXPECT_EQ(p.textOf(chain.range),
            "chain my_chain BF_HOOK_XDP{ifindex=2,family=inet4} DROP");
}

TEST(ParserTest, ChainWithoutAndWithEmptyOptionBlock) {
  Parsed p("chain a BF_HOOK_TC_EGRESS NEXT\nchain b BF_HOOK_XDP{} ACCEPT");
  ASSERT_TRUE(p.ok);
  ASSERT_EQ(p.ruleset.chains.size(), 2u);
  EXPECT_FALSE(p.ruleset.chains[0].hasOptionBlock);
  EXPECT_TRUE(p.ruleset.chains[1].hasOptionBlock);
  EXPECT_TRUE(p.ruleset.chains[1].options.empty());
  EXPECT_EQ(p.ruleset.chains[0].policy.text, "NEXT");
}

TEST(ParserTest, RuleRangeCoversItsSourceText) {
  const std::string rule = "rule\n    ip4.saddr eq 10.0.0.1\n    counter\n"
                           "    DROP";
  Parsed p("chain c BF_HOOK_XDP ACCEPT\n  " + rule + "\n  rule ACCEPT\n");
  ASSERT_TRUE(p.ok);
  const ast::Chain &chain = p.ruleset.chains[0];
  ASSERT_EQ(chain.rules.size(), 2u);
  EXPECT_EQ(p.textOf(chain.rules[0].range), rule);
  EXPECT_EQ(chain.rules[0].keyword.text, "rule");
  expectLoc(chain.rules[0].range.begin, 2, 3, 29);
  EXPECT_EQ(p.textOf(chain.rules[1].range), "rule ACCEPT");
  // The chain extends to the end of its last rule.
  EXPECT_EQ(chain.range.end.offset, chain.rules[1].range.end.offset);
}

TEST(ParserTest, FieldMatcherShapes) {
  Parsed p("chain c BF_HOOK_XDP ACCEPT\n"
           "rule ip4.saddr 1.2.3.4 ip4.daddr not 5.6.7.8\n"
           "     tcp.dport not range 10-20 tcp.flags any syn,ack\n"
           "     meta.probability 12.5% ip6.snet fe80::/64 ip6.daddr ::\n"
           "     icmp.type eq echo-request meta.mark 0x10 ACCEPT\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  const auto &matchers = p.ruleset.chains[0].rules[0].matchers;
  ASSERT_EQ(matchers.size(), 9u);

  struct Expected {
    const char *type;
    bool negated;
    const char *op; // nullptr: no explicit operator
    const char *payload;
  } expected[] = {
      {"ip4.saddr", false, nullptr, "1.2.3.4"},
      {"ip4.daddr", true, nullptr, "5.6.7.8"},
      {"tcp.dport", true, "range", "10-20"},
      {"tcp.flags", false, "any", "syn,ack"},
      {"meta.probability", false, nullptr, "12.5%"},
      {"ip6.snet", false, nullptr, "fe80::/64"},
      {"ip6.daddr", false, nullptr, "::"},
      {"icmp.type", false, "eq", "echo-request"},
      {"meta.mark", false, nullptr, "0x10"},
  };
  for (size_t i = 0; i < std::size(expected); ++i) {
    SCOPED_TRACE(expected[i].type);
    const ast::Matcher &m = matchers[i];
    EXPECT_EQ(m.kind, ast::Matcher::Kind::Field);
    ASSERT_EQ(m.types.size(), 1u);
    EXPECT_EQ(m.types[0].text, expected[i].type);
    EXPECT_EQ(m.negate.has_value(), expected[i].negated);
    if (expected[i].op) {
      ASSERT_TRUE(m.op);
      EXPECT_EQ(m.op->text, expected[i].op);
    } else {
      EXPECT_FALSE(m.op);
    }
    EXPECT_EQ(m.payload.text, expected[i].payload);
    EXPECT_EQ(p.textOf(m.payload.range), expected[i].payload);
  }
  EXPECT_EQ(p.ruleset.chains[0].rules[0].verdict.name.text, "ACCEPT");
}

TEST(ParserTest, SetsWithSeparatorsAndMultiComponentKeys) {
  Parsed p("chain c BF_HOOK_XDP ACCEPT\n"
           "  set pairs (ip4.saddr, ip4.proto) in { 10.0.0.1, tcp; 10.0.0.2 ,"
           "udp\n"
           "      10.0.0.3,\n       icmp }\n"
           "  set empty (tcp.dport) in {}\n"
           "  rule (ip4.saddr, ip4.proto) not in pairs DROP\n"
           "  rule (tcp.dport) in { 22;80;\n\n 443; } ACCEPT\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  const ast::Chain &chain = p.ruleset.chains[0];
  ASSERT_EQ(chain.sets.size(), 2u);
  const ast::SetDecl &pairs = chain.sets[0];
  EXPECT_EQ(pairs.name.text, "pairs");
  ASSERT_EQ(pairs.key.size(), 2u);
  EXPECT_EQ(pairs.key[1].text, "ip4.proto");
  EXPECT_EQ(pairs.op.text, "in");
  ASSERT_EQ(pairs.elements.size(), 3u);
  EXPECT_EQ(pairs.elements[1].components[0].text, "10.0.0.2");
  EXPECT_EQ(pairs.elements[1].components[1].text, "udp");
  // A newline may follow a comma inside an element.
  EXPECT_EQ(pairs.elements[2].components[1].text, "icmp");
  EXPECT_EQ(p.textOf(pairs.elements[2].range), "10.0.0.3,\n       icmp");
  EXPECT_TRUE(chain.sets[1].elements.empty());

  const ast::Matcher &named = chain.rules[0].matchers[0];
  EXPECT_EQ(named.kind, ast::Matcher::Kind::SetNamed);
  EXPECT_TRUE(named.negate);
  EXPECT_EQ(named.payload.text, "pairs");
  ASSERT_EQ(named.types.size(), 2u);

  const ast::Matcher &inline_ = chain.rules[1].matchers[0];
  EXPECT_EQ(inline_.kind, ast::Matcher::Kind::SetInline);
  ASSERT_EQ(inline_.elements.size(), 3u);
  EXPECT_EQ(inline_.elements[2].components[0].text, "443");
  EXPECT_EQ(inline_.elements[2].range.begin.line, 9u);
}

TEST(ParserTest, RuleOptionsInAnyOrderAndRedirect) {
  Parsed p("chain c BF_HOOK_TC_INGRESS ACCEPT\n"
           "rule mark 0xff counter log link,internet every 1.5s "
           "REDIRECT eth1 in\n"
           "rule log counter CONTINUE\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  const ast::Rule &first = p.ruleset.chains[0].rules[0];
  ASSERT_EQ(first.options.size(), 3u);
  EXPECT_EQ(first.options[0].kind, ast::RuleOption::Kind::Mark);
  EXPECT_EQ(first.options[0].value.text, "0xff");
  EXPECT_EQ(first.options[1].kind, ast::RuleOption::Kind::Counter);
  EXPECT_EQ(first.options[2].kind, ast::RuleOption::Kind::Log);
  ASSERT_EQ(first.options[2].logHeaders.size(), 2u);
  EXPECT_EQ(first.options[2].logHeaders[1].text, "internet");
  ASSERT_TRUE(first.options[2].every);
  EXPECT_EQ(first.options[2].every->text, "1.5s");
  EXPECT_EQ(p.textOf(first.options[2].range), "log link,internet every 1.5s");
  EXPECT_EQ(first.verdict.name.text, "REDIRECT");
  ASSERT_TRUE(first.verdict.iface && first.verdict.direction);
  EXPECT_EQ(first.verdict.iface->text, "eth1");
  EXPECT_EQ(first.verdict.direction->text, "in");
  EXPECT_EQ(p.textOf(first.verdict.range), "REDIRECT eth1 in");

  const ast::Rule &second = p.ruleset.chains[0].rules[1];
  ASSERT_EQ(second.options.size(), 2u);
  EXPECT_TRUE(second.options[0].logHeaders.empty());
  EXPECT_FALSE(second.options[0].every);
}

TEST(ParserTest, CommentsAreIgnoredEverywhere) {
  Parsed p("# header\nchain c BF_HOOK_XDP{ifindex=1 # the NIC\n} ACCEPT # p\n"
           "rule (tcp.dport) in { 22 # ssh\n 80 } # web\n ACCEPT\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  const ast::Rule &rule = p.ruleset.chains[0].rules[0];
  ASSERT_EQ(rule.matchers[0].elements.size(), 2u);
  EXPECT_EQ(rule.matchers[0].elements[1].components[0].text, "80");
}

TEST(ParserTest, EmptyInputIsAnEmptyRuleset) {
  Parsed p("  # nothing here\n\n");
  EXPECT_TRUE(p.ok);
  EXPECT_TRUE(p.ruleset.chains.empty());
}

TEST(ParserTest, RecoversAndReportsSeveralErrors) {
  Parsed p("chain a BF_HOOK_XDP ACCEPT\n"
           "  rule ip4.saddr 1.2.3.4 foo\n"   // 2: not a verdict
           "  rule ACCEPT\n"                  // fine
           "chain b BF_HOOK_XDP\n"            // 4: no policy
           "  rule (tcp.dport) in { 22; 80\n" // 5: unterminated
           "  rule tcp.dport ACCEPT\n"        // 6: missing payload
           "chain c BF_HOOK_XDP ACCEPT\n"
           "  rule counter DROP\n");
  EXPECT_FALSE(p.ok);
  std::vector<std::string> errors = p.errors();
  ASSERT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "2:26: expected a verdict (ACCEPT, DROP, CONTINUE, "
                       "NEXT, REDIRECT) but found 'foo'");
  EXPECT_EQ(errors[1], "5:3: expected chain policy (ACCEPT, DROP, NEXT) but "
                       "found 'rule'");
  EXPECT_EQ(errors[2], "5:23: unterminated set '{'");
  EXPECT_EQ(errors[3], "6:18: expected a payload for 'tcp.dport' but found "
                       "'ACCEPT'");
  // Parsing went on: the last chain and its rule are in the AST.
  ASSERT_EQ(p.ruleset.chains.size(), 3u);
  EXPECT_EQ(p.ruleset.chains[2].name.text, "c");
  ASSERT_EQ(p.ruleset.chains[2].rules.size(), 1u);
  EXPECT_EQ(p.ruleset.chains[2].rules[0].verdict.name.text, "DROP");
  EXPECT_EQ(p.ruleset.chains[0].rules.size(), 2u);
}

TEST(ParserTest, StructuralErrors) {
  Parsed p("rule ACCEPT\n"
           "chain c BF_HOOK_XDP CONTINUE\n"
           "  rule ACCEPT\n"
           "  set late (ip4.saddr) in { 1.1.1.1 }\n"
           "  rule counter ip4.saddr 1.1.1.1 DROP\n"
           "  rule tcp.dport in { 22 } DROP\n"
           "  rule (ip4.saddr) in { 1.1.1.1 2.2.2.2 } DROP\n"
           "  rule REDIRECT eth0 up\n");
  EXPECT_FALSE(p.ok);
  std::vector<std::string> errors = p.errors();
  ASSERT_EQ(errors.size(), 7u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "1:1: rule outside of a chain: a ruleset starts with "
                       "'chain NAME HOOK POLICY'");
  EXPECT_EQ(errors[1], "2:21: 'CONTINUE' is not a valid chain policy: use "
                       "ACCEPT, DROP or NEXT");
  EXPECT_EQ(errors[2], "4:7: set 'late' must be declared before the rules of "
                       "chain 'c'");
  EXPECT_EQ(errors[3], "5:16: matchers come before the rule options: move "
                       "this matcher before 'counter'");
  EXPECT_EQ(errors[4], "6:18: a set needs its key in parentheses: write "
                       "'(tcp.dport) in { ... }'");
  EXPECT_EQ(errors[5], "7:33: expected ';' or a newline between set elements "
                       "but found '2.2.2.2'");
  EXPECT_EQ(errors[6], "8:22: expected a direction ('in' or 'out') after the "
                       "interface but found 'up'");
}

TEST(ParserTest, ErrorsComeInSourceOrderWithTheirNotes) {
  // The structural error (line 2) is found after the syntax error (line 3)
  // but reported first; the note stays with its error.
  Parsed p("chain c BF_HOOK_XDP ACCEPT\n"
           "  rule counter tcp.dport 1 ACCEPT\n"
           "  rule tcp.dport gt 80 ACCEPT\n");
  const auto &diags = p.diags.diagnostics();
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[0].range.begin.line, 2u);
  EXPECT_TRUE(diags[0].notes.empty());
  EXPECT_EQ(diags[1].severity, Severity::Error);
  EXPECT_EQ(diags[1].range.begin.line, 3u);
  ASSERT_EQ(diags[1].notes.size(), 1u);
  EXPECT_EQ(p.textOf(diags[1].notes[0].range), "gt");
}

TEST(ParserTest, ErrorLimitDropsErrorsAndTheirNotes) {
  SourceBuffer buffer("limit.bf", "chain c BF_HOOK_XDP ACCEPT\n"
                                  "  rule bad\n"
                                  "  rule tcp.dport gt 80 ACCEPT\n");
  DiagnosticEngine diags(&buffer);
  diags.setErrorLimit(1);
  ast::Ruleset ruleset;
  // Errors over the limit still make the parse fail.
  EXPECT_FALSE(parseRuleset(buffer, diags, ruleset));
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].range.begin.line, 2u);
  EXPECT_EQ(diags.suppressedErrorCount(), 1u);
}

TEST(ParserTest, ErrorAtEndOfInputPointsAfterTheLastToken) {
  Parsed p("chain c BF_HOOK_XDP ACCEPT\nrule ip4.saddr 1.2.3.4\n\n\n");
  ASSERT_EQ(p.errors().size(), 1u);
  EXPECT_EQ(p.errors()[0], "2:23: expected a verdict (ACCEPT, DROP, CONTINUE, "
                           "NEXT, REDIRECT) but found end of input");
}

TEST(ParserTest, NonAsciiTextKeepsByteColumns) {
  // "é" is two bytes: the column of `föo` counts bytes (like clang's); the
  // caret line counts characters, so it lines up under the text.
  const std::string text = "# café\nchain c BF_HOOK_XDP ACCEPT\n"
                           "rule meta.iface é föo\n";
  Parsed p(text);
  ASSERT_EQ(p.diags.diagnostics().size(), 1u);
  const Diagnostic &d = p.diags.diagnostics()[0];
  EXPECT_EQ(d.message, "expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, "
                       "REDIRECT) but found 'föo'");
  const size_t offset = text.find("föo");
  expectLoc(d.range.begin, 3, 20, static_cast<uint32_t>(offset));
  EXPECT_EQ(d.range.end.offset, offset + std::string("föo").size());
  EXPECT_EQ(p.textOf(d.range), "föo");
  // The payload before it kept its exact bytes too.
  EXPECT_EQ(p.ruleset.chains[0].rules[0].matchers[0].payload.text, "é");
  // The caret line lines up with the source line.
  std::string formatted = p.diags.format(d);
  EXPECT_NE(formatted.find("rule meta.iface é föo\n"
                           "                  ^~~\n"),
            std::string::npos)
      << formatted;
}

TEST(ParserTest, MalformedUtf8IsADiagnosticNotACrash) {
  Parsed p(std::string("chain c BF_HOOK_XDP ACCEPT\nrule \xff\xfe ACCEPT\n"
                       "rule ip4.saddr \xc3\x41 DROP\n"));
  EXPECT_FALSE(p.ok);
  std::vector<std::string> errors = p.errors();
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "2:6: expected a verdict (ACCEPT, DROP, CONTINUE, "
                       "NEXT, REDIRECT) but found '\\xff\\xfe'");
  // The malformed payload on line 3 is kept byte for byte for Sema.
  ASSERT_EQ(p.ruleset.chains[0].rules.size(), 2u);
  EXPECT_EQ(p.ruleset.chains[0].rules[1].matchers[0].payload.text, "\xc3\x41");
}

TEST(ParserTest, ByteOrderMarkIsSkipped) {
  Parsed p("\xEF\xBB\xBF"
           "chain c BF_HOOK_XDP ACCEPT\n");
  ASSERT_TRUE(p.ok) << p.errors().front();
  // Positions still count the mark's three bytes.
  expectLoc(p.ruleset.chains[0].range.begin, 1, 4, 3);
}

TEST(ParserTest, DumpASTIsStable) {
  Parsed p("chain c BF_HOOK_XDP{ifindex=3} ACCEPT\n"
           "  set s (ip4.saddr) in { 1.1.1.1 }\n"
           "  rule ip4.saddr not eq 2.2.2.2 (tcp.dport) in { 22 } log every 1s"
           " mark 7 REDIRECT 4 out\n");
  ASSERT_TRUE(p.ok);
  std::ostringstream os;
  dumpAST(p.ruleset, os);
  EXPECT_EQ(os.str(),
            "Ruleset\n"
            "  Chain <1:1> name='c' hook=BF_HOOK_XDP policy=ACCEPT\n"
            "    HookOptions count=1\n"
            "      HookOption <1:21> ifindex='3'\n"
            "    Set <2:3> name='s' key=(ip4.saddr) op=in elements=1\n"
            "      Element <2:26> '1.1.1.1'\n"
            "    Rule <3:3>\n"
            "      Matcher <3:8> type=ip4.saddr not op=eq payload='2.2.2.2'\n"
            "      SetMatcher <3:33> key=(tcp.dport) op=in elements=1\n"
            "        Element <3:50> '22'\n"
            "      Log <3:55> every='1s'\n"
            "      Mark <3:68> value='7'\n"
            "      Verdict <3:75> REDIRECT iface='4' dir=out\n");
}

// ---------------------------------------------------------------- fuzzing --

/// Checks the invariants every parse must keep, whatever the input.
void checkParseInvariants(const std::string &input) {
  Parsed p(input);
  const bool hasErrors = p.diags.hasErrors();
  ASSERT_EQ(p.ok, !hasErrors);
  for (const Diagnostic &d : p.diags.diagnostics()) {
    if (!d.range.isValid())
      continue;
    ASSERT_LE(d.range.begin.offset, input.size());
    ASSERT_LE(d.range.end.offset, input.size());
    ASSERT_LE(d.range.begin.offset, d.range.end.offset);
    SourceLoc recomputed = p.buffer.locForOffset(d.range.begin.offset);
    ASSERT_EQ(recomputed, d.range.begin);
    ASSERT_FALSE(p.diags.format(d).empty());
  }
  std::ostringstream os;
  dumpAST(p.ruleset, os); // must not crash on a partial AST either
}

TEST(ParserFuzzTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20240611);
  for (int i = 0; i < 400; ++i) {
    std::string input(rng() % 200, '\0');
    for (char &c : input)
      c = static_cast<char>(rng() & 0xFF);
    SCOPED_TRACE(i);
    checkParseInvariants(input);
  }
}

TEST(ParserFuzzTest, RandomTokenSoupNeverCrashes) {
  const std::vector<std::string> vocabulary = {
      "chain",     "rule",        "set",
      "not",       "counter",     "log",
      "every",     "mark",        "ACCEPT",
      "DROP",      "CONTINUE",    "NEXT",
      "REDIRECT",  "BF_HOOK_XDP", "BF_HOOK_NF_LOCAL_IN",
      "{",         "}",           "(",
      ")",         ",",           ";",
      "=",         "\n",          " ",
      "ip4.saddr", "tcp.dport",   "tcp.flags",
      "eq",        "in",          "any",
      "range",     "1.2.3.4",     "::1",
      "10-20",     "syn,ack",     "50%",
      "1.5s",      "eth0",        "out",
      "ifindex=2", "#c\n",        "x",
      "\xff",      "é",           "\t",
      "0x10"};
  std::mt19937 rng(7);
  for (int i = 0; i < 1500; ++i) {
    std::string input;
    const size_t count = rng() % 40;
    for (size_t t = 0; t < count; ++t) {
      input += vocabulary[rng() % vocabulary.size()];
      if (rng() % 3)
        input += ' ';
    }
    SCOPED_TRACE(input);
    checkParseInvariants(input);
  }
}

TEST(ParserFuzzTest, MutatedRulesetsNeverCrash) {
  const std::string seed =
      "chain c BF_HOOK_TC_INGRESS{ifindex=2} ACCEPT\n"
      "  set s (ip4.saddr, tcp.dport) in { 1.1.1.1, 22; 2.2.2.2, 80\n }\n"
      "  rule ip4.saddr not 1.2.3.4 tcp.flags any syn,ack log link every 1s\n"
      "       counter mark 0x1 REDIRECT eth0 out\n"
      "  rule (ip4.saddr, tcp.dport) in s (ip6.snet) in { ::/0 } DROP\n";
  std::mt19937 rng(99);
  for (int i = 0; i < 1500; ++i) {
    std::string input = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !input.empty(); ++e) {
      const size_t at = rng() % input.size();
      switch (rng() % 3) {
      case 0:
        input.erase(at, 1 + rng() % 8);
        break;
      case 1:
        input.insert(at, 1, "{}(),;=#\n x\xff"[rng() % 13]);
        break;
      default:
        input[at] = static_cast<char>(rng() & 0xFF);
        break;
      }
    }
    SCOPED_TRACE(input);
    checkParseInvariants(input);
  }
}

} // namespace
} // namespace bfc
