// Wire-format facts about the protocols bfc parses: EtherTypes, IP protocol
// numbers, header sizes and the IPv6 extension-header walk. The one home of
// these numbers: the code generator, the interpreter, the packet builder and
// decoder, bfc diff and the loader's log decoding all read them from here,
// so the kernel and the interpreter cannot disagree on what a header is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace bfc::wire {

// EtherTypes.
inline constexpr uint16_t kEtherTypeIp4 = 0x0800;
inline constexpr uint16_t kEtherTypeIp6 = 0x86DD;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;

// Header sizes, in bytes.
inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr size_t kIp4MinHeaderSize = 20;
inline constexpr size_t kIp6HeaderSize = 40;

// IP protocol numbers (IPv4 protocol, IPv6 next header).
inline constexpr uint8_t kIpProtoHopByHop = 0;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoIp4 = 4; // IPv4 in IP
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoIp6 = 41; // IPv6 in IP
inline constexpr uint8_t kIpProtoRouting = 43;
inline constexpr uint8_t kIpProtoFragment = 44;
inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoDestOptions = 60;
inline constexpr uint8_t kIpProtoMobility = 135;

/// The IPv6 extension headers that bfc walks past to find the transport
/// (docs/semantics.md, "IPv6 extension headers").
inline constexpr std::array<uint8_t, 6> kIp6ExtensionHeaders = {
    kIpProtoHopByHop, kIpProtoRouting,     kIpProtoFragment,
    kIpProtoAh,       kIpProtoDestOptions, kIpProtoMobility};

/// At most this many extension headers are walked; one more makes the
/// packet malformed. The generated code unrolls the walk this many times,
/// so the limit bounds program size as well.
inline constexpr unsigned kMaxIp6ExtensionHeaders = 8;

constexpr bool isIp6ExtensionHeader(uint8_t nextHeader) {
  for (uint8_t extension : kIp6ExtensionHeaders)
    if (extension == nextHeader)
      return true;
  return false;
}

/// The size of an IPv6 extension header from its type and its length byte
/// (the header's second byte): fragment headers are always 8 bytes, AH
/// counts 4-byte units after the first two, the others 8-byte units after
/// the first.
constexpr size_t ip6ExtensionHeaderSize(uint8_t nextHeader,
                                        uint8_t lengthField) {
  if (nextHeader == kIpProtoFragment)
    return 8;
  if (nextHeader == kIpProtoAh)
    return (lengthField + 2u) * 4u;
  return (lengthField + 1u) * 8u;
}

} // namespace bfc::wire
