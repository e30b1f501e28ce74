// Defaults shared by the packet builder and the decoder: the decoder prints a
// field only when it differs from what the builder would fill in, so that
// building a decoded packet gives the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bfc/IR/Names.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::packet::defaults {

inline constexpr ir::MacAddr kEthSrc = {0x02, 0, 0, 0, 0, 0x01};
inline constexpr ir::MacAddr kEthDst = {0x02, 0, 0, 0, 0, 0x02};
/// IEEE local experimental EtherType, used when nothing says otherwise.
inline constexpr uint16_t kEtherType = 0x88B5;

inline constexpr ir::Ip4Addr kIp4Src = {10, 0, 0, 1};
inline constexpr ir::Ip4Addr kIp4Dst = {10, 0, 0, 2};
inline constexpr ir::Ip6Addr kIp6Src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 0, 1};
inline constexpr ir::Ip6Addr kIp6Dst = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 0, 2};
inline constexpr uint8_t kTtl = 64;
/// IPv4 protocol when no known layer follows (RFC 3692 experimentation).
inline constexpr uint8_t kIp4Proto = 253;
/// IPv6 next header when no known layer follows ("no next header").
inline constexpr uint8_t kIp6NextHeader = 59;

inline constexpr uint16_t kSport = 40000;
inline constexpr uint16_t kDport = 80;
inline constexpr uint16_t kTcpWindow = 65535;
inline constexpr uint8_t kAhLen = 4; ///< 24 bytes: fixed part + 96-bit ICV

inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpv6EchoRequest = 128;

/// The protocol number a layer named `layer` has when it follows an IP or
/// extension header; nullopt for payloads and unknown names.
inline std::optional<uint8_t> protoOfLayer(std::string_view layer) {
  if (layer == "tcp")
    return wire::kIpProtoTcp;
  if (layer == "udp")
    return wire::kIpProtoUdp;
  if (layer == "icmp")
    return wire::kIpProtoIcmp;
  if (layer == "icmpv6")
    return wire::kIpProtoIcmpv6;
  if (layer == "ip4")
    return wire::kIpProtoIp4;
  if (layer == "ip6")
    return wire::kIpProtoIp6;
  if (layer == "hop")
    return wire::kIpProtoHopByHop;
  if (layer == "route")
    return wire::kIpProtoRouting;
  if (layer == "frag")
    return wire::kIpProtoFragment;
  if (layer == "ah")
    return wire::kIpProtoAh;
  if (layer == "dst")
    return wire::kIpProtoDestOptions;
  if (layer == "mh")
    return wire::kIpProtoMobility;
  return std::nullopt;
}

/// The EtherType of a layer following an Ethernet or VLAN header.
inline uint16_t etherTypeOfLayer(std::string_view layer) {
  if (layer == "ip4")
    return wire::kEtherTypeIp4;
  if (layer == "ip6")
    return wire::kEtherTypeIp6;
  if (layer == "vlan")
    return wire::kEtherTypeVlan;
  return kEtherType;
}

} // namespace bfc::packet::defaults
