// Witness packets: one packet (or socket call) of a class, in lib/Packet
// spec syntax.

#include <fmt/format.h>

#include "DiffInternal.h"
#include "bfc/IR/Names.h"
#include "bfc/Interp/Frame.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::diff {

namespace {

using ir::FieldId;

/// A spec layer with its key=value fields.
struct Layer {
  std::string name;
  std::vector<std::string> fields;

  void add(std::string_view key, const std::string &value) {
    fields.push_back(fmt::format("{}={}", key, value));
  }
  std::string text() const {
    return fields.empty() ? name
                          : fmt::format("{}({})", name, fmt::join(fields, ","));
  }
};

std::string addressText(Value value, unsigned bytes) {
  uint8_t raw[16];
  for (unsigned i = 0; i < bytes; ++i)
    raw[bytes - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
  return bytes == 4 ? ir::formatIp4(raw) : ir::formatIp6(raw);
}

std::string number(Value value) {
  return fmt::format("{}", static_cast<uint64_t>(value));
}

class WitnessBuilder {
public:
  WitnessBuilder(const ChangedClass &cls, ir::Hook hook)
      : cls_(cls), shape_(*cls.shape), hook_(hook) {}

  std::string build() {
    if (!chooseValues())
      return {};
    Layer meta{"meta", {}};
    if (shape_.domain[kDimRandom])
      meta.add("random", number(value_[kDimRandom]));
    if (sock())
      return prefixed(meta, sockLayer().text());
    for (auto [field, key] : {std::pair{FieldId::MetaIfindex, "ifindex"},
                              {FieldId::MetaMark, "mark"},
                              {FieldId::MetaFlowHash, "hash"}})
      meta.add(key, number(valueOf(field)));
    std::vector<std::string> layers;
    bool l2 = ir::hookHasL2(hook_);
    if (shape_.network == Shape::Network::Other) {
      layers.push_back(
          fmt::format("eth(type={:#06x})", number16(FieldId::MetaL3Proto)));
    } else {
      if (l2)
        layers.push_back("eth");
      layers.push_back(networkLayer().text());
      if (shape_.extension)
        layers.push_back(extensionLayer().text());
      if (shape_.transport != ir::Proto::None)
        layers.push_back(transportLayer().text());
    }
    return prefixed(meta, fmt::format("{}", fmt::join(layers, "/")));
  }

private:
  bool sock() const {
    return shape_.network == Shape::Network::Sock4 ||
           shape_.network == Shape::Network::Sock6;
  }
  bool v4() const {
    return shape_.network == Shape::Network::Ip4 ||
           shape_.network == Shape::Network::Sock4;
  }
  Value valueOf(FieldId field) const {
    return value_[shape_.dimOfField[static_cast<unsigned>(field)]];
  }
  unsigned number16(FieldId field) const {
    return static_cast<unsigned>(valueOf(field));
  }

  /// Picks a value in every dimension's class; the flow hash is not free
  /// (it follows from the 5-tuple): a source port gives it.
  bool chooseValues() {
    std::array<std::optional<Value>, kNumDims> defaults = defaultValues();
    for (unsigned dim = 0; dim < kNumDims; ++dim)
      if (shape_.domain[dim])
        value_[dim] = defaults[dim] && cls_.values[dim].contains(*defaults[dim])
                          ? *defaults[dim]
                          : cls_.values[dim].first();
    if (!shape_.domain[kDimFlowHash] ||
        cls_.values[kDimFlowHash] == *shape_.domain[kDimFlowHash])
      return true;
    return findSourcePort();
  }

  /// The field values of the packet builder's defaults for this shape: a
  /// witness that keeps them prints shorter.
  std::array<std::optional<Value>, kNumDims> defaultValues() const {
    std::string spec;
    if (sock())
      spec =
          fmt::format("sock{}(proto={})", v4() ? 4 : 6,
                      shape_.transport == ir::Proto::Udp ? wire::kIpProtoUdp
                                                         : wire::kIpProtoTcp);
    else if (shape_.network != Shape::Network::Other)
      spec =
          fmt::format("{}{}", v4() ? "ip4" : "ip6",
                      shape_.transport == ir::Proto::None
                          ? ""
                          : "/" + std::string(ir::protoName(shape_.transport)));
    std::array<std::optional<Value>, kNumDims> out;
    Expected<packet::Input> input = packet::parseInput(spec);
    if (spec.empty() || !input)
      return out;
    ir::Module module;
    ir::Chain chain;
    chain.hook = hook_;
    interp::HostEnv env;
    interp::Frame frame(module, chain, env, *input);
    for (unsigned dim = 0; dim < ir::kNumFields; ++dim)
      if (std::optional<ir::Bytes> bytes =
              frame.field(static_cast<FieldId>(dim)))
        out[dim] = valueOfBytes(bytes->data(), bytes->size());
    return out;
  }

  bool findSourcePort() {
    FieldId sport = shape_.transport == ir::Proto::Tcp ? FieldId::TcpSport
                                                       : FieldId::UdpSport;
    unsigned bytes = v4() ? 4 : 16;
    uint8_t saddr[16], daddr[16];
    Value s = valueOf(v4() ? FieldId::Ip4Saddr : FieldId::Ip6Saddr);
    Value d = valueOf(v4() ? FieldId::Ip4Daddr : FieldId::Ip6Daddr);
    for (unsigned i = 0; i < bytes; ++i) {
      saddr[bytes - 1 - i] = static_cast<uint8_t>(s >> (8 * i));
      daddr[bytes - 1 - i] = static_cast<uint8_t>(d >> (8 * i));
    }
    uint16_t dport = static_cast<uint16_t>(
        valueOf(shape_.transport == ir::Proto::Tcp ? FieldId::TcpDport
                                                   : FieldId::UdpDport));
    uint8_t protocol = shape_.transport == ir::Proto::Tcp ? wire::kIpProtoTcp
                                                          : wire::kIpProtoUdp;
    for (const Interval &ports :
         cls_.values[static_cast<unsigned>(sport)].intervals())
      for (Value port = ports.lo; port <= ports.hi; ++port) {
        uint32_t hash = interp::flowHash(
            saddr, daddr, bytes, static_cast<uint16_t>(port), dport, protocol);
        if (cls_.values[kDimFlowHash].contains(hash)) {
          value_[static_cast<unsigned>(sport)] = port;
          value_[kDimFlowHash] = hash;
          return true;
        }
      }
    return false;
  }

  static std::string prefixed(const Layer &meta, const std::string &rest) {
    return meta.fields.empty() ? rest : meta.text() + "/" + rest;
  }

  Layer sockLayer() const {
    Layer sock{v4() ? "sock4" : "sock6", {}};
    sock.add("proto", number(valueOf(FieldId::MetaL4Proto)));
    unsigned bytes = v4() ? 4 : 16;
    sock.add("dst",
             addressText(valueOf(v4() ? FieldId::Ip4Daddr : FieldId::Ip6Daddr),
                         bytes));
    if (shape_.transport != ir::Proto::None)
      sock.add("dport", number(valueOf(FieldId::L4Dport)));
    FieldId src = v4() ? FieldId::Ip4Saddr : FieldId::Ip6Saddr;
    if (shape_.domain[static_cast<unsigned>(src)])
      sock.add("src", addressText(valueOf(src), bytes));
    return sock;
  }

  Layer networkLayer() const {
    if (v4()) {
      Layer ip{"ip4", {}};
      ip.add("src", addressText(valueOf(FieldId::Ip4Saddr), 4));
      ip.add("dst", addressText(valueOf(FieldId::Ip4Daddr), 4));
      ip.add("dscp", number(valueOf(FieldId::Ip4Dscp)));
      Value protocol = valueOf(FieldId::Ip4Proto);
      ip.add("proto", number(protocol));
      // A transport protocol without its header: a non-first fragment.
      if (shape_.transport == ir::Proto::None &&
          (protocol == wire::kIpProtoIcmp || protocol == wire::kIpProtoTcp ||
           protocol == wire::kIpProtoUdp))
        ip.add("frag", "1");
      return ip;
    }
    Layer ip{"ip6", {}};
    ip.add("src", addressText(valueOf(FieldId::Ip6Saddr), 16));
    ip.add("dst", addressText(valueOf(FieldId::Ip6Daddr), 16));
    ip.add("dscp", number(valueOf(FieldId::Ip6Dscp)));
    ip.add("nh", number(valueOf(FieldId::Ip6Nexthdr)));
    return ip;
  }

  Layer extensionLayer() const {
    Layer ext{std::string(*ir::ipProtoName(*shape_.extension)), {}};
    if (ext.name == "routing")
      ext.name = "route";
    if (shape_.transport == ir::Proto::None) {
      ext.add("nh", number(valueOf(FieldId::MetaL4Proto)));
      // Whatever follows, a non-first fragment has no transport header.
      if (ext.name == "frag")
        ext.add("offset", "1");
    }
    return ext;
  }

  Layer transportLayer() const {
    switch (shape_.transport) {
    case ir::Proto::Tcp: {
      Layer tcp{"tcp", {}};
      tcp.add("sport", number(valueOf(FieldId::TcpSport)));
      tcp.add("dport", number(valueOf(FieldId::TcpDport)));
      tcp.add("flags", number(valueOf(FieldId::TcpFlags)));
      return tcp;
    }
    case ir::Proto::Udp: {
      Layer udp{"udp", {}};
      udp.add("sport", number(valueOf(FieldId::UdpSport)));
      udp.add("dport", number(valueOf(FieldId::UdpDport)));
      return udp;
    }
    default: {
      bool v6 = shape_.transport == ir::Proto::Icmpv6;
      Layer icmp{v6 ? "icmpv6" : "icmp", {}};
      icmp.add("type",
               number(valueOf(v6 ? FieldId::Icmpv6Type : FieldId::IcmpType)));
      icmp.add("code",
               number(valueOf(v6 ? FieldId::Icmpv6Code : FieldId::IcmpCode)));
      return icmp;
    }
    }
  }

  const ChangedClass &cls_;
  const Shape &shape_;
  ir::Hook hook_;
  std::array<Value, kNumDims> value_{};
};

} // namespace

std::string buildWitness(const ChangedClass &cls, ir::Hook hook,
                         const IfaceIndexes &) {
  std::string spec = WitnessBuilder(cls, hook).build();
  if (spec.empty())
    return spec;
  // Canonical form: the decoder prints only what differs from defaults.
  Expected<packet::Input> input = packet::parseInput(spec);
  if (!input)
    internalError("bfc diff: witness '" + spec +
                  "' does not build: " + input.error().message);
  if (auto *pkt = std::get_if<packet::Packet>(&*input))
    return packet::describePacket(*pkt);
  // The decoder leaves out the metadata of a socket call.
  const auto &sock = std::get<packet::SockAddr>(*input);
  std::string call = packet::describeSockAddr(sock);
  return sock.meta.random
             ? fmt::format("meta(random={:#x})/{}", sock.meta.random, call)
             : call;
}

} // namespace bfc::diff
