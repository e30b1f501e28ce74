// The names iptables accepts for protocols, ICMP types and TCP flags.
// Internal to lib/Import.
#pragma once

#include <array>
#include <string_view>

namespace bfc::import {

struct NamedNumber {
  std::string_view name;
  unsigned number;
};

inline constexpr std::array<NamedNumber, 13> kProtocols = {{{"tcp", 6},
                                                            {"udp", 17},
                                                            {"icmp", 1},
                                                            {"icmpv6", 58},
                                                            {"ipv6-icmp", 58},
                                                            {"gre", 47},
                                                            {"esp", 50},
                                                            {"ah", 51},
                                                            {"sctp", 132},
                                                            {"udplite", 136},
                                                            {"igmp", 2},
                                                            {"dccp", 33},
                                                            {"all", 0}}};

/// ICMP type names as iptables knows them; a name with a code fixes it.
struct IcmpName {
  std::string_view name;
  unsigned type;
  int code; ///< -1: any code
};

inline constexpr std::array<IcmpName, 38> kIcmpNames = {{
    {"echo-reply", 0, -1},
    {"pong", 0, -1},
    {"destination-unreachable", 3, -1},
    {"network-unreachable", 3, 0},
    {"host-unreachable", 3, 1},
    {"protocol-unreachable", 3, 2},
    {"port-unreachable", 3, 3},
    {"fragmentation-needed", 3, 4},
    {"source-route-failed", 3, 5},
    {"network-unknown", 3, 6},
    {"host-unknown", 3, 7},
    {"network-prohibited", 3, 9},
    {"host-prohibited", 3, 10},
    {"TOS-network-unreachable", 3, 11},
    {"TOS-host-unreachable", 3, 12},
    {"communication-prohibited", 3, 13},
    {"host-precedence-violation", 3, 14},
    {"precedence-cutoff", 3, 15},
    {"source-quench", 4, -1},
    {"redirect", 5, -1},
    {"network-redirect", 5, 0},
    {"host-redirect", 5, 1},
    {"TOS-network-redirect", 5, 2},
    {"TOS-host-redirect", 5, 3},
    {"echo-request", 8, -1},
    {"ping", 8, -1},
    {"router-advertisement", 9, -1},
    {"router-solicitation", 10, -1},
    {"time-exceeded", 11, -1},
    {"ttl-exceeded", 11, -1},
    {"ttl-zero-during-transit", 11, 0},
    {"ttl-zero-during-reassembly", 11, 1},
    {"parameter-problem", 12, -1},
    {"ip-header-bad", 12, 0},
    {"required-option-missing", 12, 1},
    {"timestamp-request", 13, -1},
    {"timestamp-reply", 14, -1},
    {"address-mask-request", 17, -1},
}};

inline constexpr std::array<IcmpName, 25> kIcmpv6Names = {{
    {"destination-unreachable", 1, -1},
    {"no-route", 1, 0},
    {"communication-prohibited", 1, 1},
    {"beyond-scope", 1, 2},
    {"address-unreachable", 1, 3},
    {"port-unreachable", 1, 4},
    {"failed-policy", 1, 5},
    {"reject-route", 1, 6},
    {"packet-too-big", 2, -1},
    {"time-exceeded", 3, -1},
    {"ttl-exceeded", 3, -1},
    {"ttl-zero-during-transit", 3, 0},
    {"ttl-zero-during-reassembly", 3, 1},
    {"parameter-problem", 4, -1},
    {"bad-header", 4, 0},
    {"unknown-header-type", 4, 1},
    {"unknown-option", 4, 2},
    {"echo-request", 128, -1},
    {"ping", 128, -1},
    {"echo-reply", 129, -1},
    {"pong", 129, -1},
    {"router-solicitation", 133, -1},
    {"router-advertisement", 134, -1},
    {"neighbour-solicitation", 135, -1},
    {"neighbour-advertisement", 136, -1},
}};

inline constexpr std::array<NamedNumber, 8> kTcpFlags = {{{"FIN", 0x01},
                                                          {"SYN", 0x02},
                                                          {"RST", 0x04},
                                                          {"PSH", 0x08},
                                                          {"ACK", 0x10},
                                                          {"URG", 0x20},
                                                          {"ALL", 0x3f},
                                                          {"NONE", 0}}};

} // namespace bfc::import
