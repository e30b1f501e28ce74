// bfc import: iptables-save dumps to bfc rulesets (lib/Import).
#include <gtest/gtest.h>

#include <sstream>

#include "bfc/Import/Iptables.h"

using namespace bfc;
using namespace bfc::import;

namespace {

struct Imported {
  std::string ruleset;
  std::string diagnostics; ///< as printed, one per line (no source lines)
  bool ok;
};

Imported importText(const std::string &rules, bool lossy = false,
                    Family family = Family::Ipv4) {
  SourceBuffer buffer("dump", rules);
  DiagnosticEngine diags(&buffer);
  ImportOptions options;
  options.family = family;
  options.lossy = lossy;
  std::string ruleset = importIptablesSave(buffer, options, diags);
  std::string printed;
  for (const Diagnostic &diag : diags.diagnostics()) {
    std::string text = diags.format(diag);
    printed += text.substr(0, text.find('\n')) + "\n";
  }
  return {ruleset, printed, !diags.hasErrors()};
}

/// A filter table with an INPUT chain holding `rules` (and user chains
/// declared by `chains`, e.g. ":LAN - [0:0]\n").
std::string dump(const std::string &rules, const std::string &chains = "") {
  return "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
         ":OUTPUT ACCEPT [0:0]\n" +
         chains + rules + "COMMIT\n";
}

/// The `rule` lines of the INPUT chain, without indentation.
std::vector<std::string> inputRules(const std::string &ruleset) {
  std::vector<std::string> rules;
  std::istringstream in(ruleset);
  std::string line;
  bool inInput = false;
  while (std::getline(in, line)) {
    if (line.starts_with("chain "))
      inInput = line.starts_with("chain INPUT");
    else if (inInput && line.starts_with("    rule "))
      rules.push_back(line.substr(4));
  }
  return rules;
}

using Rules = std::vector<std::string>;

} // namespace

TEST(IptablesImport, BuiltinChainsBecomeNetfilterChains) {
  Imported out = importText(dump(""));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  EXPECT_NE(out.ruleset.find(
                "chain INPUT BF_HOOK_NF_LOCAL_IN{priorities=100-101} DROP"),
            std::string::npos);
  EXPECT_NE(out.ruleset.find("chain FORWARD BF_HOOK_NF_FORWARD"),
            std::string::npos);
  EXPECT_NE(out.ruleset.find("chain OUTPUT BF_HOOK_NF_LOCAL_OUT"),
            std::string::npos);
  EXPECT_EQ(inputRules(out.ruleset),
            Rules{"rule meta.l3_proto not ipv4 ACCEPT  # IPv6 traffic is not "
                  "iptables's"});
}

TEST(IptablesImport, MatchesMapToMatchers) {
  Imported out = importText(dump(
      "-A INPUT -s 10.1.2.3/8 ! -d 192.0.2.1/32 -i eth0 -p tcp -m tcp "
      "--sport 1024: --dport 22 -j ACCEPT\n"
      "-A INPUT -p udp -m udp ! --dport 60000:60010 -m mark --mark 0x10 -j "
      "DROP\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  Rules rules = inputRules(out.ruleset);
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[1], "rule ip4.snet 10.0.0.0/8 ip4.daddr not 192.0.2.1 "
                      "meta.iface eth0 meta.l4_proto tcp tcp.sport range "
                      "1024-65535 tcp.dport 22 ACCEPT");
  EXPECT_EQ(rules[2], "rule meta.l4_proto udp udp.dport not range "
                      "60000-60010 meta.mark 0x10 DROP");
}

TEST(IptablesImport, TcpFlagsAndTheirNegation) {
  Imported out = importText(
      dump("-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP\n"
           "-A INPUT -p tcp -m tcp ! --tcp-flags SYN,ACK SYN -j LOG\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  Rules rules = inputRules(out.ruleset);
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1], "rule meta.l4_proto tcp tcp.flags all syn tcp.flags "
                      "not any fin,rst,ack DROP");
  // Not ((flags & SYN,ACK) == SYN): two rules no packet matches both of.
  EXPECT_EQ(rules[2],
            "rule meta.l4_proto tcp tcp.flags not all syn log CONTINUE");
  EXPECT_EQ(rules[3], "rule meta.l4_proto tcp tcp.flags all syn tcp.flags "
                      "any ack log CONTINUE");
}

TEST(IptablesImport, IcmpTypesByNameAndCode) {
  Imported out = importText(
      dump("-A INPUT -p icmp -m icmp --icmp-type port-unreachable -j DROP\n"
           "-A INPUT -p icmp -m icmp ! --icmp-type 3/1 -j DROP\n"
           "-A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  Rules rules = inputRules(out.ruleset);
  ASSERT_EQ(rules.size(), 5u);
  EXPECT_EQ(rules[1], "rule meta.l4_proto icmp icmp.type 3 icmp.code 3 DROP");
  EXPECT_EQ(rules[2], "rule meta.l4_proto icmp icmp.type not 3 DROP");
  EXPECT_EQ(rules[3],
            "rule meta.l4_proto icmp icmp.type 3 icmp.code not 1 DROP");
  EXPECT_EQ(rules[4], "rule meta.l4_proto icmp icmp.type 8 ACCEPT");
}

TEST(IptablesImport, MultiportRangesAreMergedIntoDisjointRules) {
  Imported out = importText(dump("-A INPUT -p tcp -m multiport --dports "
                                 "80,1000:2000,1500:2500,443 -j LOG\n"
                                 "-A INPUT -p udp -m multiport ! --ports "
                                 "53,100:200 -j DROP\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  Rules rules = inputRules(out.ruleset);
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1], "rule meta.l4_proto tcp tcp.dport range 1000-2500 log "
                      "CONTINUE");
  EXPECT_EQ(rules[2], "rule meta.l4_proto tcp (tcp.dport) in {80; 443} log "
                      "CONTINUE");
  EXPECT_EQ(rules[3],
            "rule meta.l4_proto udp udp.sport not range 100-200 (udp.sport) "
            "not in {53} udp.dport not range 100-200 (udp.dport) not in {53} "
            "DROP");
}

TEST(IptablesImport, UserChainsAreInlinedWithTheirReturns) {
  Imported out = importText(dump("-A INPUT -s 10.0.0.0/8 -j LAN\n"
                                 "-A INPUT -p tcp -j ACCEPT\n"
                                 "-A LAN -p udp -j RETURN\n"
                                 "-A LAN -j DROP\n",
                                 ":LAN - [0:0]\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  // The returned packets (10/8 and UDP) go on with INPUT's rest, then its
  // policy; the others reach LAN's DROP.
  EXPECT_EQ(inputRules(out.ruleset),
            (Rules{"rule meta.l3_proto not ipv4 ACCEPT  # IPv6 traffic is not "
                   "iptables's",
                   "rule ip4.snet 10.0.0.0/8 meta.l4_proto udp DROP",
                   "rule ip4.snet 10.0.0.0/8 DROP",
                   "rule meta.l4_proto tcp ACCEPT"}));
}

TEST(IptablesImport, GotoSkipsTheRestOfTheCaller) {
  Imported out = importText(dump("-A INPUT -p tcp -g SVC\n"
                                 "-A INPUT -p tcp -j ACCEPT\n"
                                 "-A SVC -m tcp -p tcp --dport 22 -j ACCEPT\n",
                                 ":SVC - [0:0]\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  EXPECT_EQ(
      inputRules(out.ruleset),
      (Rules{"rule meta.l3_proto not ipv4 ACCEPT  # IPv6 traffic is not "
             "iptables's",
             "rule meta.l4_proto tcp tcp.dport 22 ACCEPT",
             "rule meta.l4_proto tcp DROP", "rule meta.l4_proto tcp ACCEPT"}));
}

TEST(IptablesImport, InterfacesPerHook) {
  Imported out = importText(dump("-A INPUT -o eth0 -j DROP\n"
                                 "-A INPUT ! -o eth0 -j ACCEPT\n"
                                 "-A OUTPUT -o eth1 -j DROP\n"));
  ASSERT_TRUE(out.ok) << out.diagnostics;
  // INPUT has no output device: -o never matches, ! -o always.
  EXPECT_EQ(inputRules(out.ruleset),
            (Rules{"rule meta.l3_proto not ipv4 ACCEPT  # IPv6 traffic is not "
                   "iptables's",
                   "rule ACCEPT"}));
  EXPECT_NE(out.ruleset.find("rule meta.iface eth1 DROP"), std::string::npos);

  Imported forward = importText(dump("-A FORWARD -o eth1 -j DROP\n"));
  EXPECT_FALSE(forward.ok);
  EXPECT_EQ(forward.diagnostics,
            "dump:5:15: error: '-o' on FORWARD cannot be expressed in bfc: "
            "its netfilter FORWARD chain sees the input interface only\n");
}

TEST(IptablesImport, UnsupportedMatchIsAnErrorAtItsColumn) {
  Imported out = importText(dump("-A INPUT -m conntrack --ctstate "
                                 "ESTABLISHED -j ACCEPT\n"
                                 "-A INPUT -p tcp -j REJECT\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.diagnostics,
            "dump:5:13: error: match '-m conntrack' cannot be expressed in "
            "bfc (--lossy imports the rule as a comment)\n"
            "dump:6:20: error: REJECT answers the sender, bfc cannot: use "
            "--lossy to import it as DROP\n");
  EXPECT_TRUE(out.ruleset.empty());
}

TEST(IptablesImport, LossyMakesCommentsAndWarnings) {
  Imported out = importText(
      "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n" +
          dump("-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
               "-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n"),
      true);
  ASSERT_TRUE(out.ok) << out.diagnostics;
  EXPECT_EQ(out.diagnostics,
            "dump:1:1: warning: table 'nat' cannot be imported: bfc imports "
            "the filter table only; skipped (--lossy) [-Wlossy-import]\n"
            "dump:8:13: warning: match '-m conntrack' cannot be expressed in "
            "bfc; the rule is a comment (--lossy) [-Wlossy-import]\n"
            "dump:9:20: warning: REJECT imported as DROP (--lossy) "
            "[-Wlossy-import]\n");
  EXPECT_NE(out.ruleset.find("    # not imported (match '-m conntrack' cannot "
                             "be expressed in bfc): -A INPUT -m conntrack "
                             "--ctstate ESTABLISHED -j ACCEPT\n"),
            std::string::npos);
  EXPECT_EQ(inputRules(out.ruleset).back(), "rule meta.l4_proto tcp DROP");
}

TEST(IptablesImport, StructuralErrors) {
  Imported loop = importText(dump("-A INPUT -j A\n-A A -j B\n-A B -j A\n",
                                  ":A - [0:0]\n:B - [0:0]\n"));
  EXPECT_FALSE(loop.ok);
  EXPECT_EQ(loop.diagnostics,
            "dump:9:9: error: chain 'A' is called in a loop\n");

  Imported noCommit = importText("*filter\n:INPUT ACCEPT [0:0]\n");
  EXPECT_EQ(noCommit.diagnostics,
            "dump:1:1: error: table 'filter' has no COMMIT\n");

  Imported unknown = importText(dump("-A NOPE -j DROP\n-A INPUT -x\n"));
  EXPECT_EQ(unknown.diagnostics, "dump:5:4: error: unknown chain 'NOPE'\n"
                                 "dump:6:10: error: unknown option '-x'\n");

  Imported badPort = importText(dump("-A INPUT -p tcp --dport ssh -j DROP\n"));
  EXPECT_EQ(badPort.diagnostics,
            "dump:5:25: error: bad port 'ssh' (ports are numbers in 0..65535; "
            "service names are not imported)\n");
}

TEST(IptablesImport, Ipv6Dumps) {
  Imported out = importText(
      dump("-A INPUT -s 2001:db8::1/64 -p ipv6-icmp -m icmp6 --icmpv6-type "
           "neighbour-solicitation -j ACCEPT\n"),
      false, Family::Ipv6);
  ASSERT_TRUE(out.ok) << out.diagnostics;
  EXPECT_NE(out.ruleset.find("chain INPUT6 BF_HOOK_NF_LOCAL_IN"),
            std::string::npos);
  EXPECT_NE(out.ruleset.find("rule meta.l3_proto not ipv6 ACCEPT"),
            std::string::npos);
  EXPECT_NE(out.ruleset.find("rule ip6.snet 2001:db8::/64 meta.l4_proto "
                             "icmpv6 icmpv6.type 135 ACCEPT"),
            std::string::npos);
}

TEST(IptablesImport, OutputSizeIsBounded) {
  // Each conditional RETURN copies INPUT's rest (200 rules): 150 of them
  // would make 30,000 rules.
  std::string rules = "-A INPUT -j BIG\n";
  for (int i = 0; i < 200; ++i)
    rules += "-A INPUT -s 10.0.0." + std::to_string(i + 1) + " -j ACCEPT\n";
  for (int i = 0; i < 150; ++i)
    rules += "-A BIG -p udp -m udp --dport " + std::to_string(i + 1) +
             " -j RETURN\n";
  rules += "-A BIG -j LOG\n";
  Imported out = importText(dump(rules, ":BIG - [0:0]\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.diagnostics.find("error: the imported chain INPUT would "
                                 "exceed 20000 rules"),
            std::string::npos)
      << out.diagnostics;
}

TEST(IptablesImport, CallUnderOutputInterfaceOnForwardIsOneError) {
  Imported out = importText(dump("-A FORWARD -o eth1 -j F\n"
                                 "-A F -p tcp -j DROP\n-A F -p udp -j DROP\n",
                                 ":F - [0:0]\n"));
  EXPECT_EQ(out.diagnostics,
            "dump:6:15: error: '-o' on FORWARD cannot be expressed in bfc: "
            "its netfilter FORWARD chain sees the input interface only\n");
  Imported lossy = importText(dump("-A FORWARD -o eth1 -j F\n"
                                   "-A F -p tcp -j DROP\n-A F -p udp -j DROP\n",
                                   ":F - [0:0]\n"),
                              true);
  EXPECT_TRUE(lossy.ok);
  EXPECT_EQ(lossy.diagnostics,
            "dump:6:15: warning: '-o' on FORWARD cannot be expressed in bfc: "
            "its netfilter FORWARD chain sees the input interface only; the "
            "rule is a comment (--lossy) [-Wlossy-import]\n");
  EXPECT_NE(lossy.ruleset.find("# not imported ('-o' on FORWARD cannot be "
                               "expressed in bfc: its netfilter FORWARD chain "
                               "sees the input interface only): -A F -p udp "
                               "-j DROP"),
            std::string::npos);
}
