// lowerToBFIR on hand-built ASTs: the BFIR it produces (fields, bytes,
// prefixes, host slots, sets) and the diagnostics it reports, independently
// of the parser.

#include "bfc/Sema/Sema.h"

#include <gtest/gtest.h>

namespace bfc {
namespace {

/// Builds AST tokens whose ranges point into a source text, in order: each
/// `tok()` finds the next occurrence of its text as a whole word.
class Source {
public:
  explicit Source(std::string text) : buffer_("test.bf", std::move(text)) {}

  ast::Token tok(const std::string &text) {
    const std::string &src = buffer_.text();
    size_t pos = cursor_;
    while (true) {
      pos = src.find(text, pos);
      if (pos == std::string::npos) {
        ADD_FAILURE() << "token '" << text << "' not found after " << cursor_;
        return {text, {}};
      }
      bool startOk = pos == 0 || std::string(" \n\t{(,;=").find(src[pos - 1]) !=
                                     std::string::npos;
      size_t end = pos + text.size();
      bool endOk =
          end == src.size() ||
          std::string(" \n\t{}),;=").find(src[end]) != std::string::npos;
      if (startOk && endOk)
        break;
      ++pos;
    }
    cursor_ = pos + text.size();
    return {text, {buffer_.locForOffset(pos), buffer_.locForOffset(cursor_)}};
  }

  const SourceBuffer &buffer() const { return buffer_; }

private:
  SourceBuffer buffer_;
  size_t cursor_ = 0;
};

SourceRange join(const ast::Token &a, const ast::Token &b) {
  return {a.range.begin, b.range.end};
}

/// `TYPE [not] [OP] PAYLOAD`
ast::Matcher field(Source &s, const std::string &type, const std::string &op,
                   const std::string &payload, bool negate = false) {
  ast::Matcher m;
  m.types.push_back(s.tok(type));
  if (negate)
    m.negate = s.tok("not");
  if (!op.empty())
    m.op = s.tok(op);
  m.payload = s.tok(payload);
  m.range = join(m.types.front(), m.payload);
  return m;
}

ast::Verdict verdict(Source &s, const std::string &name) {
  ast::Verdict v;
  v.name = s.tok(name);
  v.range = v.name.range;
  return v;
}

ast::Chain chain(Source &s, const std::string &name, const std::string &hook,
                 const std::string &policy) {
  ast::Chain c;
  s.tok("chain");
  c.name = s.tok(name);
  c.hook = s.tok(hook);
  c.policy = s.tok(policy);
  c.range = join(c.name, c.policy);
  return c;
}

struct Result {
  std::optional<ir::Module> module;
  std::vector<Diagnostic> diags;
};

Result lower(const Source &s, const ast::Ruleset &ruleset) {
  DiagnosticEngine diags(&s.buffer());
  Result r;
  r.module = lowerToBFIR(ruleset, s.buffer(), diags);
  r.diags = diags.diagnostics();
  return r;
}

/// A single-rule ruleset: `chain c HOOK ACCEPT rule MATCHER DROP`.
struct OneRule {
  Source src;
  ast::Ruleset ruleset;

  OneRule(const std::string &hook, const std::string &type,
          const std::string &op, const std::string &payload,
          bool negate = false)
      : src("chain c " + hook + " ACCEPT rule " + type +
            (negate ? " not" : "") + (op.empty() ? "" : " " + op) + " " +
            payload + " DROP") {
    ast::Chain c = chain(src, "c", hook, "ACCEPT");
    ast::Rule rule;
    rule.keyword = src.tok("rule");
    rule.matchers.push_back(field(src, type, op, payload, negate));
    rule.verdict = verdict(src, "DROP");
    rule.range = join(rule.keyword, rule.verdict.name);
    c.rules.push_back(rule);
    ruleset.chains.push_back(c);
  }

  const ir::Predicate &predicate(const Result &r) {
    return r.module->chains.at(0).rules.at(0).predicates.at(0);
  }
};

TEST(SemaLowering, PortBecomesBigEndianField) {
  OneRule t("BF_HOOK_XDP", "tcp.dport", "", "443");
  Result r = lower(t.src, t.ruleset);
  ASSERT_TRUE(r.module);
  const ir::Predicate &p = t.predicate(r);
  EXPECT_EQ(p.kind, ir::Predicate::Kind::Field);
  EXPECT_EQ(p.field, ir::FieldId::TcpDport);
  EXPECT_EQ(p.op, ir::CmpOp::Eq);
  EXPECT_EQ(p.value, (ir::Bytes{0x01, 0xbb}));
  EXPECT_FALSE(p.negate);
  EXPECT_EQ(p.text, "tcp.dport 443");
  const ir::Rule &rule = r.module->chains[0].rules[0];
  EXPECT_EQ(rule.text, "rule tcp.dport 443 DROP");
  EXPECT_EQ(rule.index, 0u);
  EXPECT_EQ(rule.verdict, ir::Verdict::Drop);
}

TEST(SemaLowering, MetaPortsUseTheL4Fields) {
  OneRule t("BF_HOOK_XDP", "meta.sport", "range", "1024-65535", true);
  Result r = lower(t.src, t.ruleset);
  ASSERT_TRUE(r.module);
  const ir::Predicate &p = t.predicate(r);
  EXPECT_EQ(p.field, ir::FieldId::L4Sport);
  EXPECT_EQ(p.op, ir::CmpOp::Range);
  EXPECT_EQ(p.value, (ir::Bytes{0x04, 0x00}));
  EXPECT_EQ(p.high, (ir::Bytes{0xff, 0xff}));
  EXPECT_TRUE(p.negate);
}

TEST(SemaLowering, NetworkIsEqWithPrefix) {
  OneRule t("BF_HOOK_XDP", "ip4.dnet", "eq", "192.168.0.0/16");
  Result r = lower(t.src, t.ruleset);
  ASSERT_TRUE(r.module);
  const ir::Predicate &p = t.predicate(r);
  EXPECT_EQ(p.field, ir::FieldId::Ip4Daddr);
  EXPECT_EQ(p.op, ir::CmpOp::Eq);
  EXPECT_EQ(p.value, (ir::Bytes{192, 168, 0, 0}));
  ASSERT_TRUE(p.prefixLen);
  EXPECT_EQ(*p.prefixLen, 16);
}

TEST(SemaLowering, Ipv6AddressHasNoPrefix) {
  OneRule t("BF_HOOK_TC_INGRESS", "ip6.saddr", "", "2001:db8::1");
  Result r = lower(t.src, t.ruleset);
  ASSERT_TRUE(r.module);
  const ir::Predicate &p = t.predicate(r);
  EXPECT_EQ(p.field, ir::FieldId::Ip6Saddr);
  ASSERT_EQ(p.value.size(), 16u);
  EXPECT_EQ(p.value[0], 0x20);
  EXPECT_EQ(p.value[1], 0x01);
  EXPECT_EQ(p.value[15], 0x01);
  EXPECT_FALSE(p.prefixLen);
}

TEST(SemaLowering, NexthdrWalksTheHeaderChain) {
  OneRule t("BF_HOOK_XDP", "ip6.nexthdr", "eq", "frag");
  Result r = lower(t.src, t.ruleset);
  ASSERT_TRUE(r.module);
  const ir::Predicate &p = t.predicate(r);
  EXPECT_EQ(p.kind, ir::Predicate::Kind::Ip6HeaderChain);
  EXPECT_EQ(p.protocol, 44);
}

TEST(SemaLowering, ProbabilitiesArePredicatesOfTheirOwn) {
  OneRule random("BF_HOOK_XDP", "meta.probability", "", "12.5%");
  Result r = lower(random.src, random.ruleset);
  ASSERT_TRUE(r.module);
  EXPECT_EQ(random.predicate(r).kind, ir::Predicate::Kind::Probability);
  EXPECT_DOUBLE_EQ(random.predicate(r).percent, 12.5);
  EXPECT_FALSE(random.predicate(r).perFlow);

  OneRule flow("BF_HOOK_TC_EGRESS", "meta.flow_probability", "eq", "50%");
  Result f = lower(flow.src, flow.ruleset);
  ASSERT_TRUE(f.module);
  EXPECT_TRUE(flow.predicate(f).perFlow);
}

TEST(SemaLowering, TcpFlagsOperators) {
  for (auto [op, cmp] :
       {std::pair{"eq", ir::CmpOp::Eq}, std::pair{"any", ir::CmpOp::AnyBits},
        std::pair{"all", ir::CmpOp::AllBits}}) {
    OneRule t("BF_HOOK_XDP", "tcp.flags", op, "syn,ack");
    Result r = lower(t.src, t.ruleset);
    ASSERT_TRUE(r.module) << op;
    EXPECT_EQ(t.predicate(r).op, cmp);
    EXPECT_EQ(t.predicate(r).value, (ir::Bytes{0x12}));
  }
}

TEST(SemaLowering, MaskedAndMetadataFields) {
  OneRule dscp("BF_HOOK_XDP", "ip6.dscp", "", "ef");
  Result r = lower(dscp.src, dscp.ruleset);
  ASSERT_TRUE(r.module);
  EXPECT_EQ(dscp.predicate(r).field, ir::FieldId::Ip6Dscp);
  EXPECT_EQ(dscp.predicate(r).value, (ir::Bytes{46}));

  OneRule mark("BF_HOOK_TC_INGRESS", "meta.mark", "", "0x10203");
  r = lower(mark.src, mark.ruleset);
  ASSERT_TRUE(r.module);
  EXPECT_EQ(mark.predicate(r).value, (ir::Bytes{0x00, 0x01, 0x02, 0x03}));

  OneRule l3("BF_HOOK_XDP", "meta.l3_proto", "", "ipv6");
  r = lower(l3.src, l3.ruleset);
  ASSERT_TRUE(r.module);
  EXPECT_EQ(l3.predicate(r).field, ir::FieldId::MetaL3Proto);
  EXPECT_EQ(l3.predicate(r).value, (ir::Bytes{0x86, 0xdd}));
}

TEST(SemaLowering, InterfacesBecomeHostSlotsOrIndexes) {
  Source s("chain c BF_HOOK_TC_INGRESS ACCEPT "
           "rule meta.iface eth0 meta.iface 7 REDIRECT eth0 out "
           "rule meta.iface wlan1 REDIRECT 4 in");
  ast::Ruleset rs;
  ast::Chain c = chain(s, "c", "BF_HOOK_TC_INGRESS", "ACCEPT");
  ast::Rule r1;
  r1.keyword = s.tok("rule");
  r1.matchers.push_back(field(s, "meta.iface", "", "eth0"));
  r1.matchers.push_back(field(s, "meta.iface", "", "7"));
  r1.verdict = verdict(s, "REDIRECT");
  r1.verdict.iface = s.tok("eth0");
  r1.verdict.direction = s.tok("out");
  ast::Rule r2;
  r2.keyword = s.tok("rule");
  r2.matchers.push_back(field(s, "meta.iface", "", "wlan1"));
  r2.verdict = verdict(s, "REDIRECT");
  r2.verdict.iface = s.tok("4");
  r2.verdict.direction = s.tok("in");
  c.rules = {r1, r2};
  rs.chains.push_back(c);

  Result r = lower(s, rs);
  ASSERT_TRUE(r.module);
  // One slot per interface name, shared by all uses.
  ASSERT_EQ(r.module->hostSlots.size(), 2u);
  EXPECT_EQ(r.module->hostSlots[0].name, "eth0");
  EXPECT_EQ(r.module->hostSlots[1].name, "wlan1");
  const ir::Rule &rule1 = r.module->chains[0].rules[0];
  EXPECT_EQ(rule1.predicates[0].kind, ir::Predicate::Kind::Iface);
  EXPECT_EQ(rule1.predicates[0].hostSlot, std::optional<uint32_t>(0));
  EXPECT_FALSE(rule1.predicates[1].hostSlot);
  EXPECT_EQ(rule1.predicates[1].ifindex, 7u);
  EXPECT_EQ(rule1.verdict, ir::Verdict::Redirect);
  EXPECT_EQ(rule1.redirectSlot, std::optional<uint32_t>(0));
  EXPECT_EQ(rule1.redirectDir, ir::RedirectDir::Out);
  const ir::Rule &rule2 = r.module->chains[0].rules[1];
  EXPECT_EQ(rule2.index, 1u);
  EXPECT_EQ(rule2.predicates[0].hostSlot, std::optional<uint32_t>(1));
  EXPECT_FALSE(rule2.redirectSlot);
  EXPECT_EQ(rule2.redirectIfindex, 4u);
  EXPECT_EQ(rule2.redirectDir, ir::RedirectDir::In);
}

TEST(SemaLowering, SetsPackTheirKeys) {
  Source s("chain c BF_HOOK_XDP DROP "
           "set svc (ip4.daddr, tcp.dport) in { 10.0.0.1, 22; 10.0.0.2, 443 } "
           "set nets (ip6.snet) in { fd00::/8 } "
           "rule (ip4.daddr, tcp.dport) in svc ACCEPT "
           "rule (ip6.snet) not in nets (udp.dport) in { 53 } ACCEPT");
  ast::Ruleset rs;
  ast::Chain c = chain(s, "c", "BF_HOOK_XDP", "DROP");

  ast::SetDecl svc;
  s.tok("set");
  svc.name = s.tok("svc");
  svc.key = {s.tok("ip4.daddr"), s.tok("tcp.dport")};
  svc.op = s.tok("in");
  ast::SetElement e1, e2;
  e1.components = {s.tok("10.0.0.1"), s.tok("22")};
  e2.components = {s.tok("10.0.0.2"), s.tok("443")};
  svc.elements = {e1, e2};
  ast::SetDecl nets;
  s.tok("set");
  nets.name = s.tok("nets");
  nets.key = {s.tok("ip6.snet")};
  nets.op = s.tok("in");
  ast::SetElement n1;
  n1.components = {s.tok("fd00::/8")};
  nets.elements = {n1};
  c.sets = {svc, nets};

  ast::Rule r1;
  r1.keyword = s.tok("rule");
  ast::Matcher named;
  named.kind = ast::Matcher::Kind::SetNamed;
  named.types = {s.tok("ip4.daddr"), s.tok("tcp.dport")};
  named.op = s.tok("in");
  named.payload = s.tok("svc");
  r1.matchers.push_back(named);
  r1.verdict = verdict(s, "ACCEPT");
  ast::Rule r2;
  r2.keyword = s.tok("rule");
  ast::Matcher negated;
  negated.kind = ast::Matcher::Kind::SetNamed;
  negated.types = {s.tok("ip6.snet")};
  negated.negate = s.tok("not");
  negated.op = s.tok("in");
  negated.payload = s.tok("nets");
  ast::Matcher inline_;
  inline_.kind = ast::Matcher::Kind::SetInline;
  inline_.types = {s.tok("udp.dport")};
  inline_.op = s.tok("in");
  ast::SetElement i1;
  i1.components = {s.tok("53")};
  inline_.elements = {i1};
  r2.matchers = {negated, inline_};
  r2.verdict = verdict(s, "ACCEPT");
  c.rules = {r1, r2};
  rs.chains.push_back(c);

  Result r = lower(s, rs);
  ASSERT_TRUE(r.module);
  const ir::Chain &out = r.module->chains[0];
  ASSERT_EQ(out.sets.size(), 3u);

  const ir::Set &svcSet = out.sets[0];
  EXPECT_EQ(svcSet.name, "svc");
  EXPECT_FALSE(svcSet.lpm);
  EXPECT_FALSE(svcSet.anonymous);
  EXPECT_EQ(svcSet.key, (std::vector<ir::FieldId>{ir::FieldId::Ip4Daddr,
                                                  ir::FieldId::TcpDport}));
  EXPECT_EQ(svcSet.keySize(), 6u);
  ASSERT_EQ(svcSet.elements.size(), 2u);
  EXPECT_EQ(svcSet.elements[0].key, (ir::Bytes{10, 0, 0, 1, 0, 22}));
  EXPECT_EQ(svcSet.elements[1].key, (ir::Bytes{10, 0, 0, 2, 0x01, 0xbb}));

  const ir::Set &netSet = out.sets[1];
  EXPECT_TRUE(netSet.lpm);
  EXPECT_EQ(netSet.key, (std::vector<ir::FieldId>{ir::FieldId::Ip6Saddr}));
  ASSERT_EQ(netSet.elements.size(), 1u);
  EXPECT_EQ(netSet.elements[0].prefixLen, 8);
  EXPECT_EQ(netSet.elements[0].key.size(), 16u);
  EXPECT_EQ(netSet.elements[0].key[0], 0xfd);

  const ir::Set &anon = out.sets[2];
  EXPECT_TRUE(anon.anonymous);
  EXPECT_EQ(anon.name, "__anon0");
  ASSERT_EQ(anon.elements.size(), 1u);
  EXPECT_EQ(anon.elements[0].key, (ir::Bytes{0, 53}));

  const ir::Predicate &p1 = out.rules[0].predicates[0];
  EXPECT_EQ(p1.kind, ir::Predicate::Kind::Set);
  EXPECT_EQ(p1.set, 0u);
  EXPECT_FALSE(p1.negate);
  EXPECT_EQ(out.rules[1].predicates[0].set, 1u);
  EXPECT_TRUE(out.rules[1].predicates[0].negate);
  EXPECT_EQ(out.rules[1].predicates[1].set, 2u);
}

TEST(SemaLowering, HookOptionsAndPolicy) {
  Source s("chain c BF_HOOK_NF_LOCAL_IN{priorities=5-6,family=inet4} NEXT");
  ast::Ruleset rs;
  ast::Chain c;
  s.tok("chain");
  c.name = s.tok("c");
  c.hook = s.tok("BF_HOOK_NF_LOCAL_IN");
  c.hasOptionBlock = true;
  ast::HookOption prio, family;
  prio.key = s.tok("priorities");
  prio.value = s.tok("5-6");
  family.key = s.tok("family");
  family.value = s.tok("inet4");
  c.options = {prio, family};
  c.policy = s.tok("NEXT");
  rs.chains.push_back(c);

  Result r = lower(s, rs);
  ASSERT_TRUE(r.module);
  const ir::Chain &out = r.module->chains[0];
  EXPECT_EQ(out.hook, ir::Hook::NfLocalIn);
  EXPECT_EQ(out.policy, ir::Verdict::Next);
  EXPECT_TRUE(out.hasOptions);
  ASSERT_TRUE(out.options.priorities);
  EXPECT_EQ(out.options.priorities->first, 5);
  EXPECT_EQ(out.options.priorities->second, 6);
  EXPECT_TRUE(out.options.familyGiven);
  EXPECT_FALSE(out.options.ifindex);
  // family= is deprecated: one warning, no error.
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].severity, Severity::Warning);
}

TEST(SemaLowering, RuleOptions) {
  Source s("chain c BF_HOOK_TC_EGRESS ACCEPT "
           "rule log transport every 2ms counter mark 0x2a CONTINUE");
  ast::Ruleset rs;
  ast::Chain c = chain(s, "c", "BF_HOOK_TC_EGRESS", "ACCEPT");
  ast::Rule rule;
  rule.keyword = s.tok("rule");
  ast::RuleOption log, counter, mark;
  log.kind = ast::RuleOption::Kind::Log;
  log.keyword = s.tok("log");
  log.logHeaders = {s.tok("transport")};
  s.tok("every");
  log.every = s.tok("2ms");
  counter.kind = ast::RuleOption::Kind::Counter;
  counter.keyword = s.tok("counter");
  mark.kind = ast::RuleOption::Kind::Mark;
  mark.keyword = s.tok("mark");
  mark.value = s.tok("0x2a");
  rule.options = {log, counter, mark};
  rule.verdict = verdict(s, "CONTINUE");
  c.rules.push_back(rule);
  rs.chains.push_back(c);

  Result r = lower(s, rs);
  ASSERT_TRUE(r.module);
  const ir::Rule &out = r.module->chains[0].rules[0];
  EXPECT_TRUE(out.log.enabled);
  EXPECT_EQ(out.log.headers, ir::kLogTransport);
  EXPECT_EQ(out.log.rateNs, 2'000'000u);
  EXPECT_TRUE(out.counter);
  EXPECT_EQ(out.mark, std::optional<uint32_t>(42));
  EXPECT_EQ(out.verdict, ir::Verdict::Continue);
  EXPECT_TRUE(out.predicates.empty()); // zero matchers is a valid rule
  EXPECT_TRUE(r.diags.empty());
}

TEST(SemaDiagnostics, ReportsEveryErrorWithItsLocation) {
  Source s("chain c BF_HOOK_XDP ACCEPT "
           "rule tcp.dport 70000 ip4.saddr range 1.1.1.1 meta.mark 3 DROP");
  ast::Ruleset rs;
  ast::Chain c = chain(s, "c", "BF_HOOK_XDP", "ACCEPT");
  ast::Rule rule;
  rule.keyword = s.tok("rule");
  rule.matchers.push_back(field(s, "tcp.dport", "", "70000"));
  rule.matchers.push_back(field(s, "ip4.saddr", "range", "1.1.1.1"));
  rule.matchers.push_back(field(s, "meta.mark", "", "3"));
  rule.verdict = verdict(s, "DROP");
  c.rules.push_back(rule);
  rs.chains.push_back(c);

  Result r = lower(s, rs);
  EXPECT_FALSE(r.module);
  std::vector<Diagnostic> errors;
  for (const Diagnostic &d : r.diags)
    if (d.severity == Severity::Error)
      errors.push_back(d);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].message, "invalid port '70000': must be in 0..65535");
  EXPECT_EQ(errors[0].range.begin.column, 43u);
  EXPECT_EQ(errors[1].message,
            "operator 'range' is not supported by 'ip4.saddr' (supported: eq)");
  EXPECT_EQ(errors[1].range.begin.column, 59u);
  EXPECT_EQ(errors[2].message,
            "matcher 'meta.mark' is not supported by hook BF_HOOK_XDP");
  EXPECT_EQ(errors[2].range.begin.column, 73u);
}

TEST(SemaDiagnostics, CaretNarrowsToTheCulprit) {
  OneRule t("BF_HOOK_XDP", "tcp.flags", "any", "syn,bogus");
  Result r = lower(t.src, t.ruleset);
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.diags.size(), 1u);
  // "chain c BF_HOOK_XDP ACCEPT rule tcp.flags any syn,bogus DROP"
  EXPECT_EQ(r.diags[0].range.begin.column, 51u);
  EXPECT_EQ(r.diags[0].range.end.column, 56u);
}

TEST(SemaDiagnostics, UnknownNamesGetSuggestions) {
  OneRule t("BF_HOOK_XDP", "tcp.dprt", "", "80");
  Result r = lower(t.src, t.ruleset);
  ASSERT_FALSE(r.module);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].message,
            "unknown matcher 'tcp.dprt'; did you mean 'tcp.dport'?");
}

TEST(SemaDiagnostics, TokensWithoutRangesDoNotCrash) {
  // An AST built without source positions (e.g. by a tool) still lowers.
  SourceBuffer buffer("none", "");
  ast::Ruleset rs;
  ast::Chain c;
  c.name.text = "c";
  c.hook.text = "BF_HOOK_XDP";
  c.policy.text = "DROP";
  ast::Rule rule;
  ast::Matcher m;
  m.types.push_back({"tcp.flags", {}});
  m.payload.text = "fin,nope";
  rule.matchers.push_back(m);
  rule.verdict.name.text = "ACCEPT";
  c.rules.push_back(rule);
  rs.chains.push_back(c);
  DiagnosticEngine diags(&buffer);
  EXPECT_FALSE(lowerToBFIR(rs, buffer, diags));
  ASSERT_EQ(diags.errorCount(), 1u);
  EXPECT_FALSE(diags.diagnostics()[0].range.isValid());
}

TEST(SemaDiagnostics, TokensWithBogusRangesDoNotCrash) {
  // Ranges past the end of the buffer (a stale AST) fall back to the token's
  // own range instead of reading out of bounds.
  SourceBuffer buffer("short", "chain");
  SourceLoc far{9, 1, 1000};
  SourceLoc farther{9, 9, 1008};
  ast::Ruleset rs;
  ast::Chain c;
  c.name = {"c", {far, farther}};
  c.hook = {"BF_HOOK_XDP", {far, farther}};
  c.policy = {"DROP", {far, farther}};
  ast::Rule rule;
  rule.range = {far, farther};
  ast::Matcher m;
  m.types.push_back({"tcp.flags", {far, farther}});
  m.payload = {"fin,nope", {far, farther}};
  m.range = {far, farther};
  rule.matchers.push_back(m);
  rule.verdict.name = {"ACCEPT", {far, farther}};
  c.rules.push_back(rule);
  rs.chains.push_back(c);
  DiagnosticEngine diags(&buffer);
  EXPECT_FALSE(lowerToBFIR(rs, buffer, diags));
  ASSERT_EQ(diags.errorCount(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].range.begin.offset, 1000u);
}

} // namespace
} // namespace bfc
