// lib/Test: test-file parsing and diagnostics, running cases through the
// interpreter, failure messages and JUnit escaping.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Test/JUnit.h"
#include "bfc/Test/TestRunner.h"

using namespace bfc;
using namespace bfc::rulesettest;

namespace {

constexpr const char *kRuleset = R"(chain guard BF_HOOK_TC_INGRESS ACCEPT
    rule tcp.dport eq 22 counter DROP
    rule udp.dport eq 53 counter CONTINUE
    rule udp.dport eq 53 mark 0x10 counter ACCEPT
chain conn BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4 DROP
    rule tcp.dport eq 443 counter ACCEPT
)";

class RulesetTest : public ::testing::Test {
protected:
  void SetUp() override {
    rulesetBuffer_ = std::make_unique<SourceBuffer>("fw.bf", kRuleset);
    DiagnosticEngine diags(rulesetBuffer_.get());
    ast::Ruleset ast;
    ASSERT_TRUE(parseRuleset(*rulesetBuffer_, diags, ast));
    module_ = lowerToBFIR(ast, *rulesetBuffer_, diags);
    ASSERT_TRUE(module_ && !diags.hasErrors());
  }

  /// Parses `text`; the diagnostics, one per line, go to `errors`.
  std::optional<TestFile> parse(const std::string &text) {
    buffers_.push_back(std::make_unique<SourceBuffer>("fw.bf.test", text));
    DiagnosticEngine diags(buffers_.back().get());
    std::optional<TestFile> file =
        parseTestFile(*buffers_.back(), *module_, diags);
    errors.clear();
    for (const Diagnostic &d : diags.diagnostics())
      errors += diags.format(d).substr(0, diags.format(d).find('\n')) + "\n";
    return file;
  }

  std::unique_ptr<SourceBuffer> rulesetBuffer_;
  std::optional<ir::Module> module_;
  std::vector<std::unique_ptr<SourceBuffer>> buffers_;
  std::string errors;
};

TEST_F(RulesetTest, ParsesCasesAndExpectations) {
  std::optional<TestFile> file = parse(R"(# comment
chain guard
ssh: eth/ip4/tcp(dport=22) -> DROP rule=0 counters=0   # trailing comment

dns: eth/ip4/udp(dport=53) -> accept counters=2,1 mark=0x10
other: eth/ip4/udp(dport=54) -> ACCEPT rule=policy counters=policy
chain conn
pg: sock4(proto=tcp,dst=10.0.0.1,dport=443) -> ACCEPT counters=none
)");
  ASSERT_TRUE(file) << errors;
  ASSERT_EQ(file->cases.size(), 4u);
  const TestCase &ssh = file->cases[0];
  EXPECT_EQ(ssh.name, "ssh");
  EXPECT_EQ(ssh.line, 3u);
  EXPECT_EQ(ssh.chain->name, "guard");
  EXPECT_EQ(ssh.spec, "eth/ip4/tcp(dport=22)");
  EXPECT_EQ(ssh.verdict, ir::Verdict::Drop);
  EXPECT_EQ(ssh.rule, 0u);
  EXPECT_EQ(*ssh.counters, std::vector<uint32_t>{0});
  const TestCase &dns = file->cases[1];
  EXPECT_EQ(dns.verdict, ir::Verdict::Accept);
  EXPECT_FALSE(dns.rule);
  EXPECT_EQ(*dns.counters, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(dns.mark, 0x10u);
  EXPECT_EQ(file->cases[2].rule, 3u); // the policy's slot
  EXPECT_EQ(*file->cases[2].counters, std::vector<uint32_t>{3});
  EXPECT_EQ(file->cases[3].chain->name, "conn");
  EXPECT_TRUE(std::holds_alternative<packet::SockAddr>(file->cases[3].input));
  EXPECT_TRUE(file->cases[3].counters->empty());
}

TEST_F(RulesetTest, ReportsErrorsWithColumns) {
  EXPECT_FALSE(parse("a: eth/ip4 -> DROP\n"));
  EXPECT_EQ(errors, "fw.bf.test:1:1: error: which chain? The ruleset has 2 "
                    "chains: put 'chain NAME' before the cases\n");

  EXPECT_FALSE(parse("chain nope\n"));
  EXPECT_EQ(errors, "fw.bf.test:1:7: error: the ruleset has no chain 'nope' "
                    "(its chains: guard, conn)\n");

  EXPECT_FALSE(parse("chain guard\n"
                     "a: eth/ip4 -> MAYBE\n"
                     "b: eth/ip4(bogus=1) -> DROP\n"
                     "c: eth/ip4 -> DROP rule=3\n"
                     "d: eth/ip4 -> DROP counters=0,oops\n"
                     "e: eth/ip4 DROP\n"
                     "f: eth/ip4 -> DROP mark=x colour=red\n"
                     "g: sock4(dport=1) -> DROP\n"
                     "no colon here -> DROP\n"));
  EXPECT_EQ(
      errors,
      "fw.bf.test:2:15: error: unknown verdict 'MAYBE' (expected "
      "ACCEPT, DROP, NEXT or REDIRECT)\n"
      "fw.bf.test:3:12: error: bad packet spec: unknown field 'bogus' "
      "for ip4 (expected one of: src, dst, ttl, tos, dscp, ecn, proto, "
      "id, flags, frag, ihl, opts, len, csum, ver)\n"
      "fw.bf.test:4:25: error: bad rule '3' (chain 'guard': rules are "
      "0 to 2, or policy)\n"
      "fw.bf.test:5:31: error: bad counter 'oops' (chain 'guard': rules "
      "are 0 to 2, or policy or errors; 'counters=none' when none "
      "moves)\n"
      "fw.bf.test:6:16: error: expected '-> VERDICT' after the packet "
      "spec\n"
      "fw.bf.test:7:25: error: bad mark 'x' (expected a 32-bit number, "
      "e.g. 42 or 0x2a)\n"
      "fw.bf.test:7:27: error: unknown expectation 'colour=red' "
      "(expected rule=, counters= or mark=)\n"
      "fw.bf.test:8:4: error: chain 'guard' (BF_HOOK_TC_INGRESS) cannot take "
      "this input: BF_HOOK_TC_INGRESS sees packets, not socket calls\n"
      "fw.bf.test:9:1: error: expected a case 'NAME: PACKET -> "
      "VERDICT' or 'chain NAME'\n");

  EXPECT_FALSE(parse("chain guard\na: eth/ip4 -> DROP\na: eth/ip6 -> DROP\n"));
  EXPECT_EQ(errors, "fw.bf.test:3:1: error: a case named 'a' already exists "
                    "in this file\n");
}

TEST_F(RulesetTest, RunsCasesThroughTheInterpreter) {
  std::optional<TestFile> file = parse(R"(chain guard
ssh: eth/ip4/tcp(dport=22) -> DROP rule=0 counters=0
dns: eth/ip4/udp(dport=53) -> ACCEPT rule=2 counters=1,2 mark=0x10
wrong: eth/ip4/tcp(dport=22) -> ACCEPT rule=policy
marks: eth/ip4/udp(dport=53) -> ACCEPT mark=0x11
counts: eth/ip4/udp(dport=53) -> ACCEPT counters=2
chain conn
pg: sock4(proto=tcp,dst=10.0.0.1,dport=443) -> ACCEPT rule=0
)");
  ASSERT_TRUE(file) << errors;
  std::vector<CaseResult> results;
  for (const TestCase &test : file->cases)
    results.push_back(runCase(*module_, test, "fw.bf"));
  EXPECT_TRUE(results[0].passed());
  EXPECT_TRUE(results[1].passed());
  EXPECT_TRUE(results[5].passed());
  ASSERT_EQ(results[2].failures.size(), 1u);
  EXPECT_EQ(failureLine("fw.bf.test", file->cases[2], results[2].failures[0]),
            "fw.bf.test:4: FAIL: wrong: eth/ip4/tcp(dport=22): expected "
            "ACCEPT (policy), got DROP (rule 0 at fw.bf:2)");
  ASSERT_EQ(results[3].failures.size(), 1u);
  EXPECT_EQ(results[3].failures[0],
            "expected ACCEPT (mark 0x11), got ACCEPT (rule 2 at fw.bf:4, mark "
            "0x10)");
  ASSERT_EQ(results[4].failures.size(), 1u);
  EXPECT_EQ(results[4].failures[0], "expected ACCEPT (counters 2), got ACCEPT "
                                    "(rule 2 at fw.bf:4, counters 1,2)");
}

TEST_F(RulesetTest, PolicyDecisionsNameTheChain) {
  std::optional<TestFile> file =
      parse("chain conn\nx: sock4(proto=udp,dport=1) -> ACCEPT\n");
  ASSERT_TRUE(file) << errors;
  CaseResult result = runCase(*module_, file->cases[0], "fw.bf");
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0], "expected ACCEPT, got DROP (policy of chain "
                                "'conn' at fw.bf:5)");
}

TEST(JUnit, EscapesMarkupAndControls) {
  EXPECT_EQ(escapeXml("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(escapeXml("bell\x07"), "bell\\x07");
  std::ostringstream xml;
  writeJUnit(
      xml, {{"t&.test",
             {{"ok", "c", {}, {}}, {"bad<", "c", {"expected \"DROP\""}, {}}}}});
  EXPECT_NE(xml.str().find("<testsuite name=\"t&amp;.test\" tests=\"2\" "
                           "failures=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.str().find("<testcase name=\"bad&lt;\" classname=\"c\">\n"
                           "      <failure message=\"expected "
                           "&quot;DROP&quot;\">"),
            std::string::npos);
}

} // namespace

namespace {

TEST(RulesetTestIfaces, NamedInterfacesComeFromIfaceLines) {
  SourceBuffer ruleset("if.bf", "chain c BF_HOOK_TC_INGRESS ACCEPT\n"
                                "    rule meta.iface eq wan0 DROP\n");
  DiagnosticEngine rulesetDiags(&ruleset);
  ast::Ruleset ast;
  ASSERT_TRUE(parseRuleset(ruleset, rulesetDiags, ast));
  std::optional<ir::Module> module = lowerToBFIR(ast, ruleset, rulesetDiags);
  ASSERT_TRUE(module && !rulesetDiags.hasErrors());

  SourceBuffer missing("if.test", "x: meta(ifindex=3)/eth/ip4 -> DROP\n");
  DiagnosticEngine missingDiags(&missing);
  EXPECT_FALSE(parseTestFile(missing, *module, missingDiags));
  ASSERT_EQ(missingDiags.diagnostics().size(), 1u);
  EXPECT_NE(missingDiags.diagnostics()[0].message.find("'iface NAME=INDEX'"),
            std::string::npos);

  SourceBuffer given("if.test", "iface wan0=3\n"
                                "wan: meta(ifindex=3)/eth/ip4 -> DROP rule=0\n"
                                "lan: meta(ifindex=4)/eth/ip4 -> ACCEPT\n"
                                "iface wan0=4\n"
                                "moved: meta(ifindex=4)/eth/ip4 -> DROP\n");
  DiagnosticEngine givenDiags(&given);
  std::optional<TestFile> file = parseTestFile(given, *module, givenDiags);
  ASSERT_TRUE(file);
  ASSERT_EQ(file->cases.size(), 3u);
  EXPECT_EQ(file->cases[0].ifaces.at("wan0"), 3u);
  EXPECT_EQ(file->cases[2].ifaces.at("wan0"), 4u);
  for (const TestCase &test : file->cases)
    EXPECT_TRUE(runCase(*module, test, "if.bf").passed()) << test.name;
}

} // namespace
