// BFIR reader errors, each checked whole: every diagnostic of the text with
// its line and column, in order. The reader records a line's first error and
// reads no further, so each bad line gives exactly one diagnostic, and a
// line that failed leaves no trace (no host slot, chain, set or rule, no
// header) that could change what later lines report.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bfc/IR/Reader.h"

using namespace bfc;
using namespace bfc::ir;

namespace {

/// "LINE:COLUMN: message" of each error, in order.
std::vector<std::string> errorsOf(const std::string &text) {
  SourceBuffer buffer("test.bfir", text);
  DiagnosticEngine diags(&buffer);
  std::optional<Module> module = readModule(buffer, diags);
  EXPECT_FALSE(module.has_value()) << text;
  std::vector<std::string> errors;
  for (const Diagnostic &d : diags.diagnostics())
    errors.push_back(std::to_string(d.range.begin.line) + ":" +
                     std::to_string(d.range.begin.column) + ": " + d.message);
  return errors;
}

constexpr const char *kHeader = "bfir module \"m\"\n";
constexpr const char *kChain =
    "bfir module \"m\"\nchain c BF_HOOK_TC_INGRESS policy ACCEPT\n";

struct BadText {
  const char *before; ///< kHeader, kChain or ""
  const char *text;
  std::vector<std::string> errors;
};

TEST(ReaderErrors, EachBadLineGivesItsFirstErrorOnly) {
  const BadText cases[] = {
      {kHeader,
       "chain c BF_HOOK_XDP {ifindex=1 policy ACCEPT\n",
       {"2:22: missing '}'"}},
      {kHeader,
       "chain c BF_HOOK_XDP {ifindex} policy ACCEPT\n",
       {"2:22: expected OPTION=VALUE, found 'ifindex'"}},
      {kHeader,
       "chain c BF_HOOK_NF_LOCAL_IN {priorities=1} policy ACCEPT\n",
       {"2:41: expected priorities=A-B, found '1'"}},
      {kHeader,
       "chain c BF_HOOK_CGROUP_SKB_EGRESS {cgpath=/x} policy ACCEPT\n",
       {"2:43: expected a quoted string"}},
      {kHeader,
       "chain c BF_HOOK_CGROUP_SKB_EGRESS {cgpath=\"\\xZZ\"} policy ACCEPT\n",
       {"2:46: bad \\x escape"}},
      {kHeader,
       "chain c BF_HOOK_CGROUP_SKB_EGRESS {cgpath=\"/x\"ifindex=1} policy "
       "ACCEPT\n",
       {"2:47: expected ',' between hook options"}},
      {kHeader,
       "chain c BF_HOOK_XDP policy ACCEPT extra\n",
       {"2:35: unexpected 'extra'"}},
      {kHeader, "chain c BF_HOOK_XDP\n", {"2:20: expected 'policy'"}},
      {kHeader, "chain\n", {"2:6: expected a name"}},
      {kHeader,
       "rule 0\n",
       {"2:1: expected 'host_slot' or 'chain', found 'rule'"}},
      {kHeader,
       "host_slot x iface \"a\"\n",
       {"2:11: expected a slot index (at most 4294967295), found 'x'"}},
      {kHeader, "host_slot 0 iface eth0\n", {"2:19: expected a quoted string"}},
      {kHeader, "host_slot 0 iface \"eth0\n", {"2:19: unterminated string"}},
      {kHeader,
       "host_slot 0 iface \"eth0\" x\nhost_slot 1 iface \"lo\"\n",
       {"2:26: unexpected 'x'"}},
      {"",
       "bfir module m\nchain c BF_HOOK_XDP policy ACCEPT\n",
       {"1:13: expected a quoted string",
        "2:1: expected 'bfir module \"NAME\"' at the start",
        "1:1: expected 'bfir module \"NAME\"' at the start"}},
      {kChain, "  sets 0\n", {"3:3: expected 'set' or 'rule', found 'sets'"}},
      // An empty field name is pointed at where it is missing.
      {kChain, "  set 0 s () exact\n", {"3:12: unknown field ''"}},
      {kChain, "  set 0 s (ip4.saddr,  ) exact\n", {"3:24: unknown field ''"}},
      {kChain,
       "  rule 0\n    verdict DROP\n  set 0 s (ip4.saddr) exact\n",
       {"5:3: sets come before the rules of their chain"}},
      {kChain,
       "  set 0 s (ip4.saddr) hash\n    1.2.3.4\n  set 1 t (ip4.saddr) exact\n",
       {"3:23: expected 'exact' or 'lpm'",
        "5:7: set 1 out of order (expected 0)"}},
      {kChain, "  set 0 s ip4.saddr exact\n", {"3:11: expected '('"}},
      {kChain, "  set 0 s (ip4.saddr exact\n", {"3:12: missing ')'"}},
      {kChain,
       "  set 0 s (ip4.saddr) exact\n    bytes:0g\n",
       {"4:5: bad hex bytes"}},
      {kChain,
       "  set 0 s (ip4.saddr) lpm\n    1.2.3/8\n",
       {"4:5: bad address '1.2.3'"}},
      {kChain,
       "  rule 0 @0:1\n    verdict DROP\n",
       {"3:10: expected @LINE:COLUMN"}},
      {kChain,
       "  rule x\n    verdict DROP\n",
       {"3:8: expected a rule index (at most 4294967295), found 'x'"}},
      {kChain,
       "  rule 0\n    tcp.dport [tcp+2:2] eq 1/x\n    verdict DROP\n",
       {"4:30: bad prefix length"}},
      {kChain,
       "  rule 0\n    verdict REDIRECT ifindex 1 sideways\n",
       {"4:32: expected 'in' or 'out'"}},
      {kChain,
       "  rule 0\n    verdict REDIRECT port 1 in\n",
       {"4:22: expected 'slot N \"NAME\"' or 'ifindex N'"}},
      {kChain,
       "  rule 0\n    verdict REDIRECT slot x \"eth0\" in\n",
       {"4:27: expected a host slot (at most 4294967295), found 'x'"}},
      {kChain,
       "  rule 0\n    verdict REDIRECT slot 9 \"x\" sideways extra\n",
       {"4:27: no host slot 9 for \"x\""}},
      {kChain,
       "  rule 0\n    mark x\n    verdict DROP\n",
       {"4:10: expected a mark (at most 4294967295), found 'x'"}},
      {kChain,
       "  rule 0\n    log\n    verdict DROP\n",
       {"4:8: expected log headers or 'none'"}},
      {kChain,
       "  rule 0\n    tcp.dport [tcp+2:2]\n    verdict DROP\n",
       {"4:24: expected an operator"}},
      {kChain,
       "  rule 0\n    tcp.dport [tcp+2:2] eq\n    verdict DROP\n",
       {"4:27: expected a value"}},
      {kChain,
       "    verdict DROP\n",
       {"3:5: expected a set or rule before this line"}},
      {kChain,
       "  set 0 s (ip4.saddr) exact\n  rule 0\n    (ip4.saddr) in set 0 t\n    "
       "verdict DROP\n",
       {"5:24: set 0 is 's', not 't'"}},
      {kChain,
       "  set 0 s (ip4.saddr) exact\n  rule 0\n    (ip4.daddr) in set 0 s\n    "
       "verdict DROP\n",
       {"5:6: the key of set 's' differs"}},
      {kChain,
       "  set 0 s (ip4.saddr) exact\n  rule 0\n    (ip4.saddr) in set x s\n    "
       "verdict DROP\n",
       {"5:24: expected a set index (at most 4294967295), found 'x'"}},
      {kHeader,
       "chain c BF_HOOK_XDP policy MAYBE\n  rule 0\n    verdict DROP\nchain d "
       "BF_HOOK_XDP policy ACCEPT\n  rule 1\n    verdict DROP\n",
       {"2:28: unknown verdict 'MAYBE'",
        "6:8: rule 1 out of order (expected 0)"}},
      {kChain,
       "  rule 0\n    verdict DROP x\n    counter\n",
       {"4:18: unexpected 'x'"}},
      {kChain,
       "  set 0 s (ip4.saddr) exact\n    1.2.3\n    also bad\n  rule 0\n    "
       "verdict DROP\n",
       {"4:5: bad value '1.2.3' for ip4.saddr"}},
      {kChain,
       "  set x \"s (ip4.saddr) exact\n",
       {"3:7: expected a set index (at most 4294967295), found 'x'"}},
      {kHeader,
       "chain c BF_HOOK_XDP policy MAYBE\n  rule 1\n    verdict DROP\n",
       {"2:28: unknown verdict 'MAYBE'"}},
      {kChain,
       "  rule 0 x\n    verdict DROP\n  rule 1\n    verdict DROP\n",
       {"3:10: unexpected 'x'", "5:8: rule 1 out of order (expected 0)"}},
  };
  for (const BadText &c : cases)
    EXPECT_EQ(errorsOf(std::string(c.before) + c.text), c.errors) << c.text;
}

} // namespace
