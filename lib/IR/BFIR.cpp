#include "bfc/IR/BFIR.h"

#include <array>

namespace bfc::ir {

namespace {
constexpr std::array<std::string_view, kNumHooks> kHookNames = {
    "BF_HOOK_XDP",
    "BF_HOOK_TC_INGRESS",
    "BF_HOOK_TC_EGRESS",
    "BF_HOOK_NF_PRE_ROUTING",
    "BF_HOOK_NF_LOCAL_IN",
    "BF_HOOK_NF_FORWARD",
    "BF_HOOK_NF_LOCAL_OUT",
    "BF_HOOK_NF_POST_ROUTING",
    "BF_HOOK_CGROUP_SKB_INGRESS",
    "BF_HOOK_CGROUP_SKB_EGRESS",
    "BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4",
    "BF_HOOK_CGROUP_SOCK_ADDR_CONNECT6",
    "BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG4",
    "BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG6",
};

// Offsets are from the start of the header named by `proto`.
constexpr std::array<FieldInfo, kNumFields> kFields = {{
    {FieldId::MetaIfindex, "meta.ifindex", Proto::None, 0, 4, 0, 0, 4},
    {FieldId::MetaMark, "meta.mark", Proto::None, 0, 4, 0, 0, 4},
    {FieldId::MetaFlowHash, "meta.flow_hash", Proto::None, 0, 4, 0, 0, 4},
    {FieldId::MetaL3Proto, "meta.l3_proto", Proto::None, 0, 2, 0, 0, 2},
    {FieldId::MetaL4Proto, "meta.l4_proto", Proto::None, 0, 1, 0, 0, 1},
    {FieldId::L4Sport, "l4.sport", Proto::TcpOrUdp, 0, 2, 0, 0, 2},
    {FieldId::L4Dport, "l4.dport", Proto::TcpOrUdp, 2, 2, 0, 0, 2},
    {FieldId::Ip4Saddr, "ip4.saddr", Proto::Ip4, 12, 4, 0, 0, 4},
    {FieldId::Ip4Daddr, "ip4.daddr", Proto::Ip4, 16, 4, 0, 0, 4},
    {FieldId::Ip4Proto, "ip4.proto", Proto::Ip4, 9, 1, 0, 0, 1},
    {FieldId::Ip4Dscp, "ip4.dscp", Proto::Ip4, 1, 1, 0xfc, 2, 1},
    {FieldId::Ip6Saddr, "ip6.saddr", Proto::Ip6, 8, 16, 0, 0, 16},
    {FieldId::Ip6Daddr, "ip6.daddr", Proto::Ip6, 24, 16, 0, 0, 16},
    {FieldId::Ip6Nexthdr, "ip6.nexthdr", Proto::Ip6, 6, 1, 0, 0, 1},
    {FieldId::Ip6Dscp, "ip6.dscp", Proto::Ip6, 0, 1, 0x0fc0, 6, 2},
    {FieldId::TcpSport, "tcp.sport", Proto::Tcp, 0, 2, 0, 0, 2},
    {FieldId::TcpDport, "tcp.dport", Proto::Tcp, 2, 2, 0, 0, 2},
    {FieldId::TcpFlags, "tcp.flags", Proto::Tcp, 13, 1, 0, 0, 1},
    {FieldId::UdpSport, "udp.sport", Proto::Udp, 0, 2, 0, 0, 2},
    {FieldId::UdpDport, "udp.dport", Proto::Udp, 2, 2, 0, 0, 2},
    {FieldId::IcmpType, "icmp.type", Proto::Icmp, 0, 1, 0, 0, 1},
    {FieldId::IcmpCode, "icmp.code", Proto::Icmp, 1, 1, 0, 0, 1},
    {FieldId::Icmpv6Type, "icmpv6.type", Proto::Icmpv6, 0, 1, 0, 0, 1},
    {FieldId::Icmpv6Code, "icmpv6.code", Proto::Icmpv6, 1, 1, 0, 0, 1},
}};
} // namespace

std::string_view hookName(Hook hook) {
  return kHookNames[static_cast<unsigned>(hook)];
}

std::optional<Hook> hookFromName(std::string_view name) {
  for (unsigned i = 0; i < kNumHooks; ++i)
    if (kHookNames[i] == name)
      return static_cast<Hook>(i);
  return std::nullopt;
}

std::string_view verdictName(Verdict v) {
  switch (v) {
  case Verdict::Accept:
    return "ACCEPT";
  case Verdict::Drop:
    return "DROP";
  case Verdict::Continue:
    return "CONTINUE";
  case Verdict::Next:
    return "NEXT";
  case Verdict::Redirect:
    return "REDIRECT";
  }
  return "?";
}

std::string_view protoName(Proto p) {
  switch (p) {
  case Proto::None:
    return "meta";
  case Proto::Ip4:
    return "ip4";
  case Proto::Ip6:
    return "ip6";
  case Proto::Tcp:
    return "tcp";
  case Proto::Udp:
    return "udp";
  case Proto::TcpOrUdp:
    return "tcp|udp";
  case Proto::Icmp:
    return "icmp";
  case Proto::Icmpv6:
    return "icmpv6";
  }
  return "?";
}

const FieldInfo &fieldInfo(FieldId id) {
  return kFields[static_cast<unsigned>(id)];
}

std::optional<FieldId> fieldFromName(std::string_view name) {
  for (const FieldInfo &f : kFields)
    if (f.name == name)
      return f.id;
  return std::nullopt;
}

std::string_view cmpOpName(CmpOp op) {
  switch (op) {
  case CmpOp::Eq:
    return "eq";
  case CmpOp::Range:
    return "range";
  case CmpOp::AnyBits:
    return "any";
  case CmpOp::AllBits:
    return "all";
  }
  return "?";
}

unsigned Set::keySize() const {
  unsigned size = 0;
  for (FieldId f : key)
    size += fieldInfo(f).width;
  return size;
}

uint32_t Module::internIface(const std::string &name) {
  for (uint32_t i = 0; i < hostSlots.size(); ++i)
    if (hostSlots[i].kind == HostSlot::Kind::IfaceIndex &&
        hostSlots[i].name == name)
      return i;
  hostSlots.push_back({HostSlot::Kind::IfaceIndex, name});
  return static_cast<uint32_t>(hostSlots.size() - 1);
}

} // namespace bfc::ir
