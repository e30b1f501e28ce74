// The matcher table: operators, hook support, set keys, payload lowering.

#include "bfc/Sema/Matchers.h"

#include <set>

#include <gtest/gtest.h>

namespace bfc::sema {
namespace {

using ir::Hook;

const MatcherInfo &info(std::string_view name) {
  const MatcherInfo *m = findMatcher(name);
  EXPECT_NE(m, nullptr) << name;
  return *m;
}

TEST(SemaMatchers, EveryNameIsKnown) {
  std::vector<std::string> names = matcherNames();
  EXPECT_EQ(names.size(), 30u);
  for (const std::string &name : names) {
    const MatcherInfo *m = findMatcher(name);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->name, name);
    EXPECT_EQ(&matcherInfo(m->type), m);
  }
  EXPECT_EQ(findMatcher("meta.ifindex"), nullptr);
  EXPECT_EQ(findMatcher("TCP.DPORT"), nullptr); // names are case-sensitive
}

TEST(SemaMatchers, Operators) {
  EXPECT_EQ(opFromName("eq"), MatcherOp::Eq);
  EXPECT_EQ(opFromName("range"), MatcherOp::Range);
  EXPECT_FALSE(opFromName("EQ"));
  EXPECT_FALSE(opFromName("gt"));
  EXPECT_EQ(supportedOpsText(info("tcp.flags")), "eq, any, all");
  EXPECT_EQ(supportedOpsText(info("udp.sport")), "eq, range");
  EXPECT_EQ(supportedOpsText(info("meta.flow_hash")), "eq, range");
  EXPECT_EQ(supportedOpsText(info("ip4.snet")), "eq");
  EXPECT_FALSE(supportsOp(info("meta.dport"), MatcherOp::In));
  EXPECT_TRUE(supportsOp(info("meta.dport"), MatcherOp::Range));
}

TEST(SemaMatchers, SetKeysAreTheInCapableMatchers) {
  std::set<std::string> keys;
  for (const std::string &name : matcherNames())
    if (supportsOp(info(name), MatcherOp::In))
      keys.insert(name);
  EXPECT_EQ(keys,
            (std::set<std::string>{
                "ip4.saddr", "ip4.snet", "ip4.daddr", "ip4.dnet", "ip4.proto",
                "ip6.saddr", "ip6.snet", "ip6.daddr", "ip6.dnet", "ip6.nexthdr",
                "tcp.sport", "tcp.dport", "udp.sport", "udp.dport", "icmp.type",
                "icmp.code", "icmpv6.type", "icmpv6.code"}));
}

TEST(SemaMatchers, SockAddrHooksSeeOnlyTheSocketCall) {
  // LANGUAGE.md: what each sock_addr hook supports.
  std::set<std::string> common = {"meta.l3_proto", "meta.l4_proto",
                                  "meta.probability", "meta.dport",
                                  "udp.dport"};
  auto supported = [](Hook hook) {
    std::set<std::string> out;
    for (const std::string &name : matcherNames())
      if (supportsHook(*findMatcher(name), hook))
        out.insert(name);
    return out;
  };
  auto with = [&](std::initializer_list<std::string> extra) {
    std::set<std::string> s = common;
    s.insert(extra);
    return s;
  };
  EXPECT_EQ(supported(Hook::CgroupSockAddrConnect4),
            with({"ip4.daddr", "ip4.dnet", "ip4.proto", "tcp.dport"}));
  EXPECT_EQ(supported(Hook::CgroupSockAddrConnect6),
            with({"ip6.daddr", "ip6.dnet", "tcp.dport"}));
  EXPECT_EQ(
      supported(Hook::CgroupSockAddrSendmsg4),
      with({"ip4.daddr", "ip4.dnet", "ip4.proto", "ip4.saddr", "ip4.snet"}));
  EXPECT_EQ(supported(Hook::CgroupSockAddrSendmsg6),
            with({"ip6.daddr", "ip6.dnet", "ip6.saddr", "ip6.snet"}));
}

TEST(SemaMatchers, PacketHookRestrictions) {
  EXPECT_FALSE(supportsHook(info("meta.mark"), Hook::Xdp));
  EXPECT_TRUE(supportsHook(info("meta.mark"), Hook::NfLocalIn));
  for (Hook h : {Hook::Xdp, Hook::NfForward, Hook::CgroupSkbIngress})
    EXPECT_FALSE(supportsHook(info("meta.flow_hash"), h));
  EXPECT_TRUE(supportsHook(info("meta.flow_hash"), Hook::TcIngress));
  EXPECT_TRUE(supportsHook(info("meta.flow_hash"), Hook::TcEgress));
  EXPECT_FALSE(supportsHook(info("meta.flow_probability"), Hook::NfPreRouting));
  EXPECT_TRUE(supportsHook(info("meta.flow_probability"), Hook::Xdp));
  // Everything else runs on every packet hook.
  for (const std::string &name : matcherNames()) {
    if (name == "meta.mark" || name == "meta.flow_hash" ||
        name == "meta.flow_probability")
      continue;
    for (Hook h :
         {Hook::Xdp, Hook::TcIngress, Hook::NfLocalOut, Hook::CgroupSkbEgress})
      EXPECT_TRUE(supportsHook(info(name), h)) << name;
  }
}

TEST(SemaMatchers, PayloadsBecomeFieldBytes) {
  auto v = parsePayload(info("udp.dport"), MatcherOp::Range, "53-5353");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value, (ir::Bytes{0x00, 0x35}));
  EXPECT_EQ(v->high, (ir::Bytes{0x14, 0xe9}));

  v = parsePayload(info("ip4.snet"), MatcherOp::Eq, "172.16.0.0/12");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value, (ir::Bytes{172, 16, 0, 0}));
  EXPECT_EQ(v->prefixLen, std::optional<uint8_t>(12));

  v = parsePayload(info("meta.flow_hash"), MatcherOp::Eq, "0xdeadbeef");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value, (ir::Bytes{0xde, 0xad, 0xbe, 0xef}));

  v = parsePayload(info("meta.iface"), MatcherOp::Eq, "lo");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->iface.name, "lo");

  // Set elements are not lexed by shape: embedded IPv4 goes through.
  EXPECT_FALSE(
      parsePayload(info("ip6.daddr"), MatcherOp::Eq, "::ffff:1.2.3.4"));
  v = parsePayload(info("ip6.daddr"), MatcherOp::In, "::ffff:1.2.3.4",
                   PayloadContext::SetElement);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value[10], 0xff);
  EXPECT_EQ(v->value[12], 1);
}

} // namespace
} // namespace bfc::sema
