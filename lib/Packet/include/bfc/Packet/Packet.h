// Test packets: a builder that turns a readable spec into bytes, socket-call
// (sock_addr) inputs, per-packet metadata, and a decoder that prints headers
// back in the spec syntax. No LLVM, no libbpf: used by unit tests, the
// interpreter and bfc-run.
//
// Spec syntax (docs/architecture.md, "Packet specs"):
//   eth(src=02:00:00:00:00:01)/ip4(src=10.0.0.1,dst=10.0.0.2)/tcp(dport=22,flags=syn)
//   meta(ifindex=3,mark=7)/ip6(dst=::1)/hop/frag(offset=0)/udp(dport=53)/truncate=50
//   sock4(proto=tcp,dst=10.0.0.1,dport=80)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bfc/Support/Expected.h"

namespace bfc::packet {

using Bytes = std::vector<uint8_t>;

/// What the kernel gives a program besides the bytes.
struct Metadata {
  uint32_t ifindex = 1;     ///< input interface (output on egress hooks)
  uint32_t mark = 0;        ///< skb->mark on entry
  uint32_t hash = 0;        ///< skb hash (meta.flow_hash)
  uint32_t random = 0;      ///< bpf_get_prandom_u32() (meta.probability)
  uint16_t l3Proto = 0;     ///< EtherType of an L3-only packet
  uint64_t timestampNs = 0; ///< bpf_ktime_get_ns(), for log events
};

struct Packet {
  Bytes data;
  bool hasL2 = false; ///< starts with an Ethernet header
  /// For L3-only packets `meta.l3Proto` is the packet's protocol (from its
  /// first layer unless meta(l3=...) says otherwise); for Ethernet frames
  /// the EtherType in the frame is what counts.
  Metadata meta;
};

/// A cgroup sock_addr call (connect() or sendmsg()).
struct SockAddr {
  unsigned family = 4;           ///< 4 (AF_INET) or 6 (AF_INET6)
  uint8_t protocol = 6;          ///< socket protocol (IPPROTO_TCP, ...)
  std::array<uint8_t, 16> dst{}; ///< IPv4 addresses use the first 4 bytes
  uint16_t dport = 0;
  std::array<uint8_t, 16> src{}; ///< sendmsg source (msg_src_ip4/6)
  Metadata meta;                 ///< random, timestamp (others unused)
};

/// An input for one program run.
using Input = std::variant<Packet, SockAddr>;

/// "message" followed by the spec and a caret under the error's offset.
std::string describeSpecError(const Error &error, std::string_view spec);

/// Builds a packet from a spec: layers separated by `/`. Lengths, next
/// protocol fields and checksums are filled in unless given.
Expected<Packet> buildPacket(std::string_view spec);
/// Parses `[meta(...)/]sock4(...)` or `sock6(...)`.
Expected<SockAddr> parseSockAddr(std::string_view spec);
/// A sock_addr spec when the spec's (first non-meta) layer is sock4/sock6,
/// a packet otherwise.
Expected<Input> parseInput(std::string_view spec);

/// The packet as a hook sees it: with `wantL2`, an L3-only packet gets a
/// default Ethernet header (EtherType from meta.l3Proto); without, an
/// Ethernet frame loses its 14-byte header and meta.l3Proto takes its
/// EtherType. Frames shorter than 14 bytes become empty L3 packets.
Packet adaptForHook(const Packet &packet, bool wantL2);

/// Decodes the headers of a packet and prints them in spec syntax, showing
/// only the fields that differ from the builder's defaults: building the
/// result gives the same bytes (except for cut-off packets, whose partial
/// headers print as `raw(hex=...)`).
std::string describePacket(const Packet &packet);
std::string describePacket(const uint8_t *data, size_t size, bool hasL2,
                           uint16_t l3Proto);
std::string describeSockAddr(const SockAddr &sock);

/// Decoding of lone headers (log events carry the link, internet and
/// transport headers separately): an empty string when `size` is 0.
std::string describeEthernet(const uint8_t *data, size_t size);
std::string describeL3(uint16_t l3Proto, const uint8_t *data, size_t size);
std::string describeL4(uint8_t l4Proto, const uint8_t *data, size_t size);

/// The Internet checksum (RFC 1071) of `data`, starting from `initial`
/// (a partial one's-complement sum), complemented.
uint16_t internetChecksum(const uint8_t *data, size_t size,
                          uint32_t initial = 0);

} // namespace bfc::packet
