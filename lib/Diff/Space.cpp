// Packet shapes and predicates compiled to conditions over dimensions.

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "DiffInternal.h"
#include "bfc/IR/Names.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::diff {

using ir::FieldId;
using ir::Proto;

unsigned dimBits(unsigned dim) {
  if (dim >= ir::kNumFields)
    return 32;
  const ir::FieldInfo &info = ir::fieldInfo(static_cast<FieldId>(dim));
  return info.mask ? static_cast<unsigned>(std::popcount(info.mask))
                   : info.width * 8u;
}

namespace {

unsigned dimOf(FieldId field) { return static_cast<unsigned>(field); }

IntervalSet valuesExcept(unsigned dim, std::initializer_list<Value> values) {
  IntervalSet out = IntervalSet::all(dimBits(dim));
  for (Value value : values)
    out = out.minus(IntervalSet::point(value));
  return out;
}

class ShapeBuilder {
public:
  explicit ShapeBuilder(Shape::Network network, Proto transport) {
    shape_->network = network;
    shape_->transport = transport;
    for (unsigned field = 0; field < ir::kNumFields; ++field)
      shape_->dimOfField[field] = field;
  }
  /// The field is a dimension of its own with these values.
  ShapeBuilder &has(FieldId field, IntervalSet values) {
    shape_->domain[dimOf(field)] = std::move(values);
    return *this;
  }
  ShapeBuilder &has(FieldId field) {
    return has(field, IntervalSet::all(dimBits(dimOf(field))));
  }
  ShapeBuilder &hasDim(unsigned dim) {
    shape_->domain[dim] = IntervalSet::all(dimBits(dim));
    return *this;
  }
  /// Predicates on `field` constrain `target` (which the shape has).
  ShapeBuilder &alias(FieldId field, FieldId target) {
    shape_->dimOfField[dimOf(field)] = dimOf(target);
    return *this;
  }
  std::unique_ptr<Shape> take() { return std::move(shape_); }

private:
  std::unique_ptr<Shape> shape_ = std::make_unique<Shape>();
};

std::unique_ptr<Shape>
packetShape(Shape::Network network, Proto transport,
            std::optional<uint8_t> extension = std::nullopt) {
  ShapeBuilder b(network, transport);
  b.has(FieldId::MetaIfindex)
      .has(FieldId::MetaMark)
      .has(FieldId::MetaFlowHash)
      .hasDim(kDimRandom);
  if (network == Shape::Network::Other)
    return b
        .has(FieldId::MetaL3Proto,
             valuesExcept(dimOf(FieldId::MetaL3Proto),
                          {wire::kEtherTypeIp4, wire::kEtherTypeIp6}))
        .has(FieldId::MetaL4Proto, IntervalSet::point(0))
        .take();
  bool v4 = network == Shape::Network::Ip4;
  b.has(FieldId::MetaL3Proto,
        IntervalSet::point(v4 ? wire::kEtherTypeIp4 : wire::kEtherTypeIp6));
  // meta.l4_proto is the protocol field, unless an extension header comes
  // first.
  FieldId protocol = v4 ? FieldId::Ip4Proto : FieldId::Ip6Nexthdr;
  if (extension) {
    b.has(FieldId::Ip6Nexthdr, IntervalSet::point(*extension));
    protocol = FieldId::MetaL4Proto;
  } else {
    b.alias(FieldId::MetaL4Proto, protocol);
  }
  if (v4)
    b.has(FieldId::Ip4Saddr).has(FieldId::Ip4Daddr).has(FieldId::Ip4Dscp);
  else
    b.has(FieldId::Ip6Saddr).has(FieldId::Ip6Daddr).has(FieldId::Ip6Dscp);
  switch (transport) {
  case Proto::Tcp:
    b.has(protocol, IntervalSet::point(wire::kIpProtoTcp))
        .has(FieldId::TcpSport)
        .has(FieldId::TcpDport)
        .has(FieldId::TcpFlags)
        .alias(FieldId::L4Sport, FieldId::TcpSport)
        .alias(FieldId::L4Dport, FieldId::TcpDport)
        .hasDim(kDimFlowHash);
    break;
  case Proto::Udp:
    b.has(protocol, IntervalSet::point(wire::kIpProtoUdp))
        .has(FieldId::UdpSport)
        .has(FieldId::UdpDport)
        .alias(FieldId::L4Sport, FieldId::UdpSport)
        .alias(FieldId::L4Dport, FieldId::UdpDport)
        .hasDim(kDimFlowHash);
    break;
  case Proto::Icmp:
    b.has(protocol, IntervalSet::point(wire::kIpProtoIcmp))
        .has(FieldId::IcmpType)
        .has(FieldId::IcmpCode);
    break;
  case Proto::Icmpv6:
    b.has(protocol, IntervalSet::point(wire::kIpProtoIcmpv6))
        .has(FieldId::Icmpv6Type)
        .has(FieldId::Icmpv6Code);
    break;
  default:
    // IPv4: any protocol (TCP, UDP and ICMP as non-first fragments). IPv6:
    // anything but a transport or another extension header.
    // After an IPv6 fragment header, a non-first fragment: any protocol.
    if (v4 || extension == wire::kIpProtoFragment) {
      b.has(protocol);
    } else {
      IntervalSet values =
          valuesExcept(dimOf(protocol), {wire::kIpProtoTcp, wire::kIpProtoUdp,
                                         wire::kIpProtoIcmpv6});
      for (Value ext : wire::kIp6ExtensionHeaders)
        values = values.minus(IntervalSet::point(ext));
      b.has(protocol, values);
    }
    break;
  }
  std::unique_ptr<Shape> shape = b.take();
  shape->extension = extension;
  return shape;
}

/// A socket call on `hook`: the fields the hook model says it sees.
std::unique_ptr<Shape> sockShape(ir::Hook hook, Proto transport) {
  bool v4 = ir::sockAddrFamily(hook) == 4;
  auto sees = [&](FieldId field) {
    return ir::fieldVisibility(hook, field) == ir::Visibility::Visible;
  };
  ShapeBuilder b(v4 ? Shape::Network::Sock4 : Shape::Network::Sock6, transport);
  b.hasDim(kDimRandom)
      .has(FieldId::MetaL3Proto,
           IntervalSet::point(v4 ? wire::kEtherTypeIp4 : wire::kEtherTypeIp6))
      .has(v4 ? FieldId::Ip4Daddr : FieldId::Ip6Daddr);
  FieldId source = v4 ? FieldId::Ip4Saddr : FieldId::Ip6Saddr;
  if (sees(source))
    b.has(source);
  if (v4)
    b.alias(FieldId::Ip4Proto, FieldId::MetaL4Proto);
  if (transport == Proto::None)
    return b
        .has(FieldId::MetaL4Proto,
             valuesExcept(dimOf(FieldId::MetaL4Proto),
                          {wire::kIpProtoTcp, wire::kIpProtoUdp}))
        .take();
  bool tcp = transport == Proto::Tcp;
  FieldId port = tcp ? FieldId::TcpDport : FieldId::UdpDport;
  b.has(FieldId::MetaL4Proto,
        IntervalSet::point(tcp ? wire::kIpProtoTcp : wire::kIpProtoUdp))
      .has(FieldId::L4Dport);
  if (sees(port))
    b.alias(port, FieldId::L4Dport);
  return b.take();
}

} // namespace

std::vector<std::unique_ptr<Shape>> shapesOfHook(ir::Hook hook) {
  std::vector<std::unique_ptr<Shape>> shapes;
  if (ir::sockAddrFamily(hook) != 0) {
    for (Proto transport : {Proto::Tcp, Proto::Udp, Proto::None})
      shapes.push_back(sockShape(hook, transport));
    return shapes;
  }
  // Hooks without L2 see IP packets only.
  if (ir::hookHasL2(hook))
    shapes.push_back(packetShape(Shape::Network::Other, Proto::None));
  for (Proto transport : {Proto::Tcp, Proto::Udp, Proto::Icmp, Proto::None})
    shapes.push_back(packetShape(Shape::Network::Ip4, transport));
  for (Proto transport : {Proto::Tcp, Proto::Udp, Proto::Icmpv6, Proto::None})
    shapes.push_back(packetShape(Shape::Network::Ip6, transport));
  // One extension header the interpreter walks past; longer chains are not
  // modelled (docs/diff.md, "Limits").
  for (Value extension : wire::kIp6ExtensionHeaders)
    for (Proto transport : {Proto::Tcp, Proto::Udp, Proto::Icmpv6, Proto::None})
      shapes.push_back(packetShape(Shape::Network::Ip6, transport,
                                   static_cast<uint8_t>(extension)));
  return shapes;
}

std::string Shape::describe() const {
  std::string out;
  switch (network) {
  case Network::Other:
    return "non-IP";
  case Network::Ip4:
    out = "ip4";
    break;
  case Network::Ip6:
    out = "ip6";
    if (extension)
      out +=
          " with " + ir::nameOrNumber(ir::ipProtoName(*extension), *extension);
    break;
  case Network::Sock4:
    out = "sock4";
    break;
  case Network::Sock6:
    out = "sock6";
    break;
  }
  if (transport != Proto::None)
    return out + ", " + std::string(ir::protoName(transport));
  bool sock = network == Network::Sock4 || network == Network::Sock6;
  return out + (sock ? ", not tcp or udp" : ", no transport header");
}

namespace {

Value valueOf(const ir::Bytes &bytes) {
  return valueOfBytes(bytes.data(), bytes.size());
}

/// The values of a dimension of `bits` bits where a mask test holds.
IntervalSet bitTestValues(const ir::Predicate &pred, unsigned bits) {
  Value mask = valueOf(pred.value);
  std::vector<Interval> hits;
  for (Value v = 0; v < (Value(1) << bits); ++v) {
    bool holds =
        pred.op == ir::CmpOp::AnyBits ? (v & mask) != 0 : (v & mask) == mask;
    if (holds)
      hits.push_back({v, v});
  }
  return IntervalSet::fromIntervals(std::move(hits));
}

class ConditionCompiler {
public:
  ConditionCompiler(const ir::Module &module, const ir::Chain &chain,
                    const Shape &shape, const IfaceIndexes &ifaces,
                    bool isAfter)
      : module_(module), chain_(chain), shape_(shape), ifaces_(ifaces),
        isAfter_(isAfter) {}

  Expected<Condition> compile(const ir::Predicate &pred) const {
    switch (pred.kind) {
    case ir::Predicate::Kind::Field:
      return fieldCondition(pred);
    case ir::Predicate::Kind::Iface: {
      if (!shape_.domain[dimOf(FieldId::MetaIfindex)])
        return constant(false);
      uint32_t index = pred.hostSlot
                           ? ifaces_.at(module_.hostSlots[*pred.hostSlot].name)
                           : pred.ifindex;
      return values(pred, dimOf(FieldId::MetaIfindex),
                    IntervalSet::point(index));
    }
    case ir::Predicate::Kind::Probability: {
      unsigned dim = pred.perFlow ? kDimFlowHash : kDimRandom;
      if (!shape_.domain[dim])
        return constant(false);
      uint64_t threshold = interp::probabilityThreshold(pred.percent);
      IntervalSet below = threshold == 0
                              ? IntervalSet()
                              : IntervalSet::range(0, Value(threshold) - 1);
      return values(pred, dim, below);
    }
    case ir::Predicate::Kind::Ip6HeaderChain: {
      // The chain is the fixed header's next header, then after an
      // extension header the protocol that follows it.
      if (shape_.network != Shape::Network::Ip6)
        return constant(false);
      if (shape_.extension && *shape_.extension == pred.protocol)
        return constant(!pred.negate);
      return values(pred,
                    dimOfField(shape_.extension ? FieldId::MetaL4Proto
                                                : FieldId::Ip6Nexthdr),
                    IntervalSet::point(pred.protocol));
    }
    case ir::Predicate::Kind::Set:
      return setCondition(pred, chain_.sets[pred.set]);
    }
    return constant(false);
  }

private:
  static Condition constant(bool value) {
    Condition c;
    c.constant = value;
    return c;
  }

  /// The condition "the field's header is present and (negate xor the
  /// value is in `test`)", within the shape's domain.
  Condition values(const ir::Predicate &pred, unsigned dim,
                   const IntervalSet &test) const {
    const std::optional<IntervalSet> &domain = shape_.domain[dim];
    if (!domain)
      return constant(false);
    IntervalSet holds =
        pred.negate ? domain->minus(test) : domain->intersect(test);
    if (holds.empty())
      return constant(false);
    if (holds == *domain)
      return constant(true);
    Condition c;
    c.kind = Condition::Kind::Values;
    c.dim = dim;
    c.values = std::move(holds);
    return c;
  }

  unsigned dimOfField(FieldId field) const {
    return shape_.dimOfField[dimOf(field)];
  }

  Expected<Condition> fieldCondition(const ir::Predicate &pred) const {
    unsigned dim = dimOfField(pred.field);
    unsigned bits = dimBits(dimOf(pred.field));
    switch (pred.op) {
    case ir::CmpOp::Eq:
      return values(pred, dim,
                    pred.prefixLen ? IntervalSet::prefix(valueOf(pred.value),
                                                         *pred.prefixLen, bits)
                                   : IntervalSet::point(valueOf(pred.value)));
    case ir::CmpOp::Range:
      return values(
          pred, dim,
          IntervalSet::range(valueOf(pred.value), valueOf(pred.high)));
    case ir::CmpOp::AnyBits:
    case ir::CmpOp::AllBits:
      if (bits > 16)
        return Error{
            .message = fmt::format(
                "bfc diff cannot decide '{}' exactly: bit tests on fields "
                "wider than 16 bits are not modelled",
                pred.text),
            .range = pred.range,
            .kind = ErrorKind::Unsupported,
            .input = isAfter_ ? 1u : 0u};
      return values(pred, dim, bitTestValues(pred, bits));
    }
    return constant(false);
  }

  Condition setCondition(const ir::Predicate &pred, const ir::Set &set) const {
    std::vector<unsigned> dims;
    for (FieldId field : set.key) {
      unsigned dim = dimOfField(field);
      if (!shape_.domain[dim])
        return constant(false);
      dims.push_back(dim);
    }
    if (dims.size() == 1) {
      unsigned bits = dimBits(dimOf(set.key[0]));
      std::vector<Interval> members;
      for (const ir::SetElement &element : set.elements) {
        IntervalSet one = set.lpm ? IntervalSet::prefix(valueOf(element.key),
                                                        element.prefixLen, bits)
                                  : IntervalSet::point(valueOf(element.key));
        members.push_back(one.intervals().front());
      }
      return values(pred, dims[0],
                    IntervalSet::fromIntervals(std::move(members)));
    }
    Condition c;
    c.kind = Condition::Kind::Tuples;
    c.dims = std::move(dims);
    c.negate = pred.negate;
    for (const ir::SetElement &element : set.elements) {
      std::vector<Value> tuple;
      size_t offset = 0;
      for (FieldId field : set.key) {
        size_t width = ir::fieldInfo(field).width;
        tuple.push_back(valueOfBytes(element.key.data() + offset, width));
        offset += width;
      }
      c.tuples.push_back(std::move(tuple));
    }
    return c;
  }

  const ir::Module &module_;
  const ir::Chain &chain_;
  const Shape &shape_;
  const IfaceIndexes &ifaces_;
  bool isAfter_;
};

} // namespace

Expected<CompiledChain> compileChain(const ir::Module &module,
                                     const ir::Chain &chain, const Shape &shape,
                                     const IfaceIndexes &ifaces, bool isAfter) {
  ConditionCompiler compiler(module, chain, shape, ifaces, isAfter);
  CompiledChain out;
  out.chain = &chain;
  for (const ir::Rule &rule : chain.rules) {
    std::vector<Condition> conditions;
    if (rule.neverMatches)
      conditions.emplace_back(); // the constant false
    for (const ir::Predicate &pred : rule.predicates) {
      Expected<Condition> condition = compiler.compile(pred);
      if (!condition)
        return std::move(condition).error();
      conditions.push_back(std::move(condition).value());
    }
    out.rules.push_back(std::move(conditions));
  }
  return out;
}

std::string redirectTarget(const ir::Module &module, const ir::Rule &rule) {
  std::string target = rule.redirectSlot
                           ? module.hostSlots[*rule.redirectSlot].name
                           : fmt::format("ifindex {}", rule.redirectIfindex);
  return target + (rule.redirectDir == ir::RedirectDir::In ? " in" : " out");
}

} // namespace bfc::diff
