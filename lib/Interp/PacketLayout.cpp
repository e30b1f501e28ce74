#include "bfc/Interp/PacketLayout.h"

#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::interp {

namespace {

using namespace wire;

class LayoutParser {
public:
  LayoutParser(const uint8_t *data, size_t size) : data_(data), size_(size) {}

  PacketLayout parse(bool hasL2, uint16_t l3Proto) {
    size_t l3Offset = 0;
    if (hasL2) {
      if (size_ < kEthernetHeaderSize) {
        layout_.malformed = true;
        return layout_;
      }
      layout_.l2Offset = 0;
      l3Proto = load16(12);
      l3Offset = kEthernetHeaderSize;
    }
    layout_.l3Proto = l3Proto;
    if (l3Proto == kEtherTypeIp4)
      ip4(l3Offset);
    else if (l3Proto == kEtherTypeIp6)
      ip6(l3Offset);
    return layout_;
  }

private:
  uint16_t load16(size_t at) const { return loadBe16(data_ + at); }
  bool available(size_t at, size_t bytes) const {
    return at <= size_ && bytes <= size_ - at;
  }

  void ip4(size_t at) {
    if (!available(at, kIp4MinHeaderSize) || data_[at] >> 4 != 4 ||
        (data_[at] & 0xf) < 5 || !available(at, (data_[at] & 0xf) * 4u)) {
      layout_.malformed = true;
      return;
    }
    layout_.ip4Offset = at;
    layout_.l4Proto = data_[at + 9];
    bool nonFirstFragment = (load16(at + 6) & 0x1fff) != 0;
    if (!nonFirstFragment)
      transport(layout_.l4Proto, at + (data_[at] & 0xf) * 4u, false);
  }

  void ip6(size_t at) {
    if (!available(at, kIp6HeaderSize) || data_[at] >> 4 != 6) {
      layout_.malformed = true;
      return;
    }
    layout_.ip6Offset = at;
    uint8_t nextHeader = data_[at + 6];
    layout_.ip6HeaderChain.push_back(nextHeader);
    size_t offset = at + kIp6HeaderSize;
    for (unsigned walked = 0;; ++walked) {
      layout_.l4Proto = nextHeader;
      if (!isIp6ExtensionHeader(nextHeader))
        return transport(nextHeader, offset, true);
      if (walked == kMaxIp6ExtensionHeaders || !available(offset, 2)) {
        layout_.malformed = true;
        return;
      }
      size_t headerSize = ip6ExtensionHeaderSize(nextHeader, data_[offset + 1]);
      if (!available(offset, headerSize)) {
        layout_.malformed = true;
        return;
      }
      uint8_t following = data_[offset];
      layout_.ip6HeaderChain.push_back(following);
      if (nextHeader == kIpProtoFragment && (load16(offset + 2) >> 3) != 0) {
        // A non-first fragment: what follows is not a transport header.
        layout_.l4Proto = following;
        return;
      }
      nextHeader = following;
      offset += headerSize;
    }
  }

  void transport(uint8_t proto, size_t at, bool overIp6) {
    ir::Proto header = ir::Proto::None;
    if (proto == kIpProtoTcp)
      header = ir::Proto::Tcp;
    else if (proto == kIpProtoUdp)
      header = ir::Proto::Udp;
    else if (proto == kIpProtoIcmp && !overIp6)
      header = ir::Proto::Icmp;
    else if (proto == kIpProtoIcmpv6 && overIp6)
      header = ir::Proto::Icmpv6;
    if (header == ir::Proto::None)
      return;
    if (!available(at, transportHeaderSize(header))) {
      layout_.malformed = true;
      return;
    }
    layout_.l4Offset = at;
    layout_.l4Header = header;
  }

  const uint8_t *data_;
  size_t size_;
  PacketLayout layout_;
};

} // namespace

size_t transportHeaderSize(ir::Proto proto) {
  return proto == ir::Proto::Tcp ? 20 : 8;
}

bool PacketLayout::has(ir::Proto proto) const {
  switch (proto) {
  case ir::Proto::None:
    return true;
  case ir::Proto::Ip4:
    return ip4Offset.has_value();
  case ir::Proto::Ip6:
    return ip6Offset.has_value();
  case ir::Proto::TcpOrUdp:
    return l4Header == ir::Proto::Tcp || l4Header == ir::Proto::Udp;
  default:
    return l4Header == proto;
  }
}

size_t PacketLayout::offsetOf(ir::Proto proto) const {
  switch (proto) {
  case ir::Proto::None:
    return 0;
  case ir::Proto::Ip4:
    return *ip4Offset;
  case ir::Proto::Ip6:
    return *ip6Offset;
  default:
    return *l4Offset;
  }
}

PacketLayout parseLayout(const uint8_t *data, size_t size, bool hasL2,
                         uint16_t l3Proto) {
  return LayoutParser(data, size).parse(hasL2, l3Proto);
}

} // namespace bfc::interp
