#include "bfc/Sema/Matchers.h"

#include <array>

namespace bfc::sema {

namespace {

using ir::FieldId;
using ir::Hook;

constexpr uint16_t hooks(std::initializer_list<Hook> list) {
  uint16_t bits = 0;
  for (Hook h : list)
    bits |= hookBit(h);
  return bits;
}

constexpr uint16_t kSockAddr4 =
    hooks({Hook::CgroupSockAddrConnect4, Hook::CgroupSockAddrSendmsg4});
constexpr uint16_t kSockAddr6 =
    hooks({Hook::CgroupSockAddrConnect6, Hook::CgroupSockAddrSendmsg6});
constexpr uint16_t kSockAddrAll = kSockAddr4 | kSockAddr6;
constexpr uint16_t kNetfilter =
    hooks({Hook::NfPreRouting, Hook::NfLocalIn, Hook::NfForward,
           Hook::NfLocalOut, Hook::NfPostRouting});
constexpr uint16_t kCgroupSkb =
    hooks({Hook::CgroupSkbIngress, Hook::CgroupSkbEgress});

constexpr uint8_t kEq = opBit(MatcherOp::Eq);
constexpr uint8_t kIn = opBit(MatcherOp::In);
constexpr uint8_t kRange = opBit(MatcherOp::Range);
constexpr uint8_t kBits =
    opBit(MatcherOp::Eq) | opBit(MatcherOp::Any) | opBit(MatcherOp::All);

// Hook restrictions are bpfilter's: sock_addr programs see a socket call,
// not a packet, so they only offer the destination (and, for sendmsg, the
// source) address and port, and the protocol; v4 hooks have no IPv6 and back.
// The mark and flow hash live in the skb, absent from XDP; netfilter has no
// flow hash nor a flow-keyed probability.
constexpr std::array<MatcherInfo, 30> kMatchers = {{
    {MatcherType::MetaIface, "meta.iface", FieldId::MetaIfindex, kEq,
     kSockAddrAll},
    {MatcherType::MetaL3Proto, "meta.l3_proto", FieldId::MetaL3Proto, kEq, 0},
    {MatcherType::MetaL4Proto, "meta.l4_proto", FieldId::MetaL4Proto, kEq, 0},
    {MatcherType::MetaProbability, "meta.probability", FieldId::MetaMark, kEq,
     0},
    {MatcherType::MetaSport, "meta.sport", FieldId::L4Sport, kEq | kRange,
     kSockAddrAll},
    {MatcherType::MetaDport, "meta.dport", FieldId::L4Dport, kEq | kRange, 0},
    {MatcherType::MetaMark, "meta.mark", FieldId::MetaMark, kEq,
     hookBit(Hook::Xdp) | kSockAddrAll},
    {MatcherType::MetaFlowHash, "meta.flow_hash", FieldId::MetaFlowHash,
     kEq | kRange, hookBit(Hook::Xdp) | kCgroupSkb | kNetfilter | kSockAddrAll},
    {MatcherType::MetaFlowProbability, "meta.flow_probability",
     FieldId::MetaMark, kEq, kNetfilter | kSockAddrAll},
    {MatcherType::Ip4Saddr, "ip4.saddr", FieldId::Ip4Saddr, kEq | kIn,
     kSockAddr6 | hookBit(Hook::CgroupSockAddrConnect4)},
    {MatcherType::Ip4Snet, "ip4.snet", FieldId::Ip4Saddr, kEq | kIn,
     kSockAddr6 | hookBit(Hook::CgroupSockAddrConnect4), true},
    {MatcherType::Ip4Daddr, "ip4.daddr", FieldId::Ip4Daddr, kEq | kIn,
     kSockAddr6},
    {MatcherType::Ip4Dnet, "ip4.dnet", FieldId::Ip4Daddr, kEq | kIn, kSockAddr6,
     true},
    {MatcherType::Ip4Proto, "ip4.proto", FieldId::Ip4Proto, kEq | kIn,
     kSockAddr6},
    {MatcherType::Ip4Dscp, "ip4.dscp", FieldId::Ip4Dscp, kEq, kSockAddrAll},
    {MatcherType::Ip6Saddr, "ip6.saddr", FieldId::Ip6Saddr, kEq | kIn,
     kSockAddr4 | hookBit(Hook::CgroupSockAddrConnect6)},
    {MatcherType::Ip6Snet, "ip6.snet", FieldId::Ip6Saddr, kEq | kIn,
     kSockAddr4 | hookBit(Hook::CgroupSockAddrConnect6), true},
    {MatcherType::Ip6Daddr, "ip6.daddr", FieldId::Ip6Daddr, kEq | kIn,
     kSockAddr4},
    {MatcherType::Ip6Dnet, "ip6.dnet", FieldId::Ip6Daddr, kEq | kIn, kSockAddr4,
     true},
    {MatcherType::Ip6Nexthdr, "ip6.nexthdr", FieldId::Ip6Nexthdr, kEq | kIn,
     kSockAddrAll},
    {MatcherType::Ip6Dscp, "ip6.dscp", FieldId::Ip6Dscp, kEq, kSockAddrAll},
    {MatcherType::TcpSport, "tcp.sport", FieldId::TcpSport, kEq | kIn | kRange,
     kSockAddrAll},
    {MatcherType::TcpDport, "tcp.dport", FieldId::TcpDport, kEq | kIn | kRange,
     hooks({Hook::CgroupSockAddrSendmsg4, Hook::CgroupSockAddrSendmsg6})},
    {MatcherType::TcpFlags, "tcp.flags", FieldId::TcpFlags, kBits,
     kSockAddrAll},
    {MatcherType::UdpSport, "udp.sport", FieldId::UdpSport, kEq | kIn | kRange,
     kSockAddrAll},
    {MatcherType::UdpDport, "udp.dport", FieldId::UdpDport, kEq | kIn | kRange,
     0},
    {MatcherType::IcmpType, "icmp.type", FieldId::IcmpType, kEq | kIn,
     kSockAddrAll},
    {MatcherType::IcmpCode, "icmp.code", FieldId::IcmpCode, kEq | kIn,
     kSockAddrAll},
    {MatcherType::Icmpv6Type, "icmpv6.type", FieldId::Icmpv6Type, kEq | kIn,
     kSockAddrAll},
    {MatcherType::Icmpv6Code, "icmpv6.code", FieldId::Icmpv6Code, kEq | kIn,
     kSockAddrAll},
}};

constexpr std::array<std::string_view, 5> kOpNames = {"eq", "any", "all", "in",
                                                      "range"};

ir::Bytes bigEndian(uint64_t value, unsigned width) {
  ir::Bytes bytes(width);
  for (unsigned i = 0; i < width; ++i)
    bytes[width - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
  return bytes;
}

template <typename T> PayloadValue scalar(T value, unsigned width) {
  PayloadValue out;
  out.value = bigEndian(value, width);
  return out;
}

template <size_t N> ir::Bytes bytesOf(const std::array<uint8_t, N> &a) {
  return ir::Bytes(a.begin(), a.end());
}

} // namespace

std::string_view opName(MatcherOp op) {
  return kOpNames[static_cast<unsigned>(op)];
}

std::optional<MatcherOp> opFromName(std::string_view name) {
  for (unsigned i = 0; i < kOpNames.size(); ++i)
    if (kOpNames[i] == name)
      return static_cast<MatcherOp>(i);
  return std::nullopt;
}

const MatcherInfo *findMatcher(std::string_view name) {
  for (const MatcherInfo &info : kMatchers)
    if (info.name == name)
      return &info;
  return nullptr;
}

const MatcherInfo &matcherInfo(MatcherType type) {
  return kMatchers[static_cast<unsigned>(type)];
}

std::vector<std::string> matcherNames() {
  std::vector<std::string> names;
  for (const MatcherInfo &info : kMatchers)
    names.emplace_back(info.name);
  return names;
}

bool supportsOp(const MatcherInfo &info, MatcherOp op) {
  return info.ops & opBit(op);
}

bool supportsHook(const MatcherInfo &info, ir::Hook hook) {
  return !(info.unsupportedHooks & hookBit(hook));
}

std::string supportedOpsText(const MatcherInfo &info) {
  std::string text;
  for (MatcherOp op :
       {MatcherOp::Eq, MatcherOp::Any, MatcherOp::All, MatcherOp::Range}) {
    if (!supportsOp(info, op))
      continue;
    if (!text.empty())
      text += ", ";
    text += opName(op);
  }
  return text;
}

Expected<PayloadValue> parsePayload(const MatcherInfo &info, MatcherOp op,
                                    std::string_view text, PayloadContext ctx) {
  bool range = op == MatcherOp::Range;
  switch (info.type) {
  case MatcherType::MetaIface: {
    auto iface = parseIface(text, /*allowUnderscore=*/false);
    if (!iface)
      return iface.error();
    PayloadValue out = scalar(iface->index, 4);
    out.iface = *iface;
    return out;
  }
  case MatcherType::MetaL3Proto: {
    auto v = parseL3Proto(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 2);
  }
  case MatcherType::MetaL4Proto:
  case MatcherType::Ip4Proto:
  case MatcherType::Ip6Nexthdr: {
    auto v = parseL4Proto(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  case MatcherType::MetaProbability:
  case MatcherType::MetaFlowProbability: {
    auto v = parseProbability(text);
    if (!v)
      return v.error();
    PayloadValue out;
    out.percent = *v;
    return out;
  }
  case MatcherType::MetaSport:
  case MatcherType::MetaDport:
  case MatcherType::TcpSport:
  case MatcherType::TcpDport:
  case MatcherType::UdpSport:
  case MatcherType::UdpDport: {
    if (range) {
      auto r = parsePortRange(text);
      if (!r)
        return r.error();
      PayloadValue out = scalar(r->low, 2);
      out.high = bigEndian(r->high, 2);
      return out;
    }
    auto v = parsePort(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 2);
  }
  case MatcherType::MetaMark: {
    auto v = parseMark(text);
    if (!v)
      return v.error();
    return scalar(*v, 4);
  }
  case MatcherType::MetaFlowHash: {
    if (range) {
      auto r = parseFlowHashRange(text);
      if (!r)
        return r.error();
      PayloadValue out = scalar(r->low, 4);
      out.high = bigEndian(r->high, 4);
      return out;
    }
    auto v = parseFlowHash(text);
    if (!v)
      return v.error();
    return scalar(*v, 4);
  }
  case MatcherType::Ip4Saddr:
  case MatcherType::Ip4Daddr: {
    auto v = parseIpv4Addr(text, ctx);
    if (!v)
      return v.error();
    PayloadValue out;
    out.value = bytesOf(*v);
    return out;
  }
  case MatcherType::Ip4Snet:
  case MatcherType::Ip4Dnet: {
    auto v = parseIpv4Net(text, ctx);
    if (!v)
      return v.error();
    PayloadValue out;
    out.value = bytesOf(v->addr);
    out.prefixLen = v->prefixLen;
    return out;
  }
  case MatcherType::Ip6Saddr:
  case MatcherType::Ip6Daddr: {
    auto v = parseIpv6Addr(text, ctx);
    if (!v)
      return v.error();
    PayloadValue out;
    out.value = bytesOf(*v);
    return out;
  }
  case MatcherType::Ip6Snet:
  case MatcherType::Ip6Dnet: {
    auto v = parseIpv6Net(text, ctx);
    if (!v)
      return v.error();
    PayloadValue out;
    out.value = bytesOf(v->addr);
    out.prefixLen = v->prefixLen;
    return out;
  }
  case MatcherType::Ip4Dscp:
  case MatcherType::Ip6Dscp: {
    auto v = parseDscp(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  case MatcherType::TcpFlags: {
    auto v = parseTcpFlags(text);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  case MatcherType::IcmpType: {
    auto v = parseIcmpType(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  case MatcherType::Icmpv6Type: {
    auto v = parseIcmpv6Type(text, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  case MatcherType::IcmpCode:
  case MatcherType::Icmpv6Code: {
    auto v = parseIcmpCode(text, info.type == MatcherType::Icmpv6Code, ctx);
    if (!v)
      return v.error();
    return scalar(*v, 1);
  }
  }
  return PayloadError{"unsupported matcher", 0, 0};
}

} // namespace bfc::sema
