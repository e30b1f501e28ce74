#include "bfc/Sema/Matchers.h"

#include <array>

#include "bfc/IR/HookModel.h"

namespace bfc::sema {

namespace {

using ir::FieldId;
using ir::Hook;

constexpr uint8_t kEq = opBit(MatcherOp::Eq);
constexpr uint8_t kIn = opBit(MatcherOp::In);
constexpr uint8_t kRange = opBit(MatcherOp::Range);
constexpr uint8_t kBits =
    opBit(MatcherOp::Eq) | opBit(MatcherOp::Any) | opBit(MatcherOp::All);

// Which hooks can evaluate a matcher is the hook model's (supportsHook()).
constexpr std::array<MatcherInfo, 30> kMatchers = {{
    {MatcherType::MetaIface, "meta.iface", FieldId::MetaIfindex, kEq},
    {MatcherType::MetaL3Proto, "meta.l3_proto", FieldId::MetaL3Proto, kEq},
    {MatcherType::MetaL4Proto, "meta.l4_proto", FieldId::MetaL4Proto, kEq},
    {MatcherType::MetaProbability, "meta.probability", FieldId::MetaMark, kEq},
    {MatcherType::MetaSport, "meta.sport", FieldId::L4Sport, kEq | kRange},
    {MatcherType::MetaDport, "meta.dport", FieldId::L4Dport, kEq | kRange},
    {MatcherType::MetaMark, "meta.mark", FieldId::MetaMark, kEq},
    {MatcherType::MetaFlowHash, "meta.flow_hash", FieldId::MetaFlowHash,
     kEq | kRange},
    {MatcherType::MetaFlowProbability, "meta.flow_probability",
     FieldId::MetaMark, kEq},
    {MatcherType::Ip4Saddr, "ip4.saddr", FieldId::Ip4Saddr, kEq | kIn},
    {MatcherType::Ip4Snet, "ip4.snet", FieldId::Ip4Saddr, kEq | kIn, true},
    {MatcherType::Ip4Daddr, "ip4.daddr", FieldId::Ip4Daddr, kEq | kIn},
    {MatcherType::Ip4Dnet, "ip4.dnet", FieldId::Ip4Daddr, kEq | kIn, true},
    {MatcherType::Ip4Proto, "ip4.proto", FieldId::Ip4Proto, kEq | kIn},
    {MatcherType::Ip4Dscp, "ip4.dscp", FieldId::Ip4Dscp, kEq},
    {MatcherType::Ip6Saddr, "ip6.saddr", FieldId::Ip6Saddr, kEq | kIn},
    {MatcherType::Ip6Snet, "ip6.snet", FieldId::Ip6Saddr, kEq | kIn, true},
    {MatcherType::Ip6Daddr, "ip6.daddr", FieldId::Ip6Daddr, kEq | kIn},
    {MatcherType::Ip6Dnet, "ip6.dnet", FieldId::Ip6Daddr, kEq | kIn, true},
    {MatcherType::Ip6Nexthdr, "ip6.nexthdr", FieldId::Ip6Nexthdr, kEq | kIn},
    {MatcherType::Ip6Dscp, "ip6.dscp", FieldId::Ip6Dscp, kEq},
    {MatcherType::TcpSport, "tcp.sport", FieldId::TcpSport, kEq | kIn | kRange},
    {MatcherType::TcpDport, "tcp.dport", FieldId::TcpDport, kEq | kIn | kRange},
    {MatcherType::TcpFlags, "tcp.flags", FieldId::TcpFlags, kBits},
    {MatcherType::UdpSport, "udp.sport", FieldId::UdpSport, kEq | kIn | kRange},
    {MatcherType::UdpDport, "udp.dport", FieldId::UdpDport, kEq | kIn | kRange},
    {MatcherType::IcmpType, "icmp.type", FieldId::IcmpType, kEq | kIn},
    {MatcherType::IcmpCode, "icmp.code", FieldId::IcmpCode, kEq | kIn},
    {MatcherType::Icmpv6Type, "icmpv6.type", FieldId::Icmpv6Type, kEq | kIn},
    {MatcherType::Icmpv6Code, "icmpv6.code", FieldId::Icmpv6Code, kEq | kIn},
}};

constexpr std::array<std::string_view, 5> kOpNames = {"eq", "any", "all", "in",
                                                      "range"};

// Conversions of a parsed payload (or its error) into BFIR terms.

/// An integer, in the field's width.
template <typename T>
Expected<PayloadValue> scalarPayload(const Expected<T> &parsed,
                                     const MatcherInfo &info) {
  if (!parsed)
    return parsed.error();
  PayloadValue out;
  out.value = ir::toBigEndian(*parsed, ir::fieldInfo(info.field).width);
  return out;
}

/// A `range` operand: both bounds in the field's width.
template <typename Range>
Expected<PayloadValue> rangePayload(const Expected<Range> &parsed,
                                    const MatcherInfo &info) {
  if (!parsed)
    return parsed.error();
  unsigned width = ir::fieldInfo(info.field).width;
  PayloadValue out;
  out.value = ir::toBigEndian(parsed->low, width);
  out.high = ir::toBigEndian(parsed->high, width);
  return out;
}

template <size_t N>
Expected<PayloadValue>
addressPayload(const Expected<std::array<uint8_t, N>> &parsed) {
  if (!parsed)
    return parsed.error();
  PayloadValue out;
  out.value.assign(parsed->begin(), parsed->end());
  return out;
}

/// An address and its prefix length (ip4/ip6 snet/dnet).
template <typename Net>
Expected<PayloadValue> networkPayload(const Expected<Net> &parsed) {
  if (!parsed)
    return parsed.error();
  PayloadValue out;
  out.value.assign(parsed->addr.begin(), parsed->addr.end());
  out.prefixLen = parsed->prefixLen;
  return out;
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
  // The language rejects what a hook cannot read and what it never has.
  switch (info.type) {
  case MatcherType::MetaIface:
    return ir::ifaceVisibility(hook) == ir::Visibility::Visible;
  case MatcherType::MetaProbability:
    return true;
  case MatcherType::MetaFlowProbability:
    return ir::flowProbabilityVisibility(hook) == ir::Visibility::Visible;
  default:
    return ir::fieldVisibility(hook, info.field) == ir::Visibility::Visible;
  }
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
    PayloadValue out;
    out.value = ir::toBigEndian(iface->index, 4);
    out.iface = *iface;
    return out;
  }
  case MatcherType::MetaL3Proto:
    return scalarPayload(parseL3Proto(text, ctx), info);
  case MatcherType::MetaL4Proto:
  case MatcherType::Ip4Proto:
  case MatcherType::Ip6Nexthdr:
    return scalarPayload(parseL4Proto(text, ctx), info);
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
  case MatcherType::UdpDport:
    return range ? rangePayload(parsePortRange(text), info)
                 : scalarPayload(parsePort(text, ctx), info);
  case MatcherType::MetaMark:
    return scalarPayload(parseMark(text), info);
  case MatcherType::MetaFlowHash:
    return range ? rangePayload(parseFlowHashRange(text), info)
                 : scalarPayload(parseFlowHash(text), info);
  case MatcherType::Ip4Saddr:
  case MatcherType::Ip4Daddr:
    return addressPayload(parseIpv4Addr(text, ctx));
  case MatcherType::Ip4Snet:
  case MatcherType::Ip4Dnet:
    return networkPayload(parseIpv4Net(text, ctx));
  case MatcherType::Ip6Saddr:
  case MatcherType::Ip6Daddr:
    return addressPayload(parseIpv6Addr(text, ctx));
  case MatcherType::Ip6Snet:
  case MatcherType::Ip6Dnet:
    return networkPayload(parseIpv6Net(text, ctx));
  case MatcherType::Ip4Dscp:
  case MatcherType::Ip6Dscp:
    return scalarPayload(parseDscp(text, ctx), info);
  case MatcherType::TcpFlags:
    return scalarPayload(parseTcpFlags(text), info);
  case MatcherType::IcmpType:
    return scalarPayload(parseIcmpType(text, ctx), info);
  case MatcherType::Icmpv6Type:
    return scalarPayload(parseIcmpv6Type(text, ctx), info);
  case MatcherType::IcmpCode:
  case MatcherType::Icmpv6Code:
    return scalarPayload(
        parseIcmpCode(text, info.type == MatcherType::Icmpv6Code, ctx), info);
  }
  return Error{"unsupported matcher", 0, 0};
}

} // namespace bfc::sema
