// BFIR printer: every construct prints in its natural syntax, one per line.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "SampleModule.h"
#include "bfc/IR/Printer.h"

using namespace bfc::ir;
using namespace bfc::ir::test;

namespace {

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

bool hasLine(const std::vector<std::string> &all, const std::string &line) {
  return std::find(all.begin(), all.end(), line) != all.end();
}

TEST(Printer, SmallModuleExactly) {
  Module m;
  m.sourceName = "a.bf";
  Chain c;
  c.name = "c";
  c.hook = Hook::CgroupSkbEgress;
  c.policy = Verdict::Drop;
  Rule r;
  r.predicates.push_back(field(FieldId::UdpDport, toBigEndian(53, 2)));
  r.counter = true;
  c.rules.push_back(r);
  m.chains.push_back(c);
  EXPECT_EQ(toString(m), "bfir module \"a.bf\"\n"
                         "\n"
                         "chain c BF_HOOK_CGROUP_SKB_EGRESS policy DROP\n"
                         "  rule 0\n"
                         "    udp.dport [udp+2:2] eq 53\n"
                         "    counter\n"
                         "    verdict ACCEPT\n");
}

TEST(Printer, EveryConstruct) {
  std::vector<std::string> all = lines(toString(sampleModule()));
  const char *expected[] = {
      "bfir module \"sample.bf\"",
      "host_slot 0 iface \"eth0\"",
      "host_slot 1 iface \"odd \\\"name\\\"\"",
      "chain xdp_main BF_HOOK_XDP {ifindex=2} policy DROP",
      "  set 0 blocked (ip4.saddr, ip4.proto) exact",
      "    192.168.1.1, tcp",
      "    192.168.1.2, udp",
      "  set 1 __anon1 anonymous (ip4.daddr) lpm",
      "    10.0.0.0/8",
      "  set 2 ports (tcp.dport, icmpv6.type, ip6.saddr) exact",
      "    22, echo-request, fe80::1",
      "  rule 0 @3:5 \"rule ip4.saddr eq 10.0.0.1 counter DROP\"",
      "    ip4.saddr [ip4+12:4] eq 10.0.0.1",
      "    counter",
      "    verdict DROP",
      "  rule 1 \"rule\\n  tcp.dport not range 1000-2000\\tCONTINUE\"",
      "    tcp.dport [tcp+2:2] not range 1000-2000",
      "    tcp.flags [tcp+13:1] any syn|ack",
      "    ip4.dscp [ip4+1:1&0xfc>>2] eq ef",
      "    l4.sport [tcp|udp+0:2] eq 53",
      "    log link,internet every 1500000000ns",
      "    verdict CONTINUE",
      "    (ip4.saddr, ip4.proto) in set 0 blocked",
      "    (ip4.daddr) not in set 1 __anon1",
      "    meta.iface eq slot 0 \"eth0\"",
      "    verdict REDIRECT slot 1 \"odd \\\"name\\\"\" out",
      "chain \"tc chain\" BF_HOOK_TC_INGRESS policy NEXT",
      "    ip6.saddr [ip6+8:16] eq 2001:db8::/32",
      "    ip6.chain [ip6] eq hop",
      "    meta.probability eq 12.5%",
      "    meta.flow_probability not eq 0.001%",
      "    meta.l3_proto [meta] eq ipv6",
      "    meta.mark [meta] eq 0x12",
      "    meta.flow_hash [meta] range 0x10-0xffffffff",
      "    icmpv6.type [icmpv6+0:1] eq echo-request",
      "    icmp.type [icmp+0:1] not eq 200",
      "    tcp.flags [tcp+13:1] all 0",
      "    meta.iface not eq ifindex 4",
      "    log none",
      "    mark 0x10",
      "    verdict REDIRECT ifindex 7 in",
      "chain nf BF_HOOK_NF_LOCAL_IN {priorities=-1-2,family} policy ACCEPT",
      "chain cg BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG6 "
      "{cgpath=\"/sys/fs/cgroup/a b,c}\"} policy ACCEPT",
      "    meta.l4_proto [meta] eq udp",
      "    ip6.nexthdr [ip6+6:1] eq 250",
  };
  for (const char *line : expected)
    EXPECT_TRUE(hasLine(all, line)) << "missing line: " << line;
}

TEST(Printer, FieldValuesInTheirNaturalSyntax) {
  EXPECT_EQ(formatFieldValue(FieldId::Ip4Daddr, v4("172.16.0.0"), 12),
            "172.16.0.0/12");
  EXPECT_EQ(formatFieldValue(FieldId::Ip6Daddr, v6("::ffff:1.2.3.4")),
            "::ffff:1.2.3.4");
  // Integer fields, in the field's width.
  const struct {
    FieldId field;
    uint64_t value;
    const char *text;
  } integers[] = {
      {FieldId::MetaL3Proto, 0x0806, "0x0806"},
      {FieldId::MetaL3Proto, 0x0800, "ipv4"},
      {FieldId::Ip6Nexthdr, 43, "route"},
      {FieldId::Ip4Proto, 132, "132"},
      {FieldId::Ip6Dscp, 0, "cs0"},
      {FieldId::Ip6Dscp, 63, "63"},
      {FieldId::TcpFlags, 0xff, "fin|syn|rst|psh|ack|urg|ece|cwr"},
      {FieldId::IcmpType, 0, "echo-reply"},
      {FieldId::Icmpv6Type, 0, "0"},
      {FieldId::IcmpCode, 13, "13"},
      {FieldId::MetaIfindex, 7, "7"},
      {FieldId::UdpSport, 65535, "65535"},
  };
  for (const auto &c : integers)
    EXPECT_EQ(formatFieldValue(c.field,
                               toBigEndian(c.value, fieldInfo(c.field).width)),
              c.text)
        << fieldInfo(c.field).name << " " << c.value;
  // Inconsistent IR still prints, without crashing.
  EXPECT_EQ(formatFieldValue(FieldId::Ip4Saddr, Bytes{1, 2}), "bytes:0102");
}

TEST(Printer, DanglingReferencesDoNotCrash) {
  Module m;
  Chain c;
  c.name = "c";
  Rule r;
  Predicate set = other(Predicate::Kind::Set);
  set.set = 3;
  Predicate iface = other(Predicate::Kind::Iface);
  iface.hostSlot = 9;
  r.predicates = {set, iface};
  c.rules.push_back(r);
  m.chains.push_back(c);
  std::vector<std::string> all = lines(toString(m));
  EXPECT_TRUE(hasLine(all, "    (?) in set 3 <missing>"));
  EXPECT_TRUE(hasLine(all, "    meta.iface eq slot 9 <missing>"));
}

TEST(Printer, QuoteString) {
  EXPECT_EQ(quoteString("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\x01\"");
}

} // namespace
