// Which headers a packet has and where, exactly as docs/semantics.md
// ("Headers and their presence") defines it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bfc/IR/BFIR.h"

namespace bfc::interp {

struct PacketLayout {
  /// meta.l3_proto: the frame's EtherType (0 for a frame shorter than an
  /// Ethernet header), or the hook's for L3 packets.
  uint16_t l3Proto = 0;
  /// Offsets of the present headers.
  std::optional<size_t> l2Offset;
  std::optional<size_t> ip4Offset;
  std::optional<size_t> ip6Offset;
  /// The transport header, when present: its offset and which one it is
  /// (Tcp, Udp, Icmp or Icmpv6).
  std::optional<size_t> l4Offset;
  ir::Proto l4Header = ir::Proto::None;
  /// meta.l4_proto: the IPv4 protocol, or the last next-header value read
  /// by the IPv6 walk; 0 without an IP header.
  uint8_t l4Proto = 0;
  /// Every next-header value read by the IPv6 walk (fixed header first).
  std::vector<uint8_t> ip6HeaderChain;
  /// Counts as malformed (bumps the error counter).
  bool malformed = false;

  /// Whether the header a predicate needs is present.
  bool has(ir::Proto proto) const;
  /// Offset of that header (has(proto) must hold; None gives 0).
  size_t offsetOf(ir::Proto proto) const;
};

/// Parses `size` bytes: an Ethernet frame when `hasL2`, else an L3 packet of
/// protocol `l3Proto`.
PacketLayout parseLayout(const uint8_t *data, size_t size, bool hasL2,
                         uint16_t l3Proto);

/// Fixed size of a transport header (TCP 20, UDP/ICMP/ICMPv6 8).
size_t transportHeaderSize(ir::Proto proto);

} // namespace bfc::interp
