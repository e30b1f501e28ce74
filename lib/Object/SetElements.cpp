#include "bfc/Object/SetElements.h"

#include <charconv>

#include <fmt/format.h>

#include "bfc/IR/Names.h"

namespace bfc::object {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// Decimal or 0x-hexadecimal, at most `max`.
std::optional<uint64_t> parseNumber(std::string_view text, uint64_t max) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value > max)
    return std::nullopt;
  return value;
}

std::vector<uint8_t> bigEndian(uint64_t value, unsigned width) {
  std::vector<uint8_t> bytes(width);
  for (unsigned i = 0; i < width; ++i)
    bytes[width - 1 - i] = uint8_t(value >> (8 * i));
  return bytes;
}

uint64_t fromBigEndian(const uint8_t *value, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i)
    v = v << 8 | value[i];
  return v;
}

[[noreturn]] void badValue(ir::FieldId field, std::string_view text,
                           std::string_view expected) {
  throw ObjectError(fmt::format("invalid {} value '{}': expected {}",
                                ir::fieldInfo(field).name, text, expected));
}

std::optional<uint8_t> parseTcpFlags(std::string_view text) {
  uint8_t flags = 0;
  while (!text.empty()) {
    size_t bar = text.find('|');
    std::string_view name = trim(text.substr(0, bar));
    auto flag = ir::tcpFlagFromName(name);
    if (!flag)
      return std::nullopt;
    flags |= *flag;
    text = bar == std::string_view::npos ? "" : text.substr(bar + 1);
  }
  return flags;
}

std::vector<std::string_view> splitComponents(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    parts.push_back(trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return parts;
}

} // namespace

std::vector<uint8_t> parseFieldValue(ir::FieldId field, std::string_view text) {
  using ir::FieldId;
  text = trim(text);
  const unsigned width = ir::fieldInfo(field).width;
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    if (auto addr = ir::parseIp4(text))
      return {addr->begin(), addr->end()};
    badValue(field, text, "an IPv4 address such as 192.0.2.1");
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    if (auto addr = ir::parseIp6(text))
      return {addr->begin(), addr->end()};
    badValue(field, text, "an IPv6 address such as 2001:db8::1");
  case FieldId::MetaL3Proto:
    if (auto type = ir::etherTypeFromName(text))
      return bigEndian(*type, width);
    if (auto n = parseNumber(text, 0xffff))
      return bigEndian(*n, width);
    badValue(field, text, "ipv4, ipv6 or an EtherType number");
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
  case FieldId::Ip6Nexthdr:
    if (auto proto = ir::ipProtoFromName(text))
      return bigEndian(*proto, width);
    if (auto n = parseNumber(text, 0xff))
      return bigEndian(*n, width);
    badValue(field, text, "a protocol name (tcp, udp, icmp...) or 0-255");
  case FieldId::L4Sport:
  case FieldId::L4Dport:
  case FieldId::TcpSport:
  case FieldId::TcpDport:
  case FieldId::UdpSport:
  case FieldId::UdpDport:
    if (auto n = parseNumber(text, 0xffff))
      return bigEndian(*n, width);
    badValue(field, text, "a port number 0-65535");
  case FieldId::Ip4Dscp:
  case FieldId::Ip6Dscp:
    if (auto dscp = ir::dscpFromName(text))
      return bigEndian(*dscp, width);
    if (auto n = parseNumber(text, 63))
      return bigEndian(*n, width);
    badValue(field, text, "a DSCP class (ef, cs1, af11...) or 0-63");
  case FieldId::TcpFlags:
    if (auto flags = parseTcpFlags(text))
      return bigEndian(*flags, width);
    if (auto n = parseNumber(text, 0xff))
      return bigEndian(*n, width);
    badValue(field, text, "TCP flags joined by '|' (syn|ack) or 0-255");
  case FieldId::IcmpType:
    if (auto type = ir::icmpTypeFromName(text))
      return bigEndian(*type, width);
    if (auto n = parseNumber(text, 0xff))
      return bigEndian(*n, width);
    badValue(field, text, "an ICMP type name (echo-request...) or 0-255");
  case FieldId::Icmpv6Type:
    if (auto type = ir::icmpv6TypeFromName(text))
      return bigEndian(*type, width);
    if (auto n = parseNumber(text, 0xff))
      return bigEndian(*n, width);
    badValue(field, text, "an ICMPv6 type name (echo-request...) or 0-255");
  case FieldId::IcmpCode:
  case FieldId::Icmpv6Code:
  case FieldId::MetaIfindex:
  case FieldId::MetaMark:
  case FieldId::MetaFlowHash:
    break;
  }
  uint64_t max = width >= 8 ? UINT64_MAX : (uint64_t(1) << (8 * width)) - 1;
  if (auto n = parseNumber(text, max))
    return bigEndian(*n, width);
  badValue(field, text, fmt::format("a number 0-{}", max));
}

std::string formatFieldValue(ir::FieldId field, const uint8_t *value) {
  using ir::FieldId;
  const unsigned width = ir::fieldInfo(field).width;
  const uint64_t number = fromBigEndian(value, width);
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    return ir::formatIp4(value);
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    return ir::formatIp6(value);
  case FieldId::MetaL3Proto:
    if (auto name = ir::etherTypeName(uint16_t(number)))
      return std::string(*name);
    return fmt::format("0x{:04x}", number);
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
  case FieldId::Ip6Nexthdr:
    if (auto name = ir::ipProtoName(uint8_t(number)))
      return std::string(*name);
    break;
  case FieldId::Ip4Dscp:
  case FieldId::Ip6Dscp:
    if (auto name = ir::dscpName(uint8_t(number)))
      return std::string(*name);
    break;
  case FieldId::TcpFlags:
    return ir::tcpFlagsToString(uint8_t(number), '|');
  case FieldId::IcmpType:
    if (auto name = ir::icmpTypeName(uint8_t(number)))
      return std::string(*name);
    break;
  case FieldId::Icmpv6Type:
    if (auto name = ir::icmpv6TypeName(uint8_t(number)))
      return std::string(*name);
    break;
  case FieldId::MetaMark:
  case FieldId::MetaFlowHash:
    return fmt::format("0x{:x}", number);
  default:
    break;
  }
  return fmt::format("{}", number);
}

SetElement parseSetElement(const SetInfo &set, std::string_view text) {
  std::vector<std::string_view> parts = splitComponents(text);
  if (parts.size() != set.key.size())
    throw ObjectError(
        fmt::format("element '{}' has {} component{}, set '{}' {} has {}",
                    trim(text), parts.size(), parts.size() == 1 ? "" : "s",
                    set.name, formatSetKey(set), set.key.size()));
  SetElement element;
  if (set.lpm) {
    // LPM sets: one address, optionally with a prefix length.
    std::string_view address = parts[0];
    const uint32_t bits = set.keySize * 8;
    element.prefixLen = bits;
    if (size_t slash = address.find('/'); slash != std::string_view::npos) {
      auto prefix = parseNumber(trim(address.substr(slash + 1)), bits);
      if (!prefix)
        throw ObjectError(fmt::format("invalid prefix length in '{}': "
                                      "expected 0-{}",
                                      address, bits));
      element.prefixLen = uint32_t(*prefix);
      address = trim(address.substr(0, slash));
    }
    element.key = parseFieldValue(set.key[0], address);
    // The kernel compares only the first prefixLen bits; clear the rest so
    // equal networks have equal keys.
    for (uint32_t bit = element.prefixLen; bit < bits; ++bit)
      element.key[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
    return element;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<uint8_t> value = parseFieldValue(set.key[i], parts[i]);
    element.key.insert(element.key.end(), value.begin(), value.end());
  }
  return element;
}

std::string formatSetElement(const SetInfo &set, const SetElement &element) {
  if (set.lpm)
    return fmt::format("{}/{}",
                       formatFieldValue(set.key[0], element.key.data()),
                       element.prefixLen);
  std::vector<std::string> parts;
  size_t offset = 0;
  for (ir::FieldId field : set.key) {
    const unsigned width = ir::fieldInfo(field).width;
    if (offset + width > element.key.size())
      break;
    parts.push_back(formatFieldValue(field, element.key.data() + offset));
    offset += width;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string formatSetKey(const SetInfo &set) {
  std::vector<std::string> names;
  for (ir::FieldId field : set.key) {
    std::string name(ir::fieldInfo(field).name);
    // LPM keys are written with the network matchers in the source.
    if (set.lpm) {
      if (field == ir::FieldId::Ip4Saddr)
        name = "ip4.snet";
      else if (field == ir::FieldId::Ip4Daddr)
        name = "ip4.dnet";
      else if (field == ir::FieldId::Ip6Saddr)
        name = "ip6.snet";
      else if (field == ir::FieldId::Ip6Daddr)
        name = "ip6.dnet";
    }
    names.push_back(std::move(name));
  }
  return fmt::format("({})", fmt::join(names, ", "));
}

} // namespace bfc::object
