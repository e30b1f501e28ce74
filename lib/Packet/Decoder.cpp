// Packet decoder: prints headers in the spec syntax of Builder.cpp, leaving
// out every field the builder would fill in by itself, so that building the
// output reproduces the packet.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "Defaults.h"
#include "bfc/IR/Names.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::packet {

namespace {

bool allZero(const uint8_t *data, size_t size) {
  return std::all_of(data, data + size, [](uint8_t b) { return b == 0; });
}

struct DecodedLayer {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  explicit DecodedLayer(std::string name, Fields fields = {})
      : name(std::move(name)), fields(std::move(fields)) {}

  std::string name;
  Fields fields;
  /// eth/vlan: the EtherType, printed unless the next layer implies it.
  std::optional<uint16_t> etherType;
  /// IP and extension headers: the next protocol, printed unless the next
  /// layer implies it; `nextProtoKey` is its field name.
  std::optional<uint8_t> nextProto;
  std::string nextProtoKey;
  uint8_t nextProtoFallback = 0;
};

/// The addresses of the last IP header, for transport checksums.
struct PseudoHeader {
  unsigned family = 0;
  const uint8_t *src = nullptr;
  const uint8_t *dst = nullptr;

  uint32_t sum(uint8_t proto, size_t length) const {
    if (family == 0)
      return 0;
    Bytes pseudo;
    size_t addrSize = family == 4 ? 4 : 16;
    pseudo.insert(pseudo.end(), src, src + addrSize);
    pseudo.insert(pseudo.end(), dst, dst + addrSize);
    if (family == 4) {
      pseudo.push_back(0);
      pseudo.push_back(proto);
      pseudo.push_back(static_cast<uint8_t>(length >> 8));
      pseudo.push_back(static_cast<uint8_t>(length));
    } else {
      for (int shift = 24; shift >= 0; shift -= 8)
        pseudo.push_back(static_cast<uint8_t>(length >> shift));
      pseudo.insert(pseudo.end(), {0, 0, 0, proto});
    }
    return static_cast<uint16_t>(
        ~internetChecksum(pseudo.data(), pseudo.size()));
  }
};

class Decoder {
public:
  /// `standalone`: decoding one header without what follows it, so length
  /// and checksum fields cannot be checked and are not printed, and the
  /// next-protocol field is always printed.
  Decoder(const uint8_t *data, size_t size, bool standalone)
      : data_(data), size_(size), standalone_(standalone) {}

  void frame() {
    if (remaining() < 14)
      return raw();
    const uint8_t *p = cur();
    DecodedLayer eth("eth");
    addAddress(eth, "dst", p, defaults::kEthDst, ir::formatMac);
    addAddress(eth, "src", p + 6, defaults::kEthSrc, ir::formatMac);
    eth.etherType = loadBe16(p + 12);
    layers_.push_back(std::move(eth));
    pos_ += 14;
    l2Payload(loadBe16(p + 12));
  }

  void l3(uint16_t etherType) {
    if (etherType == wire::kEtherTypeIp4)
      return ip4();
    if (etherType == wire::kEtherTypeIp6)
      return ip6();
    raw();
  }

  void l4(uint8_t proto) {
    switch (proto) {
    case wire::kIpProtoTcp:
      return tcp();
    case wire::kIpProtoUdp:
      return udp();
    case wire::kIpProtoIcmp:
      return icmp(false);
    case wire::kIpProtoIcmpv6:
      return icmp(true);
    default:
      return raw();
    }
  }

  std::string text() const {
    std::vector<std::string> parts;
    for (size_t i = 0; i < layers_.size(); ++i) {
      const DecodedLayer &layer = layers_[i];
      std::string next = i + 1 < layers_.size() ? layers_[i + 1].name : "";
      std::vector<std::string> fields;
      for (const auto &[key, value] : layer.fields)
        fields.push_back(key + "=" + value);
      if (layer.etherType &&
          (standalone_ || *layer.etherType != defaults::etherTypeOfLayer(next)))
        fields.push_back(fmt::format("type={:#06x}", *layer.etherType));
      if (layer.nextProto &&
          (standalone_ ||
           *layer.nextProto != defaults::protoOfLayer(next).value_or(
                                   layer.nextProtoFallback))) {
        fields.push_back(layer.nextProtoKey + "=" +
                         ir::nameOrNumber(ir::ipProtoName(*layer.nextProto),
                                          *layer.nextProto));
      }
      parts.push_back(fields.empty() ? layer.name
                                     : fmt::format("{}({})", layer.name,
                                                   fmt::join(fields, ",")));
    }
    return fmt::format("{}", fmt::join(parts, "/"));
  }

private:
  size_t remaining() const { return size_ - pos_; }
  const uint8_t *cur() const { return data_ + pos_; }

  /// The address at `at`, printed by `format`, unless it is the builder's
  /// default.
  template <size_t N>
  static void addAddress(DecodedLayer &layer, std::string key,
                         const uint8_t *at,
                         const std::array<uint8_t, N> &fallback,
                         std::string (*format)(const uint8_t *)) {
    if (!std::equal(at, at + N, fallback.begin()))
      layer.fields.emplace_back(std::move(key), format(at));
  }

  template <typename T>
  static void addNumber(DecodedLayer &layer, std::string key, T value,
                        T fallback) {
    if (value != fallback)
      layer.fields.emplace_back(std::move(key), std::to_string(value));
  }

  /// Checksums and lengths print only when wrong, and never standalone.
  void addCheck(DecodedLayer &layer, std::string key, uint64_t actual,
                uint64_t expected, bool hexValue) {
    if (standalone_ || actual == expected)
      return;
    layer.fields.emplace_back(std::move(key),
                              hexValue ? fmt::format("{:#06x}", actual)
                                       : std::to_string(actual));
  }

  void raw() {
    if (remaining() == 0)
      return;
    if (allZero(cur(), remaining()))
      layers_.emplace_back(
          "payload",
          DecodedLayer::Fields{{"len", std::to_string(remaining())}});
    else
      layers_.emplace_back(
          "payload",
          DecodedLayer::Fields{{"hex", ir::formatHex(cur(), remaining())}});
    pos_ = size_;
  }

  void l2Payload(uint16_t etherType) {
    if (standalone_)
      return;
    if (etherType == wire::kEtherTypeVlan)
      return vlan();
    l3(etherType);
  }

  void vlan() {
    if (remaining() < 4)
      return raw();
    const uint8_t *p = cur();
    uint16_t tci = loadBe16(p);
    DecodedLayer layer("vlan");
    addNumber(layer, "id", tci & 0xfff, 0);
    addNumber(layer, "pcp", tci >> 13, 0);
    addNumber(layer, "dei", (tci >> 12) & 1, 0);
    layer.etherType = loadBe16(p + 2);
    layers_.push_back(std::move(layer));
    pos_ += 4;
    l2Payload(loadBe16(p + 2));
  }

  void trafficClass(DecodedLayer &layer, uint8_t tc) {
    uint8_t dscp = tc >> 2;
    if (dscp)
      layer.fields.emplace_back("dscp",
                                ir::nameOrNumber(ir::dscpName(dscp), dscp));
    addNumber(layer, "ecn", tc & 3, 0);
  }

  void nextProto(DecodedLayer &layer, std::string key, uint8_t value,
                 uint8_t fallback) {
    layer.nextProto = value;
    layer.nextProtoKey = std::move(key);
    layer.nextProtoFallback = fallback;
  }

  void ip4() {
    const uint8_t *p = cur();
    if (remaining() < 20 || p[0] >> 4 != 4 || (p[0] & 0xf) < 5 ||
        (p[0] & 0xf) * 4u > remaining())
      return raw();
    size_t headerBytes = (p[0] & 0xf) * 4u;
    DecodedLayer layer("ip4");
    addAddress(layer, "src", p + 12, defaults::kIp4Src, ir::formatIp4);
    addAddress(layer, "dst", p + 16, defaults::kIp4Dst, ir::formatIp4);
    addNumber(layer, "ttl", p[8], defaults::kTtl);
    trafficClass(layer, p[1]);
    addNumber(layer, "id", loadBe16(p + 4), uint16_t(0));
    uint16_t flagsFrag = loadBe16(p + 6);
    if (flagsFrag >> 13) {
      std::vector<std::string_view> flags;
      if (flagsFrag & 0x8000)
        flags.push_back("rf");
      if (flagsFrag & 0x4000)
        flags.push_back("df");
      if (flagsFrag & 0x2000)
        flags.push_back("mf");
      layer.fields.emplace_back("flags",
                                fmt::format("{}", fmt::join(flags, "|")));
    }
    addNumber(layer, "frag", flagsFrag & 0x1fff, 0);
    if (headerBytes > 20)
      layer.fields.emplace_back("opts",
                                ir::formatHex(p + 20, headerBytes - 20));
    addCheck(layer, "len", loadBe16(p + 2), remaining(), false);
    Bytes header(p, p + headerBytes);
    header[10] = header[11] = 0;
    addCheck(layer, "csum", loadBe16(p + 10),
             internetChecksum(header.data(), header.size()), true);
    nextProto(layer, "proto", p[9], defaults::kIp4Proto);
    layers_.push_back(std::move(layer));
    if (standalone_)
      return;
    pseudo_ = {4, p + 12, p + 16};
    pos_ += headerBytes;
    if (flagsFrag & 0x1fff)
      return raw();
    if (p[9] == wire::kIpProtoIcmpv6) // not a transport over IPv4
      return raw();
    if (p[9] == wire::kIpProtoIp4)
      return ip4();
    if (p[9] == wire::kIpProtoIp6)
      return ip6();
    l4(p[9]);
  }

  void ip6() {
    const uint8_t *p = cur();
    if (remaining() < 40 || p[0] >> 4 != 6)
      return raw();
    DecodedLayer layer("ip6");
    addAddress(layer, "src", p + 8, defaults::kIp6Src, ir::formatIp6);
    addAddress(layer, "dst", p + 24, defaults::kIp6Dst, ir::formatIp6);
    addNumber(layer, "hlim", p[7], defaults::kTtl);
    uint32_t vcf = loadBe32(p);
    trafficClass(layer, static_cast<uint8_t>(vcf >> 20));
    addNumber(layer, "flow", vcf & 0xfffff, 0u);
    addCheck(layer, "plen", loadBe16(p + 4), remaining() - 40, false);
    nextProto(layer, "nh", p[6], defaults::kIp6NextHeader);
    layers_.push_back(std::move(layer));
    if (standalone_)
      return;
    pseudo_ = {6, p + 8, p + 24};
    pos_ += 40;
    ip6Next(p[6]);
  }

  void ip6Next(uint8_t nh) {
    switch (nh) {
    case wire::kIpProtoHopByHop:
    case wire::kIpProtoDestOptions:
      return optionsHeader(nh);
    case wire::kIpProtoRouting:
    case wire::kIpProtoMobility:
      return routeOrMobility(nh);
    case wire::kIpProtoFragment:
      return fragment();
    case wire::kIpProtoAh:
      return authentication();
    case wire::kIpProtoIcmp: // not a transport over IPv6
      return raw();
    case wire::kIpProtoIp4:
      return ip4();
    case wire::kIpProtoIp6:
      return ip6();
    default:
      return l4(nh);
    }
  }

  /// The size of a hop/dst/route/mh header; nullopt when it is cut off.
  std::optional<size_t> eightByteUnitsHeaderSize(uint8_t nh) const {
    if (remaining() < 8)
      return std::nullopt;
    size_t size = wire::ip6ExtensionHeaderSize(nh, cur()[1]);
    if (size > remaining())
      return std::nullopt;
    return size;
  }

  /// Adds an IPv6 extension header of `size` bytes, then decodes what it
  /// says follows (unless `decodeNext` is false: a payload follows).
  void extensionHeader(DecodedLayer layer, size_t size,
                       bool decodeNext = true) {
    uint8_t next = cur()[0];
    nextProto(layer, "nh", next, defaults::kIp6NextHeader);
    layers_.push_back(std::move(layer));
    pos_ += size;
    if (!decodeNext)
      return raw();
    ip6Next(next);
  }

  /// hop/dst headers the builder makes: one Pad1 or PadN option.
  void optionsHeader(uint8_t nh) {
    const uint8_t *p = cur();
    auto headerSize = eightByteUnitsHeaderSize(nh);
    if (!headerSize)
      return raw();
    size_t size = *headerSize;
    bool builderPadding = size - 2 == 1 ? p[2] == 0
                                        : (p[2] == 1 && p[3] == size - 4 &&
                                           allZero(p + 4, size - 4));
    if (!builderPadding)
      return raw();
    DecodedLayer layer(nh == wire::kIpProtoHopByHop ? "hop" : "dst");
    addNumber(layer, "len", p[1], uint8_t(0));
    extensionHeader(std::move(layer), size);
  }

  void routeOrMobility(uint8_t nh) {
    const uint8_t *p = cur();
    auto headerSize = eightByteUnitsHeaderSize(nh);
    if (!headerSize)
      return raw();
    size_t size = *headerSize;
    bool route = nh == wire::kIpProtoRouting;
    size_t zeroFrom = route ? 4 : 3;
    if (!allZero(p + zeroFrom, size - zeroFrom))
      return raw();
    DecodedLayer layer(route ? "route" : "mh");
    addNumber(layer, "len", p[1], uint8_t(0));
    addNumber(layer, "type", p[2], uint8_t(0));
    if (route)
      addNumber(layer, "segleft", p[3], uint8_t(0));
    extensionHeader(std::move(layer), size);
  }

  void fragment() {
    const uint8_t *p = cur();
    uint16_t offsetFlags = remaining() >= 8 ? loadBe16(p + 2) : 0;
    if (remaining() < 8 || p[1] != 0 || (offsetFlags & 6) != 0)
      return raw();
    DecodedLayer layer("frag");
    addNumber(layer, "offset", offsetFlags >> 3, 0);
    addNumber(layer, "more", offsetFlags & 1, 0);
    addNumber(layer, "id", loadBe32(p + 4), 0u);
    // Only the first fragment holds the next header.
    extensionHeader(std::move(layer), 8, (offsetFlags >> 3) == 0);
  }

  void authentication() {
    const uint8_t *p = cur();
    if (remaining() < 12 || p[1] < 1)
      return raw();
    size_t size = wire::ip6ExtensionHeaderSize(wire::kIpProtoAh, p[1]);
    if (size > remaining())
      return raw();
    if (loadBe16(p + 2) != 0 || !allZero(p + 12, size - 12))
      return raw();
    DecodedLayer layer("ah");
    addNumber(layer, "len", p[1], defaults::kAhLen);
    addNumber(layer, "spi", loadBe32(p + 4), 0u);
    addNumber(layer, "seq", loadBe32(p + 8), 0u);
    extensionHeader(std::move(layer), size);
  }

  void tcp() {
    const uint8_t *p = cur();
    if (remaining() < 20)
      return raw();
    unsigned dataOffset = p[12] >> 4;
    size_t headerBytes = std::max(20u, dataOffset * 4);
    if (headerBytes > remaining())
      return raw();
    DecodedLayer layer("tcp");
    addNumber(layer, "sport", loadBe16(p), defaults::kSport);
    addNumber(layer, "dport", loadBe16(p + 2), defaults::kDport);
    addNumber(layer, "seq", loadBe32(p + 4), 0u);
    addNumber(layer, "ack", loadBe32(p + 8), 0u);
    if (p[13])
      layer.fields.emplace_back("flags", ir::tcpFlagsToString(p[13], '|'));
    addNumber(layer, "win", loadBe16(p + 14), defaults::kTcpWindow);
    addNumber(layer, "urg", loadBe16(p + 18), uint16_t(0));
    addNumber(layer, "res", p[12] & 0xf, 0);
    if (headerBytes > 20)
      layer.fields.emplace_back("opts",
                                ir::formatHex(p + 20, headerBytes - 20));
    else
      addNumber(layer, "doff", dataOffset, 5u);
    if (!standalone_) {
      Bytes segment(p, data_ + size_);
      segment[16] = segment[17] = 0;
      addCheck(layer, "csum", loadBe16(p + 16),
               internetChecksum(segment.data(), segment.size(),
                                pseudo_.sum(6, segment.size())),
               true);
    }
    layers_.push_back(std::move(layer));
    if (standalone_)
      return;
    pos_ += headerBytes;
    raw();
  }

  void udp() {
    const uint8_t *p = cur();
    if (remaining() < 8)
      return raw();
    DecodedLayer layer("udp");
    addNumber(layer, "sport", loadBe16(p), defaults::kSport);
    addNumber(layer, "dport", loadBe16(p + 2), defaults::kDport);
    addCheck(layer, "len", loadBe16(p + 4), remaining(), false);
    if (!standalone_) {
      Bytes datagram(p, data_ + size_);
      datagram[6] = datagram[7] = 0;
      uint16_t sum = internetChecksum(datagram.data(), datagram.size(),
                                      pseudo_.sum(17, datagram.size()));
      addCheck(layer, "csum", loadBe16(p + 6), sum == 0 ? 0xffff : sum, true);
    }
    layers_.push_back(std::move(layer));
    if (standalone_)
      return;
    pos_ += 8;
    raw();
  }

  void icmp(bool v6) {
    const uint8_t *p = cur();
    if (remaining() < 8)
      return raw();
    DecodedLayer layer(v6 ? "icmpv6" : "icmp");
    if (p[0] !=
        (v6 ? defaults::kIcmpv6EchoRequest : defaults::kIcmpEchoRequest)) {
      auto name = v6 ? ir::icmpv6TypeName(p[0]) : ir::icmpTypeName(p[0]);
      layer.fields.emplace_back("type", ir::nameOrNumber(name, p[0]));
    }
    addNumber(layer, "code", p[1], uint8_t(0));
    addNumber(layer, "id", loadBe16(p + 4), uint16_t(0));
    addNumber(layer, "seq", loadBe16(p + 6), uint16_t(0));
    if (!standalone_) {
      Bytes message(p, data_ + size_);
      message[2] = message[3] = 0;
      addCheck(layer, "csum", loadBe16(p + 2),
               internetChecksum(message.data(), message.size(),
                                v6 ? pseudo_.sum(58, message.size()) : 0),
               true);
    }
    layers_.push_back(std::move(layer));
    if (standalone_)
      return;
    pos_ += 8;
    raw();
  }

  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
  bool standalone_;
  PseudoHeader pseudo_;
  std::vector<DecodedLayer> layers_;
};

} // namespace

std::string describePacket(const uint8_t *data, size_t size, bool hasL2,
                           uint16_t l3Proto) {
  Decoder decoder(data, size, false);
  if (hasL2)
    decoder.frame();
  else
    decoder.l3(l3Proto);
  std::string text = decoder.text();
  return text.empty() ? "payload(len=0)" : text;
}

std::string describePacket(const Packet &packet) {
  std::string text = describePacket(packet.data.data(), packet.data.size(),
                                    packet.hasL2, packet.meta.l3Proto);
  const Metadata &meta = packet.meta;
  std::vector<std::string> fields;
  if (meta.ifindex != Metadata{}.ifindex)
    fields.push_back(fmt::format("ifindex={}", meta.ifindex));
  if (meta.mark)
    fields.push_back(fmt::format("mark={:#x}", meta.mark));
  if (meta.hash)
    fields.push_back(fmt::format("hash={:#x}", meta.hash));
  if (meta.random)
    fields.push_back(fmt::format("random={:#x}", meta.random));
  if (meta.timestampNs)
    fields.push_back(fmt::format("ts={}", meta.timestampNs));
  // The builder infers the L3 protocol of an L3-only packet from its first
  // layer; print it when that would not give it back.
  if (!packet.hasL2) {
    bool inferred =
        (meta.l3Proto == wire::kEtherTypeIp4 && text.starts_with("ip4")) ||
        (meta.l3Proto == wire::kEtherTypeIp6 && text.starts_with("ip6")) ||
        (meta.l3Proto == 0 && !text.starts_with("ip"));
    if (!inferred) {
      auto name = ir::etherTypeName(meta.l3Proto);
      fields.push_back("l3=" + (name ? std::string(*name)
                                     : fmt::format("{:#06x}", meta.l3Proto)));
    }
  }
  if (fields.empty())
    return text;
  return fmt::format("meta({})/{}", fmt::join(fields, ","), text);
}

std::string describeSockAddr(const SockAddr &sock) {
  std::string protoText =
      ir::nameOrNumber(ir::ipProtoName(sock.protocol), sock.protocol);
  bool v4 = sock.family == 4;
  std::string dst =
      v4 ? ir::formatIp4(sock.dst.data()) : ir::formatIp6(sock.dst.data());
  std::string text = fmt::format("sock{}(proto={},dst={},dport={}", sock.family,
                                 protoText, dst, sock.dport);
  if (!allZero(sock.src.data(), v4 ? 4 : 16))
    text += ",src=" + (v4 ? ir::formatIp4(sock.src.data())
                          : ir::formatIp6(sock.src.data()));
  return text + ")";
}

std::string describeEthernet(const uint8_t *data, size_t size) {
  Decoder decoder(data, size, true);
  decoder.frame();
  return decoder.text();
}

std::string describeL3(uint16_t l3Proto, const uint8_t *data, size_t size) {
  Decoder decoder(data, size, true);
  decoder.l3(l3Proto);
  return decoder.text();
}

std::string describeL4(uint8_t l4Proto, const uint8_t *data, size_t size) {
  Decoder decoder(data, size, true);
  decoder.l4(l4Proto);
  return decoder.text();
}

} // namespace bfc::packet
