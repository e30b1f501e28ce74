#include "bfc/Object/SetElements.h"

#include <fmt/format.h>

#include "bfc/IR/Names.h"
#include "bfc/IR/Printer.h"
#include "bfc/IR/Reader.h"
#include "bfc/Support/ByteOrder.h"

namespace bfc::object {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

[[noreturn]] void badValue(ir::FieldId field, std::string_view text,
                           std::string_view expected) {
  throw ObjectError(fmt::format("invalid {} value '{}': expected {}",
                                ir::fieldInfo(field).name, text, expected));
}

/// Set elements allow blanks around the '|' of TCP flags ("syn | ack"); the
/// shared parser does not.
std::string withoutBlanksAroundBars(std::string_view text) {
  std::string joined;
  for (size_t start = 0;;) {
    size_t bar = text.find('|', start);
    joined += trim(text.substr(start, bar - start));
    if (bar == std::string_view::npos)
      return joined;
    joined += '|';
    start = bar + 1;
  }
}

/// What a value of `field` looks like, for error messages.
std::string expectedValue(ir::FieldId field, uint64_t max) {
  using ir::FieldId;
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    return "an IPv4 address such as 192.0.2.1";
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    return "an IPv6 address such as 2001:db8::1";
  case FieldId::MetaL3Proto:
    return "ipv4, ipv6 or an EtherType number";
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
  case FieldId::Ip6Nexthdr:
    return "a protocol name (tcp, udp, icmp...) or 0-255";
  case FieldId::L4Sport:
  case FieldId::L4Dport:
  case FieldId::TcpSport:
  case FieldId::TcpDport:
  case FieldId::UdpSport:
  case FieldId::UdpDport:
    return "a port number 0-65535";
  case FieldId::Ip4Dscp:
  case FieldId::Ip6Dscp:
    return "a DSCP class (ef, cs1, af11...) or 0-63";
  case FieldId::TcpFlags:
    return "TCP flags joined by '|' (syn|ack) or 0-255";
  case FieldId::IcmpType:
    return "an ICMP type name (echo-request...) or 0-255";
  case FieldId::Icmpv6Type:
    return "an ICMPv6 type name (echo-request...) or 0-255";
  default:
    return fmt::format("a number 0-{}", max);
  }
}

/// The largest value of `field`: masked fields (DSCP) are narrower than
/// their bytes.
uint64_t maxValue(const ir::FieldInfo &info) {
  if (info.mask != 0)
    return info.mask >> info.shift;
  return info.width >= 8 ? UINT64_MAX : (uint64_t(1) << (8 * info.width)) - 1;
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
  const ir::FieldInfo &info = ir::fieldInfo(field);
  const uint64_t max = maxValue(info);
  std::optional<ir::Bytes> value;
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    if (auto addr = ir::parseIp4(text))
      value = ir::Bytes(addr->begin(), addr->end());
    break;
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    if (auto addr = ir::parseIp6(text))
      value = ir::Bytes(addr->begin(), addr->end());
    break;
  case FieldId::TcpFlags:
    if (auto n =
            ir::parseFieldNumber(field, withoutBlanksAroundBars(text), max))
      value = ir::toBigEndian(*n, info.width);
    break;
  default:
    if (auto n = ir::parseFieldNumber(field, text, max))
      value = ir::toBigEndian(*n, info.width);
    break;
  }
  if (!value)
    badValue(field, text, expectedValue(field, max));
  return *value;
}

std::string formatFieldValue(ir::FieldId field, const uint8_t *value) {
  // The printer's syntax, which parseFieldValue reads back.
  const unsigned width = ir::fieldInfo(field).width;
  return ir::formatFieldValue(field, ir::Bytes(value, value + width));
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
      auto prefix = ir::parseNumber(trim(address.substr(slash + 1)), bits);
      if (!prefix)
        throw ObjectError(fmt::format("invalid prefix length in '{}': "
                                      "expected 0-{}",
                                      address, bits));
      element.prefixLen = uint32_t(*prefix);
      address = trim(address.substr(0, slash));
    }
    element.key = object::parseFieldValue(set.key[0], address);
    // The kernel compares only the first prefixLen bits; clear the rest so
    // equal networks have equal keys.
    keepPrefix(element.key, element.prefixLen);
    return element;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<uint8_t> value = object::parseFieldValue(set.key[i], parts[i]);
    element.key.insert(element.key.end(), value.begin(), value.end());
  }
  return element;
}

std::string formatSetElement(const SetInfo &set, const SetElement &element) {
  if (set.lpm)
    return fmt::format("{}/{}",
                       object::formatFieldValue(set.key[0], element.key.data()),
                       element.prefixLen);
  std::vector<std::string> parts;
  size_t offset = 0;
  for (ir::FieldId field : set.key) {
    const unsigned width = ir::fieldInfo(field).width;
    if (offset + width > element.key.size())
      break;
    parts.push_back(
        object::formatFieldValue(field, element.key.data() + offset));
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
