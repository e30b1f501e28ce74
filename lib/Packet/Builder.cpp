// Packet spec parsing and serialisation.
//
// A spec is parsed into typed layers in a forward pass (so that a layer can
// take its defaults from its neighbours: EtherType and next-protocol fields
// from the following layer), then serialised backwards, each layer
// prepending its header to the bytes of the layers after it, which gives
// length fields and checksums their final input.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "Defaults.h"
#include "SpecText.h"
#include "bfc/IR/Names.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::packet {

using namespace detail;

namespace {

// --------------------------------------------------------- typed layers ----

struct EthLayer {
  ir::MacAddr src, dst;
  uint16_t type;
};
struct VlanLayer {
  uint16_t tci;
  uint16_t type;
};
struct Ip4Layer {
  ir::Ip4Addr src, dst;
  uint8_t version, ihl, tos, ttl, proto;
  uint16_t id, flagsFrag;
  std::optional<uint16_t> totalLength, checksum;
  Bytes options; ///< padded to ihl*4 - 20 bytes
};
struct Ip6Layer {
  ir::Ip6Addr src, dst;
  uint32_t versionClassFlow;
  uint8_t nextHeader, hopLimit;
  std::optional<uint16_t> payloadLength;
};
/// hop, route, dst, frag, ah, mh: the whole header, next header first.
struct ExtLayer {
  Bytes header;
};
struct TcpLayer {
  uint16_t sport, dport, window, urgent;
  uint32_t seq, ack;
  uint8_t dataOffset, flags, reserved;
  Bytes options;
  std::optional<uint16_t> checksum;
};
struct UdpLayer {
  uint16_t sport, dport;
  std::optional<uint16_t> length, checksum;
};
struct IcmpLayer {
  bool v6;
  uint8_t type, code;
  uint16_t id, seq;
  std::optional<uint16_t> checksum;
};
struct PayloadLayer {
  Bytes bytes;
};

using Layer = std::variant<EthLayer, VlanLayer, Ip4Layer, Ip6Layer, ExtLayer,
                           TcpLayer, UdpLayer, IcmpLayer, PayloadLayer>;

constexpr std::string_view kLayerNames =
    "eth, vlan, ip4, ip6, hop, route, dst, frag, ah, mh, tcp, udp, icmp, "
    "icmpv6, payload, raw, truncate, meta";

void set16(Bytes &out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}

/// Options padded with NOPs (0x01) to `size` bytes.
Bytes padOptions(Bytes options, size_t size) {
  options.resize(std::max(size, options.size()), 0x01);
  return options;
}

class Builder {
public:
  explicit Builder(std::vector<LayerSpec> specs) : specs_(std::move(specs)) {}

  Expected<Packet> build() {
    Packet packet;
    std::optional<size_t> truncateTo;
    size_t truncateOffset = 0;
    std::vector<const LayerSpec *> wire; // layers that produce bytes
    bool sawMeta = false;
    for (size_t i = 0; i < specs_.size(); ++i) {
      const LayerSpec &spec = specs_[i];
      if (spec.name == "meta") {
        if (sawMeta)
          return specError(spec.offset, "meta(...) given twice");
        sawMeta = true;
        auto meta = parseMeta(spec);
        if (!meta)
          return std::move(meta).error();
        packet.meta = *meta;
      } else if (spec.name == "truncate") {
        if (i + 1 != specs_.size())
          return specError(spec.offset, "truncate must be the last layer");
        if (spec.args.size() != 1 ||
            (spec.args[0].key != "truncate" && spec.args[0].key != "len"))
          return specError(spec.offset, "truncate expects a length: "
                                        "truncate=N or truncate(len=N)");
        auto length = Fields::parseNumber(spec.args[0], 1u << 20);
        if (!length)
          return std::move(length).error();
        truncateTo = *length;
        truncateOffset = spec.args[0].valueOffset;
      } else if (spec.name == "sock4" || spec.name == "sock6") {
        return specError(spec.offset, fmt::format("{} describes a socket "
                                                  "call, not a packet layer; "
                                                  "it must be alone",
                                                  spec.name));
      } else {
        wire.push_back(&spec);
      }
    }
    if (wire.empty())
      return specError(specs_.empty() ? 0 : specs_.front().offset,
                       "the spec has no packet layer");

    std::vector<Layer> layers;
    for (size_t i = 0; i < wire.size(); ++i) {
      const LayerSpec *next = i + 1 < wire.size() ? wire[i + 1] : nullptr;
      auto layer = parseLayer(*wire[i], next ? next->name : "");
      if (!layer)
        return std::move(layer).error();
      layers.push_back(std::move(*layer));
    }

    // Serialise backwards.
    Bytes tail;
    for (size_t i = layers.size(); i-- > 0;) {
      const Layer *ip = nullptr;
      for (size_t j = i; j-- > 0;)
        if (std::holds_alternative<Ip4Layer>(layers[j]) ||
            std::holds_alternative<Ip6Layer>(layers[j])) {
          ip = &layers[j];
          break;
        }
      tail = serialise(layers[i], std::move(tail), ip);
    }

    packet.data = std::move(tail);
    packet.hasL2 = wire.front()->name == "eth";
    if (!packet.hasL2 && !metaL3Given_) {
      if (wire.front()->name == "ip4")
        packet.meta.l3Proto = wire::kEtherTypeIp4;
      else if (wire.front()->name == "ip6")
        packet.meta.l3Proto = wire::kEtherTypeIp6;
    }
    if (truncateTo) {
      if (*truncateTo > packet.data.size())
        return specError(truncateOffset,
                         fmt::format("truncate={} is longer than the packet "
                                     "({} bytes)",
                                     *truncateTo, packet.data.size()));
      packet.data.resize(*truncateTo);
    }
    return packet;
  }

  Expected<Metadata> parseMeta(const LayerSpec &spec) {
    Fields f(spec, {"ifindex", "mark", "hash", "random", "l3", "ts"});
    Metadata meta;
    meta.ifindex = f.value<uint32_t>("ifindex", meta.ifindex);
    meta.mark = f.value<uint32_t>("mark", 0);
    meta.hash = f.value<uint32_t>("hash", 0);
    meta.random = f.value<uint32_t>("random", 0);
    meta.timestampNs = f.value<uint64_t>("ts", 0);
    if (auto l3 = f.named("l3", 0xffff, ir::etherTypeFromName, "ipv4, ipv6")) {
      meta.l3Proto = static_cast<uint16_t>(*l3);
      metaL3Given_ = true;
    }
    return f.result(meta);
  }

private:
  Expected<Layer> parseLayer(const LayerSpec &spec, std::string_view next) {
    const std::string &name = spec.name;
    if (name == "eth") {
      Fields f(spec, {"src", "dst", "type"});
      return f.result<Layer>(EthLayer{
          f.mac("src", defaults::kEthSrc), f.mac("dst", defaults::kEthDst),
          f.value<uint16_t>("type", defaults::etherTypeOfLayer(next))});
    }
    if (name == "vlan") {
      Fields f(spec, {"id", "pcp", "dei", "type"});
      uint16_t id = static_cast<uint16_t>(f.number("id", 4095).value_or(0));
      uint16_t pcp = static_cast<uint16_t>(f.number("pcp", 7).value_or(0));
      uint16_t dei = static_cast<uint16_t>(f.number("dei", 1).value_or(0));
      return f.result<Layer>(VlanLayer{
          static_cast<uint16_t>(pcp << 13 | dei << 12 | id),
          f.value<uint16_t>("type", defaults::etherTypeOfLayer(next))});
    }
    if (name == "ip4")
      return parseIp4(spec, next);
    if (name == "ip6")
      return parseIp6(spec, next);
    if (name == "hop" || name == "dst" || name == "route" || name == "frag" ||
        name == "ah" || name == "mh")
      return parseExt(spec, next);
    if (name == "tcp")
      return parseTcp(spec);
    if (name == "udp") {
      Fields f(spec, {"sport", "dport", "len", "csum"});
      return f.result<Layer>(
          UdpLayer{f.value<uint16_t>("sport", defaults::kSport),
                   f.value<uint16_t>("dport", defaults::kDport),
                   optional16(f, "len"), optional16(f, "csum")});
    }
    if (name == "icmp" || name == "icmpv6") {
      bool v6 = name == "icmpv6";
      Fields f(spec, {"type", "code", "id", "seq", "csum"});
      auto type =
          v6 ? f.named("type", 255, ir::icmpv6TypeFromName,
                       "an ICMPv6 type name")
             : f.named("type", 255, ir::icmpTypeFromName, "an ICMP type name");
      return f.result<Layer>(IcmpLayer{
          v6,
          static_cast<uint8_t>(type.value_or(v6 ? defaults::kIcmpv6EchoRequest
                                                : defaults::kIcmpEchoRequest)),
          f.value<uint8_t>("code", 0), f.value<uint16_t>("id", 0),
          f.value<uint16_t>("seq", 0), optional16(f, "csum")});
    }
    if (name == "payload" || name == "raw") {
      Fields f(spec, {"len", "fill", "hex"});
      if (f.has("hex") && (f.has("len") || f.has("fill")))
        return f.fail(spec.offset,
                      fmt::format("{}: hex= excludes len= and fill=", name));
      if (auto bytes = f.hex("hex"))
        return f.result<Layer>(PayloadLayer{std::move(*bytes)});
      if (!f.has("len"))
        return f.fail(spec.offset,
                      fmt::format("{} needs len=N or hex=...", name));
      // Read in order (a call's arguments are not): len's error comes first.
      uint16_t len = f.value<uint16_t>("len", 0);
      uint8_t fill = f.value<uint8_t>("fill", 0);
      Bytes bytes(len, fill);
      return f.result<Layer>(PayloadLayer{std::move(bytes)});
    }
    return specError(spec.offset,
                     fmt::format("unknown layer '{}' (expected one of: {})",
                                 name, kLayerNames));
  }

  static std::optional<uint16_t> optional16(Fields &f, std::string_view key) {
    return narrowed<uint16_t>(f.number(key, 0xffff));
  }

  static uint8_t nextProto(Fields &f, std::string_view next, uint8_t fallback) {
    if (auto proto = f.proto("proto"))
      return *proto;
    if (auto proto = f.proto("nh"))
      return *proto;
    return defaults::protoOfLayer(next).value_or(fallback);
  }

  /// On a conflict the error is latched in `f` and the value is 0.
  static uint8_t trafficClass(Fields &f, const LayerSpec &spec,
                              std::string_view fullKey) {
    if (f.has(fullKey) && (f.has("dscp") || f.has("ecn"))) {
      f.fail(spec.offset, fmt::format("{}: {}= excludes dscp= and ecn=",
                                      spec.name, fullKey));
      return 0;
    }
    if (auto full = f.number(fullKey, 255))
      return static_cast<uint8_t>(*full);
    uint8_t dscp = f.dscp("dscp").value_or(0);
    uint8_t ecn = static_cast<uint8_t>(f.number("ecn", 3).value_or(0));
    return static_cast<uint8_t>(dscp << 2 | ecn);
  }

  Expected<Layer> parseIp4(const LayerSpec &spec, std::string_view next) {
    Fields f(spec, {"src", "dst", "ttl", "tos", "dscp", "ecn", "proto", "id",
                    "flags", "frag", "ihl", "opts", "len", "csum", "ver"});
    Ip4Layer ip;
    ip.src = f.ip4("src", defaults::kIp4Src);
    ip.dst = f.ip4("dst", defaults::kIp4Dst);
    ip.version = f.value<uint8_t>("ver", 4);
    if (ip.version > 15)
      return f.fail(f.find("ver")->valueOffset, "ver= is at most 15");
    ip.tos = trafficClass(f, spec, "tos");
    ip.ttl = f.value<uint8_t>("ttl", defaults::kTtl);
    ip.proto = nextProto(f, next, defaults::kIp4Proto);
    ip.id = f.value<uint16_t>("id", 0);
    auto flags = f.flags(
        "flags", 7,
        [](std::string_view n) -> std::optional<uint64_t> {
          if (n == "rf")
            return 4;
          if (n == "df")
            return 2;
          if (n == "mf")
            return 1;
          return std::nullopt;
        },
        "IPv4 flag (rf, df, mf)");
    auto frag = f.number("frag", 0x1fff);
    ip.flagsFrag =
        static_cast<uint16_t>(flags.value_or(0) << 13 | frag.value_or(0));
    ip.options = f.hex("opts").value_or(Bytes{});
    size_t optionBytes = (ip.options.size() + 3) / 4 * 4;
    if (optionBytes > 40)
      return f.fail(f.find("opts")->valueOffset,
                    "opts= is longer than 40 bytes");
    auto ihl = f.number("ihl", 15);
    ip.ihl = static_cast<uint8_t>(ihl.value_or(5 + optionBytes / 4));
    // An IHL under 5 is a malformed header: the 20 fixed bytes stay.
    size_t headerBytes = std::max<size_t>(20, ip.ihl * 4u);
    if (headerBytes < 20 + optionBytes)
      return f.fail(f.find("ihl")->valueOffset,
                    fmt::format("ihl={} leaves no room for {} option bytes",
                                ip.ihl, optionBytes));
    ip.options = padOptions(std::move(ip.options), headerBytes - 20);
    ip.totalLength = optional16(f, "len");
    ip.checksum = optional16(f, "csum");
    return f.result<Layer>(ip);
  }

  Expected<Layer> parseIp6(const LayerSpec &spec, std::string_view next) {
    Fields f(spec, {"src", "dst", "hlim", "tc", "dscp", "ecn", "flow", "nh",
                    "plen", "ver"});
    Ip6Layer ip;
    ip.src = f.ip6("src", defaults::kIp6Src);
    ip.dst = f.ip6("dst", defaults::kIp6Dst);
    uint32_t version = f.number("ver", 15).value_or(6);
    uint32_t flow = f.number("flow", 0xfffff).value_or(0);
    ip.versionClassFlow =
        version << 28 | uint32_t(trafficClass(f, spec, "tc")) << 20 | flow;
    ip.nextHeader = nextProto(f, next, defaults::kIp6NextHeader);
    ip.hopLimit = f.value<uint8_t>("hlim", defaults::kTtl);
    ip.payloadLength = optional16(f, "plen");
    return f.result<Layer>(ip);
  }

  Expected<Layer> parseExt(const LayerSpec &spec, std::string_view next) {
    const std::string &name = spec.name;
    Bytes h;
    if (name == "frag") {
      Fields f(spec, {"nh", "offset", "more", "id"});
      h.push_back(nextProto(f, next, defaults::kIp6NextHeader));
      h.push_back(0);
      uint16_t offset =
          static_cast<uint16_t>(f.number("offset", 0x1fff).value_or(0));
      uint16_t more = static_cast<uint16_t>(f.number("more", 1).value_or(0));
      appendBe16(h, static_cast<uint16_t>(offset << 3 | more));
      appendBe32(h, f.value<uint32_t>("id", 0));
      return f.result<Layer>(ExtLayer{std::move(h)});
    }
    if (name == "ah") {
      Fields f(spec, {"nh", "len", "spi", "seq"});
      uint8_t len = f.value<uint8_t>("len", defaults::kAhLen);
      if (len < 1)
        return f.fail(f.find("len")->valueOffset,
                      "ah: len= is at least 1 (12 bytes)");
      h.push_back(nextProto(f, next, defaults::kIp6NextHeader));
      h.push_back(len);
      appendBe16(h, 0);
      appendBe32(h, f.value<uint32_t>("spi", 0));
      appendBe32(h, f.value<uint32_t>("seq", 0));
      h.resize(wire::ip6ExtensionHeaderSize(wire::kIpProtoAh, len), 0);
      return f.result<Layer>(ExtLayer{std::move(h)});
    }
    std::vector<std::string_view> known = {"nh", "len"};
    if (name == "route")
      known = {"nh", "len", "type", "segleft"};
    else if (name == "mh")
      known = {"nh", "len", "type"};
    Fields f(spec, known);
    uint8_t len = f.value<uint8_t>("len", 0);
    // Any type but fragment and AH: the length counts 8-byte units.
    size_t size = wire::ip6ExtensionHeaderSize(wire::kIpProtoRouting, len);
    h.push_back(nextProto(f, next, defaults::kIp6NextHeader));
    h.push_back(len);
    if (name == "route") {
      h.push_back(f.value<uint8_t>("type", 0));
      h.push_back(f.value<uint8_t>("segleft", 0));
      h.resize(size, 0);
    } else if (name == "mh") {
      h.push_back(f.value<uint8_t>("type", 0));
      h.resize(size, 0);
    } else {
      // hop/dst: one Pad1 or PadN option fills the header.
      size_t pad = size - 2;
      if (pad == 1) {
        h.push_back(0);
      } else {
        h.push_back(1);
        h.push_back(static_cast<uint8_t>(pad - 2));
        h.resize(size, 0);
      }
    }
    return f.result<Layer>(ExtLayer{std::move(h)});
  }

  Expected<Layer> parseTcp(const LayerSpec &spec) {
    Fields f(spec, {"sport", "dport", "seq", "ack", "flags", "win", "urg",
                    "doff", "opts", "res", "csum"});
    TcpLayer tcp;
    tcp.sport = f.value<uint16_t>("sport", defaults::kSport);
    tcp.dport = f.value<uint16_t>("dport", defaults::kDport);
    tcp.seq = f.value<uint32_t>("seq", 0);
    tcp.ack = f.value<uint32_t>("ack", 0);
    tcp.flags = static_cast<uint8_t>(
        f.flags(
             "flags", 255,
             [](std::string_view n) -> std::optional<uint64_t> {
               return ir::tcpFlagFromName(n);
             },
             "TCP flag")
            .value_or(0));
    tcp.window = f.value<uint16_t>("win", defaults::kTcpWindow);
    tcp.urgent = f.value<uint16_t>("urg", 0);
    tcp.reserved = static_cast<uint8_t>(f.number("res", 15).value_or(0));
    tcp.options = f.hex("opts").value_or(Bytes{});
    size_t optionBytes = (tcp.options.size() + 3) / 4 * 4;
    if (optionBytes > 40)
      return f.fail(f.find("opts")->valueOffset,
                    "opts= is longer than 40 bytes");
    tcp.dataOffset = static_cast<uint8_t>(
        f.number("doff", 15).value_or(5 + optionBytes / 4));
    size_t headerBytes = std::max<size_t>(20, tcp.dataOffset * 4u);
    if (headerBytes < 20 + optionBytes)
      return f.fail(f.find("doff")->valueOffset,
                    fmt::format("doff={} leaves no room for {} option bytes",
                                tcp.dataOffset, optionBytes));
    tcp.options = padOptions(std::move(tcp.options), headerBytes - 20);
    tcp.checksum = optional16(f, "csum");
    return f.result<Layer>(tcp);
  }

  /// The pseudo-header sum of the nearest IP layer before a transport.
  static uint32_t pseudoHeaderSum(const Layer *ip, uint8_t proto,
                                  size_t length) {
    if (!ip)
      return 0;
    Bytes pseudo;
    if (auto *v4 = std::get_if<Ip4Layer>(ip)) {
      pseudo.insert(pseudo.end(), v4->src.begin(), v4->src.end());
      pseudo.insert(pseudo.end(), v4->dst.begin(), v4->dst.end());
      pseudo.push_back(0);
      pseudo.push_back(proto);
      appendBe16(pseudo, static_cast<uint16_t>(length));
    } else {
      auto &v6 = std::get<Ip6Layer>(*ip);
      pseudo.insert(pseudo.end(), v6.src.begin(), v6.src.end());
      pseudo.insert(pseudo.end(), v6.dst.begin(), v6.dst.end());
      appendBe32(pseudo, static_cast<uint32_t>(length));
      appendBe32(pseudo, proto);
    }
    // Un-complemented sum: internetChecksum complements, so undo it.
    return static_cast<uint16_t>(
        ~internetChecksum(pseudo.data(), pseudo.size()));
  }

  static Bytes serialise(const Layer &layer, Bytes tail, const Layer *ip) {
    Bytes h;
    auto finish = [&](Bytes header) {
      header.insert(header.end(), tail.begin(), tail.end());
      return header;
    };
    if (auto *eth = std::get_if<EthLayer>(&layer)) {
      h.insert(h.end(), eth->dst.begin(), eth->dst.end());
      h.insert(h.end(), eth->src.begin(), eth->src.end());
      appendBe16(h, eth->type);
      return finish(std::move(h));
    }
    if (auto *vlan = std::get_if<VlanLayer>(&layer)) {
      appendBe16(h, vlan->tci);
      appendBe16(h, vlan->type);
      return finish(std::move(h));
    }
    if (auto *ip4 = std::get_if<Ip4Layer>(&layer)) {
      h.push_back(static_cast<uint8_t>(ip4->version << 4 | (ip4->ihl & 0xf)));
      h.push_back(ip4->tos);
      size_t headerBytes = 20 + ip4->options.size();
      appendBe16(h, ip4->totalLength.value_or(
                        static_cast<uint16_t>(headerBytes + tail.size())));
      appendBe16(h, ip4->id);
      appendBe16(h, ip4->flagsFrag);
      h.push_back(ip4->ttl);
      h.push_back(ip4->proto);
      appendBe16(h, 0);
      h.insert(h.end(), ip4->src.begin(), ip4->src.end());
      h.insert(h.end(), ip4->dst.begin(), ip4->dst.end());
      h.insert(h.end(), ip4->options.begin(), ip4->options.end());
      set16(h, 10,
            ip4->checksum.value_or(internetChecksum(h.data(), h.size())));
      return finish(std::move(h));
    }
    if (auto *ip6 = std::get_if<Ip6Layer>(&layer)) {
      appendBe32(h, ip6->versionClassFlow);
      appendBe16(
          h, ip6->payloadLength.value_or(static_cast<uint16_t>(tail.size())));
      h.push_back(ip6->nextHeader);
      h.push_back(ip6->hopLimit);
      h.insert(h.end(), ip6->src.begin(), ip6->src.end());
      h.insert(h.end(), ip6->dst.begin(), ip6->dst.end());
      return finish(std::move(h));
    }
    if (auto *ext = std::get_if<ExtLayer>(&layer))
      return finish(ext->header);
    if (auto *tcp = std::get_if<TcpLayer>(&layer)) {
      appendBe16(h, tcp->sport);
      appendBe16(h, tcp->dport);
      appendBe32(h, tcp->seq);
      appendBe32(h, tcp->ack);
      h.push_back(static_cast<uint8_t>(tcp->dataOffset << 4 | tcp->reserved));
      h.push_back(tcp->flags);
      appendBe16(h, tcp->window);
      appendBe16(h, 0);
      appendBe16(h, tcp->urgent);
      h.insert(h.end(), tcp->options.begin(), tcp->options.end());
      Bytes segment = finish(std::move(h));
      set16(segment, 16,
            tcp->checksum.value_or(
                internetChecksum(segment.data(), segment.size(),
                                 pseudoHeaderSum(ip, 6, segment.size()))));
      return segment;
    }
    if (auto *udp = std::get_if<UdpLayer>(&layer)) {
      appendBe16(h, udp->sport);
      appendBe16(h, udp->dport);
      appendBe16(h,
                 udp->length.value_or(static_cast<uint16_t>(8 + tail.size())));
      appendBe16(h, 0);
      Bytes datagram = finish(std::move(h));
      uint16_t sum = internetChecksum(datagram.data(), datagram.size(),
                                      pseudoHeaderSum(ip, 17, datagram.size()));
      set16(datagram, 6, udp->checksum.value_or(sum == 0 ? 0xffff : sum));
      return datagram;
    }
    if (auto *icmp = std::get_if<IcmpLayer>(&layer)) {
      h.push_back(icmp->type);
      h.push_back(icmp->code);
      appendBe16(h, 0);
      appendBe16(h, icmp->id);
      appendBe16(h, icmp->seq);
      Bytes message = finish(std::move(h));
      uint32_t initial = icmp->v6 ? pseudoHeaderSum(ip, 58, message.size()) : 0;
      set16(message, 2,
            icmp->checksum.value_or(
                internetChecksum(message.data(), message.size(), initial)));
      return message;
    }
    return finish(std::get<PayloadLayer>(layer).bytes);
  }

  std::vector<LayerSpec> specs_;
  bool metaL3Given_ = false;
};

Expected<SockAddr> parseSock(const std::vector<LayerSpec> &specs) {
  SockAddr sock;
  const LayerSpec *sockSpec = nullptr;
  for (const LayerSpec &spec : specs) {
    if (spec.name == "meta") {
      if (sockSpec || &spec != &specs.front())
        return specError(spec.offset, "meta(...) must come first");
      Builder builder({});
      auto meta = builder.parseMeta(spec);
      if (!meta)
        return std::move(meta).error();
      sock.meta = *meta;
    } else if (spec.name == "sock4" || spec.name == "sock6") {
      if (sockSpec)
        return specError(spec.offset,
                         "a socket call spec has one sock4/sock6 layer");
      sockSpec = &spec;
    } else {
      return specError(spec.offset,
                       fmt::format("'{}' cannot be combined with a "
                                   "sock4/sock6 spec",
                                   spec.name));
    }
  }
  if (!sockSpec)
    return specError(0, "expected sock4(...) or sock6(...)");
  Fields f(*sockSpec, {"proto", "dst", "dport", "src"});
  sock.family = sockSpec->name == "sock4" ? 4 : 6;
  sock.protocol = f.proto("proto").value_or(6);
  sock.dport = f.value<uint16_t>("dport", defaults::kDport);
  if (sock.family == 4) {
    auto dst = f.ip4("dst", defaults::kIp4Dst);
    auto src = f.ip4("src", ir::Ip4Addr{});
    std::copy(dst.begin(), dst.end(), sock.dst.begin());
    std::copy(src.begin(), src.end(), sock.src.begin());
  } else {
    sock.dst = f.ip6("dst", defaults::kIp6Dst);
    sock.src = f.ip6("src", ir::Ip6Addr{});
  }
  return f.result(sock);
}

bool isSockSpec(const std::vector<LayerSpec> &specs) {
  for (const LayerSpec &spec : specs)
    if (spec.name == "sock4" || spec.name == "sock6")
      return true;
  return false;
}

} // namespace

std::string describeSpecError(const Error &error, std::string_view spec) {
  size_t caret = std::min<size_t>(error.offset, spec.size());
  return fmt::format("{}\n  {}\n  {}^", error.message, spec,
                     std::string(caret, ' '));
}

uint16_t internetChecksum(const uint8_t *data, size_t size, uint32_t initial) {
  uint64_t sum = initial;
  for (size_t i = 0; i + 1 < size; i += 2)
    sum += loadBe16(data + i);
  if (size % 2)
    sum += uint32_t(data[size - 1]) << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Expected<Packet> buildPacket(std::string_view spec) {
  auto layers = parseSpecText(spec);
  if (!layers)
    return std::move(layers).error();
  return Builder(std::move(*layers)).build();
}

Expected<SockAddr> parseSockAddr(std::string_view spec) {
  auto layers = parseSpecText(spec);
  if (!layers)
    return std::move(layers).error();
  return parseSock(*layers);
}

Expected<Input> parseInput(std::string_view spec) {
  auto layers = parseSpecText(spec);
  if (!layers)
    return std::move(layers).error();
  auto input = [](auto parsed) -> Expected<Input> {
    if (!parsed)
      return std::move(parsed).error();
    return Input(std::move(*parsed));
  };
  if (isSockSpec(*layers))
    return input(parseSock(*layers));
  return input(Builder(std::move(*layers)).build());
}

Packet adaptForHook(const Packet &packet, bool wantL2) {
  Packet out = packet;
  if (wantL2 == packet.hasL2)
    return out;
  out.hasL2 = wantL2;
  if (wantL2) {
    Bytes frame(defaults::kEthDst.begin(), defaults::kEthDst.end());
    frame.insert(frame.end(), defaults::kEthSrc.begin(),
                 defaults::kEthSrc.end());
    appendBe16(frame, packet.meta.l3Proto);
    frame.insert(frame.end(), packet.data.begin(), packet.data.end());
    out.data = std::move(frame);
    return out;
  }
  if (packet.data.size() < 14) {
    out.data.clear();
    out.meta.l3Proto = 0;
    return out;
  }
  out.meta.l3Proto = loadBe16(packet.data.data() + 12);
  out.data.assign(packet.data.begin() + 14, packet.data.end());
  return out;
}

} // namespace bfc::packet
