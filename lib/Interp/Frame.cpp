#include "bfc/Interp/Frame.h"

#include <algorithm>

#include "bfc/IR/HookModel.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::interp {

using ir::FieldId;
using ir::fromBigEndian;
using ir::Predicate;
using ir::Proto;
using ir::toBigEndian;
using packet::Bytes;

Frame::Frame(const ir::Module &module, const ir::Chain &chain,
             const HostEnv &env, const packet::Input &input)
    : module_(module), chain_(chain), env_(env) {
  if (auto *pkt = std::get_if<packet::Packet>(&input)) {
    packet_ = pkt;
    layout_ = parseLayout(pkt->data.data(), pkt->data.size(), pkt->hasL2,
                          pkt->meta.l3Proto);
    mark_ = pkt->meta.mark;
  } else {
    sock_ = &std::get<packet::SockAddr>(input);
  }
}

std::optional<uint32_t> Frame::hostIfindex(uint32_t slot) const {
  auto it = env_.ifindexByName.find(module_.hostSlots[slot].name);
  if (it == env_.ifindexByName.end())
    return std::nullopt;
  return it->second;
}

std::optional<Bytes> Frame::packetField(FieldId id) const {
  const ir::FieldInfo &info = ir::fieldInfo(id);
  const packet::Metadata &meta = packet_->meta;
  switch (id) {
  case FieldId::MetaIfindex:
    return toBigEndian(meta.ifindex, 4);
  case FieldId::MetaMark:
    return toBigEndian(mark_, 4); // the current mark, as set by earlier rules
  case FieldId::MetaFlowHash:
    return toBigEndian(meta.hash, 4);
  case FieldId::MetaL3Proto:
    return toBigEndian(layout_.l3Proto, 2);
  case FieldId::MetaL4Proto:
    return toBigEndian(layout_.l4Proto, 1);
  default:
    break;
  }
  if (!layout_.has(info.proto))
    return std::nullopt;
  const uint8_t *at =
      packet_->data.data() + layout_.offsetOf(info.proto) + info.offset;
  if (info.mask == 0)
    return Bytes(at, at + info.width);
  uint64_t loaded = fromBigEndian(at, info.loadWidth);
  return toBigEndian((loaded & info.mask) >> info.shift, info.width);
}

std::optional<Bytes> Frame::sockField(FieldId id) const {
  // What the call does not carry is false (no packet, no interface, no
  // mark, no source address on connect, no field of the other family).
  if (ir::fieldVisibility(chain_.hook, id) != ir::Visibility::Visible)
    return std::nullopt;
  bool v4 = sock_->family == 4;
  auto address = [&](const std::array<uint8_t, 16> &addr) {
    return Bytes(addr.begin(), addr.begin() + (v4 ? 4 : 16));
  };
  uint8_t proto = sock_->protocol;
  switch (id) {
  case FieldId::MetaL3Proto:
    return toBigEndian(v4 ? wire::kEtherTypeIp4 : wire::kEtherTypeIp6, 2);
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
    return toBigEndian(proto, 1);
  case FieldId::Ip4Daddr:
  case FieldId::Ip6Daddr:
    return address(sock_->dst);
  case FieldId::Ip4Saddr:
  case FieldId::Ip6Saddr:
    return address(sock_->src);
  case FieldId::L4Dport:
    if (proto != wire::kIpProtoTcp && proto != wire::kIpProtoUdp)
      return std::nullopt;
    return toBigEndian(sock_->dport, 2);
  case FieldId::TcpDport:
    return proto == wire::kIpProtoTcp
               ? std::optional(toBigEndian(sock_->dport, 2))
               : std::nullopt;
  case FieldId::UdpDport:
    return proto == wire::kIpProtoUdp
               ? std::optional(toBigEndian(sock_->dport, 2))
               : std::nullopt;
  default:
    return std::nullopt;
  }
}

std::optional<bool> Frame::evaluate(const Predicate &pred) const {
  switch (pred.kind) {
  case Predicate::Kind::Field:
    return evaluateField(pred);
  case Predicate::Kind::Iface: {
    if (!packet_)
      return std::nullopt;
    uint32_t wanted =
        pred.hostSlot ? hostIfindex(*pred.hostSlot).value_or(0) : pred.ifindex;
    return packet_->meta.ifindex == wanted;
  }
  case Predicate::Kind::Probability: {
    uint64_t threshold = probabilityThreshold(pred.percent);
    if (!pred.perFlow)
      return (packet_ ? packet_->meta.random : sock_->meta.random) < threshold;
    std::optional<uint32_t> hash = flowHashOfPacket();
    if (!hash)
      return std::nullopt;
    return *hash < threshold;
  }
  case Predicate::Kind::Ip6HeaderChain: {
    if (!packet_ || !layout_.ip6Offset)
      return std::nullopt;
    const auto &chain = layout_.ip6HeaderChain;
    return std::find(chain.begin(), chain.end(), pred.protocol) != chain.end();
  }
  case Predicate::Kind::Set:
    return evaluateSet(chain_.sets[pred.set]);
  }
  return std::nullopt;
}

std::optional<bool> Frame::evaluateField(const Predicate &pred) const {
  std::optional<Bytes> value = field(pred.field);
  if (!value)
    return std::nullopt;
  switch (pred.op) {
  case ir::CmpOp::Eq:
    if (pred.prefixLen)
      return prefixEquals(*value, pred.value, *pred.prefixLen);
    return *value == pred.value;
  case ir::CmpOp::Range:
    // Equal-width big-endian byte strings compare like the integers.
    return pred.value <= *value && *value <= pred.high;
  case ir::CmpOp::AnyBits:
    for (size_t i = 0; i < value->size(); ++i)
      if ((*value)[i] & pred.value[i])
        return true;
    return false;
  case ir::CmpOp::AllBits:
    for (size_t i = 0; i < value->size(); ++i)
      if (((*value)[i] & pred.value[i]) != pred.value[i])
        return false;
    return true;
  }
  return std::nullopt;
}

std::optional<bool> Frame::evaluateSet(const ir::Set &set) const {
  Bytes key;
  for (FieldId id : set.key) {
    std::optional<Bytes> value = field(id);
    if (!value)
      return std::nullopt;
    key.insert(key.end(), value->begin(), value->end());
  }
  for (const ir::SetElement &element : set.elements) {
    if (set.lpm ? prefixEquals(key, element.key, element.prefixLen)
                : key == element.key)
      return true;
  }
  return false;
}

std::optional<uint32_t> Frame::flowHashOfPacket() const {
  if (!packet_ || !layout_.has(Proto::TcpOrUdp))
    return std::nullopt;
  const uint8_t *data = packet_->data.data();
  const uint8_t *l4 = data + *layout_.l4Offset;
  uint16_t sport = static_cast<uint16_t>(fromBigEndian(l4, 2));
  uint16_t dport = static_cast<uint16_t>(fromBigEndian(l4 + 2, 2));
  if (layout_.ip4Offset) {
    const uint8_t *ip = data + *layout_.ip4Offset;
    return flowHash(ip + 12, ip + 16, 4, sport, dport, layout_.l4Proto);
  }
  const uint8_t *ip = data + *layout_.ip6Offset;
  return flowHash(ip + 8, ip + 24, 16, sport, dport, layout_.l4Proto);
}

} // namespace bfc::interp
